/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_act_vol: volume actions (create with a form, snapshot, rollback with
 * a confirmation) and "create", which means a volume in the volumes view
 * and a tunnel in the tunnels view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

static const tf_model_volume *
act_volume(struct tui *t, const char *arg, const char *verb)
{
	const tf_model_volume *v;

	if (arg != NULL && *arg != '\0') {
		v = tf_model_volume_lookup(t->model, arg);
		if (v == NULL)
			tui_error(t, "%s: no volume '%s'", verb, arg);
		return v;
	}
	if (tui_list_view(t) == TUI_VIEW_VOLUMES &&
	    (v = tui_list_selected_rec(t)) != NULL)
		return v;
	tui_error(t, "%s: select a volume first (4 shows them)", verb);
	return NULL;
}

static bool
act_volume_submit(struct tui *t, struct tui_field *f, int n, void *arg)
{
	const char *node, *tag;
	void *rep;
	tf_err err;

	TF_UNUSED(arg);
	if (f == NULL || n < 2)
		return true;
	node = tui_form_value(&f[0]);
	tag = tui_form_value(&f[1]);
	if (*tag != '\0' && !tf_tag_valid(tag)) {
		tui_error(t, "volume: a tag is 1-64 of a-z 0-9 - _ . and not a "
		    "uuid");
		return false;
	}
	rep = tui_act_report_arg(t, "create volume%s%s", *tag ? " " : "", tag);
	if (tf_async_volume_create(t->loc, node, tag, tui_act_report, rep, &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
		return false;
	}
	tui_list_set_view(t, TUI_VIEW_VOLUMES);
	return true;
}

int
tui_act_volume_create(struct tui *t, const char *arg)
{
	const tf_model_node *best = tf_model_best_node(t->model), *n;
	struct tui_field fields[2];
	char label[128];
	size_t i;

	tui_form_field_choice(&fields[0], "Node",
	    "Where the volume lives; containers mounting it run there");
	snprintf(label, sizeof label, "best (%s)", best ? best->name : "none up");
	tui_form_choice_add(&fields[0], label, "");
	for (i = 0; i < tf_model_count(t->model, TF_MODEL_NODE); i++) {
		n = tf_model_node_at(t->model, i);
		if (n->up)
			tui_form_choice_add(&fields[0], n->name, n->id);
	}
	tui_form_field_text(&fields[1], "Tag", arg ? arg : "",
	    "Optional name, e.g. pgdata");
	tui_form_open(t, "Create volume", fields, 2, act_volume_submit, NULL,
	    false);
	return TUI_R_REDRAW;
}

int
tui_act_create(struct tui *t, const char *arg)
{
	if (tui_list_view(t) == TUI_VIEW_TUNNELS) {
		tui_message(t, "select a container (2) and press the tunnel key");
		tui_list_set_view(t, TUI_VIEW_CONTAINERS);
		return TUI_R_REDRAW;
	}
	if (tui_list_view(t) == TUI_VIEW_VOLUMES)
		return tui_act_volume_create(t, arg);
	return tui_act_spawn(t, arg);
}

int
tui_act_snapshot(struct tui *t, const char *arg)
{
	const tf_model_volume *v = act_volume(t, arg, "snapshot");
	void *rep;
	tf_err err;

	if (v == NULL)
		return TUI_R_REDRAW;
	rep = tui_act_report_arg(t, "snapshot %.8s%s%s", v->id,
	    v->tag[0] ? ":" : "", v->tag);
	if (tf_async_volume(t->loc, TF_VOLUME_SNAPSHOT, v->id, tui_act_report, rep,
	    &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
	}
	return TUI_R_REDRAW;
}

static void
act_rollback_cb(struct tui *t, bool ok, void *arg)
{
	const char *id = arg;
	void *rep;
	tf_err err;

	if (!ok) {
		tui_message(t, "cancelled");
		return;
	}
	rep = tui_act_report_arg(t, "rollback %.8s", id);
	if (tf_async_volume(t->loc, TF_VOLUME_ROLLBACK, id, tui_act_report, rep,
	    &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
	}
}

int
tui_act_rollback(struct tui *t, const char *arg)
{
	const tf_model_volume *v = act_volume(t, arg, "rollback");
	char text[256];

	if (v == NULL)
		return TUI_R_REDRAW;
	if (!v->snapshot) {
		tui_error(t, "rollback: volume %.8s has no snapshot", v->id);
		return TUI_R_REDRAW;
	}
	snprintf(text, sizeof text, "Roll volume %.8s%s%s back to its "
	    "snapshot?  Everything written since is lost.", v->id,
	    v->tag[0] ? ":" : "", v->tag);
	tui_confirm_open(t, "Roll back volume", text, "Roll back",
	    act_rollback_cb, tf_strdup(v->id));
	return TUI_R_REDRAW;
}
