/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_shell: the shell pane.  It adapts the libvterm pane (vt_pane.h, in
 * tui/vt_*) to the console's panel ops and connects it to a tty process
 * stream (tf_stream_process with tty): pty bytes feed the pane, keys and terminal
 * replies go back as proc_stdin, and pane resizes become proc_resize.
 *
 * Credit follows consumption: the stream is acknowledged only for bytes the
 * pane has parsed, so a flood in the container waits on its own pty at the
 * node instead of in flight; the SDK asks a small window for a tty (16 KiB,
 * docs/PROTOCOL.md), which bounds what a Ctrl-C waits behind.  Bytes the
 * pane's inbox cannot take yet wait here (at most one window) until it
 * reports room.
 *
 * Without the vt files (a build before they landed) the action says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_log.h"
#include "tf_util.h"
#include "tui.h"

#include "vt_pane.h"

struct shell {
	struct tui *t;
	uint32_t panel_id;
	vt_pane *vt;
	tf_stream *stream;
	char container[TF_MODEL_ID];
	char name[96];
	uint8_t *pending;		/* pty bytes the inbox could not take */
	size_t npending, cap;
	bool ended;
};

static void
shell_feed(struct shell *sh)
{
	size_t n;

	if (sh->npending == 0)
		return;
	n = vt_pane_feed(sh->vt, (const char *)sh->pending, sh->npending);
	memmove(sh->pending, sh->pending + n, sh->npending - n);
	sh->npending -= n;
}

/* ---- stream -> pane ----------------------------------------------------- */

static void
shell_data(void *arg, int fd, const uint8_t *data, size_t len)
{
	struct shell *sh = arg;

	TF_UNUSED(fd);
	if (sh->npending + len > sh->cap) {
		sh->cap = sh->npending + len;
		sh->pending = tf_realloc(sh->pending, sh->cap);
	}
	memcpy(sh->pending + sh->npending, data, len);
	sh->npending += len;
	shell_feed(sh);
}

static void
shell_end(void *arg, const char *error, int64_t exit_code, int64_t sig)
{
	struct shell *sh = arg;
	char why[200];

	sh->ended = true;
	if (error != NULL)
		snprintf(why, sizeof why, "%s", error);
	else if (sig > 0)
		snprintf(why, sizeof why, "shell killed by signal %lld",
		    (long long)sig);
	else
		snprintf(why, sizeof why, "shell exited with status %lld",
		    (long long)exit_code);
	vt_pane_set_ended(sh->vt, why);
	tui_message(sh->t, "%s: %s", sh->name, why);
	sh->t->dirty = true;
}

static const tf_stream_ops shell_stream_ops = {
	.data = shell_data,
	.end = shell_end,
};

/* ---- pane -> stream ---------------------------------------------------- */

static void
shell_write_cb(vt_pane *pane, const char *bytes, size_t len, void *arg)
{
	struct shell *sh = arg;

	TF_UNUSED(pane);
	if (sh->stream != NULL && !sh->ended)
		tf_stream_write(sh->stream, bytes, len);
}

static void
shell_resize_cb(vt_pane *pane, int rows, int cols, void *arg)
{
	struct shell *sh = arg;

	TF_UNUSED(pane);
	if (sh->stream != NULL && !sh->ended)
		tf_stream_resize(sh->stream, rows, cols);
}

static void
shell_redraw_cb(vt_pane *pane, void *arg)
{
	struct shell *sh = arg;

	TF_UNUSED(pane);
	sh->t->dirty = true;
}

static void
shell_consumed_cb(vt_pane *pane, size_t bytes, void *arg)
{
	struct shell *sh = arg;

	TF_UNUSED(pane);
	if (sh->stream != NULL)
		tf_stream_ack(sh->stream, bytes);
	shell_feed(sh);
}

static void
shell_title_cb(vt_pane *pane, const char *title, void *arg)
{
	struct shell *sh = arg;
	struct tui_panel *p = tui_screen_find_pane(sh->t, sh->panel_id);

	TF_UNUSED(pane);
	if (p != NULL && title != NULL && *title != '\0')
		tui_panel_set_title(p, "shell %s: %.60s", sh->name, title);
}

static const struct vt_pane_cbs shell_vt_cbs = {
	.write = shell_write_cb,
	.resize = shell_resize_cb,
	.redraw = shell_redraw_cb,
	.consumed = shell_consumed_cb,
	.title = shell_title_cb,
};

/* ---- panel ops ----------------------------------------------------------- */

static void
shell_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	   bool focused)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	TF_UNUSED(r);
	if (t->shell_colors != NULL)
		vt_colors_frame(t->shell_colors);
	/* The screen was erased for this frame: repaint every row. */
	vt_pane_invalidate(sh->vt);
	vt_pane_draw(sh->vt, w, r.y, r.x, focused);
}

static bool
shell_cursor(struct tui_panel *p, struct tui *t, int *y, int *x)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	return vt_pane_get_cursor(sh->vt, y, x);
}

static int
shell_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct shell *sh = p->impl;
	unsigned mods = (k & TUI_KEY_META) ? VT_MOD_ALT : 0;
	tui_key base = k & ~TUI_KEY_META;

	TF_UNUSED(t);
	if (sh->ended)
		return TUI_R_UNHANDLED;
	if (base & TUI_KEY_FN)
		vt_pane_key(sh->vt, (wint_t)(base & ~TUI_KEY_FN), true, mods);
	else
		vt_pane_key(sh->vt, (wint_t)base, false, mods);
	return TUI_R_NONE;
}

static int
shell_command(struct tui_panel *p, struct tui *t, const char *action,
	      const char *arg)
{
	struct shell *sh = p->impl;
	int rows = p->h > 2 ? p->h / 2 : 1;

	TF_UNUSED(t);
	if (arg != NULL && atoi(arg) > 0)
		rows = atoi(arg);
	if (strcmp(action, "pane.scroll-up") == 0 ||
	    strcmp(action, "move.up") == 0)
		vt_pane_scroll(sh->vt, -rows);
	else if (strcmp(action, "pane.scroll-down") == 0 ||
	    strcmp(action, "move.down") == 0)
		vt_pane_scroll(sh->vt, rows);
	else
		return TUI_R_UNHANDLED;
	return TUI_R_REDRAW;
}

static void
shell_resize(struct tui_panel *p, struct tui *t, int h, int w)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	if (h > 0 && w > 0)
		vt_pane_resize(sh->vt, h, w);
}

static void
shell_close(struct tui_panel *p, struct tui *t)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	tf_stream_close(&sh->stream);
	vt_pane_destroy(&sh->vt);
	free(sh->pending);
	free(sh);
}

static const struct tui_panel_ops shell_ops = {
	.kind = "shell",
	.ctx = TUI_CTX_SHELL,
	.draw = shell_draw,
	.key = shell_key,
	.command = shell_command,
	.resize = shell_resize,
	.close = shell_close,
	.cursor = shell_cursor,
};

int
tui_shell_open(struct tui *t, const char *container)
{
	static const char *const argv[] = { "/bin/sh" };
	const tf_model_container *c = tui_locs_container(t, container);
	struct vt_pane_config cfg;
	struct tui_panel *p;
	struct shell *sh;
	int rows = t->scr.rows - 4 - (t->scr.rows - 4) * 2 / 5 - 1;
	int cols = t->scr.cols >= 160 ? t->scr.cols - t->scr.cols / 2 - 1 :
	    t->scr.cols;
	tf_err err;

	if (c == NULL)
		return -1;
	/* A sleeping container (booted without its entrypoint, as tf -ti
	 * makes them) runs processes too. */
	if (c->state != TF_CTR_RUNNING && c->state != TF_CTR_SLEEPING) {
		tui_error(t, "shell: the container is %s",
		    tf_model_ctr_state_name(c->state));
		return -1;
	}
	if (t->shell_colors == NULL)
		t->shell_colors = vt_colors_new(TUI_C_LAST + 1, 0,
		    t->crt.color ? 0 : VT_COLORS_MONO);
	if (rows < 2)
		rows = 2;
	sh = tf_calloc(1, sizeof *sh);
	sh->t = t;
	snprintf(sh->container, sizeof sh->container, "%s", container);
	tui_describe_container(c, sh->name, sizeof sh->name);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = rows;
	cfg.cols = cols;
	cfg.loop = t->loop;
	cfg.colors = t->shell_colors;
	cfg.cbs = &shell_vt_cbs;
	cfg.arg = sh;
	sh->vt = vt_pane_new(&cfg, &err);
	if (sh->vt == NULL) {
		tui_error(t, "shell: %s", err.msg);
		free(sh);
		return -1;
	}
	sh->stream = tf_stream_process(t->loc, container, NULL, argv, 1, true, rows, cols,
	    &shell_stream_ops, sh, &err);
	if (sh->stream == NULL) {
		tui_error(t, "shell: %s", err.msg);
		vt_pane_destroy(&sh->vt);
		free(sh);
		return -1;
	}
	tf_stream_set_manual_ack(sh->stream, true);
	p = tui_panel_new(t, &shell_ops, sh, NULL);
	tui_panel_set_title(p, "shell %s", sh->name);
	sh->panel_id = p->id;
	tui_screen_add_pane(t, p);
	return 0;
}

void
tui_shell_fini(struct tui *t)
{
	vt_colors *colors = t->shell_colors;

	vt_colors_destroy(&colors);
	t->shell_colors = NULL;
}

