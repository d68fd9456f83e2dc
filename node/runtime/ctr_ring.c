/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_ring: output backlog.  Records are a 4-byte header (fd, 24-bit
 * length) and the bytes, stored in a circular buffer; a record may wrap
 * around the end of the buffer.  The buffer grows on demand up to its
 * capacity: a thousand quiet containers cost no backlog memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ctr_ring.h"
#include "tf_util.h"

#define HDR 4
#define REC_MAX ((1u << 24) - 1)
#define RING_FIRST 4096		/* the first allocation */

struct ctr_ring {
	uint8_t *buf;
	size_t cap;		/* allocated now */
	size_t max;		/* the capacity asked for */
	size_t head;		/* offset of the oldest record */
	size_t len;		/* bytes in use, headers included */
	size_t used;		/* payload bytes */
	uint64_t dropped;
};

ctr_ring *
ctr_ring_new(size_t capacity)
{
	ctr_ring *r = tf_calloc(1, sizeof *r);

	if (capacity < 64)
		capacity = 64;
	if (capacity > REC_MAX)
		capacity = REC_MAX;
	r->max = capacity;
	return r;
}

void
ctr_ring_destroy(ctr_ring **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	free((*self_p)->buf);
	free(*self_p);
	*self_p = NULL;
}

static void
ring_get(const ctr_ring *r, size_t pos, void *out, size_t n)
{
	size_t first;

	pos %= r->cap;
	first = r->cap - pos;
	if (n <= first) {
		memcpy(out, r->buf + pos, n);
	} else {
		memcpy(out, r->buf + pos, first);
		memcpy((uint8_t *)out + first, r->buf, n - first);
	}
}

static void
ring_put(ctr_ring *r, size_t pos, const void *in, size_t n)
{
	size_t first;

	pos %= r->cap;
	first = r->cap - pos;
	if (n <= first) {
		memcpy(r->buf + pos, in, n);
	} else {
		memcpy(r->buf + pos, in, first);
		memcpy(r->buf, (const uint8_t *)in + first, n - first);
	}
}

static size_t
hdr_len(const uint8_t h[HDR])
{
	return (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16;
}

static void
ring_drop_oldest(ctr_ring *r)
{
	uint8_t h[HDR];
	size_t n;

	ring_get(r, r->head, h, HDR);
	n = hdr_len(h);
	r->head = (r->head + HDR + n) % r->cap;
	r->len -= HDR + n;
	r->used -= n;
	r->dropped += n;
}

/* Makes room for need bytes in all, up to max: a bigger buffer with the
 * records moved to its start. */
static void
ring_grow(ctr_ring *r, size_t need)
{
	size_t cap = r->cap > 0 ? r->cap : RING_FIRST;
	uint8_t *buf;

	while (cap < need && cap < r->max)
		cap *= 2;
	if (cap > r->max)
		cap = r->max;
	if (cap <= r->cap)
		return;
	buf = tf_malloc(cap);
	if (r->len > 0)
		ring_get(r, r->head, buf, r->len);
	free(r->buf);
	r->buf = buf;
	r->cap = cap;
	r->head = 0;
}

void
ctr_ring_write(ctr_ring *r, int fd, const void *data, size_t n)
{
	const uint8_t *d = data;
	uint8_t h[HDR];

	if (n == 0)
		return;
	if (n > r->max - HDR) {
		r->dropped += n - (r->max - HDR);
		d += n - (r->max - HDR);
		n = r->max - HDR;
	}
	if (r->cap - r->len < HDR + n)
		ring_grow(r, r->len + HDR + n);
	while (r->cap - r->len < HDR + n)
		ring_drop_oldest(r);
	h[0] = (uint8_t)fd;
	h[1] = (uint8_t)n;
	h[2] = (uint8_t)(n >> 8);
	h[3] = (uint8_t)(n >> 16);
	ring_put(r, r->head + r->len, h, HDR);
	ring_put(r, r->head + r->len + HDR, d, n);
	r->len += HDR + n;
	r->used += n;
}

void
ctr_ring_foreach(const ctr_ring *r, ctr_ring_fn fn, void *arg)
{
	size_t off = 0, n, pos, first;
	uint8_t h[HDR];

	while (off < r->len) {
		ring_get(r, r->head + off, h, HDR);
		n = hdr_len(h);
		pos = (r->head + off + HDR) % r->cap;
		first = r->cap - pos;
		if (n <= first) {
			fn(h[0], r->buf + pos, n, arg);
		} else {
			fn(h[0], r->buf + pos, first, arg);
			fn(h[0], r->buf, n - first, arg);
		}
		off += HDR + n;
	}
}

size_t
ctr_ring_used(const ctr_ring *r)
{
	return r->used;
}

uint64_t
ctr_ring_dropped(const ctr_ring *r)
{
	return r->dropped;
}

uint64_t
ctr_ring_total(const ctr_ring *r)
{
	return r->dropped + r->used;
}

void
ctr_ring_clear(ctr_ring *r)
{
	r->head = r->len = r->used = 0;
}
