/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pane_copy: copy mode over a shell pane's screen and scrollback: a
 * cursor that walks the history, a selection from a mark to the cursor,
 * search back through the text, and the selected text for the clipboard
 * (OSC 52) or a file.  The shell pane (tui_shell.c) owns one and maps the
 * keymap's actions onto it.
 */
#ifndef TF_PANE_COPY_H
#define TF_PANE_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "vt_pane.h"

struct pane_copy {
	bool on;
	bool selecting;
	int row, col;		/* cursor, in the pane's view */
	int arow, acol;		/* the mark, in view rows (may be off view) */
	char search[128];
};

void pane_copy_enter(struct pane_copy *c, vt_pane *vt);
void pane_copy_leave(struct pane_copy *c, vt_pane *vt);
/* A movement (move.up, page.down, move.top...) or copy.select (sets the
 * mark, or drops it).  False: not one of these. */
bool pane_copy_command(struct pane_copy *c, vt_pane *vt, const char *action);
/* The selection, or the cursor's line without one: a malloc'd string with
 * lines joined by '\n'. */
char *pane_copy_text(const struct pane_copy *c, const vt_pane *vt,
    size_t *len);
/* Searches older lines (dir < 0) or newer (dir > 0) than the cursor's
 * for c->search; moves the cursor to the hit.  False: not found. */
bool pane_copy_find(struct pane_copy *c, vt_pane *vt, int dir);
/* Highlights the selection over the pane drawn at (y, x). */
void pane_copy_draw(const struct pane_copy *c, const vt_pane *vt,
    WINDOW *w, int y, int x, attr_t attr);
/* Sets the terminal's clipboard (OSC 52: xterm, tmux, kitty, foot...). */
void pane_copy_osc52(const char *text, size_t len);

#endif
