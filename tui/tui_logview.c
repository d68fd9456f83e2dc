/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_logview: how a log ring (tui_logbuf.c) is shown: follow or paused,
 * wrapped or cut (with horizontal scroll), timestamps, a filter that hides
 * lines, and a search whose hits are highlighted and walked with next and
 * previous.  Patterns are extended regular expressions, case-insensitive
 * unless they contain a capital; one that does not compile is searched as
 * plain text.  Only the lines on screen are measured and drawn, so a pane
 * holding a million lines costs the same per frame as one holding ten.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tf_util.h"
#include "tui.h"

#define LOGVIEW_MATCHES 32

struct logview_re {
	regex_t re;
	bool compiled;
	bool icase;
	char text[TUI_FILTER_MAX];
};

void
tui_logview_init(struct tui_logview *v)
{
	memset(v, 0, sizeof *v);
	v->follow = true;
	v->wrap = true;
}

static void
logview_re_free(void **p)
{
	struct logview_re *r = *p;

	if (r == NULL)
		return;
	if (r->compiled)
		regfree(&r->re);
	free(r);
	*p = NULL;
}

void
tui_logview_fini(struct tui_logview *v)
{
	logview_re_free(&v->search_re);
	logview_re_free(&v->filter_re);
}

/* Returns 0, or 1 when the pattern was taken literally. */
static int
logview_re_set(void **p, char *dst, const char *s)
{
	struct logview_re *r;
	const char *c;

	logview_re_free(p);
	snprintf(dst, TUI_FILTER_MAX, "%s", s ? s : "");
	if (dst[0] == '\0')
		return 0;
	r = tf_calloc(1, sizeof *r);
	snprintf(r->text, sizeof r->text, "%s", dst);
	r->icase = true;
	for (c = dst; *c != '\0'; c++) {
		if (isupper((unsigned char)*c))
			r->icase = false;
	}
	r->compiled = regcomp(&r->re, dst, REG_EXTENDED |
	    (r->icase ? REG_ICASE : 0)) == 0;
	*p = r;
	return r->compiled ? 0 : 1;
}

int
tui_logview_set_search(struct tui_logview *v, const char *s)
{
	v->have_hit = false;
	return logview_re_set(&v->search_re, v->search, s);
}

int
tui_logview_set_filter(struct tui_logview *v, const char *s)
{
	return logview_re_set(&v->filter_re, v->filter, s);
}

/* Finds the first match in text at or after byte off: [*so, *eo). */
static bool
logview_re_find(const struct logview_re *r, const char *text, size_t off,
		size_t *so, size_t *eo)
{
	regmatch_t m;
	const char *hit;

	if (r->compiled) {
		if (regexec(&r->re, text + off, 1, &m, off > 0 ? REG_NOTBOL :
		    0) != 0)
			return false;
		*so = off + (size_t)m.rm_so;
		*eo = off + (size_t)m.rm_eo;
		if (*eo == *so)
			(*eo)++;	/* an empty match still moves on */
		return true;
	}
	hit = r->icase ? strcasestr(text + off, r->text) :
	    strstr(text + off, r->text);
	if (hit == NULL)
		return false;
	*so = (size_t)(hit - text);
	*eo = *so + strlen(r->text);
	return true;
}

bool
tui_logview_line_visible(struct tui_logview *v, const struct tui_logline *l)
{
	size_t so, eo;

	if (v->filter_re == NULL || l->fd == 0)
		return true;
	return logview_re_find(v->filter_re, l->text, 0, &so, &eo);
}

static bool
logview_line_hit(struct tui_logview *v, const struct tui_logline *l)
{
	size_t so, eo;

	return v->search_re != NULL && logview_re_find(v->search_re, l->text,
	    0, &so, &eo);
}

/* The prefix shown before a line: its arrival time, when wanted. */
static void
logview_prefix(const struct tui_logview *v, const struct tui_logline *l,
	       char *buf, size_t size)
{
	time_t sec = (time_t)l->ts;
	struct tm tm;

	buf[0] = '\0';
	if (!v->timestamps)
		return;
	localtime_r(&sec, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d ", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)((l->ts - (double)sec) * 1000));
}

static int
logview_rows(const struct tui_logview *v, const struct tui_logline *l,
	     int width)
{
	char prefix[32];
	int w;

	if (!v->wrap || width <= 0)
		return 1;
	logview_prefix(v, l, prefix, sizeof prefix);
	w = tui_text_width(prefix) + tui_text_width(l->text);
	return w <= width ? 1 : (w + width - 1) / width;
}

bool
tui_logview_find(struct tui_logview *v, const struct tui_logbuf *b, int dir)
{
	const struct tui_logline *l;
	uint64_t seq, end = tui_logbuf_end(b);

	if (v->search_re == NULL || b->n == 0)
		return false;
	if (v->have_hit && v->hit >= b->first_seq && v->hit < end)
		seq = v->hit;
	else
		seq = dir > 0 ? (v->follow ? v->last_first : v->top) : end;
	if (!v->have_hit && dir > 0 && seq > b->first_seq)
		seq--;
	for (;;) {
		if (dir > 0) {
			if (seq + 1 >= end)
				return false;
			seq++;
		} else {
			if (seq <= b->first_seq)
				return false;
			seq--;
		}
		l = tui_logbuf_get(b, seq);
		if (l != NULL && tui_logview_line_visible(v, l) &&
		    logview_line_hit(v, l)) {
			v->hit = seq;
			v->have_hit = true;
			v->follow = false;
			/* Put the hit a third of the way down. */
			v->top = seq;
			tui_logview_scroll(v, b, -(v->last_rows / 3), 0);
			return true;
		}
	}
}

void
tui_logview_scroll(struct tui_logview *v, const struct tui_logbuf *b,
		   int lines, int height)
{
	const struct tui_logline *l;
	uint64_t end = tui_logbuf_end(b), seq;
	int moved = 0;

	TF_UNUSED(height);
	if (b->n == 0)
		return;
	if (v->follow) {
		if (lines >= 0)
			return;
		v->follow = false;
		v->top = v->last_first;
	}
	seq = v->top < b->first_seq ? b->first_seq : v->top;
	while (moved < (lines < 0 ? -lines : lines)) {
		if (lines < 0) {
			if (seq <= b->first_seq)
				break;
			seq--;
		} else {
			if (seq + 1 >= end)
				break;
			seq++;
		}
		l = tui_logbuf_get(b, seq);
		if (l != NULL && tui_logview_line_visible(v, l))
			moved++;
	}
	v->top = seq;
	/* Scrolling down past the last screenful resumes following. */
	if (lines > 0 && v->last_rows > 0 && seq + 1 >= end)
		v->follow = true;
}

/* Draws one line over rows y.. (wrapping) or one row (cut at hscroll);
 * returns the rows used.  Search hits get the match colour. */
static int
logview_draw_line(struct tui_logview *v, const struct tui_logline *l,
		  struct tui *t, WINDOW *w, int y, int x, int width, int max_rows,
		  bool hit_line)
{
	char prefix[32];
	size_t so[LOGVIEW_MATCHES], eo[LOGVIEW_MATCHES], off = 0, pos = 0, n;
	int nm = 0, row = 0, col = 0, cw, skip = v->wrap ? 0 : v->hscroll, m;
	attr_t base, match = tui_crt_attr(&t->crt, TUI_C_MATCH);
	const char *p;
	wchar_t wc;
	mbstate_t st;

	base = tui_crt_attr(&t->crt, l->fd == 0 ? TUI_C_MARKER : l->fd == 2 ?
	    TUI_C_STDERR : TUI_C_NORMAL);
	if (v->search_re != NULL) {
		while (nm < LOGVIEW_MATCHES && off < l->len &&
		    logview_re_find(v->search_re, l->text, off, &so[nm],
		    &eo[nm])) {
			off = eo[nm];
			nm++;
		}
	}
	logview_prefix(v, l, prefix, sizeof prefix);
	if (prefix[0] != '\0')
		col = tui_draw_text(w, y, x, width, tui_crt_attr(&t->crt,
		    TUI_C_DIM), prefix, false);
	memset(&st, 0, sizeof st);
	for (p = l->text; *p != '\0';) {
		n = mbrtowc(&wc, p, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			n = 1;
		}
		pos = (size_t)(p - l->text);
		p += n;
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (skip > 0) {
			skip -= cw;
			continue;
		}
		if (col + cw > width) {
			if (!v->wrap || row + 1 >= max_rows)
				break;
			row++;
			col = 0;
		}
		wattrset(w, base);
		for (m = 0; m < nm; m++) {
			if (pos >= so[m] && pos < eo[m]) {
				wattrset(w, hit_line ? match | A_BOLD : match);
				break;
			}
		}
		mvwaddnwstr(w, y + row, x + col, &wc, 1);
		col += cw;
	}
	wattrset(w, A_NORMAL);
	return row + 1;
}

static void
logview_status(struct tui_logview *v, const struct tui_logbuf *b,
	       struct tui *t, WINDOW *w, int y, int x, int width)
{
	char buf[256], bytes[16];
	size_t used;

	tui_fmt_bytes((int64_t)b->bytes, bytes, sizeof bytes);
	used = (size_t)snprintf(buf, sizeof buf, " %s  %zu lines  %s",
	    v->follow ? "FOLLOW" : "PAUSED", b->n, bytes);
	if (b->dropped > 0)
		used += (size_t)snprintf(buf + used, sizeof buf - used,
		    "  %llu dropped", (unsigned long long)b->dropped);
	if (v->filter[0] != '\0' && used < sizeof buf)
		used += (size_t)snprintf(buf + used, sizeof buf - used,
		    "  filter:%s", v->filter);
	if (v->search[0] != '\0' && used < sizeof buf)
		used += (size_t)snprintf(buf + used, sizeof buf - used,
		    "  search:%s", v->search);
	if (used < sizeof buf)
		snprintf(buf + used, sizeof buf - used, "%s%s",
		    v->wrap ? "  wrap" : "", v->timestamps ? "  time" : "");
	tui_draw_text(w, y, x, width, tui_crt_attr(&t->crt, v->follow ?
	    TUI_C_DIM : TUI_C_WARN), buf, true);
}

void
tui_logview_draw(struct tui_logview *v, const struct tui_logbuf *b,
		 struct tui *t, WINDOW *w, struct tui_rect r)
{
	const struct tui_logline *l;
	uint64_t seq, first, end = tui_logbuf_end(b);
	int rows = r.h - 1, used = 0, y, h;
	char marker[128];
	bool show_marker;

	if (r.h <= 0 || r.w <= 0)
		return;
	logview_status(v, b, t, w, r.y + r.h - 1, r.x, r.w);
	v->last_rows = rows;
	if (rows <= 0)
		return;
	/* Choose the first line: walk back from the end when following. */
	if (v->follow || v->top >= end) {
		first = end;
		while (first > b->first_seq && used < rows) {
			l = tui_logbuf_get(b, first - 1);
			if (l != NULL && tui_logview_line_visible(v, l)) {
				h = logview_rows(v, l, r.w);
				if (used + h > rows && used > 0)
					break;
				used += h;
			}
			first--;
		}
	} else
		first = v->top < b->first_seq ? b->first_seq : v->top;
	v->last_first = first;
	show_marker = b->dropped > 0 && first == b->first_seq;
	y = 0;
	if (show_marker) {
		snprintf(marker, sizeof marker, "--- %llu lines dropped (the "
		    "pane keeps the last %zu) ---",
		    (unsigned long long)b->dropped, b->cap);
		tui_draw_text(w, r.y, r.x, r.w, tui_crt_attr(&t->crt,
		    TUI_C_MARKER), marker, false);
		y = 1;
		/* When following, make room for the marker line. */
		if (v->follow && used >= rows && first < end) {
			l = tui_logbuf_get(b, first);
			first++;
			TF_UNUSED(l);
		}
	}
	for (seq = first; seq < end && y < rows; seq++) {
		l = tui_logbuf_get(b, seq);
		if (l == NULL || !tui_logview_line_visible(v, l))
			continue;
		y += logview_draw_line(v, l, t, w, r.y + y, r.x, r.w, rows - y,
		    v->have_hit && seq == v->hit);
	}
	if (b->n == 0)
		tui_draw_text(w, r.y, r.x, r.w, tui_crt_attr(&t->crt, TUI_C_DIM),
		    "(no output yet)", false);
}

int
tui_logview_save(const struct tui_logbuf *b, const struct tui_logview *v,
		 const char *path, tf_err *err)
{
	const struct tui_logline *l;
	char prefix[32];
	uint64_t seq;
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL)
		return tf_err_errno(err, "cannot write %s", path);
	if (b->dropped > 0)
		fprintf(f, "# %llu earlier lines were dropped\n",
		    (unsigned long long)b->dropped);
	for (seq = b->first_seq; seq < tui_logbuf_end(b); seq++) {
		l = tui_logbuf_get(b, seq);
		if (l == NULL || !tui_logview_line_visible(
		    (struct tui_logview *)v, l))
			continue;
		logview_prefix(v, l, prefix, sizeof prefix);
		fprintf(f, "%s%s%s\n", l->fd == 0 ? "# " : "", prefix, l->text);
	}
	if (fclose(f) != 0)
		return tf_err_errno(err, "writing %s", path);
	return 0;
}
