/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_pane: an interactive terminal pane rendered with libvterm inside the
 * curses console.  The pane owns one VTerm, a bounded inbox of pty bytes,
 * a scrollback ring for the primary screen and a dirty-row map; it draws
 * itself into a rectangle of a curses WINDOW the owner gives it.
 *
 * Data flow (after neovim's terminal.c):
 *
 *   remote pty bytes -> vt_pane_feed (queue, bounded) -> loop pass parses a
 *   slice (bytes AND milliseconds bounded) -> libvterm damage marks rows
 *   dirty -> one coalescing timer (~16 ms) -> cbs.redraw -> owner calls
 *   vt_pane_draw, which copies only dirty rows into its WINDOW.
 *
 *   curses keys -> vt_pane_key / vt_pane_paste -> vterm_keyboard_* ->
 *   cbs.write -> remote pty.  Terminal replies (DA, DSR) take the same path.
 *
 * The pane never reads or writes a file descriptor and never calls
 * doupdate(): the owner moves bytes and decides when the screen is updated.
 * Several panes may share one vt_colors pair cache (colour pairs are a
 * screen-wide resource).
 *
 * Callbacks must not destroy the pane they are called for; destroy it from
 * outside (e.g. a before-sleep hook), as redis does with freeClientAsync.
 */
#ifndef VT_PANE_H
#define VT_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "tf_err.h"
#include "tf_loop.h"
#include "vt_colors.h"

typedef struct vt_pane vt_pane;

/* Defaults for struct vt_pane_config fields left at 0. */
#define VT_SCROLLBACK_DEFAULT	2000		/* lines */
#define VT_INBOX_DEFAULT	(64 * 1024)	/* bytes queued before feed refuses */
#define VT_SLICE_BYTES_DEFAULT	(64 * 1024)	/* bytes parsed per loop pass */
#define VT_SLICE_MS_DEFAULT	8		/* ms parsed per loop pass */
#define VT_REDRAW_MS_DEFAULT	16		/* redraw coalescing interval */

/* Modifier bits for vt_pane_key; same values as libvterm's VTermModifier. */
#define VT_MOD_SHIFT	0x01
#define VT_MOD_ALT	0x02
#define VT_MOD_CTRL	0x04

/* Cell attribute bits (struct vt_cell.attrs). */
#define VT_ATTR_BOLD		0x01
#define VT_ATTR_UNDERLINE	0x02
#define VT_ATTR_ITALIC		0x04
#define VT_ATTR_BLINK		0x08
#define VT_ATTR_REVERSE		0x10
#define VT_ATTR_STRIKE		0x20

/* Characters per cell: a base character and combining marks. */
#define VT_CELL_CHARS		4
/* ch[0] of the right half of a wide character. */
#define VT_CELL_WIDE_TAIL	((uint32_t)-1)

/* One cell of the pane's model, as kept in scrollback and returned by
 * vt_pane_get_cell.  ch[] is 0-terminated when shorter than VT_CELL_CHARS;
 * ch[0] == 0 is a blank cell (still coloured). */
struct vt_cell {
	uint32_t	ch[VT_CELL_CHARS];
	vt_color	fg;
	vt_color	bg;
	uint16_t	attrs;		/* VT_ATTR_* */
	uint8_t		width;		/* 1 or 2 */
};

struct vt_pane_cbs {
	/* Bytes for the remote pty: keys, pastes, terminal replies.
	 * Required. */
	void	(*write)(vt_pane *pane, const char *bytes, size_t len, void *arg);
	/* The pane changed size; resize the remote pty.  Not called for the
	 * initial size: spawn the remote pty with vt_pane_get_size(). */
	void	(*resize)(vt_pane *pane, int rows, int cols, void *arg);
	/* Something visible changed; draw the pane (vt_pane_draw) and update
	 * the screen.  Called from the pane's coalescing timer, at most once
	 * per redraw_ms.  Only with a loop. */
	void	(*redraw)(vt_pane *pane, void *arg);
	/* bytes of the inbox were parsed (vt_pane_room grew by that much):
	 * resume reading the pty fd or return credit to the sender. */
	void	(*consumed)(vt_pane *pane, size_t bytes, void *arg);
	/* The program set the window title (OSC 0/2). */
	void	(*title)(vt_pane *pane, const char *title, void *arg);
	void	(*bell)(vt_pane *pane, void *arg);
};

struct vt_pane_config {
	int		 rows, cols;	/* initial size, at least 1x1 */
	size_t		 scrollback;	/* primary-screen lines kept; 0: default;
					 * SIZE_MAX: none */
	size_t		 inbox_max;	/* bytes; 0: VT_INBOX_DEFAULT */
	size_t		 slice_bytes;	/* 0: VT_SLICE_BYTES_DEFAULT */
	unsigned	 slice_ms;	/* 0: VT_SLICE_MS_DEFAULT */
	unsigned	 redraw_ms;	/* 0: VT_REDRAW_MS_DEFAULT */
	tf_loop		*loop;		/* optional; without it the owner calls
					 * vt_pane_process and polls
					 * vt_pane_dirty itself */
	vt_colors	*colors;	/* optional shared pair cache; NULL draws
					 * attributes only */
	const struct vt_pane_cbs *cbs;	/* copied */
	void		*arg;		/* passed to every callback */
};

/* Creates a pane.  Returns NULL (and fills err) on a bad config.  Caller
 * owns the pane and destroys it with vt_pane_destroy. */
vt_pane *vt_pane_new(const struct vt_pane_config *cfg, tf_err *err);
/* Cancels the pane's timers, frees it and nulls *pane_p.  NULL is fine. */
void vt_pane_destroy(vt_pane **pane_p);

/* Queues bytes from the remote pty.  Returns how many were accepted (at
 * most vt_pane_room()); the caller keeps the rest and stops reading until
 * cbs.consumed reports room.  With a loop the pane parses them in slices on
 * later passes; without one, call vt_pane_process. */
size_t vt_pane_feed(vt_pane *pane, const char *bytes, size_t len);
size_t vt_pane_room(const vt_pane *pane);
size_t vt_pane_pending(const vt_pane *pane);
/* Parses up to max_bytes of the inbox, stopping early after max_ms
 * milliseconds (0: no time limit).  Returns the bytes parsed. */
size_t vt_pane_process(vt_pane *pane, size_t max_bytes, unsigned max_ms);

/* True when vt_pane_draw has something new to draw. */
bool vt_pane_dirty(const vt_pane *pane);
/* The owner overwrote the pane's rectangle (werase, a dialog): the next
 * draw repaints every row. */
void vt_pane_invalidate(vt_pane *pane);
/* Copies dirty rows into win at (y, x), clipped to the window.  When
 * focused, places the window cursor on the terminal cursor and shows or
 * hides the cursor with curs_set(); refresh this window last so the
 * hardware cursor ends there.  Never calls wrefresh/doupdate. */
void vt_pane_draw(vt_pane *pane, WINDOW *win, int y, int x, bool focused);
/* The cursor inside the pane's rectangle; false if hidden or scrolled out
 * of view. */
bool vt_pane_get_cursor(const vt_pane *pane, int *row, int *col);

/* Resizes the terminal (rows, cols at least 1) and calls cbs.resize. */
void vt_pane_resize(vt_pane *pane, int rows, int cols);
void vt_pane_get_size(const vt_pane *pane, int *rows, int *cols);

/* A key from get_wch(): key is a KEY_* code when is_keycode, else a
 * character.  mods adds VT_MOD_* (e.g. VT_MOD_ALT when the owner saw an ESC
 * prefix and wants it folded).  Returns 1 if bytes were sent, 0 if the key
 * means nothing to a terminal (KEY_RESIZE, KEY_MOUSE, unknown codes) or the
 * pane has ended; the owner may then handle it.  Typing returns the view to
 * the live screen. */
int vt_pane_key(vt_pane *pane, wint_t key, bool is_keycode, unsigned mods);
/* Sends pasted UTF-8 text, bracketed if the program asked for it (mode
 * 2004).  Control characters other than tab and newline, C1 controls and
 * invalid UTF-8 are dropped, so a paste can never smuggle ESC [201~ or a
 * ^C; newlines are sent as CR, as a terminal does. */
void vt_pane_paste(vt_pane *pane, const char *text, size_t len);

/* True while the program asked for mouse reports (xterm modes 1000-1003:
 * vim with mouse=a, less --mouse, htop); the owner then passes its mouse
 * events here instead of using them itself. */
bool vt_pane_wants_mouse(const vt_pane *pane);
/* A mouse event at (row, col) of the pane (0-based): button 1-3, 4 and 5
 * for the wheel, 0 for motion only; mods as for vt_pane_key.  Sent to the
 * program in the encoding and for the events its mode asked for; ignored
 * when it asked for none. */
void vt_pane_mouse(vt_pane *pane, int row, int col, int button,
    bool pressed, unsigned mods);

/* Scrollback view: lines < 0 scrolls up into history, > 0 back down.  The
 * primary screen only: ignored while the alternate screen is active.  The
 * view stays on the same history lines while output arrives. */
void vt_pane_scroll(vt_pane *pane, int lines);
void vt_pane_scroll_reset(vt_pane *pane);
/* Lines scrolled back (0: live), and lines held in the scrollback ring. */
int vt_pane_scroll_offset(const vt_pane *pane);
size_t vt_pane_scrollback_lines(const vt_pane *pane);

/* The remote side ended: why is shown over the pane's last row ("shell
 * exited with status 0", "container destroyed").  Keys are no longer sent;
 * queued output is still shown. */
void vt_pane_set_ended(vt_pane *pane, const char *why);
/* NULL while running, else the text given to vt_pane_set_ended. */
const char *vt_pane_ended(const vt_pane *pane);

/* Last title the program set, or "" (owned by the pane). */
const char *vt_pane_title(const vt_pane *pane);
bool vt_pane_altscreen(const vt_pane *pane);

/* The cell at (row, col) of the current view (including scrollback when
 * scrolled back).  Returns 0, or -1 outside the pane.  For tests and
 * screenshots. */
int vt_pane_get_cell(const vt_pane *pane, int row, int col,
    struct vt_cell *out);
/* The view's row as UTF-8 text without trailing blanks; returns the
 * length written (buf always NUL-terminated when size > 0). */
size_t vt_pane_get_row_text(const vt_pane *pane, int row, char *buf,
    size_t size);
/* Columns [col0, col1) of a line as UTF-8 text without trailing blanks:
 * line 0 is the live screen's top row, -1 the newest scrollback line (as
 * for copy mode, which walks the whole history). */
size_t vt_pane_get_line_text(const vt_pane *pane, long line, int col0,
    int col1, char *buf, size_t size);

#endif
