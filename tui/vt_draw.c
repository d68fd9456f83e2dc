/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_draw: copies a shell pane's dirty rows into a curses window.  Each row
 * becomes one array of cchar_t written with wadd_wchnstr, which neither
 * wraps nor scrolls and lays wide characters over two columns; curses then
 * works out the minimal update of the real terminal on doupdate(), so
 * rewriting a whole dirty row here is cheap.
 *
 * Where libvterm and the C library disagree about a character's width, the
 * library wins (curses lays out by wcwidth): a glyph that would not fill
 * exactly its cells is drawn as U+FFFD or a space so the row never shifts.
 *
 * Overlays drawn over the model: the ended banner on the last row, and the
 * scrollback position at the top right while scrolled back.  The model and
 * its dirty map live in vt_pane.c, colour pairs in vt_colors.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "vt_private.h"

static void
draw_setcchar(cchar_t *cc, const wchar_t *wch, attr_t attrs, int pair)
{
#if NCURSES_EXT_COLORS
	setcchar(cc, wch, attrs, 0, &pair);
#else
	setcchar(cc, wch, attrs, (short)pair, NULL);
#endif
}

static attr_t
draw_attrs(const vt_pane *pane, const struct vt_cell *c)
{
	attr_t a = 0;
	bool reverse = (c->attrs & VT_ATTR_REVERSE) != 0;

	if (c->attrs & VT_ATTR_BOLD)
		a |= A_BOLD;
	if (c->attrs & VT_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (c->attrs & VT_ATTR_ITALIC)
		a |= A_ITALIC;
	if (c->attrs & VT_ATTR_BLINK)
		a |= A_BLINK;
	if (reverse != pane->screen_reverse)
		a |= A_REVERSE;
	return a;
}

/* Fills wch (CCHARW_MAX + 1 wide) with the cell's glyph as curses can lay
 * it out in exactly `width` columns. */
static void
draw_glyph(const struct vt_cell *c, int width, wchar_t *wch)
{
	int n = 0, w;

	if (c->ch[0] == 0 || c->ch[0] == VT_CELL_WIDE_TAIL) {
		wch[0] = L' ';
		wch[1] = L'\0';
		return;
	}
	w = wcwidth((wchar_t)c->ch[0]);
	if (w == width)
		wch[n++] = (wchar_t)c->ch[0];
	else if (width == 1)
		wch[n++] = (wchar_t)0xfffd;
	else {
		/* A wide cell we cannot draw wide: its tail cell follows
		 * and is drawn as a blank. */
		wch[n++] = L' ';
	}
	/* Combining marks only; curses refuses anything else here. */
	for (int i = 1; i < VT_CELL_CHARS && c->ch[i] != 0 &&
	    n < CCHARW_MAX && w == width; i++) {
		if (wcwidth((wchar_t)c->ch[i]) == 0)
			wch[n++] = (wchar_t)c->ch[i];
	}
	wch[n] = L'\0';
}

/* Writes text over cells [0, ncols) of the row being built, from column
 * col, with attrs; returns the column after it. */
static int
draw_text(cchar_t *cells, int col, int ncols, const char *text, attr_t attrs,
    int pair)
{
	mbstate_t ps;
	const char *p = text;
	size_t left = strlen(text);

	memset(&ps, 0, sizeof ps);
	while (left > 0 && col < ncols) {
		wchar_t wc, wch[2];
		size_t k = mbrtowc(&wc, p, left, &ps);

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = L'?';
			k = 1;
			memset(&ps, 0, sizeof ps);
		}
		p += k;
		left -= k;
		if (wcwidth(wc) != 1)
			wc = L'?';
		wch[0] = wc;
		wch[1] = L'\0';
		draw_setcchar(&cells[col++], wch, attrs, pair);
	}
	return col;
}

/* Builds and writes view row r; ncols is the visible width. */
static void
draw_row(vt_pane *pane, WINDOW *win, int wy, int wx, int r, int ncols,
    int nrows)
{
	cchar_t *cells = pane->line_buf;
	int n = 0, col = 0;
	struct vt_cell c;

	if (pane->ended != NULL && r == nrows - 1) {
		/* Banner: reverse video across the row. */
		char text[512];
		wchar_t blank[2] = { L' ', L'\0' };
		attr_t attrs = A_REVERSE | A_BOLD;

		tf_snprintf(text, sizeof text, " [%s] ", pane->ended);
		n = draw_text(cells, 0, ncols, text, attrs, 0);
		while (n < ncols)
			draw_setcchar(&cells[n++], blank, attrs, 0);
		mvwadd_wchnstr(win, wy, wx, cells, n);
		return;
	}

	while (col < ncols) {
		wchar_t wch[CCHARW_MAX + 1];
		attr_t attrs;
		int width, pair;

		vt_pane_view_cell(pane, r, col, &c);
		width = c.width == 2 && c.ch[0] != VT_CELL_WIDE_TAIL ? 2 : 1;
		if (width == 2 && col + 1 >= ncols)
			width = 1;	/* clipped by the window */
		draw_glyph(&c, width, wch);
		if (width == 2 && wch[0] == L' ')
			width = 1;
		attrs = draw_attrs(pane, &c);
		pair = vt_colors_pair(pane->colors, c.fg, c.bg, &attrs);
		draw_setcchar(&cells[n++], wch, attrs, pair);
		col += width;
	}

	if (r == 0 && pane->view_offset > 0) {
		/* Where we are in history, at the top right. */
		char pos[48];
		int len, start;

		tf_snprintf(pos, sizeof pos, "[%d/%zu]", pane->view_offset,
		    pane->sb.count);
		len = (int)strlen(pos);
		start = ncols - len;
		/* Only over a run of narrow cells, so columns stay put. */
		if (start >= 0 && n == ncols)
			draw_text(cells, start, ncols, pos, A_REVERSE, 0);
	}
	mvwadd_wchnstr(win, wy, wx, cells, n);
}

void
vt_pane_draw(vt_pane *pane, WINDOW *win, int y, int x, bool focused)
{
	int maxy, maxx, nrows, ncols, cr, cc;
	unsigned long gen = 0;

	getmaxyx(win, maxy, maxx);
	nrows = pane->rows < maxy - y ? pane->rows : maxy - y;
	ncols = pane->cols < maxx - x ? pane->cols : maxx - x;
	if (nrows <= 0 || ncols <= 0)
		return;

	if (pane->colors != NULL) {
		gen = vt_colors_generation(pane->colors);
		if (gen != pane->colors_gen)
			pane->all_dirty = true;
		vt_colors_frame(pane->colors);
	}
	for (int r = 0; r < nrows; r++) {
		if (pane->all_dirty || pane->dirty[r])
			draw_row(pane, win, y + r, x, r, ncols, nrows);
		pane->dirty[r] = false;
	}
	pane->all_dirty = false;
	pane->cursor_dirty = false;
	/* If drawing recycled pairs, rows drawn before this frame may show
	 * them: keep the old generation so the next draw repaints all. */
	if (pane->colors != NULL &&
	    vt_colors_generation(pane->colors) == gen)
		pane->colors_gen = gen;

	if (focused) {
		if (vt_pane_get_cursor(pane, &cr, &cc) && cr < nrows &&
		    cc < ncols) {
			wmove(win, y + cr, x + cc);
			curs_set(1);
		} else
			curs_set(0);
	}
}

bool
vt_pane_get_cursor(const vt_pane *pane, int *row, int *col)
{
	int r = pane->cursor.row + pane->view_offset;

	if (!pane->cursor_visible || pane->ended != NULL || r >= pane->rows)
		return false;
	if (row != NULL)
		*row = r;
	if (col != NULL)
		*col = pane->cursor.col < pane->cols ? pane->cursor.col :
		    pane->cols - 1;
	return true;
}
