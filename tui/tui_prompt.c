/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_prompt: a one-line editor over the status line, for command mode
 * (":"), list filters ("/"), log searches and file names.  It is a modal
 * overlay; Enter hands the text to the callback, Esc or C-g cancels (the
 * callback gets NULL).  Command mode completes names with Tab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

struct prompt {
	char label[64];
	struct tui_edit edit;
	tui_prompt_fn fn;
	void *arg;
	bool free_arg;
	bool done;
	int cursor_x;
};

static void
prompt_finish(struct tui_panel *p, struct tui *t, bool ok)
{
	struct prompt *pr = p->impl;

	if (pr->done)
		return;
	pr->done = true;
	/* Close first: the callback may open the next dialog. */
	tui_screen_close_overlay(t, p);
	pr->fn(t, ok ? pr->edit.buf : NULL, pr->arg);
}

static void
prompt_complete(struct prompt *pr, struct tui *t)
{
	const char *cands[32];
	size_t n, i;
	char line[256];

	if (strchr(pr->edit.buf, ' ') != NULL)
		return;
	n = tui_cmd_complete(pr->edit.buf, cands, TF_ARRAY_LEN(cands));
	if (n == 1) {
		snprintf(line, sizeof line, "%s ", cands[0]);
		tui_edit_set(&pr->edit, line);
	} else if (n > 1) {
		size_t used = 0;

		for (i = 0; i < n && used < sizeof line; i++)
			used += (size_t)snprintf(line + used, sizeof line - used,
			    "%s ", cands[i]);
		tui_message(t, "%s", line);
	}
}

static int
prompt_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct prompt *pr = p->impl;

	switch (k) {
	case TUI_KEY_ENTER:
	case '\n':
		prompt_finish(p, t, true);
		return TUI_R_REDRAW;
	case TUI_KEY_ESC:
	case TUI_KEY_CTRL('g'):
	case TUI_KEY_CTRL('c'):
		prompt_finish(p, t, false);
		return TUI_R_REDRAW;
	case TUI_KEY_TAB:
		if (strcmp(pr->label, ":") == 0)
			prompt_complete(pr, t);
		return TUI_R_REDRAW;
	case 127:
		if (pr->edit.len == 0) {
			prompt_finish(p, t, false);
			return TUI_R_REDRAW;
		}
		break;
	}
	tui_edit_key(&pr->edit, k);
	return TUI_R_REDRAW;
}

static void
prompt_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	    bool focused)
{
	struct prompt *pr = p->impl;
	int y = r.y + r.h - 1, lw;

	TF_UNUSED(focused);
	tui_draw_fill(w, y, r.x, r.w, A_NORMAL);
	lw = tui_draw_text(w, y, r.x, r.w, tui_crt_attr(&t->crt,
	    TUI_C_HINT_KEY), pr->label, false);
	pr->cursor_x = tui_edit_draw(&pr->edit, w, y, r.x + lw, r.w - lw,
	    A_NORMAL);
}

static bool
prompt_cursor(struct tui_panel *p, struct tui *t, int *y, int *x)
{
	struct prompt *pr = p->impl;

	*y = t->scr.rows - 1;
	*x = pr->cursor_x;
	return true;
}

static void
prompt_close(struct tui_panel *p, struct tui *t)
{
	struct prompt *pr = p->impl;

	TF_UNUSED(t);
	if (pr->free_arg)
		free(pr->arg);
	free(pr);
}

static const struct tui_panel_ops prompt_ops = {
	.kind = "prompt",
	.ctx = TUI_CTX_LIST,
	.draw = prompt_draw,
	.key = prompt_key,
	.close = prompt_close,
	.cursor = prompt_cursor,
};

void
tui_prompt_open(struct tui *t, const char *label, const char *initial,
		tui_prompt_fn fn, void *arg, bool free_arg)
{
	struct prompt *pr = tf_calloc(1, sizeof *pr);

	snprintf(pr->label, sizeof pr->label, "%s", label);
	tui_edit_set(&pr->edit, initial);
	pr->fn = fn;
	pr->arg = arg;
	pr->free_arg = free_arg;
	tui_screen_push_overlay(t, tui_panel_new(t, &prompt_ops, pr, label));
}
