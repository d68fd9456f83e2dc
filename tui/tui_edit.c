/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_edit: a one-line UTF-8 text editor for the command line, prompts and
 * form fields.  Keys are fixed (they are text editing, not actions): arrows,
 * Home/End, C-a/C-e, BSpace/Del, C-u (kill line), C-w (kill word), C-k.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

void
tui_edit_set(struct tui_edit *e, const char *s)
{
	snprintf(e->buf, sizeof e->buf, "%s", s ? s : "");
	e->len = strlen(e->buf);
	e->cur = e->len;
}

static size_t
tui_edit_prev(const struct tui_edit *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)e->buf[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t
tui_edit_next(const struct tui_edit *e, size_t at)
{
	if (at >= e->len)
		return e->len;
	at++;
	while (at < e->len && ((unsigned char)e->buf[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void
tui_edit_delete(struct tui_edit *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	if (e->cur > to)
		e->cur -= to - from;
	else if (e->cur > from)
		e->cur = from;
}

bool
tui_edit_key(struct tui_edit *e, tui_key k)
{
	char mb[8];
	size_t n, at;

	switch (k) {
	case TUI_KEY_FN | KEY_LEFT:
	case TUI_KEY_CTRL('b'):
		e->cur = tui_edit_prev(e, e->cur);
		return true;
	case TUI_KEY_FN | KEY_RIGHT:
	case TUI_KEY_CTRL('f'):
		e->cur = tui_edit_next(e, e->cur);
		return true;
	case TUI_KEY_FN | KEY_HOME:
	case TUI_KEY_CTRL('a'):
		e->cur = 0;
		return true;
	case TUI_KEY_FN | KEY_END:
	case TUI_KEY_CTRL('e'):
		e->cur = e->len;
		return true;
	case 127:
	case TUI_KEY_CTRL('h'):
		tui_edit_delete(e, tui_edit_prev(e, e->cur), e->cur);
		return true;
	case TUI_KEY_FN | KEY_DC:
	case TUI_KEY_CTRL('d'):
		tui_edit_delete(e, e->cur, tui_edit_next(e, e->cur));
		return true;
	case TUI_KEY_CTRL('u'):
		tui_edit_delete(e, 0, e->cur);
		return true;
	case TUI_KEY_CTRL('k'):
		tui_edit_delete(e, e->cur, e->len);
		return true;
	case TUI_KEY_CTRL('w'):
		at = e->cur;
		while (at > 0 && e->buf[at - 1] == ' ')
			at--;
		while (at > 0 && e->buf[at - 1] != ' ')
			at--;
		tui_edit_delete(e, at, e->cur);
		return true;
	}
	if (k < 0x20 || k == 0x7f || (k & (TUI_KEY_FN | TUI_KEY_META)))
		return false;
	n = wcrtomb(mb, (wchar_t)k, &(mbstate_t){ 0 });
	if (n == (size_t)-1 || e->len + n + 1 > sizeof e->buf)
		return false;
	memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
	memcpy(e->buf + e->cur, mb, n);
	e->len += n;
	e->cur += n;
	return true;
}

int
tui_edit_draw(const struct tui_edit *e, WINDOW *w, int y, int x, int width,
	      attr_t attr)
{
	char before[TUI_EDIT_MAX];
	const char *start = e->buf;
	int cw;

	if (width <= 1)
		return x;
	/* Scroll so the cursor stays inside the field. */
	snprintf(before, sizeof before, "%.*s", (int)e->cur, e->buf);
	cw = tui_text_width(before);
	while (cw > width - 1 && *start != '\0') {
		size_t skip = 1;

		while (((unsigned char)start[skip] & 0xc0) == 0x80)
			skip++;
		start += skip;
		snprintf(before, sizeof before, "%.*s",
		    (int)(e->buf + e->cur - start), start);
		cw = tui_text_width(before);
	}
	tui_draw_text(w, y, x, width, attr, start, true);
	return x + cw;
}
