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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_log.h"
#include "tf_util.h"
#include "tui.h"

#include "pane_copy.h"
#include "pane_mouse.h"
#include "vt_pane.h"

struct shell {
	struct tui *t;
	uint32_t panel_id;
	vt_pane *vt;
	tf_stream *stream;
	char container[TF_MODEL_ID];
	char name[96];
	int y, x;			/* where the pane was last drawn */
	unsigned buttons;		/* mouse buttons down, bit 1 << n */
	struct pane_copy copy;
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
	pane_copy_draw(&sh->copy, sh->vt, w, r.y, r.x,
	    tui_crt_attr(&t->crt, TUI_C_CURSOR));
	sh->y = r.y;
	sh->x = r.x;
}

/* The program's own mouse (vim, less, htop) when it asked for one. */
static int
shell_mouse(struct tui_panel *p, struct tui *t, const MEVENT *ev)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	if (sh->ended || sh->copy.on ||
	    !pane_mouse_send(sh->vt, &sh->buttons, ev, ev->y - sh->y,
	    ev->x - sh->x))
		return TUI_R_UNHANDLED;
	return TUI_R_NONE;
}

static bool
shell_cursor(struct tui_panel *p, struct tui *t, int *y, int *x)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	if (sh->copy.on) {
		*y = sh->copy.row;
		*x = sh->copy.col;
		return true;
	}
	return vt_pane_get_cursor(sh->vt, y, x);
}

static int
shell_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct shell *sh = p->impl;
	unsigned mods = (k & TUI_KEY_META) ? VT_MOD_ALT : 0;
	tui_key base = k & ~TUI_KEY_META;

	TF_UNUSED(t);
	/* In copy mode a key no copy action took is not the shell's. */
	if (sh->ended || sh->copy.on)
		return TUI_R_UNHANDLED;
	if (base & TUI_KEY_FN)
		vt_pane_key(sh->vt, (wint_t)(base & ~TUI_KEY_FN), true, mods);
	else
		vt_pane_key(sh->vt, (wint_t)base, false, mods);
	return TUI_R_NONE;
}

/* ---- copy mode: the glue to prompts, the clipboard and files ------------- */

static struct shell *
shell_find(struct tui *t, uint32_t id)
{
	struct tui_panel *p = tui_screen_find_pane(t, id);

	return p != NULL && p->ops->ctx == TUI_CTX_SHELL ? p->impl : NULL;
}

static void
shell_search_cb(struct tui *t, const char *text, void *arg)
{
	struct shell *sh = shell_find(t, *(uint32_t *)arg);

	if (sh == NULL || text == NULL || *text == '\0' || !sh->copy.on)
		return;
	snprintf(sh->copy.search, sizeof sh->copy.search, "%s", text);
	if (!pane_copy_find(&sh->copy, sh->vt, -1))
		tui_error(t, "not found: %s", text);
}

static void
shell_save_cb(struct tui *t, const char *text, void *arg)
{
	struct shell *sh = shell_find(t, *(uint32_t *)arg);
	char *sel;
	size_t len;
	FILE *f;

	if (sh == NULL || text == NULL || *text == '\0' || !sh->copy.on)
		return;
	sel = pane_copy_text(&sh->copy, sh->vt, &len);
	if ((f = fopen(text, "w")) == NULL ||
	    fwrite(sel, 1, len, f) != len || (len > 0 &&
	    sel[len - 1] != '\n' && fputc('\n', f) == EOF)) {
		tui_error(t, "save to %s: %s", text, strerror(errno));
		if (f != NULL)
			fclose(f);
	} else if (fclose(f) != 0)
		tui_error(t, "save to %s: %s", text, strerror(errno));
	else {
		tui_message(t, "saved %zu bytes to %s", len, text);
		pane_copy_leave(&sh->copy, sh->vt);
	}
	free(sel);
}

static void
shell_prompt(struct tui *t, struct shell *sh, const char *label,
	     const char *initial, tui_prompt_fn fn)
{
	uint32_t *id = tf_malloc(sizeof *id);

	*id = sh->panel_id;
	tui_prompt_open(t, label, initial, fn, id, true);
}

static int
shell_copy_command(struct tui_panel *p, struct tui *t, const char *action)
{
	struct shell *sh = p->impl;
	static const char *const names[] = { "copy.select", "copy.copy",
	    "copy.save", "copy.exit" };
	char keys[4][32];
	char *sel;
	size_t len;

	if (strcmp(action, "pane.copy") == 0) {
		pane_copy_enter(&sh->copy, sh->vt);
		for (size_t i = 0; i < TF_ARRAY_LEN(keys); i++)
			if (tui_keymap_first(t->km, names[i], keys[i],
			    sizeof keys[i]) == NULL)
				snprintf(keys[i], sizeof keys[i], ":%s",
				    names[i]);
		tui_message(t, "copy mode: %s select, %s copy, %s save, %s "
		    "leave", keys[0], keys[1], keys[2], keys[3]);
	} else if (pane_copy_command(&sh->copy, sh->vt, action))
		;
	else if (strcmp(action, "copy.copy") == 0) {
		sel = pane_copy_text(&sh->copy, sh->vt, &len);
		pane_copy_osc52(sel, len);
		tui_message(t, "copied %zu bytes to the clipboard", len);
		free(sel);
		pane_copy_leave(&sh->copy, sh->vt);
	} else if (strcmp(action, "copy.save") == 0)
		shell_prompt(t, sh, "save to: ", "", shell_save_cb);
	else if (strcmp(action, "copy.search") == 0)
		shell_prompt(t, sh, "search back: ", "", shell_search_cb);
	else if (strcmp(action, "copy.next") == 0 ||
	    strcmp(action, "copy.prev") == 0) {
		if (!pane_copy_find(&sh->copy, sh->vt,
		    action[5] == 'n' ? -1 : 1))
			tui_error(t, "not found: %s", sh->copy.search);
	} else if (strcmp(action, "copy.exit") == 0)
		pane_copy_leave(&sh->copy, sh->vt);
	else
		return TUI_R_UNHANDLED;
	return TUI_R_REDRAW;
}

static int
shell_key_ctx(struct tui_panel *p)
{
	struct shell *sh = p->impl;

	return sh->copy.on ? TUI_CTX_COPY : TUI_CTX_SHELL;
}

static void
shell_paste(struct tui_panel *p, struct tui *t, const char *text, size_t len)
{
	struct shell *sh = p->impl;

	TF_UNUSED(t);
	if (!sh->ended && !sh->copy.on)
		vt_pane_paste(sh->vt, text, len);
}

static int
shell_command(struct tui_panel *p, struct tui *t, const char *action,
	      const char *arg)
{
	struct shell *sh = p->impl;
	int rows = p->h > 2 ? p->h / 2 : 1;

	if (strcmp(action, "pane.copy") == 0 || sh->copy.on)
		return shell_copy_command(p, t, action);
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
	.mouse = shell_mouse,
	.key_ctx = shell_key_ctx,
	.paste = shell_paste,
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

