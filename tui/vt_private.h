/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_private: the shell pane's internals, shared by its files only:
 * vt_pane.c (VTerm wiring, inbox, timers, model), vt_sb.c (scrollback
 * ring), vt_draw.c (model -> curses), vt_input.c (keys and paste ->
 * VTerm).  Everyone else uses vt_pane.h.
 */
#ifndef VT_PRIVATE_H
#define VT_PRIVATE_H

#include <vterm.h>

#include "vt_guard.h"
#include "vt_pane.h"

/* One scrollback line; cells beyond ncells are blank default cells. */
struct vt_sb_line {
	int		ncells;
	int		cap;
	struct vt_cell	cells[];
};

/* Ring of the newest lines that scrolled off the primary screen. */
struct vt_sb {
	struct vt_sb_line **lines;	/* cap slots */
	size_t		 cap;
	size_t		 head;		/* slot of the oldest line */
	size_t		 count;
};

/* Curses keycodes found at run time (kUP5, kLFT3...), per pane because
 * they depend on the terminal the pane is drawn on. */
#define VT_KEYS_EXTRA_MAX 96
struct vt_keys {
	int		 n;
	struct {
		int	 code;
		int	 key;		/* VTermKey */
		unsigned mods;		/* VT_MOD_* */
	} extra[VT_KEYS_EXTRA_MAX];
};

struct vt_pane {
	VTerm		*vt;
	VTermScreen	*vts;
	VTermState	*state;
	int		 rows, cols;

	struct vt_pane_cbs cbs;
	void		*arg;

	tf_loop		*loop;
	uint64_t	 parse_timer;	/* 0: not armed */
	uint64_t	 redraw_timer;	/* 0: not armed */
	uint64_t	 last_redraw_ms;
	unsigned	 redraw_ms;

	/* Bytes fed but not parsed yet: in[in_off .. in_off + in_len). */
	struct vt_guard	 guard;		/* what libvterm must not see */
	char		*in;
	size_t		 in_off, in_len, in_cap, in_max;
	size_t		 slice_bytes;
	unsigned	 slice_ms;

	/* Drawing state.  dirty[] is indexed by view row. */
	bool		*dirty;
	bool		 all_dirty;
	bool		 cursor_dirty;
	vt_colors	*colors;
	unsigned long	 colors_gen;	/* generation of our last draw */

	VTermPos	 cursor;
	bool		 cursor_visible;
	bool		 altscreen;
	bool		 screen_reverse;	/* DECSCNM */
	int		 mouse_mode;	/* VTERM_PROP_MOUSE_*: 0 none */

	struct vt_sb	 sb;
	int		 view_offset;	/* lines scrolled back; 0: live */

	/* Scratch rows, sized to the widest the pane has been. */
	struct vt_cell	*scratch;
	int		 scratch_cap;
	cchar_t		*line_buf;
	int		 line_cap;

	char		*title;
	char		*ended;

	struct vt_keys	 keys;
};

/* vt_pane.c */
void vt_pane_mark_rows(vt_pane *pane, int start, int end);
void vt_pane_mark_all(vt_pane *pane);
void vt_pane_schedule_redraw(vt_pane *pane);
void vt_pane_cell_from_vterm(const VTermScreenCell *vc, struct vt_cell *c);
/* The cell at view row, col; blank default cell outside the model. */
void vt_pane_view_cell(const vt_pane *pane, int row, int col,
    struct vt_cell *c);

/* vt_sb.c */
void vt_sb_init(struct vt_sb *sb, size_t cap);
void vt_sb_fini(struct vt_sb *sb);
void vt_sb_push(struct vt_sb *sb, const struct vt_cell *cells, int ncells);
/* Removes the newest line into cells (cols wide, padded with blanks);
 * false when empty. */
bool vt_sb_pop(struct vt_sb *sb, struct vt_cell *cells, int cols);
/* age 0 is the newest line; NULL when out of range. */
const struct vt_sb_line *vt_sb_get(const struct vt_sb *sb, size_t age);
void vt_cell_blank(struct vt_cell *c);
bool vt_cell_is_blank(const struct vt_cell *c);

/* vt_input.c */
void vt_keys_init(struct vt_keys *keys);

#endif
