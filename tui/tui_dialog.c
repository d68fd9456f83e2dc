/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_dialog: the small modal dialogs: a confirmation (whose focus starts
 * on Cancel, so Enter alone never destroys anything) and a menu of actions
 * (each item runs an action by name, showing its key from the keymap).
 * Keys inside dialogs are fixed: arrows, Tab, Enter, Esc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

/* ---- confirm ------------------------------------------------------------- */

struct confirm {
	char title[96];
	char text[512];
	char ok_label[32];
	bool ok_focused;
	tui_confirm_fn fn;
	void *arg;
	bool done;
};

static void
confirm_finish(struct tui_panel *p, struct tui *t, bool ok)
{
	struct confirm *c = p->impl;

	if (c->done)
		return;
	c->done = true;
	tui_screen_close_overlay(t, p);
	c->fn(t, ok, c->arg);
}

static int
confirm_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct confirm *c = p->impl;

	switch (k) {
	case TUI_KEY_FN | KEY_LEFT:
	case TUI_KEY_FN | KEY_RIGHT:
	case TUI_KEY_TAB:
	case TUI_KEY_FN | KEY_BTAB:
	case 'h':
	case 'l':
		c->ok_focused = !c->ok_focused;
		break;
	case TUI_KEY_ENTER:
	case ' ':
		confirm_finish(p, t, c->ok_focused);
		break;
	case 'y':
	case 'Y':
		confirm_finish(p, t, true);
		break;
	case TUI_KEY_ESC:
	case 'n':
	case 'N':
	case 'q':
	case TUI_KEY_CTRL('c'):
	case TUI_KEY_CTRL('g'):
		confirm_finish(p, t, false);
		break;
	}
	return TUI_R_REDRAW;
}

/* Splits text into lines of at most width columns (at spaces). */
static int
dialog_wrap(const char *text, int width, char lines[][160], int max)
{
	char word[160], line[160] = "";
	const char *p = text;
	int n = 0;
	size_t len;

	while (*p != '\0' && n < max) {
		len = strcspn(p, " \n");
		snprintf(word, sizeof word, "%.*s", (int)len, p);
		if (line[0] != '\0' && tui_text_width(line) +
		    tui_text_width(word) + 1 > width) {
			snprintf(lines[n++], 160, "%s", line);
			line[0] = '\0';
		}
		if (n < max) {
			size_t l = strlen(line);

			snprintf(line + l, sizeof line - l, "%s%s", l ? " " : "",
			    word);
		}
		p += len;
		if (*p == '\n' && n < max) {
			snprintf(lines[n++], 160, "%s", line);
			line[0] = '\0';
		}
		if (*p != '\0')
			p++;
	}
	if (line[0] != '\0' && n < max)
		snprintf(lines[n++], 160, "%s", line);
	return n;
}

static void
confirm_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	     bool focused)
{
	struct confirm *c = p->impl;
	char lines[8][160], cancel[32], ok[48];
	int width = r.w - 4 < 64 ? r.w - 4 : 64, n, i, bx;
	struct tui_rect box;
	attr_t dlg = tui_crt_attr(&t->crt, TUI_C_DIALOG);

	TF_UNUSED(focused);
	n = dialog_wrap(c->text, width - 4, lines, 8);
	box = (struct tui_rect){ (r.h - (n + 4)) / 2, (r.w - width) / 2,
	    n + 4, width };
	if (box.y < 0)
		box.y = 0;
	tui_draw_box(w, box, dlg, c->title, tui_crt_attr(&t->crt,
	    TUI_C_DIALOG_TITLE));
	for (i = 0; i < n; i++)
		tui_draw_text(w, box.y + 1 + i, box.x + 2, width - 4, dlg,
		    lines[i], false);
	snprintf(cancel, sizeof cancel, "[ Cancel ]");
	snprintf(ok, sizeof ok, "[ %s ]", c->ok_label);
	bx = box.x + width - 4 - tui_text_width(cancel) - tui_text_width(ok);
	tui_draw_text(w, box.y + n + 2, bx, width, tui_crt_attr(&t->crt,
	    c->ok_focused ? TUI_C_BUTTON : TUI_C_BUTTON_FOCUS), cancel, false);
	tui_draw_text(w, box.y + n + 2, bx + tui_text_width(cancel) + 2, width,
	    tui_crt_attr(&t->crt, c->ok_focused ? TUI_C_BUTTON_FOCUS :
	    TUI_C_BUTTON), ok, false);
}

static void
confirm_close(struct tui_panel *p, struct tui *t)
{
	struct confirm *c = p->impl;

	TF_UNUSED(t);
	free(c->arg);
	free(c);
}

static const struct tui_panel_ops confirm_ops = {
	.kind = "dialog",
	.ctx = TUI_CTX_LIST,
	.draw = confirm_draw,
	.key = confirm_key,
	.close = confirm_close,
};

void
tui_confirm_open(struct tui *t, const char *title, const char *text,
		 const char *ok_label, tui_confirm_fn fn, void *arg)
{
	struct confirm *c = tf_calloc(1, sizeof *c);

	snprintf(c->title, sizeof c->title, "%s", title);
	snprintf(c->text, sizeof c->text, "%s", text);
	snprintf(c->ok_label, sizeof c->ok_label, "%s", ok_label);
	c->fn = fn;
	c->arg = arg;
	tui_screen_push_overlay(t, tui_panel_new(t, &confirm_ops, c, title));
}

/* ---- menu ---------------------------------------------------------------- */

#define MENU_MAX 32

struct menu {
	char title[96];
	struct tui_menu_item items[MENU_MAX];
	int n;
	int sel;
};

static void
menu_move(struct menu *m, int dir)
{
	int i, s = m->sel;

	for (i = 0; i < m->n; i++) {
		s = (s + dir + m->n) % m->n;
		if (!m->items[s].disabled) {
			m->sel = s;
			return;
		}
	}
}

static void
menu_run(struct tui_panel *p, struct tui *t, int idx)
{
	struct menu *m = p->impl;
	struct tui_menu_item item = m->items[idx];
	const struct tui_action *a = tui_action_find(item.action);

	tui_screen_close_overlay(t, p);
	if (item.disabled || a == NULL)
		return;
	tui_action_run(t, a, item.arg[0] ? item.arg : NULL);
}

static int
menu_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct menu *m = p->impl;
	tui_key bound;
	int i;

	switch (k) {
	case TUI_KEY_FN | KEY_UP:
	case 'k':
	case TUI_KEY_CTRL('p'):
		menu_move(m, -1);
		return TUI_R_REDRAW;
	case TUI_KEY_FN | KEY_DOWN:
	case 'j':
	case TUI_KEY_TAB:
	case TUI_KEY_CTRL('n'):
		menu_move(m, 1);
		return TUI_R_REDRAW;
	case TUI_KEY_ENTER:
	case ' ':
		if (m->n > 0)
			menu_run(p, t, m->sel);
		return TUI_R_REDRAW;
	case TUI_KEY_ESC:
	case 'q':
	case TUI_KEY_CTRL('c'):
	case TUI_KEY_CTRL('g'):
		tui_screen_close_overlay(t, p);
		return TUI_R_REDRAW;
	}
	/* An item's own key runs it straight from the menu. */
	for (i = 0; i < m->n; i++) {
		bound = tui_key_parse(m->items[i].key);
		if (bound != TUI_KEY_NONE && bound == k && !m->items[i].disabled) {
			menu_run(p, t, i);
			return TUI_R_REDRAW;
		}
	}
	return TUI_R_REDRAW;
}

static void
menu_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	  bool focused)
{
	struct menu *m = p->impl;
	int width = 46, i, y;
	struct tui_rect box;
	enum tui_color c;

	TF_UNUSED(focused);
	if (width > r.w - 2)
		width = r.w - 2;
	box = (struct tui_rect){ (r.h - (m->n + 2)) / 2, (r.w - width) / 2,
	    m->n + 2, width };
	if (box.y < 0)
		box.y = 0;
	tui_draw_box(w, box, tui_crt_attr(&t->crt, TUI_C_DIALOG), m->title,
	    tui_crt_attr(&t->crt, TUI_C_DIALOG_TITLE));
	for (i = 0; i < m->n && i < box.h - 2; i++) {
		y = box.y + 1 + i;
		c = i == m->sel ? TUI_C_FIELD_FOCUS : TUI_C_DIALOG;
		tui_draw_fill(w, y, box.x + 1, width - 2, tui_crt_attr(&t->crt,
		    c));
		tui_draw_text(w, y, box.x + 2, width - 12, tui_crt_attr(&t->crt,
		    c) | (m->items[i].disabled ? A_DIM : 0), m->items[i].label,
		    false);
		tui_draw_text(w, y, box.x + width - 9, 8, tui_crt_attr(&t->crt,
		    c) | A_BOLD, m->items[i].key, false);
	}
}

static void
menu_close(struct tui_panel *p, struct tui *t)
{
	TF_UNUSED(t);
	free(p->impl);
}

static const struct tui_panel_ops menu_ops = {
	.kind = "dialog",
	.ctx = TUI_CTX_LIST,
	.draw = menu_draw,
	.key = menu_key,
	.close = menu_close,
};

void
tui_menu_open(struct tui *t, const char *title,
	      const struct tui_menu_item *items, int n)
{
	struct menu *m = tf_calloc(1, sizeof *m);

	snprintf(m->title, sizeof m->title, "%s", title);
	if (n > MENU_MAX)
		n = MENU_MAX;
	memcpy(m->items, items, (size_t)n * sizeof *items);
	m->n = n;
	m->sel = -1;
	menu_move(m, 1);
	if (m->sel < 0)
		m->sel = 0;
	tui_screen_push_overlay(t, tui_panel_new(t, &menu_ops, m, title));
}
