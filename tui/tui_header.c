/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_header: the two top lines.  Line one: location, user, connection
 * state with round-trip time, and the counts of each kind of resource
 * (with the account's quota beside them).
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
	size_t n = tf_model_count(t->model, kind);
	int64_t limit = tf_model_quota(t->model, quota, NULL);

	if (limit > 0 && !tf_location_is_admin(t->loc))
		snprintf(buf, len, "%zu/%lld", n, (long long)limit);
	else
		snprintf(buf, len, "%zu", n);
}

void
tui_header_draw(struct tui *t, WINDOW *w, int y, int cols)
{
	tf_status st = tf_location_status(t->loc);
	enum tui_color sc = st == TF_STATUS_UP ? TUI_C_HEADER_VALUE : TUI_C_HEADER;
	char buf[200], rtt[32], ctrs[48], tun[48], vol[48];
	const char *user = tf_location_user(t->loc);
	size_t i, up = 0, nodes = tf_model_count(t->model, TF_MODEL_NODE);
	int x = 0, ms = tf_location_rtt_ms(t->loc);

	TF_UNUSED(w);
	tui_draw_fill(stdscr, y, 0, cols, tui_crt_attr(&t->crt, TUI_C_HEADER));
	for (i = 0; i < nodes; i++)
		up += tf_model_node_at(t->model, i)->up;
	x = header_put(t, y, x, cols, TUI_C_HEADER_VALUE, " tfcon ");
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
	x = header_put(t, y, x, cols, st == TF_STATUS_UP ? sc : TUI_C_MSG_ERROR, buf);
	if (t->opts.readonly)
		x = header_put(t, y, x, cols, TUI_C_HEADER_VALUE, "  [read-only]");
	header_count(t, ctrs, sizeof ctrs, TF_MODEL_CONTAINER, "containers");
	header_count(t, tun, sizeof tun, TF_MODEL_TUNNEL, "tunnels");
	header_count(t, vol, sizeof vol, TF_MODEL_VOLUME, "volumes");
	snprintf(buf, sizeof buf, "  nodes %zu/%zu  ctrs %s  tun %s  vol %s"
	    "  img %zu ", up, nodes, ctrs, tun, vol,
	    tf_model_count(t->model, TF_MODEL_IMAGE));
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
