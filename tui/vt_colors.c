/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_colors: terminal colours of shell panes -> curses colour pairs.
 *
 * Two steps.  Reduction maps a pane colour (default, palette index or RGB)
 * to a colour number the real terminal has: 256-colour terminals take
 * indices as they are and RGB as the nearest entry of the 6x6x6 cube or
 * grey ramp; 16- and 8-colour terminals take the nearest of their colours
 * (bright colours on 8 become normal ones plus A_BOLD for foregrounds).
 * The cache then maps a reduced (fg, bg) to a pair through a direct table
 * indexed by both colour numbers, so lookups cost one array read per cell.
 *
 * Pairs are recycled least-recently-drawn first.  A recycled pair may still
 * be on screen in a pane that has not been redrawn, so recycling moves the
 * generation counter and every pane repaints itself on its next draw
 * (vt_draw.c).  Pairs used in the current frame are never recycled: when a
 * frame needs more pairs than the range holds, the nearest cached pair is
 * drawn instead.  The drawing side lives in vt_draw.c.
 */
#include <limits.h>
#include <stdlib.h>

#include "tf_util.h"
#include "vt_colors.h"

struct vt_colors {
	bool		 mono;
	bool		 have_default;	/* use_default_colors() is in effect */
	int		 ncolors;	/* 8, 16 or 256 */
	int		 first;		/* first pair of our range */
	int		 npairs;	/* size of our range */
	int		 used;		/* pairs handed out so far */
	int32_t		*by_key;	/* colour key -> pair, 0: none */
	int32_t		*key_of;	/* pair - first -> colour key */
	uint64_t	*stamp;		/* pair - first -> frame last drawn */
	uint64_t	 frame;
	unsigned long	 generation;
};

/* xterm's default colours 0-15. */
static const uint8_t colors_ansi[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 },
	{ 0xcd, 0xcd, 0x00 }, { 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd },
	{ 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 }, { 0x7f, 0x7f, 0x7f },
	{ 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff },
	{ 0xff, 0xff, 0xff },
};

/* Channel levels of the 6x6x6 cube at indices 16-231. */
static const uint8_t colors_cube[6] = { 0, 95, 135, 175, 215, 255 };

void
vt_colors_index_rgb(int index, uint8_t *r, uint8_t *g, uint8_t *b)
{
	if (index < 0 || index > 255)
		index = 7;
	if (index < 16) {
		*r = colors_ansi[index][0];
		*g = colors_ansi[index][1];
		*b = colors_ansi[index][2];
	} else if (index < 232) {
		index -= 16;
		*r = colors_cube[index / 36];
		*g = colors_cube[(index / 6) % 6];
		*b = colors_cube[index % 6];
	} else {
		*r = *g = *b = (uint8_t)(8 + 10 * (index - 232));
	}
}

static int
colors_dist(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) +
	    (b1 - b2) * (b1 - b2);
}

/* Nearest cube level index for one channel. */
static int
colors_cube_level(int v)
{
	int best = 0;

	for (int i = 1; i < 6; i++) {
		if (abs(colors_cube[i] - v) < abs(colors_cube[best] - v))
			best = i;
	}
	return best;
}

/* Nearest of the 240 cube and grey entries (16-255); the first 16 are left
 * out because terminals and themes redefine them. */
static int
colors_nearest_256(int r, int g, int b)
{
	int ri = colors_cube_level(r), gi = colors_cube_level(g);
	int bi = colors_cube_level(b);
	int cube = 16 + 36 * ri + 6 * gi + bi;
	int avg = (r + g + b) / 3;
	int grey = avg < 8 ? 0 : (avg - 8 + 5) / 10;
	int grey_v;

	if (grey > 23)
		grey = 23;
	grey_v = 8 + 10 * grey;
	if (colors_dist(r, g, b, grey_v, grey_v, grey_v) <
	    colors_dist(r, g, b, colors_cube[ri], colors_cube[gi],
	    colors_cube[bi]))
		return 232 + grey;
	return cube;
}

static int
colors_nearest_n(int r, int g, int b, int n)
{
	int best = 0, best_d = INT_MAX;

	for (int i = 0; i < n && i < 16; i++) {
		int d = colors_dist(r, g, b, colors_ansi[i][0],
		    colors_ansi[i][1], colors_ansi[i][2]);

		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

int
vt_colors_reduce(vt_color c, int ncolors, bool fg, bool have_default,
    bool *bright)
{
	uint8_t r, g, b;

	if (bright != NULL)
		*bright = false;
	if (c < 0)
		return have_default ? -1 : (fg ? COLOR_WHITE : COLOR_BLACK);
	if (VT_COLOR_IS_RGB(c)) {
		r = (uint8_t)(c >> 16);
		g = (uint8_t)(c >> 8);
		b = (uint8_t)c;
	} else {
		c &= 0xff;
		if (c < ncolors)
			return c;
		if (ncolors == 8 && c < 16) {
			if (fg && bright != NULL)
				*bright = true;
			return c - 8;
		}
		vt_colors_index_rgb(c, &r, &g, &b);
	}
	if (ncolors >= 256)
		return colors_nearest_256(r, g, b);
	return colors_nearest_n(r, g, b, ncolors);
}

static int
colors_init_pair(int pair, int fg, int bg)
{
#if NCURSES_EXT_COLORS
	return init_extended_pair(pair, fg, bg);
#else
	return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

vt_colors *
vt_colors_new(int first_pair, int npairs, unsigned flags)
{
	vt_colors *colors = tf_calloc(1, sizeof *colors);
	int max_pairs, avail, keys;

	colors->mono = (flags & VT_COLORS_MONO) || !has_colors() ||
	    COLORS < 8 || first_pair < 1;
	if (colors->mono)
		return colors;
	colors->ncolors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	max_pairs = COLOR_PAIRS;
#if !NCURSES_EXT_COLORS
	if (max_pairs > SHRT_MAX)
		max_pairs = SHRT_MAX;
#endif
	avail = max_pairs - first_pair;
	if (npairs <= 0 || npairs > avail)
		npairs = avail;
	if (npairs < 1) {
		colors->mono = true;
		return colors;
	}
	colors->first = first_pair;
	colors->npairs = npairs;

	/* init_pair refuses -1 unless use_default_colors() is in effect;
	 * the pair is ours and is initialised again before use. */
	colors->have_default = colors_init_pair(first_pair, -1, -1) == OK;

	keys = (colors->ncolors + 1) * (colors->ncolors + 1);
	colors->by_key = tf_calloc((size_t)keys, sizeof *colors->by_key);
	colors->key_of = tf_calloc((size_t)npairs, sizeof *colors->key_of);
	colors->stamp = tf_calloc((size_t)npairs, sizeof *colors->stamp);
	colors->frame = 1;
	return colors;
}

void
vt_colors_destroy(vt_colors **colors_p)
{
	vt_colors *colors;

	if (colors_p == NULL || *colors_p == NULL)
		return;
	colors = *colors_p;
	free(colors->by_key);
	free(colors->key_of);
	free(colors->stamp);
	free(colors);
	*colors_p = NULL;
}

void
vt_colors_frame(vt_colors *colors)
{
	colors->frame++;
}

unsigned long
vt_colors_generation(const vt_colors *colors)
{
	return colors->generation;
}

bool
vt_colors_mono(const vt_colors *colors)
{
	return colors->mono;
}

int
vt_colors_used(const vt_colors *colors)
{
	return colors->used;
}

int
vt_colors_capacity(const vt_colors *colors)
{
	return colors->npairs;
}

/* Distance between two reduced colour numbers (-1: default). */
static int
colors_number_dist(int a, int b)
{
	uint8_t r1, g1, b1, r2, g2, b2;

	if (a == b)
		return 0;
	if (a < 0 || b < 0)
		return 3 * 128 * 128;	/* unknown: treat as mid-distance */
	vt_colors_index_rgb(a, &r1, &g1, &b1);
	vt_colors_index_rgb(b, &r2, &g2, &b2);
	return colors_dist(r1, g1, b1, r2, g2, b2);
}

/* Every pair is in use this frame: draw with the closest one we have. */
static int
colors_nearest_pair(vt_colors *colors, int fg, int bg)
{
	int n = colors->ncolors + 1, best = 0, best_d = INT_MAX;

	for (int i = 0; i < colors->used; i++) {
		int key = colors->key_of[i];
		int d = colors_number_dist(fg, key / n - 1) +
		    colors_number_dist(bg, key % n - 1);

		if (d < best_d) {
			best_d = d;
			best = colors->first + i;
		}
	}
	return best;
}

int
vt_colors_pair(vt_colors *colors, vt_color fg_c, vt_color bg_c,
    attr_t *attrs)
{
	int n, fg, bg, key, slot, pair;
	bool bright;

	if (colors == NULL || colors->mono)
		return 0;
	fg = vt_colors_reduce(fg_c, colors->ncolors, true,
	    colors->have_default, &bright);
	bg = vt_colors_reduce(bg_c, colors->ncolors, false,
	    colors->have_default, NULL);
	if (bright && attrs != NULL)
		*attrs |= A_BOLD;

	/* Pair 0 is the terminal's default pair: default on default with
	 * use_default_colors(), white on black without. */
	if (colors->have_default ? (fg == -1 && bg == -1) :
	    (fg == COLOR_WHITE && bg == COLOR_BLACK))
		return 0;

	n = colors->ncolors + 1;
	key = (fg + 1) * n + (bg + 1);
	pair = colors->by_key[key];
	if (pair != 0) {
		colors->stamp[pair - colors->first] = colors->frame;
		return pair;
	}

	if (colors->used < colors->npairs) {
		slot = colors->used++;
	} else {
		/* Recycle the least recently drawn pair, unless even that
		 * one is part of the frame being drawn. */
		slot = 0;
		for (int i = 1; i < colors->npairs; i++) {
			if (colors->stamp[i] < colors->stamp[slot])
				slot = i;
		}
		if (colors->stamp[slot] >= colors->frame)
			return colors_nearest_pair(colors, fg, bg);
		colors->by_key[colors->key_of[slot]] = 0;
		colors->generation++;
	}
	pair = colors->first + slot;
	if (colors_init_pair(pair, fg, bg) != OK) {
		/* Leave the slot unused rather than caching a pair the
		 * terminal refused. */
		colors->key_of[slot] = 0;
		colors->stamp[slot] = 0;
		return 0;
	}
	colors->by_key[key] = pair;
	colors->key_of[slot] = key;
	colors->stamp[slot] = colors->frame;
	return pair;
}
