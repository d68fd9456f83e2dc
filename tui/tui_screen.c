/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_screen: the screen manager.  It owns the layout (header, view tabs,
 * the list, the pane area, message and status lines), which panel has the
 * focus, the stack of modal overlays (dialogs, prompts, help), the draw
 * pass, and key dispatch through the keymap.  Panels closed from inside
 * their own handlers go to a grave and are freed in the before-sleep hook.
 *
 * The pane area holds log and shell panes; one is shown at a time, below
 * the list, or beside it on screens at least 160 columns wide, or zoomed.
 */
#include <string.h>

#include "tf_log.h"
#include "tui.h"

#define SCREEN_SIDE_MIN_COLS 160

void
tui_screen_init(struct tui *t)
{
	struct tui_screen *s = &t->scr;

	memset(s, 0, sizeof *s);
	s->cur = -1;
	s->list = tui_list_new(t);
	tui_screen_layout(t);
}

static void
screen_bury(struct tui *t, struct tui_panel *p)
{
	struct tui_screen *s = &t->scr;

	p->dead = true;
	if (s->ngrave == TUI_GRAVE_MAX)
		tui_screen_reap(t);
	s->grave[s->ngrave++] = p;
}

void
tui_screen_reap(struct tui *t)
{
	struct tui_screen *s = &t->scr;

	while (s->ngrave > 0)
		tui_panel_free(&s->grave[--s->ngrave], t);
}

void
tui_screen_fini(struct tui *t)
{
	struct tui_screen *s = &t->scr;

	while (s->noverlays > 0)
		tui_screen_close_overlay(t, s->overlays[s->noverlays - 1]);
	while (s->npanes > 0)
		tui_screen_close_pane(t, s->panes[s->npanes - 1]);
	tui_screen_reap(t);
	tui_panel_free(&s->list, t);
}

static void
screen_resize_panel(struct tui *t, struct tui_panel *p, int h, int w)
{
	if (p->h == h && p->w == w)
		return;
	p->h = h;
	p->w = w;
	p->needs_redraw = true;
	if (p->ops->resize != NULL)
		p->ops->resize(p, t, h, w);
}

void
tui_screen_layout(struct tui *t)
{
	struct tui_screen *s = &t->scr;
	int body_y = 2, body_h, list_h, i;
	struct tui_rect pane;

	s->rows = LINES;
	s->cols = COLS;
	body_h = s->rows - 4;
	if (body_h < 1)
		body_h = 1;
	s->side_by_side = false;
	s->second = -1;
	memset(&s->pane2_rect, 0, sizeof s->pane2_rect);
	s->list_rect = (struct tui_rect){ body_y, 0, body_h, s->cols };
	memset(&s->pane_rect, 0, sizeof s->pane_rect);
	if (s->cur >= 0) {
		if (s->zoom) {
			pane = s->list_rect;
			if (!s->pane_focus)
				memset(&pane, 0, sizeof pane);
			else
				memset(&s->list_rect, 0, sizeof s->list_rect);
			s->pane_rect = pane;
		} else if (s->cols >= SCREEN_SIDE_MIN_COLS && s->npanes >= 2) {
			/* Two panes side by side under the list: the current
			 * one on the right, the one before it on the left. */
			list_h = body_h * 2 / 5;
			s->list_rect.h = list_h;
			s->second = s->cur > 0 ? s->cur - 1 : 1;
			s->pane2_rect = (struct tui_rect){ body_y + list_h, 0,
			    body_h - list_h, s->cols / 2 };
			s->pane_rect = (struct tui_rect){ body_y + list_h,
			    s->cols / 2 + 1, body_h - list_h,
			    s->cols - s->cols / 2 - 1 };
		} else if (s->cols >= SCREEN_SIDE_MIN_COLS) {
			s->side_by_side = true;
			s->list_rect.w = s->cols / 2;
			s->pane_rect = (struct tui_rect){ body_y,
			    s->list_rect.w + 1, body_h,
			    s->cols - s->list_rect.w - 1 };
		} else {
			list_h = body_h * 2 / 5;
			if (list_h < 4)
				list_h = body_h > 8 ? 4 : body_h / 2;
			s->list_rect.h = list_h;
			s->pane_rect = (struct tui_rect){ body_y + list_h, 0,
			    body_h - list_h, s->cols };
		}
	}
	if (s->list_rect.h > 0)
		screen_resize_panel(t, s->list, s->list_rect.h, s->list_rect.w);
	/* Every pane gets the size it would have when shown, so a hidden
	 * shell already has the right size. */
	pane = s->pane_rect;
	if (pane.h == 0 && s->cur >= 0) {
		pane = (struct tui_rect){ body_y, 0, body_h, s->cols };
		if (s->cols < SCREEN_SIDE_MIN_COLS)
			pane.h = body_h - body_h * 2 / 5;
	}
	for (i = 0; i < s->npanes; i++) {
		if (pane.h > 1)
			screen_resize_panel(t, s->panes[i], pane.h - 1, pane.w);
	}
	t->dirty = true;
}

struct tui_panel *
tui_screen_focused(struct tui *t)
{
	struct tui_screen *s = &t->scr;

	if (s->pane_focus && s->cur >= 0)
		return s->panes[s->cur];
	return s->list;
}

int
tui_screen_focus_ctx(struct tui *t)
{
	struct tui_panel *p = tui_screen_focused(t);

	return p->ops->key_ctx != NULL ? p->ops->key_ctx(p) : p->ops->ctx;
}

struct tui_panel *
tui_screen_current_pane(struct tui *t)
{
	return t->scr.cur >= 0 ? t->scr.panes[t->scr.cur] : NULL;
}

struct tui_panel *
tui_screen_find_pane(struct tui *t, uint32_t id)
{
	int i;

	for (i = 0; i < t->scr.npanes; i++) {
		if (t->scr.panes[i]->id == id)
			return t->scr.panes[i];
	}
	return NULL;
}

void
tui_screen_add_pane(struct tui *t, struct tui_panel *p)
{
	struct tui_screen *s = &t->scr;

	if (s->npanes == TUI_PANES_MAX) {
		/* The oldest pane makes room, as a terminal's tabs would not,
		 * but a console must never refuse to show output. */
		tui_message(t, "closing pane '%s' (at most %d panes)",
		    s->panes[0]->title, TUI_PANES_MAX);
		tui_screen_close_pane(t, s->panes[0]);
	}
	s->panes[s->npanes] = p;
	s->cur = s->npanes++;
	s->pane_focus = true;
	tui_screen_layout(t);
}

void
tui_screen_close_pane(struct tui *t, struct tui_panel *p)
{
	struct tui_screen *s = &t->scr;
	int i;

	for (i = 0; i < s->npanes; i++) {
		if (s->panes[i] == p)
			break;
	}
	if (i == s->npanes)
		return;
	memmove(&s->panes[i], &s->panes[i + 1],
	    (size_t)(s->npanes - i - 1) * sizeof s->panes[0]);
	s->npanes--;
	if (s->npanes == 0) {
		s->cur = -1;
		s->pane_focus = false;
		s->zoom = false;
	} else if (s->cur >= s->npanes || s->cur > i)
		s->cur = s->cur > 0 ? s->cur - 1 : 0;
	screen_bury(t, p);
	tui_screen_layout(t);
}

void
tui_screen_focus_list(struct tui *t)
{
	t->scr.pane_focus = false;
	if (t->scr.zoom)
		t->scr.zoom = false;
	tui_screen_layout(t);
}

void
tui_screen_focus_next(struct tui *t)
{
	struct tui_screen *s = &t->scr;

	if (s->cur < 0) {
		tui_message(t, "no pane open: l shows logs, x runs a process");
		return;
	}
	s->pane_focus = !s->pane_focus;
	tui_screen_layout(t);
}

void
tui_screen_next_pane(struct tui *t, int dir)
{
	struct tui_screen *s = &t->scr;

	if (s->npanes == 0)
		return;
	s->cur = (s->cur + dir + s->npanes) % s->npanes;
	s->pane_focus = true;
	tui_screen_layout(t);
}

void
tui_screen_push_overlay(struct tui *t, struct tui_panel *p)
{
	struct tui_screen *s = &t->scr;

	if (s->noverlays == TUI_OVERLAYS_MAX) {
		tf_warn("too many dialogs; dropping '%s'", p->title);
		screen_bury(t, p);
		return;
	}
	s->overlays[s->noverlays++] = p;
	screen_resize_panel(t, p, s->rows, s->cols);
	t->dirty = true;
}

void
tui_screen_close_overlay(struct tui *t, struct tui_panel *p)
{
	struct tui_screen *s = &t->scr;
	int i;

	for (i = 0; i < s->noverlays; i++) {
		if (s->overlays[i] == p)
			break;
	}
	if (i == s->noverlays)
		return;
	memmove(&s->overlays[i], &s->overlays[i + 1],
	    (size_t)(s->noverlays - i - 1) * sizeof s->overlays[0]);
	s->noverlays--;
	screen_bury(t, p);
	t->dirty = true;
}

bool
tui_screen_has_overlay(struct tui *t)
{
	return t->scr.noverlays > 0;
}

/* The pane tabs line: "[1 logs web] 2 run ls" at the top of the pane. */
static void
screen_draw_pane_bar(struct tui *t, struct tui_rect r)
{
	struct tui_screen *s = &t->scr;
	char label[200], key[32];
	attr_t bar = tui_crt_attr(&t->crt, s->pane_focus ?
	    TUI_C_PANE_TITLE_FOCUS : TUI_C_PANE_TITLE);
	int x = r.x, i, used;

	tui_draw_fill(stdscr, r.y, r.x, r.w, bar);
	for (i = 0; i < s->npanes && x < r.x + r.w; i++) {
		if (i == s->second)
			continue;
		snprintf(label, sizeof label, i == s->cur ? "[%d %s]" :
		    " %d %s ", i + 1, s->panes[i]->title);
		used = tui_draw_text(stdscr, r.y, x, r.x + r.w - x,
		    bar, label, false);
		x += used + 1;
	}
	if (s->pane_focus && tui_keymap_first(t->km, s->panes[s->cur]->ops->ctx ==
	    TUI_CTX_SHELL ? "pane.leave" : "focus.next", key, sizeof key)) {
		snprintf(label, sizeof label, " %s: back to list ", key);
		used = tui_text_width(label);
		if (x + used < r.x + r.w)
			tui_draw_text(stdscr, r.y, r.x + r.w - used, used, bar,
			    label, false);
	}
}

void
tui_screen_draw(struct tui *t)
{
	struct tui_screen *s = &t->scr;
	struct tui_panel *p, *focus = tui_screen_focused(t);
	struct tui_rect r;
	char title[200];
	bool cursor = false;
	int cy = 0, cx = 0, i;

	if (t->full_redraw) {
		clearok(curscr, TRUE);
		t->full_redraw = false;
	}
	werase(stdscr);
	tui_header_draw(t, stdscr, 0, s->cols);
	tui_tabs_draw(t, stdscr, 1, s->cols);
	if (s->list_rect.h > 0) {
		s->list->ops->draw(s->list, t, stdscr, s->list_rect,
		    focus == s->list && s->noverlays == 0);
		s->list->needs_redraw = false;
	}
	if (s->second >= 0 && s->second < s->npanes && s->pane2_rect.h > 1) {
		p = s->panes[s->second];
		tui_draw_fill(stdscr, s->pane2_rect.y, s->pane2_rect.x,
		    s->pane2_rect.w, tui_crt_attr(&t->crt, TUI_C_PANE_TITLE));
		snprintf(title, sizeof title, " %d %s ", s->second + 1, p->title);
		tui_draw_text(stdscr, s->pane2_rect.y, s->pane2_rect.x,
		    s->pane2_rect.w, tui_crt_attr(&t->crt, TUI_C_PANE_TITLE),
		    title, false);
		mvwvline(stdscr, s->pane2_rect.y, s->pane_rect.x - 1, ACS_VLINE,
		    s->pane2_rect.h);
		r = (struct tui_rect){ s->pane2_rect.y + 1, s->pane2_rect.x,
		    s->pane2_rect.h - 1, s->pane2_rect.w };
		p->ops->draw(p, t, stdscr, r, false);
		p->needs_redraw = false;
	}
	if (s->cur >= 0 && s->pane_rect.h > 1) {
		p = s->panes[s->cur];
		if (s->side_by_side)
			mvwvline(stdscr, s->pane_rect.y, s->pane_rect.x - 1,
			    ACS_VLINE, s->pane_rect.h);
		screen_draw_pane_bar(t, (struct tui_rect){ s->pane_rect.y,
		    s->pane_rect.x, 1, s->pane_rect.w });
		r = (struct tui_rect){ s->pane_rect.y + 1, s->pane_rect.x,
		    s->pane_rect.h - 1, s->pane_rect.w };
		p->ops->draw(p, t, stdscr, r, focus == p && s->noverlays == 0);
		p->needs_redraw = false;
		if (focus == p && p->ops->cursor != NULL &&
		    p->ops->cursor(p, t, &cy, &cx)) {
			cursor = true;
			cy += r.y;
			cx += r.x;
		}
	}
	tui_message_draw(t, stdscr, s->rows - 2, s->cols);
	tui_status_draw(t, stdscr, s->rows - 1, s->cols);
	for (i = 0; i < s->noverlays; i++) {
		p = s->overlays[i];
		r = (struct tui_rect){ 0, 0, s->rows, s->cols };
		p->ops->draw(p, t, stdscr, r, i == s->noverlays - 1);
		p->needs_redraw = false;
		if (i == s->noverlays - 1) {
			cursor = p->ops->cursor != NULL &&
			    p->ops->cursor(p, t, &cy, &cx);
		}
	}
	if (cursor) {
		curs_set(1);
		wmove(stdscr, cy, cx);
	} else
		curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Mouse: a pane whose program asked for the mouse gets the event;
 * otherwise the wheel scrolls the panel under the pointer (a shell pane's
 * scrollback) and a click focuses it. */
static int
screen_mouse(struct tui *t)
{
	struct tui_screen *s = &t->scr;
	MEVENT ev;
	bool in_pane;
	const char *act = NULL;

	if (getmouse(&ev) != OK || s->noverlays > 0)
		return TUI_R_NONE;
	in_pane = s->cur >= 0 && ev.y >= s->pane_rect.y &&
	    ev.y < s->pane_rect.y + s->pane_rect.h && ev.x >= s->pane_rect.x;
	/* A program in a shell pane that asked for the mouse gets it (vim,
	 * less, htop); a press also focuses the pane, as a click does. */
	if (in_pane && s->panes[s->cur]->ops->mouse != NULL) {
		struct tui_panel *p = s->panes[s->cur];

		if (p->ops->mouse(p, t, &ev) != TUI_R_UNHANDLED) {
			if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
				s->pane_focus = true;
			return TUI_R_REDRAW;
		}
	}
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
	    BUTTON1_PRESSED)) {
		s->pane_focus = in_pane;
		return TUI_R_REDRAW;
	}
	if (ev.bstate & BUTTON4_PRESSED)
		act = "move.up";
	else if (ev.bstate & BUTTON5_PRESSED)
		act = "move.down";
	if (act != NULL) {
		struct tui_panel *p = in_pane ? s->panes[s->cur] : s->list;

		if (p->ops->command != NULL)
			p->ops->command(p, t, act, "3");
		return TUI_R_REDRAW;
	}
	return TUI_R_NONE;
}

int
tui_screen_key(struct tui *t, tui_key k)
{
	struct tui_screen *s = &t->scr;
	const struct tui_action *a;
	struct tui_panel *p;
	char name[32], help[32];
	int ctx, r;

	if (k == (TUI_KEY_FN | KEY_RESIZE)) {
		tui_screen_layout(t);
		return TUI_R_REDRAW;
	}
	if (k == (TUI_KEY_FN | KEY_MOUSE))
		return screen_mouse(t);
	if (tui_paste_key(t, k))
		return TUI_R_REDRAW;
	if (s->noverlays > 0) {
		p = s->overlays[s->noverlays - 1];
		/* Dialogs have no Alt bindings: Esc typed just before a key
		 * arrives as Alt+key, and means Esc, then the key. */
		if ((k & TUI_KEY_META) && k != (TUI_KEY_META | TUI_KEY_ESC)) {
			r = p->ops->key(p, t, TUI_KEY_ESC);
			return r | tui_screen_key(t, k & ~TUI_KEY_META);
		}
		return p->ops->key(p, t, k) & ~TUI_R_UNHANDLED;
	}
	p = tui_screen_focused(t);
	ctx = p->ops->key_ctx != NULL ? p->ops->key_ctx(p) : p->ops->ctx;
	if ((a = tui_keymap_lookup(t->km, k, ctx)) != NULL)
		return tui_action_run(t, a, NULL);
	if (p->ops->key != NULL) {
		r = p->ops->key(p, t, k);
		if (!(r & TUI_R_UNHANDLED))
			return r;
	}
	if (ctx != TUI_CTX_SHELL && !(k & TUI_KEY_FN && (k & ~TUI_KEY_FN) ==
	    KEY_RESIZE)) {
		tui_key_name(k, name, sizeof name);
		tui_message(t, "%s is not bound here (%s: help)", name,
		    tui_keymap_first(t->km, "help", help, sizeof help) ?
		    help : ":help");
	}
	return TUI_R_REDRAW;
}
