/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_msgpack_check: walks a msgpack encoding without allocating and checks
 * that every declared length fits the bytes that are actually there and
 * that nesting is shallow.  msgpack-c sizes its zone from declared counts,
 * so a 10-byte frame declaring a 4-billion-item array must be refused before
 * it is unpacked (cf. redis processMultibulkBuffer).
 */
#include <stddef.h>
#include <stdint.h>

#include "tf_msgpack_check.h"

struct check {
	const uint8_t *p;
	size_t left;
};

static int
check_need(struct check *c, size_t n)
{
	if (c->left < n)
		return -1;
	return 0;
}

static uint64_t
check_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Skips `n` bytes of payload after a header. */
static int
check_skip(struct check *c, uint64_t n)
{
	if (n > c->left)
		return -1;
	c->p += n;
	c->left -= n;
	return 0;
}

static int check_value(struct check *c, int depth);

static int
check_items(struct check *c, uint64_t n, int depth)
{
	/* Each item needs at least one byte: a count beyond the bytes left
	 * is a lie, whatever the items are. */
	if (n > c->left)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		if (check_value(c, depth) != 0)
			return -1;
	return 0;
}

static int
check_sized(struct check *c, int lenbytes, uint64_t extra, int kind, int depth)
{
	uint64_t n;

	if (check_need(c, (size_t)lenbytes) != 0)
		return -1;
	n = check_be(c->p, lenbytes);
	c->p += lenbytes;
	c->left -= (size_t)lenbytes;
	switch (kind) {
	case 0:	/* bytes */
		return check_skip(c, n + extra);
	case 1:	/* array */
		return check_items(c, n, depth + 1);
	default:	/* map */
		if (n > SIZE_MAX / 2)
			return -1;
		return check_items(c, n * 2, depth + 1);
	}
}

static int
check_value(struct check *c, int depth)
{
	uint8_t b;

	if (depth > TF_MSGPACK_MAX_DEPTH || check_need(c, 1) != 0)
		return -1;
	b = *c->p++;
	c->left--;
	if (b <= 0x7f || b >= 0xe0)		/* fixint */
		return 0;
	if ((b & 0xf0) == 0x80)			/* fixmap */
		return check_items(c, (uint64_t)(b & 0x0f) * 2, depth + 1);
	if ((b & 0xf0) == 0x90)			/* fixarray */
		return check_items(c, b & 0x0f, depth + 1);
	if ((b & 0xe0) == 0xa0)			/* fixstr */
		return check_skip(c, b & 0x1f);
	switch (b) {
	case 0xc0: case 0xc2: case 0xc3:	/* nil, false, true */
		return 0;
	case 0xc4: case 0xd9: return check_sized(c, 1, 0, 0, depth);
	case 0xc5: case 0xda: return check_sized(c, 2, 0, 0, depth);
	case 0xc6: case 0xdb: return check_sized(c, 4, 0, 0, depth);
	case 0xc7: return check_sized(c, 1, 1, 0, depth);	/* ext 8 */
	case 0xc8: return check_sized(c, 2, 1, 0, depth);
	case 0xc9: return check_sized(c, 4, 1, 0, depth);
	case 0xca: return check_skip(c, 4);
	case 0xcb: return check_skip(c, 8);
	case 0xcc: case 0xd0: return check_skip(c, 1);
	case 0xcd: case 0xd1: return check_skip(c, 2);
	case 0xce: case 0xd2: return check_skip(c, 4);
	case 0xcf: case 0xd3: return check_skip(c, 8);
	case 0xd4: return check_skip(c, 2);	/* fixext */
	case 0xd5: return check_skip(c, 3);
	case 0xd6: return check_skip(c, 5);
	case 0xd7: return check_skip(c, 9);
	case 0xd8: return check_skip(c, 17);
	case 0xdc: return check_sized(c, 2, 0, 1, depth);
	case 0xdd: return check_sized(c, 4, 0, 1, depth);
	case 0xde: return check_sized(c, 2, 0, 2, depth);
	case 0xdf: return check_sized(c, 4, 0, 2, depth);
	default:   return -1;			/* 0xc1: never used */
	}
}

int
tf_msgpack_check(const void *data, size_t len)
{
	struct check c = { data, len };

	if (check_value(&c, 0) != 0)
		return -1;
	return c.left == 0 ? 0 : -1;
}
