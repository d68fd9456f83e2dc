/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_header: the two top lines.  Line one: location, user, connection
 * state with round-trip time, and the counts of each kind of resource
 * (with the account's quota beside them); with several locations, each
 * one's name and state, and the counts summed over them.
 * Line two: the view tabs with the current sort and filter.
 */
#include <stdio.h>
#include <string.h>

#include "tui.h"

static int
header_put(struct tui *t, int y, int x, int cols, enum tui_color c,
	   const char *text)
{
	if (x >= cols)
		return x;
	return x + tui_draw_text(stdscr, y, x, cols - x,
	    tui_crt_attr(&t->crt, c), text, false);
}

/* A count, and "/limit" after it when the account has a quota of that
 * kind (docs/SECURITY.md): "ctrs 3/2000".  An administrator sees every
 * account's records, so the count is not theirs to hold against a limit. */
static void
header_count(struct tui *t, char *buf, size_t len, tf_model_kind kind,
	     const char *quota)
{
	size_t n = tui_locs_count(t, kind);
	int64_t limit = t->nlocs == 1 ? tf_model_quota(t->model, quota, NULL) :
	    0;

	if (limit > 0 && !tf_location_is_admin(t->loc))
		snprintf(buf, len, "%zu/%lld", n, (long long)limit);
	else
		snprintf(buf, len, "%zu", n);
}

/* "a ● up 3ms  b ○ connecting": every location's state, the one actions
 * go to (the selected row's) in bold.  Returns the next column. */
static int
header_locations(struct tui *t, int y, int x, int cols)
{
	char buf[128], rtt[24];
	int i, ms;

	for (i = 0; i < t->nlocs; i++) {
		tf_status st = tf_location_status(t->locs[i].loc);

		ms = tf_location_rtt_ms(t->locs[i].loc);
		if (ms >= 0 && st == TF_STATUS_UP)
			snprintf(rtt, sizeof rtt, " %dms", ms);
		else
			rtt[0] = '\0';
		snprintf(buf, sizeof buf, "  %s%s", t->locs[i].name,
		    t->only_loc == i ? "(only)" : "");
		x = header_put(t, y, x, cols, i == t->cur_loc ?
		    TUI_C_HEADER_VALUE : TUI_C_HEADER, buf);
		snprintf(buf, sizeof buf, " %s%s%s", t->crt.utf8 ?
		    (st == TF_STATUS_UP ? "\xe2\x97\x8f " : "\xe2\x97\x8b ") :
		    "", tf_status_name(st), rtt);
		x = header_put(t, y, x, cols, st == TF_STATUS_UP ?
		    TUI_C_HEADER_VALUE : TUI_C_MSG_ERROR, buf);
	}
	return x;
}

/* The one location: "user@name (admin)  ● up  rtt 3ms". */
static int
header_location(struct tui *t, int y, int x, int cols)
{
	tf_status st = tf_location_status(t->loc);
	enum tui_color sc = st == TF_STATUS_UP ? TUI_C_HEADER_VALUE : TUI_C_HEADER;
	const char *user = tf_location_user(t->loc);
	int ms = tf_location_rtt_ms(t->loc);
	char buf[200], rtt[32];

	/* user@location, as ssh and k9s contexts read. */
	snprintf(buf, sizeof buf, " %s%s%s%s", user, *user ? "@" : "",
	    tf_location_name(t->loc), tf_location_is_admin(t->loc) ?
	    " (admin)" : "");
	x = header_put(t, y, x, cols, TUI_C_HEADER, buf);
	if (ms >= 0)
		snprintf(rtt, sizeof rtt, "  rtt %dms", ms);
	else
		rtt[0] = '\0';
	snprintf(buf, sizeof buf, "  %s%s%s", t->crt.utf8 ? (st == TF_STATUS_UP ?
	    "\xe2\x97\x8f " : "\xe2\x97\x8b ") : "", tf_status_name(st), rtt);
	return header_put(t, y, x, cols, st == TF_STATUS_UP ? sc :
	    TUI_C_MSG_ERROR, buf);
}

void
tui_header_draw(struct tui *t, WINDOW *w, int y, int cols)
{
	char buf[200], ctrs[48], tun[48], vol[48];
	size_t i, up = 0, nodes = tui_locs_count(t, TF_MODEL_NODE);
	int x = 0, l;

	TF_UNUSED(w);
	tui_draw_fill(stdscr, y, 0, cols, tui_crt_attr(&t->crt, TUI_C_HEADER));
	for (l = 0; l < t->nlocs; l++) {
		const tf_model *m = t->locs[l].model;

		if (t->only_loc >= 0 && t->only_loc != l)
			continue;
		for (i = 0; i < tf_model_count(m, TF_MODEL_NODE); i++)
			up += tf_model_node_at(m, i)->up;
	}
	x = header_put(t, y, x, cols, TUI_C_HEADER_VALUE, " tfcon ");
	if (t->nlocs > 1)
		x = header_locations(t, y, x, cols);
	else
		x = header_location(t, y, x, cols);
	if (t->opts.readonly)
		x = header_put(t, y, x, cols, TUI_C_HEADER_VALUE, "  [read-only]");
	header_count(t, ctrs, sizeof ctrs, TF_MODEL_CONTAINER, "containers");
	header_count(t, tun, sizeof tun, TF_MODEL_TUNNEL, "tunnels");
	header_count(t, vol, sizeof vol, TF_MODEL_VOLUME, "volumes");
	snprintf(buf, sizeof buf, "  nodes %zu/%zu  ctrs %s  tun %s  vol %s"
	    "  img %zu ", up, nodes, ctrs, tun, vol,
	    tui_locs_count(t, TF_MODEL_IMAGE));
	/* Counts go to the right edge when there is room. */
	if (tui_text_width(buf) < cols - x)
		x = cols - tui_text_width(buf);
	header_put(t, y, x, cols, TUI_C_HEADER, buf);
}

void
tui_tabs_draw(struct tui *t, WINDOW *w, int y, int cols)
{
	enum tui_view_kind cur = tui_list_view(t);
	const struct tui_view_def *v;
	char buf[200], sort[64];
	const char *filter = tui_list_filter(t);
	int x = 0, i;

	TF_UNUSED(w);
	tui_draw_fill(stdscr, y, 0, cols, tui_crt_attr(&t->crt, TUI_C_TAB));
	for (i = 0; i < TUI_VIEW_LAST; i++) {
		v = tui_view_def((enum tui_view_kind)i);
		snprintf(buf, sizeof buf, " %d %s ", i + 1, v->title);
		if (x + tui_text_width(buf) > cols)
			break;
		x += tui_draw_text(stdscr, y, x, cols - x, tui_crt_attr(&t->crt,
		    i == (int)cur ? TUI_C_TAB_ACTIVE : TUI_C_TAB), buf, false);
	}
	tui_list_describe_sort(t, sort, sizeof sort);
	if (*filter != '\0')
		snprintf(buf, sizeof buf, " %zu shown  /%s  %s",
		    tui_list_visible_count(t), filter, sort);
	else
		snprintf(buf, sizeof buf, " %zu  %s", tui_list_visible_count(t),
		    sort);
	if (tui_list_view(t) == TUI_VIEW_PROCS && *tui_list_procs_of(t)) {
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof buf - len, "  in %.8s",
		    tui_list_procs_of(t));
	}
	x += 1;
	if (x < cols)
		tui_draw_text(stdscr, y, x, cols - x, tui_crt_attr(&t->crt,
		    *filter ? TUI_C_WARN : TUI_C_DIM), buf, false);
}
