/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_pane: the model of a shell pane.  One VTerm per pane (utf-8, alternate
 * screen on, damage merged by scroll), a bounded inbox of remote pty bytes,
 * the dirty-row map and the two loop timers.
 *
 * Bytes are never parsed where they arrive.  vt_pane_feed queues them and
 * arms a 0 ms parse timer; each loop pass parses one slice, bounded by
 * bytes and by time, because libvterm moves the whole screen for every
 * scrolled line: 64 KiB of `yes` costs 60 ms on an 80x24 pane and 200 ms on
 * 200x50, which would starve the keyboard if parsed in one go.  The inbox
 * is bounded too; a full inbox refuses bytes, and the owner stops reading
 * the pty (or withholds credit) until cbs.consumed says there is room, so
 * the flood backs up into the remote program instead of into memory.
 *
 * libvterm's callbacks draw nothing: damage marks view rows dirty and arms
 * one redraw timer, which fires at most every redraw_ms and asks the owner
 * to draw (vt_draw.c).  Keys and paste are in vt_input.c, the scrollback
 * ring in vt_sb.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tf_err.h"
#include "tf_util.h"
#include "vt_private.h"

/* Parse in steps this size so the time budget is checked often enough:
 * 512 bytes of `yes` on a 300x100 pane cost about 5 ms. */
#define PANE_PARSE_STEP	512
/* Larger panes are refused: a pty wider or taller than this is a bug. */
#define PANE_MAX_DIM	4096

static uint64_t
pane_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static vt_color
pane_color_from_vterm(const VTermColor *col)
{
	if (col->type & VTERM_COLOR_DEFAULT_MASK)
		return VT_COLOR_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(col))
		return col->indexed.idx;
	return VT_COLOR_RGB(col->rgb.red, col->rgb.green, col->rgb.blue);
}

void
vt_pane_cell_from_vterm(const VTermScreenCell *vc, struct vt_cell *c)
{
	memset(c, 0, sizeof *c);
	if (vc->chars[0] == (uint32_t)-1)
		c->ch[0] = VT_CELL_WIDE_TAIL;
	else {
		for (int i = 0; i < VT_CELL_CHARS &&
		    i < VTERM_MAX_CHARS_PER_CELL && vc->chars[i] != 0; i++)
			c->ch[i] = vc->chars[i];
	}
	c->width = vc->width == 2 ? 2 : 1;
	c->fg = pane_color_from_vterm(&vc->fg);
	c->bg = pane_color_from_vterm(&vc->bg);
	if (vc->attrs.bold)
		c->attrs |= VT_ATTR_BOLD;
	if (vc->attrs.underline)
		c->attrs |= VT_ATTR_UNDERLINE;
	if (vc->attrs.italic)
		c->attrs |= VT_ATTR_ITALIC;
	if (vc->attrs.blink)
		c->attrs |= VT_ATTR_BLINK;
	if (vc->attrs.reverse)
		c->attrs |= VT_ATTR_REVERSE;
	if (vc->attrs.strike)
		c->attrs |= VT_ATTR_STRIKE;
}

/* The inverse, for lines libvterm takes back from scrollback. */
static void
pane_cell_to_vterm(const vt_pane *pane, const struct vt_cell *c,
    VTermScreenCell *vc)
{
	VTermColor dfg, dbg;

	memset(vc, 0, sizeof *vc);
	if (c->ch[0] == VT_CELL_WIDE_TAIL)
		vc->chars[0] = (uint32_t)-1;
	else {
		for (int i = 0; i < VT_CELL_CHARS &&
		    i < VTERM_MAX_CHARS_PER_CELL && c->ch[i] != 0; i++)
			vc->chars[i] = c->ch[i];
	}
	vc->width = (char)c->width;
	vc->attrs.bold = (c->attrs & VT_ATTR_BOLD) != 0;
	vc->attrs.underline = (c->attrs & VT_ATTR_UNDERLINE) ?
	    VTERM_UNDERLINE_SINGLE : VTERM_UNDERLINE_OFF;
	vc->attrs.italic = (c->attrs & VT_ATTR_ITALIC) != 0;
	vc->attrs.blink = (c->attrs & VT_ATTR_BLINK) != 0;
	vc->attrs.reverse = (c->attrs & VT_ATTR_REVERSE) != 0;
	vc->attrs.strike = (c->attrs & VT_ATTR_STRIKE) != 0;

	vterm_state_get_default_colors(pane->state, &dfg, &dbg);
	if (c->fg == VT_COLOR_DEFAULT) {
		vc->fg = dfg;
		vc->fg.type |= VTERM_COLOR_DEFAULT_FG;
	} else if (VT_COLOR_IS_RGB(c->fg))
		vterm_color_rgb(&vc->fg, (uint8_t)(c->fg >> 16),
		    (uint8_t)(c->fg >> 8), (uint8_t)c->fg);
	else
		vterm_color_indexed(&vc->fg, (uint8_t)c->fg);
	if (c->bg == VT_COLOR_DEFAULT) {
		vc->bg = dbg;
		vc->bg.type |= VTERM_COLOR_DEFAULT_BG;
	} else if (VT_COLOR_IS_RGB(c->bg))
		vterm_color_rgb(&vc->bg, (uint8_t)(c->bg >> 16),
		    (uint8_t)(c->bg >> 8), (uint8_t)c->bg);
	else
		vterm_color_indexed(&vc->bg, (uint8_t)c->bg);
}

static void
pane_scratch_reserve(vt_pane *pane, int cols)
{
	if (cols <= pane->scratch_cap)
		return;
	pane->scratch = tf_realloc(pane->scratch,
	    (size_t)cols * sizeof *pane->scratch);
	pane->line_buf = tf_realloc(pane->line_buf,
	    (size_t)cols * sizeof *pane->line_buf);
	pane->scratch_cap = pane->line_cap = cols;
}

/* --- redraw scheduling ------------------------------------------------ */

static int
pane_redraw_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	vt_pane *pane = arg;

	TF_UNUSED(loop);
	TF_UNUSED(id);
	pane->redraw_timer = 0;
	pane->last_redraw_ms = tf_now_ms();
	/* Last thing we do: the owner draws now, and may do anything but
	 * destroy the pane. */
	if (vt_pane_dirty(pane))
		pane->cbs.redraw(pane, pane->arg);
	return 0;
}

/* Coalesces: the first change after a quiet spell draws on the next pass
 * (a typed key echoes at once), later ones wait for the redraw interval. */
void
vt_pane_schedule_redraw(vt_pane *pane)
{
	uint64_t now, due;

	if (pane->loop == NULL || pane->cbs.redraw == NULL ||
	    pane->redraw_timer != 0)
		return;
	now = tf_now_ms();
	due = pane->last_redraw_ms + pane->redraw_ms;
	pane->redraw_timer = tf_loop_timer(pane->loop, due > now ? due - now : 0,
	    false, pane_redraw_timer_cb, pane);
}

/* Marks screen rows start..end-1 (libvterm coordinates) dirty. */
void
vt_pane_mark_rows(vt_pane *pane, int start, int end)
{
	start += pane->view_offset;
	end += pane->view_offset;
	if (start < 0)
		start = 0;
	if (end > pane->rows)
		end = pane->rows;
	for (int r = start; r < end; r++)
		pane->dirty[r] = true;
	vt_pane_schedule_redraw(pane);
}

void
vt_pane_mark_all(vt_pane *pane)
{
	pane->all_dirty = true;
	vt_pane_schedule_redraw(pane);
}

/* --- libvterm callbacks ---------------------------------------------- */

static int
pane_damage_cb(VTermRect rect, void *user)
{
	vt_pane_mark_rows(user, rect.start_row, rect.end_row);
	return 1;
}

static int
pane_moverect_cb(VTermRect dest, VTermRect src, void *user)
{
	TF_UNUSED(src);
	vt_pane_mark_rows(user, dest.start_row, dest.end_row);
	return 1;
}

static int
pane_movecursor_cb(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	vt_pane *pane = user;

	TF_UNUSED(oldpos);
	TF_UNUSED(visible);	/* tracked through VTERM_PROP_CURSORVISIBLE */
	pane->cursor = pos;
	pane->cursor_dirty = true;
	vt_pane_schedule_redraw(pane);
	return 1;
}

static int
pane_settermprop_cb(VTermProp prop, VTermValue *val, void *user)
{
	vt_pane *pane = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		pane->cursor_visible = val->boolean != 0;
		pane->cursor_dirty = true;
		vt_pane_schedule_redraw(pane);
		return 1;
	case VTERM_PROP_ALTSCREEN:
		pane->altscreen = val->boolean != 0;
		/* History belongs to the primary screen: a full-screen
		 * program always shows live. */
		pane->view_offset = 0;
		vt_pane_mark_all(pane);
		return 1;
	case VTERM_PROP_TITLE:
		free(pane->title);
		pane->title = tf_strdup(val->string != NULL ? val->string : "");
		if (pane->cbs.title != NULL)
			pane->cbs.title(pane, pane->title, pane->arg);
		return 1;
	case VTERM_PROP_REVERSE:
		pane->screen_reverse = val->boolean != 0;
		vt_pane_mark_all(pane);
		return 1;
	case VTERM_PROP_MOUSE:
		pane->mouse_mode = val->number;
		return 1;
	default:
		return 0;
	}
}

static int
pane_bell_cb(void *user)
{
	vt_pane *pane = user;

	if (pane->cbs.bell != NULL)
		pane->cbs.bell(pane, pane->arg);
	return 1;
}

/* As vt_cell_is_blank, on a libvterm cell. */
static bool
pane_vterm_cell_blank(const VTermScreenCell *vc)
{
	return (vc->chars[0] == 0 || vc->chars[0] == ' ') &&
	    (vc->bg.type & VTERM_COLOR_DEFAULT_BG) != 0 &&
	    !vc->attrs.reverse && !vc->attrs.underline && !vc->attrs.strike;
}

static int
pane_sb_pushline_cb(int cols, const VTermScreenCell *cells, void *user)
{
	vt_pane *pane = user;

	int n = cols;

	if (pane->altscreen || pane->sb.cap == 0)
		return 0;
	/* Trailing blanks are not kept; skipping them before converting
	 * matters under a flood, where this runs for every line. */
	while (n > 0 && pane_vterm_cell_blank(&cells[n - 1]))
		n--;
	pane_scratch_reserve(pane, n);
	for (int i = 0; i < n; i++)
		vt_pane_cell_from_vterm(&cells[i], &pane->scratch[i]);
	vt_sb_push(&pane->sb, pane->scratch, n);
	if (pane->view_offset > 0) {
		/* Keep looking at the same history while output arrives. */
		if ((size_t)pane->view_offset < pane->sb.count)
			pane->view_offset++;
		vt_pane_mark_all(pane);
	}
	return 1;
}

static int
pane_sb_popline_cb(int cols, VTermScreenCell *cells, void *user)
{
	vt_pane *pane = user;

	pane_scratch_reserve(pane, cols);
	if (!vt_sb_pop(&pane->sb, pane->scratch, cols))
		return 0;
	for (int i = 0; i < cols; i++)
		pane_cell_to_vterm(pane, &pane->scratch[i], &cells[i]);
	if (pane->view_offset > 0)
		pane->view_offset--;
	vt_pane_mark_all(pane);
	return 1;
}

static const VTermScreenCallbacks pane_screen_cbs = {
	.damage = pane_damage_cb,
	.moverect = pane_moverect_cb,
	.movecursor = pane_movecursor_cb,
	.settermprop = pane_settermprop_cb,
	.bell = pane_bell_cb,
	.sb_pushline = pane_sb_pushline_cb,
	.sb_popline = pane_sb_popline_cb,
};

/* Keys, pastes and terminal replies on their way to the remote pty. */
static void
pane_output_cb(const char *s, size_t len, void *user)
{
	vt_pane *pane = user;

	pane->cbs.write(pane, s, len, pane->arg);
}

/* --- lifecycle -------------------------------------------------------- */

vt_pane *
vt_pane_new(const struct vt_pane_config *cfg, tf_err *err)
{
	vt_pane *pane;
	size_t sb_lines;

	if (cfg == NULL || cfg->cbs == NULL || cfg->cbs->write == NULL) {
		tf_err_set(err, "a shell pane needs a write callback");
		return NULL;
	}
	if (cfg->rows < 1 || cfg->cols < 1 || cfg->rows > PANE_MAX_DIM ||
	    cfg->cols > PANE_MAX_DIM) {
		tf_err_set(err, "bad shell pane size %dx%d", cfg->cols,
		    cfg->rows);
		return NULL;
	}
	if (cfg->cbs->redraw != NULL && cfg->loop == NULL) {
		tf_err_set(err, "a shell pane redraw callback needs a loop");
		return NULL;
	}

	pane = tf_calloc(1, sizeof *pane);
	pane->rows = cfg->rows;
	pane->cols = cfg->cols;
	pane->cbs = *cfg->cbs;
	pane->arg = cfg->arg;
	pane->loop = cfg->loop;
	pane->colors = cfg->colors;
	pane->in_max = cfg->inbox_max ? cfg->inbox_max : VT_INBOX_DEFAULT;
	pane->slice_bytes = cfg->slice_bytes ? cfg->slice_bytes :
	    VT_SLICE_BYTES_DEFAULT;
	pane->slice_ms = cfg->slice_ms ? cfg->slice_ms : VT_SLICE_MS_DEFAULT;
	pane->redraw_ms = cfg->redraw_ms ? cfg->redraw_ms :
	    VT_REDRAW_MS_DEFAULT;
	pane->cursor_visible = true;
	pane->dirty = tf_calloc((size_t)pane->rows, sizeof *pane->dirty);
	pane->all_dirty = true;
	pane_scratch_reserve(pane, pane->cols);

	sb_lines = cfg->scrollback;
	if (sb_lines == 0)
		sb_lines = VT_SCROLLBACK_DEFAULT;
	else if (sb_lines == SIZE_MAX)
		sb_lines = 0;
	vt_sb_init(&pane->sb, sb_lines);
	vt_keys_init(&pane->keys);

	pane->vt = vterm_new(pane->rows, pane->cols);
	if (pane->vt == NULL) {
		tf_err_set(err, "libvterm could not make a %dx%d terminal",
		    pane->cols, pane->rows);
		vt_pane_destroy(&pane);
		return NULL;
	}
	vterm_set_utf8(pane->vt, 1);
	pane->state = vterm_obtain_state(pane->vt);
	pane->vts = vterm_obtain_screen(pane->vt);
	vterm_screen_enable_altscreen(pane->vts, 1);
	/* Callbacks first: the reset below reports cursor and properties
	 * through them. */
	vterm_screen_set_callbacks(pane->vts, &pane_screen_cbs, pane);
	vterm_screen_set_damage_merge(pane->vts, VTERM_DAMAGE_SCROLL);
	vterm_screen_reset(pane->vts, 1);
	vterm_output_set_callback(pane->vt, pane_output_cb, pane);
	return pane;
}

void
vt_pane_destroy(vt_pane **pane_p)
{
	vt_pane *pane;

	if (pane_p == NULL || *pane_p == NULL)
		return;
	pane = *pane_p;
	if (pane->loop != NULL) {
		tf_loop_timer_cancel(pane->loop, pane->parse_timer);
		tf_loop_timer_cancel(pane->loop, pane->redraw_timer);
	}
	if (pane->vt != NULL)
		vterm_free(pane->vt);
	vt_sb_fini(&pane->sb);
	free(pane->in);
	free(pane->dirty);
	free(pane->scratch);
	free(pane->line_buf);
	free(pane->title);
	free(pane->ended);
	free(pane);
	*pane_p = NULL;
}

/* --- bytes in --------------------------------------------------------- */

static int
pane_parse_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	vt_pane *pane = arg;

	TF_UNUSED(id);
	pane->parse_timer = 0;
	vt_pane_process(pane, pane->slice_bytes, pane->slice_ms);
	/* More on the next pass, after the keyboard and every other fd had
	 * their turn. */
	if (pane->in_len > 0 && pane->parse_timer == 0)
		pane->parse_timer = tf_loop_timer(loop, 0, false,
		    pane_parse_timer_cb, pane);
	return 0;
}

size_t
vt_pane_room(const vt_pane *pane)
{
	return pane->in_max - pane->in_len;
}

size_t
vt_pane_pending(const vt_pane *pane)
{
	return pane->in_len;
}

size_t
vt_pane_feed(vt_pane *pane, const char *bytes, size_t len)
{
	size_t n = len < vt_pane_room(pane) ? len : vt_pane_room(pane);

	if (n == 0)
		return 0;
	if (pane->in_off + pane->in_len + n > pane->in_cap) {
		if (pane->in_off > 0) {
			memmove(pane->in, pane->in + pane->in_off,
			    pane->in_len);
			pane->in_off = 0;
		}
		if (pane->in_len + n > pane->in_cap) {
			size_t cap = pane->in_cap ? pane->in_cap * 2 : 4096;

			while (cap < pane->in_len + n)
				cap *= 2;
			if (cap > pane->in_max)
				cap = pane->in_max;
			pane->in = tf_realloc(pane->in, cap);
			pane->in_cap = cap;
		}
	}
	memcpy(pane->in + pane->in_off + pane->in_len, bytes, n);
	pane->in_len += n;
	if (pane->loop != NULL && pane->parse_timer == 0)
		pane->parse_timer = tf_loop_timer(pane->loop, 0, false,
		    pane_parse_timer_cb, pane);
	return n;
}

size_t
vt_pane_process(vt_pane *pane, size_t max_bytes, unsigned max_ms)
{
	uint64_t deadline = max_ms ? pane_now_us() + max_ms * 1000ull : 0;
	size_t done = 0;

	while (pane->in_len > 0 && done < max_bytes) {
		size_t n = pane->in_len;

		if (n > max_bytes - done)
			n = max_bytes - done;
		if (n > PANE_PARSE_STEP)
			n = PANE_PARSE_STEP;
		vterm_input_write(pane->vt, pane->in + pane->in_off,
		    vt_guard_filter(&pane->guard, pane->in + pane->in_off, n));
		pane->in_off += n;
		pane->in_len -= n;
		done += n;
		if (deadline != 0 && pane_now_us() >= deadline)
			break;
	}
	if (pane->in_len == 0)
		pane->in_off = 0;
	if (done > 0) {
		vterm_screen_flush_damage(pane->vts);
		if (pane->cbs.consumed != NULL)
			pane->cbs.consumed(pane, done, pane->arg);
	}
	return done;
}

/* --- state ------------------------------------------------------------ */

bool
vt_pane_dirty(const vt_pane *pane)
{
	if (pane->all_dirty || pane->cursor_dirty)
		return true;
	for (int r = 0; r < pane->rows; r++) {
		if (pane->dirty[r])
			return true;
	}
	return false;
}

void
vt_pane_invalidate(vt_pane *pane)
{
	vt_pane_mark_all(pane);
}

void
vt_pane_get_size(const vt_pane *pane, int *rows, int *cols)
{
	if (rows != NULL)
		*rows = pane->rows;
	if (cols != NULL)
		*cols = pane->cols;
}

void
vt_pane_resize(vt_pane *pane, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (rows > PANE_MAX_DIM)
		rows = PANE_MAX_DIM;
	if (cols > PANE_MAX_DIM)
		cols = PANE_MAX_DIM;
	if (rows == pane->rows && cols == pane->cols)
		return;

	/* Our side first: libvterm calls back into it (damage, scrollback
	 * push and pop) while it resizes. */
	free(pane->dirty);
	pane->dirty = tf_calloc((size_t)rows, sizeof *pane->dirty);
	pane->rows = rows;
	pane->cols = cols;
	pane_scratch_reserve(pane, cols);
	pane->view_offset = 0;

	vterm_set_size(pane->vt, rows, cols);
	vterm_screen_flush_damage(pane->vts);
	vt_pane_mark_all(pane);
	if (pane->cbs.resize != NULL)
		pane->cbs.resize(pane, rows, cols, pane->arg);
}

bool
vt_pane_altscreen(const vt_pane *pane)
{
	return pane->altscreen;
}

const char *
vt_pane_title(const vt_pane *pane)
{
	return pane->title != NULL ? pane->title : "";
}

void
vt_pane_set_ended(vt_pane *pane, const char *why)
{
	free(pane->ended);
	pane->ended = tf_strdup(why != NULL && *why != '\0' ? why : "ended");
	pane->cursor_dirty = true;
	vt_pane_mark_all(pane);
}

const char *
vt_pane_ended(const vt_pane *pane)
{
	return pane->ended;
}

/* --- scrollback view -------------------------------------------------- */

void
vt_pane_scroll(vt_pane *pane, int lines)
{
	long offset = (long)pane->view_offset - lines;

	if (pane->altscreen)
		return;
	if (offset < 0)
		offset = 0;
	if ((size_t)offset > pane->sb.count)
		offset = (long)pane->sb.count;
	if (offset == pane->view_offset)
		return;
	pane->view_offset = (int)offset;
	pane->cursor_dirty = true;
	vt_pane_mark_all(pane);
}

void
vt_pane_scroll_reset(vt_pane *pane)
{
	if (pane->view_offset == 0)
		return;
	pane->view_offset = 0;
	pane->cursor_dirty = true;
	vt_pane_mark_all(pane);
}

int
vt_pane_scroll_offset(const vt_pane *pane)
{
	return pane->view_offset;
}

size_t
vt_pane_scrollback_lines(const vt_pane *pane)
{
	return pane->sb.count;
}

/* --- the model as seen through the view ------------------------------- */

void
vt_pane_view_cell(const vt_pane *pane, int row, int col, struct vt_cell *c)
{
	int line = row - pane->view_offset;

	if (row < 0 || row >= pane->rows || col < 0 || col >= pane->cols) {
		vt_cell_blank(c);
		return;
	}
	if (line < 0) {
		const struct vt_sb_line *sl = vt_sb_get(&pane->sb,
		    (size_t)(-line - 1));

		if (sl == NULL || col >= sl->ncells)
			vt_cell_blank(c);
		else
			*c = sl->cells[col];
	} else {
		VTermScreenCell vc;
		VTermPos pos = { .row = line, .col = col };

		if (!vterm_screen_get_cell(pane->vts, pos, &vc))
			vt_cell_blank(c);
		else
			vt_pane_cell_from_vterm(&vc, c);
	}
}

int
vt_pane_get_cell(const vt_pane *pane, int row, int col, struct vt_cell *out)
{
	if (row < 0 || row >= pane->rows || col < 0 || col >= pane->cols)
		return -1;
	vt_pane_view_cell(pane, row, col, out);
	return 0;
}

static size_t
pane_utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		cp = 0xfffd;
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Columns [col0, col1) of a line (< 0: history, newest -1) as UTF-8 text
 * without trailing blanks. */
static size_t
pane_line_text(const vt_pane *pane, long line, int col0, int col1, char *buf,
	       size_t size)
{
	size_t len = 0, keep = 0;
	struct vt_cell c;
	long row = line + pane->view_offset;

	if (size == 0)
		return 0;
	if (col1 > pane->cols)
		col1 = pane->cols;
	for (int col = col0 < 0 ? 0 : col0; col < col1; col++) {
		char tmp[4 * VT_CELL_CHARS];
		size_t n = 0;

		if (row >= 0 && row < pane->rows)
			vt_pane_view_cell(pane, (int)row, col, &c);
		else if (line < 0 && line >= -(long)pane->sb.count) {
			const struct vt_sb_line *sl = vt_sb_get(&pane->sb,
			    (size_t)(-line - 1));

			if (sl == NULL || col >= sl->ncells)
				vt_cell_blank(&c);
			else
				c = sl->cells[col];
		} else if (line >= 0 && line < pane->rows) {
			VTermScreenCell vc;
			VTermPos pos = { .row = (int)line, .col = col };

			if (!vterm_screen_get_cell(pane->vts, pos, &vc))
				vt_cell_blank(&c);
			else
				vt_pane_cell_from_vterm(&vc, &c);
		} else
			vt_cell_blank(&c);
		if (c.ch[0] == VT_CELL_WIDE_TAIL)
			continue;
		if (c.ch[0] == 0)
			tmp[n++] = ' ';
		for (int i = 0; i < VT_CELL_CHARS && c.ch[i] != 0; i++)
			n += pane_utf8_put(c.ch[i], tmp + n);
		if (len + n >= size)
			break;
		memcpy(buf + len, tmp, n);
		len += n;
		if (!(n == 1 && tmp[0] == ' '))
			keep = len;
	}
	buf[keep] = '\0';
	return keep;
}

size_t
vt_pane_get_row_text(const vt_pane *pane, int row, char *buf, size_t size)
{
	if (row < 0 || row >= pane->rows) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	return pane_line_text(pane, (long)row - pane->view_offset, 0,
	    pane->cols, buf, size);
}

size_t
vt_pane_get_line_text(const vt_pane *pane, long line, int col0, int col1,
		      char *buf, size_t size)
{
	return pane_line_text(pane, line, col0, col1, buf, size);
}
