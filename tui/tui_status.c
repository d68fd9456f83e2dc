/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_status: the two bottom lines.  The message line shows the latest
 * message (errors in the error colour) until it times out; the status line
 * shows key hints generated from the active keymap for what the focused
 * panel can do now, in the order of the action table, as many as fit.
 */
#include <stdio.h>
#include <string.h>

#include "tui.h"

void
tui_message_draw(struct tui *t, WINDOW *w, int y, int cols)
{
	TF_UNUSED(w);
	if (t->msg[0] == '\0') {
		/* The ticker: the newest event while no message is shown. */
		const tf_model_event *e = t->model != NULL ?
		    tui_event_latest(t) : NULL;
		char when[16], obj[96], line[512];
		int x;

		tui_draw_fill(stdscr, y, 0, cols, A_NORMAL);
		if (e == NULL)
			return;
		tui_event_time(e->time, when, sizeof when);
		tui_event_object(e, obj, sizeof obj);
		snprintf(line, sizeof line, "%s %s ", when, e->kind);
		x = tui_draw_text(stdscr, y, 0, cols, tui_crt_attr(&t->crt,
		    tui_event_color(e)), line, false);
		snprintf(line, sizeof line, "%s: %s", obj, e->text);
		tui_draw_text(stdscr, y, x, cols - x, tui_crt_attr(&t->crt,
		    TUI_C_DIM), line, false);
		return;
	}
	tui_draw_text(stdscr, y, 0, cols, tui_crt_attr(&t->crt, t->msg_error ?
	    TUI_C_MSG_ERROR : TUI_C_MSG_INFO), t->msg, true);
}

void
tui_status_draw(struct tui *t, WINDOW *w, int y, int cols)
{
	const struct tui_action *a;
	char key[32], label[64];
	size_t i, n = tui_action_count();
	int x = 0, need;

	TF_UNUSED(w);
	tui_draw_fill(stdscr, y, 0, cols, tui_crt_attr(&t->crt, TUI_C_HINT));
	for (i = 0; i < n; i++) {
		a = tui_action_at(i);
		if (a->hint == NULL || !tui_action_applies(t, a))
			continue;
		if (tui_keymap_first(t->km, a->name, key, sizeof key) == NULL)
			continue;
		snprintf(label, sizeof label, "%s ", a->hint);
		need = tui_text_width(key) + tui_text_width(label) + 1;
		if (x + need > cols)
			break;
		x += tui_draw_text(stdscr, y, x, cols - x,
		    tui_crt_attr(&t->crt, TUI_C_HINT_KEY), key, false);
		x += 1;
		x += tui_draw_text(stdscr, y, x, cols - x,
		    tui_crt_attr(&t->crt, TUI_C_HINT), label, false);
	}
}
