/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_sb: the scrollback ring of a shell pane.  Lines that scroll off the top
 * of the primary screen are pushed here (libvterm never pushes from the
 * alternate screen); when the pane grows taller libvterm pops the newest
 * back.  The ring holds at most cap lines and recycles the oldest line's
 * memory for the newest, so a flood (`yes`) costs no allocation once the
 * ring is full.  Trailing blank cells are not stored: most shell lines are
 * short, and that keeps a 2000-line history of an 80-column shell small.
 * vt_pane.c owns the ring and the view offset into it.
 */
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "vt_private.h"

void
vt_cell_blank(struct vt_cell *c)
{
	memset(c, 0, sizeof *c);
	c->fg = VT_COLOR_DEFAULT;
	c->bg = VT_COLOR_DEFAULT;
	c->width = 1;
}

/* Blank as far as the eye can tell: no glyph, default background, nothing
 * drawn across it. */
bool
vt_cell_is_blank(const struct vt_cell *c)
{
	return (c->ch[0] == 0 || c->ch[0] == ' ') &&
	    c->bg == VT_COLOR_DEFAULT &&
	    (c->attrs & (VT_ATTR_REVERSE | VT_ATTR_UNDERLINE |
	    VT_ATTR_STRIKE)) == 0;
}

void
vt_sb_init(struct vt_sb *sb, size_t cap)
{
	memset(sb, 0, sizeof *sb);
	sb->cap = cap;
	if (cap > 0)
		sb->lines = tf_calloc(cap, sizeof *sb->lines);
}

void
vt_sb_fini(struct vt_sb *sb)
{
	for (size_t i = 0; i < sb->cap; i++)
		free(sb->lines[i]);
	free(sb->lines);
	memset(sb, 0, sizeof *sb);
}

void
vt_sb_push(struct vt_sb *sb, const struct vt_cell *cells, int ncells)
{
	struct vt_sb_line *line;
	size_t slot;
	int n = ncells;

	if (sb->cap == 0)
		return;
	while (n > 0 && vt_cell_is_blank(&cells[n - 1]))
		n--;

	if (sb->count == sb->cap) {
		/* Full: the oldest line's slot becomes the newest. */
		slot = sb->head;
		sb->head = (sb->head + 1) % sb->cap;
		sb->count--;
	} else
		slot = (sb->head + sb->count) % sb->cap;

	line = sb->lines[slot];
	if (line == NULL || line->cap < n) {
		int cap = n < 16 ? 16 : n;

		line = tf_realloc(line, sizeof *line +
		    (size_t)cap * sizeof line->cells[0]);
		line->cap = cap;
		sb->lines[slot] = line;
	}
	line->ncells = n;
	if (n > 0)
		memcpy(line->cells, cells, (size_t)n * sizeof cells[0]);
	sb->count++;
}

bool
vt_sb_pop(struct vt_sb *sb, struct vt_cell *cells, int cols)
{
	const struct vt_sb_line *line;
	int i;

	if (sb->count == 0)
		return false;
	line = sb->lines[(sb->head + sb->count - 1) % sb->cap];
	for (i = 0; i < cols && i < line->ncells; i++)
		cells[i] = line->cells[i];
	for (; i < cols; i++)
		vt_cell_blank(&cells[i]);
	/* The slot keeps its memory for the next push. */
	sb->count--;
	return true;
}

const struct vt_sb_line *
vt_sb_get(const struct vt_sb *sb, size_t age)
{
	if (age >= sb->count)
		return NULL;
	return sb->lines[(sb->head + sb->count - 1 - age) % sb->cap];
}
