/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_form: a modal form of labelled fields (text, choice, yes/no) with OK
 * and Cancel, used by spawn, tunnel and volume dialogs.  Tab/Down and
 * BTab/Up move between fields, Left/Right/Space change a choice or a
 * yes/no, Enter submits (or cancels, on Cancel), Esc cancels.  The submit
 * callback may refuse (return false) to keep the form open after showing
 * what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

#define FORM_FIELDS 16

struct tui_form {
	char title[96];
	struct tui_field fields[FORM_FIELDS];
	int n;
	int focus;			/* field index, n = OK, n + 1 = Cancel */
	tui_form_fn fn;
	void *arg;
	bool free_arg;
	bool done;
	int cursor_y, cursor_x;
	bool cursor;
};

struct tui_field *
tui_form_field_text(struct tui_field *f, const char *label,
		    const char *initial, const char *hint)
{
	memset(f, 0, sizeof *f);
	f->type = TUI_FIELD_TEXT;
	snprintf(f->label, sizeof f->label, "%s", label);
	snprintf(f->hint, sizeof f->hint, "%s", hint ? hint : "");
	tui_edit_set(&f->edit, initial);
	return f;
}

struct tui_field *
tui_form_field_choice(struct tui_field *f, const char *label, const char *hint)
{
	memset(f, 0, sizeof *f);
	f->type = TUI_FIELD_CHOICE;
	snprintf(f->label, sizeof f->label, "%s", label);
	snprintf(f->hint, sizeof f->hint, "%s", hint ? hint : "");
	return f;
}

void
tui_form_choice_add(struct tui_field *f, const char *label, const char *value)
{
	if (f->nchoices == TUI_FIELD_CHOICES)
		return;
	f->choices[f->nchoices] = tf_strdup(label);
	f->values[f->nchoices] = tf_strdup(value ? value : label);
	f->nchoices++;
}

struct tui_field *
tui_form_field_bool(struct tui_field *f, const char *label, bool on,
		    const char *hint)
{
	memset(f, 0, sizeof *f);
	f->type = TUI_FIELD_BOOL;
	snprintf(f->label, sizeof f->label, "%s", label);
	snprintf(f->hint, sizeof f->hint, "%s", hint ? hint : "");
	f->on = on;
	return f;
}

const char *
tui_form_value(const struct tui_field *f)
{
	switch (f->type) {
	case TUI_FIELD_TEXT:
		return f->edit.buf;
	case TUI_FIELD_CHOICE:
		return f->nchoices > 0 ? f->values[f->choice] : "";
	case TUI_FIELD_BOOL:
		return f->on ? "yes" : "no";
	}
	return "";
}

void
tui_form_fields_free(struct tui_field *fields, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < fields[i].nchoices; k++) {
			free(fields[i].choices[k]);
			free(fields[i].values[k]);
		}
		fields[i].nchoices = 0;
	}
}

static void
form_submit(struct tui_panel *p, struct tui *t, bool ok)
{
	struct tui_form *f = p->impl;

	if (f->done)
		return;
	if (!ok) {
		f->done = true;
		tui_screen_close_overlay(t, p);
		f->fn(t, NULL, 0, f->arg);
		return;
	}
	if (f->fn(t, f->fields, f->n, f->arg)) {
		f->done = true;
		tui_screen_close_overlay(t, p);
	}
}

static int
form_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct tui_form *f = p->impl;
	struct tui_field *fld = f->focus < f->n ? &f->fields[f->focus] : NULL;

	switch (k) {
	case TUI_KEY_ESC:
	case TUI_KEY_CTRL('c'):
	case TUI_KEY_CTRL('g'):
		form_submit(p, t, false);
		return TUI_R_REDRAW;
	case TUI_KEY_ENTER:
		form_submit(p, t, f->focus != f->n + 1);
		return TUI_R_REDRAW;
	case TUI_KEY_TAB:
	case TUI_KEY_FN | KEY_DOWN:
		f->focus = (f->focus + 1) % (f->n + 2);
		return TUI_R_REDRAW;
	case TUI_KEY_FN | KEY_BTAB:
	case TUI_KEY_FN | KEY_UP:
		f->focus = (f->focus + f->n + 1) % (f->n + 2);
		return TUI_R_REDRAW;
	}
	if (fld == NULL) {
		if (k == (TUI_KEY_FN | KEY_LEFT) || k == (TUI_KEY_FN | KEY_RIGHT))
			f->focus = f->focus == f->n ? f->n + 1 : f->n;
		else if (k == ' ')
			form_submit(p, t, f->focus == f->n);
		return TUI_R_REDRAW;
	}
	switch (fld->type) {
	case TUI_FIELD_TEXT:
		tui_edit_key(&fld->edit, k);
		break;
	case TUI_FIELD_CHOICE:
		if (fld->nchoices == 0)
			break;
		if (k == (TUI_KEY_FN | KEY_LEFT))
			fld->choice = (fld->choice + fld->nchoices - 1) %
			    fld->nchoices;
		else if (k == (TUI_KEY_FN | KEY_RIGHT) || k == ' ')
			fld->choice = (fld->choice + 1) % fld->nchoices;
		else if (k > ' ' && k < 127) {
			/* Typing jumps to the next choice with that initial. */
			int i, c;

			for (i = 1; i <= fld->nchoices; i++) {
				c = (fld->choice + i) % fld->nchoices;
				if (fld->choices[c][0] == (char)k) {
					fld->choice = c;
					break;
				}
			}
		}
		break;
	case TUI_FIELD_BOOL:
		if (k == ' ' || k == (TUI_KEY_FN | KEY_LEFT) ||
		    k == (TUI_KEY_FN | KEY_RIGHT))
			fld->on = !fld->on;
		else if (k == 'y')
			fld->on = true;
		else if (k == 'n')
			fld->on = false;
		break;
	}
	return TUI_R_REDRAW;
}

static void
form_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	  bool focused)
{
	struct tui_form *f = p->impl;
	attr_t dlg = tui_crt_attr(&t->crt, TUI_C_DIALOG);
	int width = r.w - 4 < 72 ? r.w - 4 : 72, labelw = 10, i, y, fx, fw;
	char val[300];
	struct tui_rect box;
	struct tui_field *fld;
	attr_t a;

	TF_UNUSED(focused);
	for (i = 0; i < f->n; i++) {
		if (tui_text_width(f->fields[i].label) + 2 > labelw)
			labelw = tui_text_width(f->fields[i].label) + 2;
	}
	box = (struct tui_rect){ (r.h - (f->n + 6)) / 2, (r.w - width) / 2,
	    f->n + 6, width };
	if (box.y < 0)
		box.y = 0;
	tui_draw_box(w, box, dlg, f->title, tui_crt_attr(&t->crt,
	    TUI_C_DIALOG_TITLE));
	fx = box.x + 2 + labelw;
	fw = width - labelw - 4;
	f->cursor = false;
	for (i = 0; i < f->n; i++) {
		fld = &f->fields[i];
		y = box.y + 1 + i;
		tui_draw_text(w, y, box.x + 2, labelw, i == f->focus ?
		    tui_crt_attr(&t->crt, TUI_C_DIALOG_TITLE) : dlg, fld->label,
		    false);
		a = tui_crt_attr(&t->crt, i == f->focus ? TUI_C_FIELD_FOCUS :
		    TUI_C_FIELD);
		switch (fld->type) {
		case TUI_FIELD_TEXT:
			fx = box.x + 2 + labelw;
			if (i == f->focus) {
				f->cursor_x = tui_edit_draw(&fld->edit, w, y, fx,
				    fw, a);
				f->cursor_y = y;
				f->cursor = true;
			} else
				tui_edit_draw(&fld->edit, w, y, fx, fw, a);
			break;
		case TUI_FIELD_CHOICE:
			snprintf(val, sizeof val, "< %s >", fld->nchoices ?
			    fld->choices[fld->choice] : "(none)");
			tui_draw_text(w, y, fx, fw, a, val, true);
			break;
		case TUI_FIELD_BOOL:
			snprintf(val, sizeof val, "[%c] %s", fld->on ? 'x' : ' ',
			    fld->on ? "yes" : "no");
			tui_draw_text(w, y, fx, fw, a, val, true);
			break;
		}
	}
	y = box.y + f->n + 2;
	if (f->focus < f->n && f->fields[f->focus].hint[0] != '\0')
		tui_draw_text(w, y, box.x + 2, width - 4, dlg | A_DIM,
		    f->fields[f->focus].hint, false);
	y++;
	tui_draw_text(w, y, box.x + width - 26, 8, tui_crt_attr(&t->crt,
	    f->focus == f->n ? TUI_C_BUTTON_FOCUS : TUI_C_BUTTON), "[  OK  ]",
	    false);
	tui_draw_text(w, y, box.x + width - 16, 12, tui_crt_attr(&t->crt,
	    f->focus == f->n + 1 ? TUI_C_BUTTON_FOCUS : TUI_C_BUTTON),
	    "[ Cancel ]", false);
}

static bool
form_cursor(struct tui_panel *p, struct tui *t, int *y, int *x)
{
	struct tui_form *f = p->impl;

	TF_UNUSED(t);
	*y = f->cursor_y;
	*x = f->cursor_x;
	return f->cursor;
}

static void
form_close(struct tui_panel *p, struct tui *t)
{
	struct tui_form *f = p->impl;

	TF_UNUSED(t);
	tui_form_fields_free(f->fields, f->n);
	if (f->free_arg)
		free(f->arg);
	free(f);
}

static const struct tui_panel_ops form_ops = {
	.kind = "dialog",
	.ctx = TUI_CTX_LIST,
	.draw = form_draw,
	.key = form_key,
	.close = form_close,
	.cursor = form_cursor,
};

void
tui_form_open(struct tui *t, const char *title, struct tui_field *fields,
	      int n, tui_form_fn fn, void *arg, bool free_arg)
{
	struct tui_form *f = tf_calloc(1, sizeof *f);

	snprintf(f->title, sizeof f->title, "%s", title);
	if (n > FORM_FIELDS)
		n = FORM_FIELDS;
	/* The form takes the fields, choice strings included. */
	memcpy(f->fields, fields, (size_t)n * sizeof *fields);
	f->n = n;
	f->fn = fn;
	f->arg = arg;
	f->free_arg = free_arg;
	tui_screen_push_overlay(t, tui_panel_new(t, &form_ops, f, title));
}
