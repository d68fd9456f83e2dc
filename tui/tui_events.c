/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_events: the location's events in the console: how one is written
 * (time, object, colour) for the Events view (tui_views.c), the one-line
 * ticker on the message line (the newest event while no message is
 * shown), and a container's own events for the detail pane.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui.h"

void
tui_event_time(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&secs, &tm) == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	strftime(buf, size, "%H:%M:%S", &tm);
}

void
tui_event_object(const tf_model_event *e, char *buf, size_t size)
{
	if (e->container[0] != '\0')
		snprintf(buf, size, "%.8s%s%s", e->container,
		    e->tag[0] ? ":" : "", e->tag);
	else if (e->volume[0] != '\0')
		snprintf(buf, size, "vol %.8s", e->volume);
	else
		snprintf(buf, size, "node %s", e->node);
}

enum tui_color
tui_event_color(const tf_model_event *e)
{
	static const char *const bad[] = { "failed", "oom_killed", "lost",
	    "node_down" };
	static const char *const ok[] = { "running", "rebooted", "node_up" };

	for (size_t i = 0; i < TF_ARRAY_LEN(bad); i++)
		if (strcmp(e->kind, bad[i]) == 0)
			return TUI_C_BAD;
	for (size_t i = 0; i < TF_ARRAY_LEN(ok); i++)
		if (strcmp(e->kind, ok[i]) == 0)
			return TUI_C_OK;
	if (strcmp(e->kind, "exited") == 0)
		return strstr(e->text, "status 0") != NULL ? TUI_C_DIM :
		    TUI_C_WARN;
	return TUI_C_NORMAL;
}

const tf_model_event *
tui_event_latest(struct tui *t)
{
	const tf_model_event *best = NULL;
	int best_loc = -1;

	/* Sequence numbers are per location; across them the clock says. */
	for (int l = 0; l < t->nlocs; l++) {
		const tf_model *m = t->locs[l].model;
		size_t n = tf_model_count(m, TF_MODEL_EVENT);

		for (size_t i = 0; i < n; i++) {
			const tf_model_event *e = tf_model_event_at(m, i);

			if (best == NULL || (l == best_loc ? e->seq > best->seq :
			    e->time > best->time)) {
				best = e;
				best_loc = l;
			}
		}
	}
	return best;
}

size_t
tui_events_of(struct tui *t, const char *container,
	      const tf_model_event **out, size_t max)
{
	size_t n = tf_model_count(t->model, TF_MODEL_EVENT), found = 0, i, k;

	for (i = 0; i < n; i++) {
		const tf_model_event *e = tf_model_event_at(t->model, i);

		if (strcmp(e->container, container) != 0)
			continue;
		/* Insert by seq, newest first, keeping max. */
		for (k = found; k > 0 && out[k - 1]->seq < e->seq; k--)
			if (k < max)
				out[k] = out[k - 1];
		if (k < max) {
			out[k] = e;
			if (found < max)
				found++;
		}
	}
	return found;
}
