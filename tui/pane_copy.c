/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pane_copy: copy mode of a shell pane (see pane_copy.h).
 *
 * The cursor lives in the pane's view (row 0 is the view's top); walking
 * above or below the view scrolls it, so the whole scrollback is reachable
 * with the pane's own scrolling.  The mark is kept in view rows too and
 * moves with every scroll made here; a scrolled-back view stays on the same
 * lines while output arrives (vt_pane), so the mark stays on its text.  A
 * line is addressed for vt_pane_get_line_text as row - scroll offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf_util.h"
#include "pane_copy.h"

#define COPY_LINE_MAX	4096	/* bytes of one line's text */

static void
copy_scroll(struct pane_copy *c, vt_pane *vt, int lines)
{
	int before = vt_pane_scroll_offset(vt);

	vt_pane_scroll(vt, lines);
	c->arow += vt_pane_scroll_offset(vt) - before;
}

void
pane_copy_enter(struct pane_copy *c, vt_pane *vt)
{
	int row = 0, col = 0, rows;

	vt_pane_get_size(vt, &rows, NULL);
	if (vt_pane_scroll_offset(vt) != 0 ||
	    !vt_pane_get_cursor(vt, &row, &col)) {
		row = rows - 1;
		col = 0;
	}
	c->on = true;
	c->selecting = false;
	c->row = row;
	c->col = col;
}

void
pane_copy_leave(struct pane_copy *c, vt_pane *vt)
{
	c->on = false;
	c->selecting = false;
	vt_pane_scroll_reset(vt);
}

bool
pane_copy_command(struct pane_copy *c, vt_pane *vt, const char *action)
{
	int rows, cols;

	vt_pane_get_size(vt, &rows, &cols);
	if (strcmp(action, "move.up") == 0) {
		if (c->row > 0)
			c->row--;
		else
			copy_scroll(c, vt, -1);
	} else if (strcmp(action, "move.down") == 0) {
		if (c->row < rows - 1)
			c->row++;
		else
			copy_scroll(c, vt, 1);
	} else if (strcmp(action, "move.left") == 0) {
		if (c->col > 0)
			c->col--;
	} else if (strcmp(action, "move.right") == 0) {
		if (c->col < cols - 1)
			c->col++;
	} else if (strcmp(action, "page.up") == 0) {
		if (vt_pane_scroll_offset(vt) ==
		    (int)vt_pane_scrollback_lines(vt))
			c->row = 0;
		copy_scroll(c, vt, -rows);
	} else if (strcmp(action, "page.down") == 0) {
		if (vt_pane_scroll_offset(vt) == 0)
			c->row = rows - 1;
		copy_scroll(c, vt, rows);
	} else if (strcmp(action, "move.top") == 0) {
		copy_scroll(c, vt, -(int)vt_pane_scrollback_lines(vt) - 1);
		c->row = 0;
		c->col = 0;
	} else if (strcmp(action, "move.bottom") == 0) {
		copy_scroll(c, vt, (int)vt_pane_scrollback_lines(vt) + 1);
		c->row = rows - 1;
	} else if (strcmp(action, "copy.select") == 0) {
		c->selecting = !c->selecting;
		c->arow = c->row;
		c->acol = c->col;
	} else
		return false;
	return true;
}

/* The selection as lines (< 0: history) from (*l0, *c0) to (*l1, *c1),
 * both ends included, first before last. */
static void
copy_range(const struct pane_copy *c, const vt_pane *vt, long *l0, int *c0,
	   long *l1, int *c1)
{
	long off = vt_pane_scroll_offset(vt);
	long lc = c->row - off;

	if (!c->selecting) {
		*l0 = *l1 = lc;
		*c0 = 0;
		*c1 = 1 << 20;
		return;
	}
	*l0 = c->arow - off;
	*c0 = c->acol;
	*l1 = lc;
	*c1 = c->col;
	if (*l0 > *l1 || (*l0 == *l1 && *c0 > *c1)) {
		long tl = *l0;
		int tc = *c0;

		*l0 = *l1;
		*c0 = *c1;
		*l1 = tl;
		*c1 = tc;
	}
}

char *
pane_copy_text(const struct pane_copy *c, const vt_pane *vt, size_t *len)
{
	char line[COPY_LINE_MAX];
	char *out = NULL;
	size_t n = 0, cap = 0;
	long l0, l1;
	int c0, c1;

	copy_range(c, vt, &l0, &c0, &l1, &c1);
	for (long l = l0; l <= l1; l++) {
		size_t k = vt_pane_get_line_text(vt, l, l == l0 ? c0 : 0,
		    l == l1 ? c1 + 1 : 1 << 20, line, sizeof line);

		if (n + k + 2 > cap) {
			cap = (n + k + 2) * 2;
			out = tf_realloc(out, cap);
		}
		memcpy(out + n, line, k);
		n += k;
		if (l < l1 || !c->selecting)
			out[n++] = '\n';
	}
	if (out == NULL)
		out = tf_calloc(1, 1);
	out[n] = '\0';
	*len = n;
	return out;
}

/* Columns before byte off of UTF-8 text (one per character). */
static int
copy_column(const char *s, size_t off)
{
	int col = 0;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

bool
pane_copy_find(struct pane_copy *c, vt_pane *vt, int dir)
{
	char line[COPY_LINE_MAX];
	long off = vt_pane_scroll_offset(vt);
	long oldest = -(long)vt_pane_scrollback_lines(vt);
	int rows;

	if (c->search[0] == '\0')
		return false;
	vt_pane_get_size(vt, &rows, NULL);
	for (long l = c->row - off + dir; l >= oldest && l < rows; l += dir) {
		const char *hit;

		vt_pane_get_line_text(vt, l, 0, 1 << 20, line, sizeof line);
		if ((hit = strstr(line, c->search)) == NULL)
			continue;
		/* Bring the line into view: scroll until its row is on it. */
		if (l + off < 0 || l + off >= rows)
			copy_scroll(c, vt, (int)(off - (l < 0 ? -l : 0)));
		c->row = (int)(l + vt_pane_scroll_offset(vt));
		c->col = copy_column(line, (size_t)(hit - line));
		return true;
	}
	return false;
}

void
pane_copy_draw(const struct pane_copy *c, const vt_pane *vt, WINDOW *w,
	       int y, int x, attr_t attr)
{
	long off = vt_pane_scroll_offset(vt), l0, l1;
	int rows, cols, c0, c1;

	if (!c->on || !c->selecting)
		return;
	vt_pane_get_size(vt, &rows, &cols);
	copy_range(c, vt, &l0, &c0, &l1, &c1);
	for (int r = 0; r < rows; r++) {
		long l = r - off;
		int a = l == l0 ? c0 : 0, b = l == l1 ? c1 : cols - 1;

		if (l < l0 || l > l1)
			continue;
		if (b >= cols)
			b = cols - 1;
		if (b >= a)
			mvwchgat(w, y + r, x + a, b - a + 1,
			    attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL);
	}
}

void
pane_copy_osc52(const char *text, size_t len)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0;
	char *out = tf_malloc(len / 3 * 4 + 16);

	memcpy(out, "\033]52;c;", 7);
	n = 7;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		out[n++] = b64[(v >> 18) & 63];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[n++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[n++] = '\007';
	/* Straight to the terminal: curses has flushed its frame, and the
	 * sequence moves no cursor and draws nothing. */
	fflush(stdout);
	if (write(STDOUT_FILENO, out, n) < 0) {
		/* nothing to do: the clipboard stays as it was */
	}
	free(out);
}
