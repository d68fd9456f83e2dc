/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_logbuf: the bounded line store behind a log pane, separate from any
 * drawing.  Output arrives as raw chunks per fd; complete lines are kept in
 * a ring of at most cap lines, and when the ring is full the oldest line is
 * recycled and counted, so memory stays bounded under a flood and the pane
 * can show "N lines dropped".  Lines have sequence numbers that never
 * repeat, so a paused view stays on the same text while the ring moves.
 *
 * Terminal escape sequences (colours, cursor moves) are removed and other
 * control characters replaced, so nothing a container prints can move the
 * console's cursor; over-long lines are split at TUI_LOGLINE_MAX bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

#define TUI_LOGLINE_MAX 4000

enum {
	ESC_NONE,
	ESC_START,		/* after ESC */
	ESC_CSI,		/* ESC [ ... final byte 0x40-0x7e */
	ESC_STRING,		/* ESC ] ... BEL or ESC \ */
	ESC_STRING_ESC,
};

void
tui_logbuf_init(struct tui_logbuf *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->cap = cap < 10 ? 10 : cap;
	b->lines = tf_calloc(b->cap, sizeof *b->lines);
}

void
tui_logbuf_clear(struct tui_logbuf *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->lines[(b->head + i) % b->cap].text);
	b->first_seq += b->n;
	b->n = 0;
	b->head = 0;
}

void
tui_logbuf_fini(struct tui_logbuf *b)
{
	tui_logbuf_clear(b);
	free(b->lines);
	b->lines = NULL;
}

static void
logbuf_push(struct tui_logbuf *b, int fd, const char *text, size_t len,
	    double ts)
{
	struct tui_logline *l;

	if (b->n == b->cap) {
		/* Recycle the oldest line. */
		l = &b->lines[b->head];
		free(l->text);
		b->head = (b->head + 1) % b->cap;
		b->n--;
		b->first_seq++;
		b->dropped++;
	}
	l = &b->lines[(b->head + b->n) % b->cap];
	l->text = tf_malloc(len + 1);
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	l->len = (uint32_t)len;
	l->fd = (uint8_t)fd;
	l->ts = ts;
	b->n++;
}

void
tui_logbuf_append(struct tui_logbuf *b, int fd, const uint8_t *data,
		  size_t len, double now)
{
	int k = fd == 2 ? 1 : 0;
	char *part = b->partial[k];
	size_t *plen = &b->partial_len[k];
	uint8_t *st = &b->esc_state[k];
	size_t i;
	uint8_t c;

	b->bytes += len;
	for (i = 0; i < len; i++) {
		c = data[i];
		switch (*st) {
		case ESC_START:
			*st = c == '[' ? ESC_CSI : c == ']' || c == 'P' ||
			    c == '_' || c == '^' ? ESC_STRING : ESC_NONE;
			continue;
		case ESC_CSI:
			if (c >= 0x40 && c <= 0x7e)
				*st = ESC_NONE;
			continue;
		case ESC_STRING:
			if (c == 7)
				*st = ESC_NONE;
			else if (c == 0x1b)
				*st = ESC_STRING_ESC;
			continue;
		case ESC_STRING_ESC:
			*st = c == '\\' ? ESC_NONE : ESC_STRING;
			continue;
		}
		if (c == 0x1b) {
			*st = ESC_START;
			continue;
		}
		if (c == '\r') {
			b->cr[k] = true;
			continue;
		}
		if (c == '\n') {
			b->cr[k] = false;
			if (*plen == 0)
				b->partial_ts[k] = now;
			logbuf_push(b, fd, part, *plen, b->partial_ts[k]);
			*plen = 0;
			continue;
		}
		if (b->cr[k]) {
			/* A progress bar redrawing its line: keep the last. */
			b->cr[k] = false;
			*plen = 0;
		}
		if (*plen == 0)
			b->partial_ts[k] = now;
		if (c == '\t') {
			/* Tabs expand to the next multiple of 8 bytes: close
			 * enough for logs and keeps widths predictable. */
			do {
				part[(*plen)++] = ' ';
			} while (*plen % 8 != 0 && *plen < TUI_LOGLINE_MAX);
		} else if (c < 0x20 || c == 0x7f)
			continue;
		else
			part[(*plen)++] = (char)c;
		if (*plen >= TUI_LOGLINE_MAX) {
			logbuf_push(b, fd, part, *plen, b->partial_ts[k]);
			*plen = 0;
		}
	}
}

void
tui_logbuf_flush(struct tui_logbuf *b)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (b->partial_len[k] > 0) {
			logbuf_push(b, k ? 2 : 1, b->partial[k],
			    b->partial_len[k], b->partial_ts[k]);
			b->partial_len[k] = 0;
		}
	}
}

void
tui_logbuf_marker(struct tui_logbuf *b, double now, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	logbuf_push(b, 0, text, strlen(text), now);
}

const struct tui_logline *
tui_logbuf_get(const struct tui_logbuf *b, uint64_t seq)
{
	if (seq < b->first_seq || seq >= b->first_seq + b->n)
		return NULL;
	return &b->lines[(b->head + (seq - b->first_seq)) % b->cap];
}

void
tui_logbuf_test(void)
{
	struct tui_logbuf b;
	const struct tui_logline *l;
	char line[32];
	int i;

	tui_logbuf_init(&b, 10);
	tui_logbuf_append(&b, 1, (const uint8_t *)"a\x1b[31mred\x1b[0m\nb", 16, 1);
	l = tui_logbuf_get(&b, 0);
	if (l == NULL || strcmp(l->text, "ared") != 0)
		abort();
	if (tui_logbuf_end(&b) != 1)
		abort();
	tui_logbuf_append(&b, 1, (const uint8_t *)"c\r\n", 3, 2);
	if (strcmp(tui_logbuf_get(&b, 1)->text, "bc") != 0)
		abort();
	for (i = 0; i < 25; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		tui_logbuf_append(&b, 2, (const uint8_t *)line, strlen(line), 3);
	}
	if (b.n != 10 || b.dropped != 17 || tui_logbuf_get(&b, 0) != NULL)
		abort();
	if (strcmp(tui_logbuf_get(&b, 26)->text, "line 24") != 0)
		abort();
	tui_logbuf_fini(&b);
}
