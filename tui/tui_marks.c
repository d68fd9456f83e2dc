/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_marks: marked containers and the actions on all of them at once.
 * Space marks (or unmarks) the selected container, M marks every container
 * the view shows (or, when all are marked, unmarks them); while any is
 * marked, destroy, reboot and logs in the Containers view act on the marked
 * ones: destroy and reboot after one confirmation that says how many
 * (Cancel is the default), logs in one pane that follows them all, each
 * line prefixed with its container.  Marks of containers that have gone
 * are dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

static bool
marks_exists(struct tui *t, const char *id)
{
	for (int l = 0; l < t->nlocs; l++)
		if (tf_model_container_find(t->locs[l].model, id) != NULL)
			return true;
	return false;
}

static void
marks_prune(struct tui *t)
{
	size_t i = 0;

	while (i < t->nmarks) {
		if (marks_exists(t, t->marks[i])) {
			i++;
			continue;
		}
		memmove(t->marks[i], t->marks[t->nmarks - 1], sizeof t->marks[i]);
		t->nmarks--;
	}
}

bool
tui_marks_has(struct tui *t, const char *id)
{
	for (size_t i = 0; i < t->nmarks; i++)
		if (strcmp(t->marks[i], id) == 0)
			return true;
	return false;
}

size_t
tui_marks_count(struct tui *t)
{
	marks_prune(t);
	return t->nmarks;
}

static void
marks_set(struct tui *t, const char *id, bool on)
{
	size_t i;

	for (i = 0; i < t->nmarks; i++)
		if (strcmp(t->marks[i], id) == 0)
			break;
	if (!on && i < t->nmarks) {
		memmove(t->marks[i], t->marks[t->nmarks - 1], sizeof t->marks[i]);
		t->nmarks--;
	} else if (on && i == t->nmarks) {
		if (t->nmarks == t->capmarks) {
			t->capmarks = t->capmarks ? t->capmarks * 2 : 16;
			t->marks = tf_realloc(t->marks, t->capmarks *
			    sizeof *t->marks);
		}
		snprintf(t->marks[t->nmarks++], sizeof t->marks[0], "%s", id);
	}
}

void
tui_marks_fini(struct tui *t)
{
	free(t->marks);
	t->marks = NULL;
	t->nmarks = t->capmarks = 0;
}

static void
marks_say(struct tui *t)
{
	size_t n = tui_marks_count(t);

	if (n == 0)
		tui_message(t, "no container marked");
	else
		tui_message(t, "%zu container%s marked: d destroys, r reboots, "
		    "l follows %s", n, n == 1 ? "" : "s", n == 1 ? "it" :
		    "them all");
}

int
tui_act_mark(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "mark");

	if (c == NULL)
		return TUI_R_REDRAW;
	marks_set(t, c->id, !tui_marks_has(t, c->id));
	if (arg == NULL || *arg == '\0')
		t->scr.list->ops->command(t->scr.list, t, "move.down", NULL);
	marks_say(t);
	return TUI_R_REDRAW;
}

int
tui_act_mark_all(struct tui *t, const char *arg)
{
	const void *const *rows;
	size_t n, i, marked = 0;

	TF_UNUSED(arg);
	if (tui_list_view(t) != TUI_VIEW_CONTAINERS) {
		tui_error(t, "mark: only containers can be marked");
		return TUI_R_REDRAW;
	}
	rows = tui_list_rows(t, &n);
	for (i = 0; i < n; i++)
		marked += tui_marks_has(t, rows[i]);
	for (i = 0; i < n; i++)
		marks_set(t, rows[i], marked < n);
	marks_say(t);
	return TUI_R_REDRAW;
}

/* ---- actions on the marked -------------------------------------------- */

/* One allocation: the confirmation dialog frees it with free(). */
struct marks_job {
	bool reboot;
	size_t n;
	char ids[][TF_MODEL_ID];
};

static void
marks_confirm_cb(struct tui *t, bool ok, void *arg)
{
	struct marks_job *j = arg;
	size_t sent = 0;

	if (ok) {
		for (size_t i = 0; i < j->n; i++) {
			const tf_model_container *c =
			    tui_locs_container(t, j->ids[i]);
			char name[96];
			void *rep;
			tf_err err;
			int rc;

			if (c == NULL)
				continue;
			tui_describe_container(c, name, sizeof name);
			rep = tui_act_report_arg(t, "%s %s", j->reboot ?
			    "reboot" : "destroy", name);
			rc = j->reboot ? tf_async_reboot(t->loc, c->id, false,
			    tui_act_report, rep, &err) :
			    tf_async_destroy(t->loc, c->id, tui_act_report, rep,
			    &err);
			if (rc != 0) {
				tui_error(t, "%s", err.msg);
				free(rep);
				continue;
			}
			sent++;
		}
		tui_message(t, "%s %zu container%s", j->reboot ? "rebooting" :
		    "destroying", sent, sent == 1 ? "" : "s");
		if (!j->reboot)
			tui_marks_fini(t);
	} else {
		tui_message(t, "cancelled");
	}
}

/* destroy and reboot call this first: 1 when the marked took the action. */
int
tui_marks_act(struct tui *t, const char *verb, const char *arg)
{
	struct marks_job *j;
	char text[300];
	size_t n;

	if ((arg != NULL && *arg != '\0') ||
	    tui_list_view(t) != TUI_VIEW_CONTAINERS ||
	    (n = tui_marks_count(t)) == 0)
		return 0;
	if (strcmp(verb, "logs") == 0) {
		tui_logpane_open_multi(t, (const char (*)[TF_MODEL_ID])t->marks,
		    n);
		return 1;
	}
	j = tf_calloc(1, sizeof *j + n * sizeof j->ids[0]);
	j->reboot = strcmp(verb, "reboot") == 0;
	j->n = n;
	memcpy(j->ids, t->marks, n * sizeof j->ids[0]);
	snprintf(text, sizeof text, "%s the %zu marked container%s?%s",
	    j->reboot ? "Reboot" : "Destroy", n, n == 1 ? "" : "s",
	    j->reboot ? "" : "  Their processes and tunnels go with them.");
	tui_confirm_open(t, j->reboot ? "Reboot marked" : "Destroy marked",
	    text, j->reboot ? "Reboot" : "Destroy", marks_confirm_cb, j);
	return 1;
}
