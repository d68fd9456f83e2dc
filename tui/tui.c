/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui: the console application object.  It wires the pieces to the core
 * loop: stdin and the signal fd are loop fds, the model and the client
 * report changes by marking the screen dirty, and one before-sleep hook
 * reaps closed panels and draws at most once per frame (TUI_FRAME_MS), so
 * a flood of output or pushes costs one draw per frame, and an idle console
 * sleeps in poll.
 */
#include <errno.h>
#include <poll.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf_log.h"
#include "tf_util.h"
#include "tui.h"

void
tui_dirty(struct tui *t)
{
	t->dirty = true;
}

const char *
tui_describe_container(const tf_model_container *c, char *buf, size_t size)
{
	if (c->tag[0] != '\0')
		snprintf(buf, size, "%.8s:%s", c->id, c->tag);
	else
		snprintf(buf, size, "%.8s", c->id);
	return buf;
}

static int
tui_msg_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct tui *t = arg;

	TF_UNUSED(loop);
	if (id == t->msg_timer) {
		t->msg[0] = '\0';
		t->msg_timer = 0;
		t->dirty = true;
	}
	return 0;
}

static void
tui_vmessage(struct tui *t, bool error, const char *fmt, va_list ap)
{
	char text[sizeof t->msg];
	uint64_t now = tf_now_ms();

	vsnprintf(text, sizeof text, fmt, ap);
	/* A fresh error is not hidden by news nobody asked for (the
	 * connection coming up): only by what a key press caused. */
	if (!error && t->msg_error && t->msg[0] != '\0' &&
	    t->key_seq == t->msg_key_seq &&
	    now - t->msg_ms < TUI_MSG_KEEP_ERROR_MS) {
		tf_info("message: %s", text);
		return;
	}
	t->msg_ms = now;
	t->msg_key_seq = t->key_seq;
	snprintf(t->msg, sizeof t->msg, "%s", text);
	t->msg_error = error;
	t->dirty = true;
	tf_log(error ? TF_LOG_WARN : TF_LOG_INFO, "%s: %s",
	    error ? "error" : "message", t->msg);
	if (t->loop == NULL)
		return;
	tf_loop_timer_cancel(t->loop, t->msg_timer);
	t->msg_timer = tf_loop_timer(t->loop, error ? 2 * TUI_MSG_MS :
	    TUI_MSG_MS, false, tui_msg_timer_cb, t);
}

void
tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tui_vmessage(t, false, fmt, ap);
	va_end(ap);
}

void
tui_error(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tui_vmessage(t, true, fmt, ap);
	va_end(ap);
}

static int
tui_draw_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct tui *t = arg;

	TF_UNUSED(loop);
	TF_UNUSED(id);
	t->draw_timer = 0;
	return 0;
}

/* Before sleep: reap, then draw if something changed and a frame is due;
 * otherwise make sure a timer wakes us when it is. */
static void
tui_before_sleep(tf_loop *loop, void *arg)
{
	struct tui *t = arg;
	uint64_t now;

	tui_screen_reap(t);
	if (t->quit || !t->dirty || !t->crt.active)
		return;
	now = tf_now_ms();
	if (now - t->last_draw_ms < TUI_FRAME_MS) {
		if (t->draw_timer == 0)
			t->draw_timer = tf_loop_timer(loop, TUI_FRAME_MS -
			    (now - t->last_draw_ms), false, tui_draw_timer_cb, t);
		return;
	}
	t->dirty = false;
	t->last_draw_ms = now;
	tui_screen_draw(t);
}

/* Readable but no key: a terminal that went away (its tmux or xterm was
 * killed) reads as end of file for ever.  Without this check the console
 * would spin on it, orphaned, at full CPU. */
static bool
tui_stdin_hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };

	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return true;
	return tcgetpgrp(fd) < 0 && (errno == EIO || errno == ENOTTY ||
	    errno == EBADF);
}

static int
tui_stdin_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct tui *t = arg;
	tui_key k;
	int r, n = 0;

	TF_UNUSED(fd);
	while (tui_crt_read_key(&t->crt, &k) == 1) {
		t->key_seq++;
		r = tui_screen_key(t, k);
		t->dirty = true;
		if (r & TUI_R_QUIT) {
			t->quit = true;
			tf_loop_stop(loop);
			return -1;
		}
		/* Bound one pass's work so output keeps flowing during a
		 * paste; the rest is read on the next pass. */
		if (++n == 4096)
			break;
	}
	if (n == 0 && ((events & TF_ERROR) || tui_stdin_hung_up(fd))) {
		tf_info("terminal closed");
		t->quit = true;
		tf_loop_stop(loop);
		return -1;
	}
	return 0;
}

static int
tui_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct tui *t = arg;
	int mask = tui_crt_signals(&t->crt);

	TF_UNUSED(fd);
	TF_UNUSED(events);
	if (mask & 2) {
		tf_info("terminating on a signal");
		t->quit = true;
		tf_loop_stop(loop);
		return -1;
	}
	if ((mask & 1) && tui_crt_resize(&t->crt)) {
		tui_screen_layout(t);
		t->full_redraw = true;
	}
	return 0;
}

static FILE *
tui_open_log(const char *path)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], def[PATH_MAX];
	FILE *f;

	if (path == NULL) {
		if (state != NULL && *state != '\0')
			snprintf(dir, sizeof dir, "%s/tfcon", state);
		else
			snprintf(dir, sizeof dir, "%s/.local/state/tfcon",
			    home ? home : "/tmp");
		tf_mkdir_p(dir, 0700);
		snprintf(def, sizeof def, "%s/tfcon.log", dir);
		path = def;
	}
	f = fopen(path, "a");
	if (f == NULL)
		f = fopen("/dev/null", "a");
	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

/* Ages and uptimes move with the clock, not with pushes: one cheap redraw
 * a second (curses sends only the cells that changed). */
static int
tui_tick_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct tui *t = arg;

	TF_UNUSED(loop);
	TF_UNUSED(id);
	t->dirty = true;
	tui_hist_tick(t);
	return 0;
}

static bool
tui_hist_keep(const char *id, void *arg)
{
	struct tui *t = arg;

	for (int i = 0; i < t->nlocs; i++)
		if (tf_model_container_find(t->locs[i].model, id) != NULL)
			return true;
	return false;
}

/* One location's containers into the histories (tui_hist_tick). */
static void
tui_hist_tick_model(struct tui *t, const tf_model *m, uint64_t now)
{
	size_t i, n = tf_model_count(m, TF_MODEL_CONTAINER);

	for (i = 0; i < n; i++) {
		const tf_model_container *c = tf_model_container_at(m, i);
		struct tui_hist_entry *e;
		bool running = c->state == TF_CTR_RUNNING && c->metrics.at > 0;

		e = running ? tui_hist_get(&t->hist, c->id, false, now) :
		    tui_hist_find(&t->hist, c->id);
		if (e != NULL)
			tui_hist_sample(e, running ? &c->metrics : NULL);
	}
}

/* One sample a second into every history; containers with figures get
 * one while there is room (tui_spark.c), and gone ones lose theirs. */
void
tui_hist_tick(struct tui *t)
{
	uint64_t now = tf_now_ms();

	tui_hist_prune(&t->hist, tui_hist_keep, t);
	for (int l = 0; l < t->nlocs; l++)
		tui_hist_tick_model(t, t->locs[l].model, now);
}

int
tui_setup(struct tui *t, tf_err *err)
{
	FILE *log = tui_open_log(t->opts.log_file);
	int i;

	tf_log_setup(t->opts.log_level, "tfcon", log);
	tf_info("tfcon starting (pid %d)", (int)getpid());
	t->only_loc = -1;
	t->km = tui_keymap_new();
	if (tui_keymap_load_default(t->km, t->opts.keymap, err) != 0)
		return -1;
	t->loop = tf_loop_new();
	tui_hist_init(&t->hist, TUI_HIST_MAX, TUI_HIST_SAMPLES);
	/* No -l: the default location. */
	i = 0;
	do {
		if (tui_locs_add(t, t->opts.nlocations > 0 ?
		    t->opts.locations[i] : NULL, err) != 0)
			return -1;
	} while (++i < t->opts.nlocations);
	tui_locs_use(t, 0);
	if (tui_crt_init(&t->crt, t->opts.mouse, t->colors_forced_off, err) != 0)
		return -1;
	tui_screen_init(t);
	tf_loop_add_fd(t->loop, STDIN_FILENO, TF_READ, tui_stdin_cb, t);
	tf_loop_add_fd(t->loop, tui_crt_signal_fd(&t->crt), TF_READ,
	    tui_signal_cb, t);
	tf_loop_add_hook(t->loop, tui_before_sleep, t);
	tf_loop_timer(t->loop, 1000, true, tui_tick_cb, t);
	/* A keymap with problems never gets here (tfcon.c refuses it). */
	if (t->nlocs == 1)
		tui_message(t, "connecting to %s%s", tf_location_name(t->loc),
		    t->opts.readonly ? " (read-only)" : "");
	else
		tui_message(t, "connecting to %d locations%s", t->nlocs,
		    t->opts.readonly ? " (read-only)" : "");
	t->dirty = true;
	return 0;
}

int
tui_run(struct tui *t)
{
	tf_loop_run(t->loop);
	return 0;
}

void
tui_teardown(struct tui *t)
{
	/* Streams end before the location goes, and the location before
	 * the screen, whose reply callbacks may still show messages. */
	if (t->crt.active)
		tui_screen_fini(t);
	tui_shell_fini(t);
	tui_paste_fini(t);
	tui_locs_fini(t);
	tui_crt_fini(&t->crt);
	tf_loop_destroy(&t->loop);
	tui_keymap_destroy(&t->km);
	tui_hist_fini(&t->hist);
	tui_marks_fini(t);
	tf_info("tfcon finished");
}
