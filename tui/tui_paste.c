/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_paste: the terminal's bracketed paste.  tui_crt turns on mode 2004,
 * so a paste arrives between ESC [ 200~ and ESC [ 201~.  When the focused
 * panel takes pastes (a shell pane), the text between the markers is
 * collected and handed over whole, and the shell pane passes it on with
 * the program's own brackets when the program asked for them (vt_pane_paste);
 * elsewhere (a list, a prompt) the markers are dropped and the text arrives
 * as keys, as it would without bracketed paste.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tf_util.h"
#include "tui.h"

#define PASTE_MAX	(1024 * 1024)	/* a bigger paste is cut here */

static void
paste_add(struct tui_paste *ps, tui_key k)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (k == TUI_KEY_ENTER || k == '\n')
		k = '\r';
	if (k < 0 || (k & (TUI_KEY_FN | TUI_KEY_META)))
		return;
	memset(&st, 0, sizeof st);
	n = wcrtomb(mb, (wchar_t)k, &st);
	if (n == (size_t)-1 || ps->n + n > PASTE_MAX)
		return;
	if (ps->n + n > ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 256;
		ps->buf = tf_realloc(ps->buf, ps->cap);
	}
	memcpy(ps->buf + ps->n, mb, n);
	ps->n += n;
}

bool
tui_paste_key(struct tui *t, tui_key k)
{
	struct tui_paste *ps = &t->paste;
	struct tui_panel *p;

	if (k == TUI_KEY_PASTE_BEGIN) {
		p = t->scr.noverlays > 0 ? NULL : tui_screen_focused(t);
		ps->on = p != NULL && p->ops->paste != NULL;
		ps->panel_id = p != NULL ? p->id : 0;
		ps->n = 0;
		return true;
	}
	if (k == TUI_KEY_PASTE_END) {
		p = ps->on ? tui_screen_find_pane(t, ps->panel_id) : NULL;
		if (p != NULL && ps->n > 0)
			p->ops->paste(p, t, ps->buf, ps->n);
		ps->on = false;
		ps->n = 0;
		return true;
	}
	if (!ps->on)
		return false;
	paste_add(ps, k);
	return true;
}

void
tui_paste_fini(struct tui *t)
{
	free(t->paste.buf);
	memset(&t->paste, 0, sizeof t->paste);
}
