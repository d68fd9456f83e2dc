/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_logpane: a pane showing a stream of output: a container's console
 * (tf_stream_logs) or a process run from the console (tf_stream_process).  Bytes go into
 * the bounded ring (tui_logbuf.c) as they arrive, with no drawing; the view
 * (tui_logview.c) is drawn once per frame.  Closing the pane ends the
 * stream (unsub, or SIGHUP to the process).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tf_util.h"
#include "tui.h"

/* One container of a pane that follows several (tui_logpane_open_multi):
 * its lines are put together here and go into the pane whole, each
 * prefixed with the container's name. */
struct logsrc {
	struct logpane *lp;
	tf_stream *stream;
	char prefix[48];
	char part[1024];
	size_t npart;
	int fd;
};

struct logpane {
	struct tui *t;
	struct logsrc *srcs;		/* several containers, or NULL */
	size_t nsrcs;
	uint32_t panel_id;
	struct tui_logbuf buf;
	struct tui_logview view;
	tf_stream *stream;
	char container[TF_MODEL_ID];
	char what[128];			/* "logs web", "run ls -l" */
	bool is_proc;
	bool ended;
	int rows;
};

static struct logpane *
logpane_find(struct tui *t, uint32_t id)
{
	struct tui_panel *p = tui_screen_find_pane(t, id);

	return p != NULL && strcmp(p->ops->kind, "log") == 0 ? p->impl : NULL;
}

/* ---- stream callbacks: store only, the frame draws ---------------------- */

static void
logpane_started(void *arg)
{
	struct logpane *lp = arg;

	tui_logbuf_marker(&lp->buf, tf_wall_time(), "--- started: %s ---",
	    lp->what);
	lp->t->dirty = true;
}

static void
logpane_data(void *arg, int fd, const uint8_t *data, size_t len)
{
	struct logpane *lp = arg;

	tui_logbuf_append(&lp->buf, fd, data, len, tf_wall_time());
	lp->t->dirty = true;
}

static void
logpane_dropped(void *arg, uint64_t bytes)
{
	struct logpane *lp = arg;

	tui_logbuf_flush(&lp->buf);
	tui_logbuf_marker(&lp->buf, tf_wall_time(), "--- the node dropped %llu "
	    "bytes of output (the console fell behind) ---",
	    (unsigned long long)bytes);
	lp->t->dirty = true;
}

static void
logpane_end(void *arg, const char *error, int64_t exit_code, int64_t sig)
{
	struct logpane *lp = arg;
	struct tui_panel *p = tui_screen_find_pane(lp->t, lp->panel_id);
	double now = tf_wall_time();

	tui_logbuf_flush(&lp->buf);
	lp->ended = true;
	if (error != NULL)
		tui_logbuf_marker(&lp->buf, now, "--- ended: %s ---", error);
	else if (sig > 0)
		tui_logbuf_marker(&lp->buf, now, "--- killed by signal %lld ---",
		    (long long)sig);
	else if (lp->is_proc)
		tui_logbuf_marker(&lp->buf, now, "--- exited with status %lld ---",
		    (long long)exit_code);
	else
		tui_logbuf_marker(&lp->buf, now, "--- end of output ---");
	if (p != NULL)
		tui_panel_set_title(p, "%s (%s)", lp->what, error ? "failed" :
		    "ended");
	if (error != NULL)
		tui_error(lp->t, "%s: %s", lp->what, error);
	lp->t->dirty = true;
}

static const tf_stream_ops logpane_stream_ops = {
	.started = logpane_started,
	.data = logpane_data,
	.dropped = logpane_dropped,
	.end = logpane_end,
};

/* ---- several containers in one pane ------------------------------------ */

static void
logsrc_line(struct logsrc *src)
{
	struct logpane *lp = src->lp;
	char line[1200];
	int n;

	n = snprintf(line, sizeof line, "%s| %.*s\n", src->prefix,
	    (int)src->npart, src->part);
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	tui_logbuf_append(&lp->buf, src->fd, (const uint8_t *)line, (size_t)n,
	    tf_wall_time());
	src->npart = 0;
}

static void
logsrc_data(void *arg, int fd, const uint8_t *data, size_t len)
{
	struct logsrc *src = arg;

	for (size_t i = 0; i < len; i++) {
		if (src->npart > 0 && fd != src->fd)
			logsrc_line(src);
		src->fd = fd;
		if (data[i] == '\n' || src->npart == sizeof src->part)
			logsrc_line(src);
		if (data[i] != '\n')
			src->part[src->npart++] = (char)data[i];
	}
	src->lp->t->dirty = true;
}

static void
logsrc_dropped(void *arg, uint64_t bytes)
{
	struct logsrc *src = arg;

	tui_logbuf_flush(&src->lp->buf);
	tui_logbuf_marker(&src->lp->buf, tf_wall_time(), "--- %s: the node "
	    "dropped %llu bytes of output ---", src->prefix,
	    (unsigned long long)bytes);
	src->lp->t->dirty = true;
}

static void
logsrc_end(void *arg, const char *error, int64_t exit_code, int64_t sig)
{
	struct logsrc *src = arg;

	TF_UNUSED(exit_code);
	TF_UNUSED(sig);
	if (src->npart > 0)
		logsrc_line(src);
	tui_logbuf_flush(&src->lp->buf);
	tui_logbuf_marker(&src->lp->buf, tf_wall_time(), "--- %s: %s ---",
	    src->prefix, error != NULL ? error : "end of output");
	src->stream = NULL;
	src->lp->t->dirty = true;
}

static const tf_stream_ops logsrc_stream_ops = {
	.data = logsrc_data,
	.dropped = logsrc_dropped,
	.end = logsrc_end,
};

/* ---- prompts: find the pane again by id, it may have closed -------------- */

static void
logpane_search_cb(struct tui *t, const char *text, void *arg)
{
	struct logpane *lp = logpane_find(t, *(uint32_t *)arg);

	if (lp == NULL || text == NULL)
		return;
	if (tui_logview_set_search(&lp->view, text) != 0)
		tui_message(t, "not a regular expression; searching for the "
		    "text");
	if (*text == '\0')
		return;
	lp->view.have_hit = false;
	if (!tui_logview_find(&lp->view, &lp->buf, 1) &&
	    !tui_logview_find(&lp->view, &lp->buf, -1))
		tui_error(t, "not found: %s", text);
}

static void
logpane_filter_cb(struct tui *t, const char *text, void *arg)
{
	struct logpane *lp = logpane_find(t, *(uint32_t *)arg);

	if (lp == NULL || text == NULL)
		return;
	if (tui_logview_set_filter(&lp->view, text) != 0)
		tui_message(t, "not a regular expression; filtering on the text");
	else if (*text == '\0')
		tui_message(t, "filter cleared");
}

static void
logpane_save_cb(struct tui *t, const char *text, void *arg)
{
	struct logpane *lp = logpane_find(t, *(uint32_t *)arg);
	tf_err err;

	if (lp == NULL || text == NULL || *text == '\0')
		return;
	if (tui_logview_save(&lp->buf, &lp->view, text, &err) != 0)
		tui_error(t, "%s", err.msg);
	else
		tui_message(t, "saved %zu lines to %s", lp->buf.n, text);
}

static void
logpane_prompt(struct tui *t, struct logpane *lp, const char *label,
	       const char *initial, tui_prompt_fn fn)
{
	uint32_t *id = tf_malloc(sizeof *id);

	*id = lp->panel_id;
	tui_prompt_open(t, label, initial, fn, id, true);
}

/* ---- panel ops ----------------------------------------------------------- */

static void
logpane_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	     bool focused)
{
	struct logpane *lp = p->impl;

	TF_UNUSED(focused);
	lp->rows = r.h - 1;
	tui_logview_draw(&lp->view, &lp->buf, t, w, r);
}

static int
logpane_command(struct tui_panel *p, struct tui *t, const char *action,
		const char *arg)
{
	struct logpane *lp = p->impl;
	struct tui_logview *v = &lp->view;
	int page = lp->rows > 2 ? lp->rows - 1 : 1;
	int n = arg != NULL && atoi(arg) > 0 ? atoi(arg) : 1;
	char path[256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (strcmp(action, "move.up") == 0)
		tui_logview_scroll(v, &lp->buf, -n, lp->rows);
	else if (strcmp(action, "move.down") == 0)
		tui_logview_scroll(v, &lp->buf, n, lp->rows);
	else if (strcmp(action, "page.up") == 0)
		tui_logview_scroll(v, &lp->buf, -page, lp->rows);
	else if (strcmp(action, "page.down") == 0)
		tui_logview_scroll(v, &lp->buf, page, lp->rows);
	else if (strcmp(action, "move.top") == 0) {
		v->follow = false;
		v->top = lp->buf.first_seq;
	} else if (strcmp(action, "move.bottom") == 0)
		v->follow = true;
	else if (strcmp(action, "move.left") == 0)
		v->hscroll = v->hscroll > 8 ? v->hscroll - 8 : 0;
	else if (strcmp(action, "move.right") == 0) {
		if (v->wrap)
			tui_message(t, "lines are wrapped (W cuts them)");
		else
			v->hscroll += 8;
	} else if (strcmp(action, "log.follow") == 0) {
		if (v->follow) {
			v->follow = false;
			v->top = v->last_first;
		} else
			v->follow = true;
	} else if (strcmp(action, "log.search") == 0)
		logpane_prompt(t, lp, "search: ", v->search, logpane_search_cb);
	else if (strcmp(action, "log.filter") == 0)
		logpane_prompt(t, lp, "filter: ", v->filter, logpane_filter_cb);
	else if (strcmp(action, "log.next") == 0 ||
	    strcmp(action, "log.prev") == 0) {
		if (v->search[0] == '\0')
			tui_message(t, "no search yet");
		else if (!tui_logview_find(v, &lp->buf, action[4] == 'n' ? 1 :
		    -1))
			tui_message(t, "no more matches for %s", v->search);
	} else if (strcmp(action, "log.wrap") == 0) {
		v->wrap = !v->wrap;
		v->hscroll = 0;
	} else if (strcmp(action, "log.timestamps") == 0)
		v->timestamps = !v->timestamps;
	else if (strcmp(action, "log.clear") == 0)
		tui_logbuf_clear(&lp->buf);
	else if (strcmp(action, "log.save") == 0) {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(path, sizeof path, "tfcon-%s-%s.log", lp->what, stamp);
		for (i = 0; path[i] != '\0'; i++) {
			if (path[i] == ' ' || path[i] == '/' || path[i] == ':')
				path[i] = '_';
		}
		logpane_prompt(t, lp, "save to: ", path, logpane_save_cb);
	} else if (strcmp(action, "log.stop") == 0) {
		if (!lp->is_proc || lp->ended || lp->stream == NULL)
			tui_message(t, "no running process in this pane");
		else {
			tf_stream_signal(lp->stream, SIGTERM);
			tui_message(t, "sent SIGTERM to %s", lp->what);
		}
	} else
		return TUI_R_UNHANDLED;
	p->needs_redraw = true;
	return TUI_R_REDRAW;
}

static int
logpane_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	TF_UNUSED(p);
	TF_UNUSED(t);
	TF_UNUSED(k);
	return TUI_R_UNHANDLED;
}

static void
logpane_close(struct tui_panel *p, struct tui *t)
{
	struct logpane *lp = p->impl;

	TF_UNUSED(t);
	tf_stream_close(&lp->stream);
	for (size_t i = 0; i < lp->nsrcs; i++)
		tf_stream_close(&lp->srcs[i].stream);
	free(lp->srcs);
	tui_logbuf_fini(&lp->buf);
	tui_logview_fini(&lp->view);
	free(lp);
}

static const struct tui_panel_ops logpane_ops = {
	.kind = "log",
	.ctx = TUI_CTX_LOG,
	.draw = logpane_draw,
	.key = logpane_key,
	.command = logpane_command,
	.close = logpane_close,
};

static struct logpane *
logpane_new(struct tui *t, const char *container)
{
	struct logpane *lp = tf_calloc(1, sizeof *lp);

	lp->t = t;
	snprintf(lp->container, sizeof lp->container, "%s", container);
	tui_logbuf_init(&lp->buf, t->opts.log_lines);
	tui_logview_init(&lp->view);
	return lp;
}

static void
logpane_free(struct logpane *lp)
{
	tui_logbuf_fini(&lp->buf);
	tui_logview_fini(&lp->view);
	free(lp);
}

static struct tui_panel *
logpane_show(struct tui *t, struct logpane *lp)
{
	struct tui_panel *p = tui_panel_new(t, &logpane_ops, lp, lp->what);

	lp->panel_id = p->id;
	tui_screen_add_pane(t, p);
	return p;
}

struct tui_panel *
tui_logpane_open_logs(struct tui *t, const char *container)
{
	const tf_model_container *c = tui_locs_container(t, container);
	struct logpane *lp = logpane_new(t, container);
	char name[96];
	tf_err err;

	snprintf(lp->what, sizeof lp->what, "logs %s", c ?
	    tui_describe_container(c, name, sizeof name) : container);
	lp->stream = tf_stream_logs(t->loc, container, &logpane_stream_ops, lp, &err);
	if (lp->stream == NULL) {
		tui_error(t, "%s: %s", lp->what, err.msg);
		logpane_free(lp);
		return NULL;
	}
	return logpane_show(t, lp);
}

struct tui_panel *
tui_logpane_open_proc(struct tui *t, const char *container, const char *command)
{
	const tf_model_container *c = tui_locs_container(t, container);
	struct logpane *lp = logpane_new(t, container);
	char name[96];
	tf_err err;

	lp->is_proc = true;
	snprintf(lp->what, sizeof lp->what, "run %.60s @%s", command, c ?
	    tui_describe_container(c, name, sizeof name) : container);
	lp->stream = tf_stream_process(t->loc, container, command, NULL, 0, false, 24,
	    80, &logpane_stream_ops, lp, &err);
	if (lp->stream == NULL) {
		tui_error(t, "%s: %s", lp->what, err.msg);
		logpane_free(lp);
		return NULL;
	}
	return logpane_show(t, lp);
}

struct tui_panel *
tui_logpane_open_multi(struct tui *t, const char (*ids)[TF_MODEL_ID], size_t n)
{
	struct logpane *lp = logpane_new(t, ids[0]);
	size_t opened = 0;
	tf_err err;

	snprintf(lp->what, sizeof lp->what, "logs of %zu containers", n);
	lp->srcs = tf_calloc(n, sizeof *lp->srcs);
	lp->nsrcs = n;
	for (size_t i = 0; i < n; i++) {
		struct logsrc *src = &lp->srcs[i];
		const tf_model_container *c = tui_locs_container(t, ids[i]);

		src->lp = lp;
		src->fd = 1;
		if (c != NULL)
			tui_describe_container(c, src->prefix,
			    sizeof src->prefix);
		else
			snprintf(src->prefix, sizeof src->prefix, "%.8s",
			    ids[i]);
		src->stream = tf_stream_logs(t->loc, ids[i], &logsrc_stream_ops,
		    src, &err);
		if (src->stream == NULL)
			tui_error(t, "logs %s: %s", src->prefix, err.msg);
		else
			opened++;
	}
	if (opened == 0) {
		free(lp->srcs);
		logpane_free(lp);
		return NULL;
	}
	return logpane_show(t, lp);
}
