/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_draw: text drawing helpers on top of curses that every panel uses:
 * UTF-8 strings measured in terminal columns (wide characters count two,
 * control characters are never sent to the terminal), fills, boxes, and
 * the human formats of sizes and ages.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

/* Decodes one character; control and invalid bytes become '?'. */
static size_t
tui_draw_next(const char *s, wchar_t *wc, int *width)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*width = 1;
		return 1;
	}
	if (*wc < 0x20 || *wc == 0x7f || (*wc >= 0x80 && *wc < 0xa0)) {
		*wc = L'?';
		*width = 1;
		return n;
	}
	*width = wcwidth(*wc);
	if (*width < 0) {
		*wc = L'?';
		*width = 1;
	}
	return n;
}

int
tui_text_width(const char *s)
{
	wchar_t wc;
	int w, total = 0;

	while (*s != '\0') {
		s += tui_draw_next(s, &wc, &w);
		total += w;
	}
	return total;
}

int
tui_draw_text(WINDOW *win, int y, int x, int width, attr_t attr,
	      const char *s, bool pad)
{
	wchar_t buf[512];
	wchar_t wc;
	int used = 0, n = 0, w;

	if (width <= 0)
		return 0;
	wattrset(win, attr);
	while (s != NULL && *s != '\0') {
		s += tui_draw_next(s, &wc, &w);
		if (used + w > width)
			break;
		buf[n++] = wc;
		used += w;
		if (n == (int)TF_ARRAY_LEN(buf) - 1) {
			mvwaddnwstr(win, y, x, buf, n);
			x += used;
			width -= used;
			used = n = 0;
		}
	}
	if (n > 0)
		mvwaddnwstr(win, y, x, buf, n);
	if (pad && used < width)
		mvwhline(win, y, x + used, ' ', width - used);
	wattrset(win, A_NORMAL);
	return used;
}

void
tui_draw_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	wattrset(win, attr);
	mvwhline(win, y, x, ' ', width);
	wattrset(win, A_NORMAL);
}

void
tui_draw_box(WINDOW *win, struct tui_rect r, attr_t attr, const char *title,
	     attr_t title_attr)
{
	int i;

	if (r.h < 2 || r.w < 2)
		return;
	wattrset(win, attr);
	for (i = 1; i < r.h - 1; i++)
		mvwhline(win, r.y + i, r.x + 1, ' ', r.w - 2);
	mvwhline(win, r.y, r.x + 1, ACS_HLINE, r.w - 2);
	mvwhline(win, r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
	mvwvline(win, r.y + 1, r.x, ACS_VLINE, r.h - 2);
	mvwvline(win, r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
	mvwaddch(win, r.y, r.x, ACS_ULCORNER);
	mvwaddch(win, r.y, r.x + r.w - 1, ACS_URCORNER);
	mvwaddch(win, r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvwaddch(win, r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
	wattrset(win, A_NORMAL);
	if (title != NULL && *title != '\0' && r.w > 6) {
		char t[160];

		snprintf(t, sizeof t, " %s ", title);
		tui_draw_text(win, r.y, r.x + 2, r.w - 4, title_attr, t, false);
	}
}

void
tui_text_fit(const char *s, int width, bool utf8, char *buf, size_t size)
{
	const char *p = s, *cut = s;
	wchar_t wc;
	int used = 0, w;
	size_t n;

	if (size == 0)
		return;
	if (tui_text_width(s) <= width) {
		snprintf(buf, size, "%s", s);
		return;
	}
	if (width <= 0) {
		buf[0] = '\0';
		return;
	}
	while (*p != '\0') {
		n = tui_draw_next(p, &wc, &w);
		if (used + w > width - 1)
			break;
		used += w;
		p += n;
		cut = p;
	}
	snprintf(buf, size, "%.*s%s", (int)(cut - s), s, utf8 ? "\xe2\x80\xa6" :
	    "~");
}

void
tui_fmt_bytes(int64_t n, char *buf, size_t size)
{
	static const char units[] = "BKMGTP";
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lldB", (long long)n);
	else if (v < 10)
		snprintf(buf, size, "%.1f%c", v, units[u]);
	else
		snprintf(buf, size, "%.0f%c", v, units[u]);
}

void
tui_fmt_age(double seconds, char *buf, size_t size)
{
	long s = seconds < 0 ? 0 : (long)seconds;

	if (s < 60)
		snprintf(buf, size, "%lds", s);
	else if (s < 3600)
		snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}
