/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_colors: maps terminal colours (default, 16, 256, 24-bit RGB) onto what
 * the real terminal offers (COLORS = 8, 16, 256, or none) and hands out
 * curses colour pairs on demand from a range the console reserves for
 * terminal panes.  Pairs are cached per (fg, bg); when the range is full the
 * least recently drawn pair is re-initialised, and the generation counter
 * moves so panes repaint cells that may still show the old colours.  If a
 * single frame needs more pairs than exist, the nearest cached pair is
 * used: colours degrade, the program never runs out.
 *
 * One vt_colors serves every pane on a screen; it lives as long as the
 * curses screen.  Nothing here reads the environment: the console decides
 * about NO_COLOR and passes VT_COLORS_MONO.
 */
#ifndef VT_COLORS_H
#define VT_COLORS_H

#include <stdbool.h>
#include <stdint.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

/* A terminal colour as the pane model keeps it: VT_COLOR_DEFAULT, a
 * palette index 0..255, or 24-bit RGB tagged with VT_COLOR_RGB_FLAG. */
typedef int32_t vt_color;
#define VT_COLOR_DEFAULT	(-1)
#define VT_COLOR_RGB_FLAG	0x1000000
#define VT_COLOR_RGB(r, g, b)	(VT_COLOR_RGB_FLAG | ((int32_t)(r) << 16) | \
				 ((int32_t)(g) << 8) | (int32_t)(b))
#define VT_COLOR_IS_RGB(c)	((c) >= 0 && ((c) & VT_COLOR_RGB_FLAG) != 0)

typedef struct vt_colors vt_colors;

/* Flags for vt_colors_new. */
#define VT_COLORS_MONO	0x01	/* no colours at all (NO_COLOR, has_colors() false) */

/* Creates the cache over pairs first_pair .. first_pair + npairs - 1
 * (npairs <= 0: every pair from first_pair up).  Call after start_color()
 * (and use_default_colors(), if the console wants the terminal's own
 * default colours).  Falls back to monochrome when the terminal has no
 * colours or the range is empty.  Caller owns the result. */
vt_colors *vt_colors_new(int first_pair, int npairs, unsigned flags);
void vt_colors_destroy(vt_colors **colors_p);

/* Starts a draw pass: pairs used from now on are not recycled until the
 * next pass. */
void vt_colors_frame(vt_colors *colors);
/* The pair to draw fg on bg with; may add A_BOLD to *attrs (bright colours
 * on an 8-colour terminal).  0 is the terminal's default pair. */
int vt_colors_pair(vt_colors *colors, vt_color fg, vt_color bg, attr_t *attrs);
/* Moves whenever a pair that may be on screen was redefined. */
unsigned long vt_colors_generation(const vt_colors *colors);
bool vt_colors_mono(const vt_colors *colors);
/* Pairs allocated so far, and the size of the range. */
int vt_colors_used(const vt_colors *colors);
int vt_colors_capacity(const vt_colors *colors);

/* Pure helpers (tested without a terminal): the curses colour number for c
 * on a terminal with ncolors colours (8, 16 or 256), -1 for the default
 * colour when default colours are available (else 7 for fg, 0 for bg).
 * *bright is set when an 8-colour terminal loses a bright foreground. */
int vt_colors_reduce(vt_color c, int ncolors, bool fg, bool have_default,
    bool *bright);
/* The RGB value of a palette index (xterm's default palette). */
void vt_colors_index_rgb(int index, uint8_t *r, uint8_t *g, uint8_t *b);

#endif
