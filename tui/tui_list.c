/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_list: the resource list panel.  One panel shows the current view
 * (tui_views.c says what the columns are); each view keeps its own sort,
 * filter, selection and scroll.  Rows are pointers into the model, rebuilt
 * whenever the model's generation moves, the view changes, or the sort or
 * filter changes, and never used across a model change.  The selection
 * follows the record (by id), not the row number.  With several locations
 * the rows of every location's model are merged (or only one's, after
 * ":location NAME"), each row remembering its location: cells are written
 * with that location current, and the selected row's location stays the
 * current one, where actions go.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_util.h"
#include "tui.h"

#define LIST_CELL 256
#define LIST_MAX_COLS TUI_LIST_MAX_COLS

struct list_state {
	int sort_col;
	bool desc;
	char filter[TUI_FILTER_MAX];
	char sel_id[TF_MODEL_ID];
	int sel_loc;			/* the selected record's location */
	size_t sel;
	size_t top;
};

struct tui_list {
	struct list_state st[TUI_VIEW_LAST];
	enum tui_view_kind view;
	char procs_of[TF_MODEL_ID];
	const void **rows;
	uint8_t *locs;			/* the location of each row */
	struct list_row *tmp;		/* for sorting rows with locations */
	size_t nrows, cap;
	uint64_t built_gen;
	int built_view;
	bool stale;
	int height;
};

struct list_row {
	const void *rec;
	int loc;
};

struct list_sort_ctx {
	struct tui *t;
	const struct tui_column *col;
	bool desc;
};

static struct tui_list *
list_of(struct tui *t)
{
	return t->scr.list->impl;
}

static int
list_cmp(const void *pa, const void *pb, void *arg)
{
	const struct list_sort_ctx *ctx = arg;
	const struct list_row *ra = pa, *rb = pb;
	const void *a = ra->rec, *b = rb->rec;
	char ca[LIST_CELL], cb[LIST_CELL];
	int r;

	if (ctx->col->cmp != NULL)
		r = ctx->col->cmp(a, b);
	else {
		tui_locs_use(ctx->t, ra->loc);
		ctx->col->cell(ctx->t, a, ca, sizeof ca);
		tui_locs_use(ctx->t, rb->loc);
		ctx->col->cell(ctx->t, b, cb, sizeof cb);
		r = strcasecmp(ca, cb);
	}
	/* Then by location, so equal ids of two locations keep an order. */
	if (r == 0)
		r = ra->loc - rb->loc;
	/* Ties fall back to the id so the order is stable across pushes. */
	if (r == 0)
		r = strcmp((const char *)a, (const char *)b);
	return ctx->desc ? -r : r;
}

/* "text" matches any cell; "column:text" only that column (by prefix). */
static bool
list_match(struct tui *t, const struct tui_view_def *v, const void *rec,
	   const char *filter)
{
	char cell[LIST_CELL], col[32];
	const char *colon = strchr(filter, ':'), *want = filter;
	size_t clen = 0;
	int i;

	if (colon != NULL && colon != filter) {
		clen = (size_t)(colon - filter);
		snprintf(col, sizeof col, "%.*s", (int)clen, filter);
		want = colon + 1;
	}
	for (i = 0; i < v->ncols; i++) {
		if (clen > 0 && strncasecmp(v->cols[i].name, col, clen) != 0)
			continue;
		v->cols[i].cell(t, rec, cell, sizeof cell);
		if (strcasestr(cell, want) != NULL)
			return true;
	}
	/* Ids always match, so a uuid pasted into the filter finds its row. */
	return clen == 0 && strncmp((const char *)rec, want, strlen(want)) == 0;
}

/* Makes the selected row's location the current one. */
static void
list_focus_sel(struct tui *t, struct tui_list *l)
{
	const struct list_state *st = &l->st[l->view];

	if (l->nrows > 0 && st->sel < l->nrows)
		tui_locs_use(t, l->locs[st->sel]);
}

/* Adds location loc's records that pass the filters to l->tmp. */
static void
list_collect(struct tui *t, struct tui_list *l, int loc, size_t *k)
{
	const struct tui_view_def *v = tui_view_def(l->view);
	struct list_state *st = &l->st[l->view];
	const tf_model *m = t->locs[loc].model;
	size_t i, n = tf_model_count(m, v->model);
	const void *rec;

	tui_locs_use(t, loc);
	for (i = 0; i < n; i++) {
		rec = tf_model_at(m, v->model, i);
		if (l->view == TUI_VIEW_PROCS && l->procs_of[0] != '\0' &&
		    strcmp(((const tf_model_proc *)rec)->container,
		    l->procs_of) != 0)
			continue;
		if (st->filter[0] != '\0' && !list_match(t, v, rec, st->filter))
			continue;
		l->tmp[*k].rec = rec;
		l->tmp[*k].loc = loc;
		(*k)++;
	}
}

static void
list_rebuild(struct tui *t, struct tui_list *l)
{
	const struct tui_view_def *v = tui_view_def(l->view);
	struct list_state *st = &l->st[l->view];
	struct list_sort_ctx ctx;
	size_t i, n = tui_locs_count(t, v->model), k = 0;
	int loc, cur = t->cur_loc;

	if (n > l->cap) {
		l->cap = n + 64;
		l->rows = tf_realloc(l->rows, l->cap * sizeof *l->rows);
		l->locs = tf_realloc(l->locs, l->cap * sizeof *l->locs);
		l->tmp = tf_realloc(l->tmp, l->cap * sizeof *l->tmp);
	}
	for (loc = 0; loc < t->nlocs; loc++)
		if (t->only_loc < 0 || t->only_loc == loc)
			list_collect(t, l, loc, &k);
	if (st->sort_col < 0 || st->sort_col >= v->ncols)
		st->sort_col = v->sort_col;
	ctx.t = t;
	ctx.col = &v->cols[st->sort_col];
	ctx.desc = st->desc;
	/* qsort_r's array may not be NULL, even when empty (UBSan). */
	if (k > 1)
		qsort_r(l->tmp, k, sizeof *l->tmp, list_cmp, &ctx);
	for (i = 0; i < k; i++) {
		l->rows[i] = l->tmp[i].rec;
		l->locs[i] = (uint8_t)l->tmp[i].loc;
	}
	l->nrows = k;
	tui_locs_use(t, cur);
	/* Keep the selected record selected; if it went, stay at the row. */
	if (st->sel_id[0] != '\0') {
		for (i = 0; i < l->nrows; i++) {
			if (strcmp((const char *)l->rows[i], st->sel_id) == 0 &&
			    (t->nlocs == 1 || st->sel_loc == l->locs[i])) {
				st->sel = i;
				break;
			}
		}
	}
	if (st->sel >= l->nrows)
		st->sel = l->nrows ? l->nrows - 1 : 0;
	if (l->nrows > 0) {
		snprintf(st->sel_id, sizeof st->sel_id, "%s",
		    (const char *)l->rows[st->sel]);
		st->sel_loc = l->locs[st->sel];
	}
	l->built_gen = tui_locs_generation(t);
	l->built_view = (int)l->view;
	l->stale = false;
	list_focus_sel(t, l);
}

static struct tui_list *
list_fresh(struct tui *t)
{
	struct tui_list *l = list_of(t);

	if (l->stale || l->built_gen != tui_locs_generation(t) ||
	    l->built_view != (int)l->view)
		list_rebuild(t, l);
	return l;
}

static void
list_select_row(struct tui_list *l, size_t row)
{
	struct list_state *st = &l->st[l->view];

	if (l->nrows == 0)
		return;
	if (row >= l->nrows)
		row = l->nrows - 1;
	st->sel = row;
	snprintf(st->sel_id, sizeof st->sel_id, "%s",
	    (const char *)l->rows[row]);
	st->sel_loc = l->locs[row];
}

/*
 * Column widths.  Each column wants the width of its widest visible cell
 * (within min..max).  Columns of priority 0 come first and shrink towards
 * their minimum when space is short; optional columns are then added in
 * priority order while they fit; what is left widens the open-ended ones.
 */
static void
list_layout(const struct tui_view_def *v, const int *want, int width,
	    bool multi, int *widths)
{
	int i, used = 0, prio, maxprio = 0, spare, over, take, grow;

	for (i = 0; i < v->ncols; i++) {
		widths[i] = 0;
		if (v->cols[i].priority > maxprio)
			maxprio = v->cols[i].priority;
		/* LOCATION only says something with several locations. */
		if (v->cols[i].priority == 0 ||
		    (v->cols[i].priority == TUI_PRIO_MULTI && multi)) {
			widths[i] = want[i];
			used += want[i] + 1;
		}
	}
	/* Too wide: take from the columns furthest above their minimum. */
	over = used - width;
	while (over > 0) {
		take = 0;
		for (i = 0; i < v->ncols; i++) {
			if (widths[i] > v->cols[i].min && (take == 0 ||
			    widths[i] - v->cols[i].min > widths[take - 1] -
			    v->cols[take - 1].min))
				take = i + 1;
		}
		if (take == 0)
			break;
		widths[take - 1]--;
		over--;
		used--;
	}
	for (prio = 1; prio <= maxprio; prio++) {
		for (i = 0; i < v->ncols; i++) {
			if (v->cols[i].priority != prio)
				continue;
			if (used + want[i] + 1 <= width) {
				widths[i] = want[i];
				used += want[i] + 1;
			}
		}
	}
	/* Spare columns go to the open-ended columns, else the first. */
	spare = width - used;
	grow = -1;
	for (i = 0; i < v->ncols && spare > 0; i++) {
		if (widths[i] > 0 && v->cols[i].max == 0) {
			grow = i;
			break;
		}
	}
	if (grow >= 0)
		widths[grow] += spare;
}

/* The width each column would like for the rows on screen. */
static void
list_wants(struct tui *t, struct tui_list *l, const struct tui_view_def *v,
	   size_t top, int rows, int *want)
{
	char cell[LIST_CELL];
	size_t r;
	int i, w;

	for (i = 0; i < v->ncols; i++) {
		want[i] = tui_text_width(v->cols[i].name) + 1;
		if (want[i] < v->cols[i].min)
			want[i] = v->cols[i].min;
	}
	for (r = top; r < l->nrows && r < top + (size_t)rows; r++) {
		tui_locs_use(t, l->locs[r]);
		for (i = 0; i < v->ncols; i++) {
			v->cols[i].cell(t, l->rows[r], cell, sizeof cell);
			w = tui_text_width(cell);
			if (w > want[i])
				want[i] = w;
		}
	}
	for (i = 0; i < v->ncols; i++) {
		if (v->cols[i].max > 0 && want[i] > v->cols[i].max)
			want[i] = v->cols[i].max;
	}
}

static void
list_draw_cell(struct tui *t, WINDOW *w, int y, int x, int width,
	       const struct tui_column *col, const char *text, attr_t attr)
{
	char fit[LIST_CELL * 2];
	int tw;

	tui_text_fit(text, width, t->crt.utf8, fit, sizeof fit);
	tw = tui_text_width(fit);
	if (col->right && tw < width) {
		tui_draw_fill(w, y, x, width - tw, attr);
		tui_draw_text(w, y, x + width - tw, tw, attr, fit, false);
	} else
		tui_draw_text(w, y, x, width, attr, fit, true);
}

static bool
list_any_up(struct tui *t)
{
	for (int i = 0; i < t->nlocs; i++)
		if ((t->only_loc < 0 || t->only_loc == i) &&
		    tf_location_status(t->locs[i].loc) == TF_STATUS_UP)
			return true;
	return false;
}

static void
list_draw_rows(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	  bool focused)
{
	struct tui_list *l = list_fresh(t);
	const struct tui_view_def *v = tui_view_def(l->view);
	struct list_state *st = &l->st[l->view];
	int widths[LIST_MAX_COLS], want[LIST_MAX_COLS], i, x, y, rows = r.h - 1;
	char cell[LIST_CELL], head[64];
	attr_t attr, base;
	size_t row;
	const void *rec;

	TF_UNUSED(p);
	l->height = rows;
	/* Scroll so the selection is visible. */
	if (rows > 0) {
		if (st->sel < st->top)
			st->top = st->sel;
		if (st->sel >= st->top + (size_t)rows)
			st->top = st->sel - (size_t)rows + 1;
		if (st->top + (size_t)rows > l->nrows)
			st->top = l->nrows > (size_t)rows ?
			    l->nrows - (size_t)rows : 0;
	}
	list_wants(t, l, v, st->top, rows, want);
	list_layout(v, want, r.w, t->nlocs > 1, widths);
	/* Column headings; the sorted column carries an arrow. */
	tui_draw_fill(w, r.y, r.x, r.w, tui_crt_attr(&t->crt, TUI_C_COLHEAD));
	for (i = 0, x = r.x; i < v->ncols; i++) {
		if (widths[i] == 0)
			continue;
		snprintf(head, sizeof head, "%s%s", v->cols[i].name,
		    i == st->sort_col ? (t->crt.utf8 ? (st->desc ?
		    "\xe2\x96\xbc" : "\xe2\x96\xb2") : (st->desc ? "v" : "^")) :
		    "");
		list_draw_cell(t, w, r.y, x, widths[i], &v->cols[i], head,
		    tui_crt_attr(&t->crt, TUI_C_COLHEAD));
		x += widths[i] + 1;
	}
	if (rows <= 0)
		return;
	if (l->nrows == 0) {
		const char *why = !list_any_up(t) ?
		    "waiting for the location's offer" : st->filter[0] ?
		    "nothing matches the filter" : "none";

		snprintf(cell, sizeof cell, "  (%s%s%s)", v->name,
		    *why ? ": " : "", why);
		tui_draw_text(w, r.y + 1, r.x, r.w, tui_crt_attr(&t->crt,
		    TUI_C_DIM), cell, false);
		return;
	}
	for (y = 0; y < rows && st->top + (size_t)y < l->nrows; y++) {
		row = st->top + (size_t)y;
		rec = l->rows[row];
		tui_locs_use(t, l->locs[row]);
		base = A_NORMAL;
		if (row == st->sel)
			base = tui_crt_attr(&t->crt, focused ? TUI_C_CURSOR :
			    TUI_C_CURSOR_DIM);
		tui_draw_fill(w, r.y + 1 + y, r.x, r.w, base);
		for (i = 0, x = r.x; i < v->ncols; i++) {
			if (widths[i] == 0)
				continue;
			v->cols[i].cell(t, rec, cell, sizeof cell);
			attr = base;
			if (row != st->sel && v->cols[i].color != NULL)
				attr = tui_crt_attr(&t->crt,
				    v->cols[i].color(rec));
			if (i == 0 && l->view == TUI_VIEW_CONTAINERS &&
			    tui_marks_has(t, (const char *)rec))
				attr = tui_crt_attr(&t->crt, TUI_C_MARKER) |
				    (row == st->sel ? A_REVERSE : 0);
			list_draw_cell(t, w, r.y + 1 + y, x, widths[i],
			    &v->cols[i], cell, attr);
			x += widths[i] + 1;
			/* A marked row: a sign in the gap after its name,
			 * readable without colour. */
			if (i == 0 && l->view == TUI_VIEW_CONTAINERS &&
			    tui_marks_has(t, (const char *)rec))
				tui_draw_text(w, r.y + 1 + y, x - 1, 1,
				    tui_crt_attr(&t->crt, TUI_C_MARKER), "*",
				    false);
		}
	}
}

static void
list_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	  bool focused)
{
	list_draw_rows(p, t, w, r, focused);
	list_focus_sel(t, list_of(t));
}

static int
list_command(struct tui_panel *p, struct tui *t, const char *action,
	     const char *arg)
{
	struct tui_list *l = list_fresh(t);
	struct list_state *st = &l->st[l->view];
	size_t page = l->height > 1 ? (size_t)l->height - 1 : 1;
	size_t n = arg != NULL && atoi(arg) > 0 ? (size_t)atoi(arg) : 1;

	TF_UNUSED(p);
	if (strcmp(action, "move.up") == 0)
		list_select_row(l, st->sel > n ? st->sel - n : 0);
	else if (strcmp(action, "move.down") == 0)
		list_select_row(l, st->sel + n);
	else if (strcmp(action, "page.up") == 0)
		list_select_row(l, st->sel > page ? st->sel - page : 0);
	else if (strcmp(action, "page.down") == 0)
		list_select_row(l, st->sel + page);
	else if (strcmp(action, "move.top") == 0)
		list_select_row(l, 0);
	else if (strcmp(action, "move.bottom") == 0)
		list_select_row(l, l->nrows ? l->nrows - 1 : 0);
	else
		return TUI_R_UNHANDLED;
	list_focus_sel(t, l);
	return TUI_R_REDRAW;
}

static int
list_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	TF_UNUSED(p);
	TF_UNUSED(t);
	TF_UNUSED(k);
	return TUI_R_UNHANDLED;
}

static void
list_close(struct tui_panel *p, struct tui *t)
{
	struct tui_list *l = p->impl;

	TF_UNUSED(t);
	free(l->rows);
	free(l->locs);
	free(l->tmp);
	free(l);
}

static const struct tui_panel_ops list_ops = {
	.kind = "list",
	.ctx = TUI_CTX_LIST,
	.draw = list_draw,
	.key = list_key,
	.command = list_command,
	.close = list_close,
};

struct tui_panel *
tui_list_new(struct tui *t)
{
	struct tui_list *l = tf_calloc(1, sizeof *l);
	int i;

	for (i = 0; i < TUI_VIEW_LAST; i++) {
		l->st[i].sort_col = tui_view_def((enum tui_view_kind)i)->sort_col;
		l->st[i].desc = tui_view_def((enum tui_view_kind)i)->sort_desc;
	}
	l->view = TUI_VIEW_CONTAINERS;
	l->built_view = -1;
	return tui_panel_new(t, &list_ops, l, "list");
}

enum tui_view_kind
tui_list_view(struct tui *t)
{
	return list_of(t)->view;
}

void
tui_list_set_view(struct tui *t, enum tui_view_kind v)
{
	struct tui_list *l = list_of(t);

	if (v >= TUI_VIEW_LAST)
		return;
	l->view = v;
	l->stale = true;
	t->dirty = true;
}

const void *
tui_list_selected_rec(struct tui *t)
{
	struct tui_list *l = list_fresh(t);
	struct list_state *st = &l->st[l->view];

	if (l->nrows == 0)
		return NULL;
	return l->rows[st->sel];
}

/* The rows shown (filtered, sorted) of the current view, borrowed until
 * the next change of the model. */
const void *const *
tui_list_rows(struct tui *t, size_t *n)
{
	struct tui_list *l = list_fresh(t);

	*n = l->nrows;
	return l->rows;
}

void
tui_list_focus_loc(struct tui *t)
{
	list_focus_sel(t, list_fresh(t));
}

const char *
tui_list_selected(struct tui *t)
{
	const void *rec = tui_list_selected_rec(t);

	return rec != NULL ? (const char *)rec : NULL;
}

void
tui_list_select(struct tui *t, const char *id)
{
	struct tui_list *l = list_of(t);

	snprintf(l->st[l->view].sel_id, sizeof l->st[l->view].sel_id, "%s", id);
	l->stale = true;
}

void
tui_list_set_filter(struct tui *t, const char *filter)
{
	struct tui_list *l = list_of(t);

	snprintf(l->st[l->view].filter, sizeof l->st[l->view].filter, "%s",
	    filter ? filter : "");
	l->stale = true;
	t->dirty = true;
}

const char *
tui_list_filter(struct tui *t)
{
	struct tui_list *l = list_of(t);

	return l->st[l->view].filter;
}

int
tui_list_sort_by(struct tui *t, const char *column, bool desc)
{
	struct tui_list *l = list_of(t);
	const struct tui_view_def *v = tui_view_def(l->view);
	struct list_state *st = &l->st[l->view];
	int i;

	if (strcmp(column, "next") == 0 || strcmp(column, "prev") == 0) {
		/* Past LOCATION while it is not shown. */
		do
			st->sort_col = (st->sort_col + (column[0] == 'n' ? 1 :
			    v->ncols - 1)) % v->ncols;
		while (v->cols[st->sort_col].priority == TUI_PRIO_MULTI &&
		    t->nlocs < 2);
		st->desc = desc;
	} else if (strcmp(column, "reverse") == 0)
		st->desc = !st->desc;
	else {
		for (i = 0; i < v->ncols; i++) {
			if (strncasecmp(v->cols[i].name, column,
			    strlen(column)) == 0)
				break;
		}
		if (i == v->ncols)
			return -1;
		st->sort_col = i;
		st->desc = desc;
	}
	l->stale = true;
	t->dirty = true;
	return 0;
}

void
tui_list_describe_sort(struct tui *t, char *buf, size_t size)
{
	struct tui_list *l = list_of(t);
	const struct tui_view_def *v = tui_view_def(l->view);
	struct list_state *st = &l->st[l->view];

	if (st->sort_col < 0 || st->sort_col >= v->ncols)
		st->sort_col = v->sort_col;
	snprintf(buf, size, "by %s%s", v->cols[st->sort_col].name,
	    st->desc ? " desc" : "");
}

void
tui_list_set_procs_of(struct tui *t, const char *container)
{
	struct tui_list *l = list_of(t);

	snprintf(l->procs_of, sizeof l->procs_of, "%s", container ? container :
	    "");
	l->stale = true;
}

const char *
tui_list_procs_of(struct tui *t)
{
	return list_of(t)->procs_of;
}

size_t
tui_list_visible_count(struct tui *t)
{
	return list_fresh(t)->nrows;
}
