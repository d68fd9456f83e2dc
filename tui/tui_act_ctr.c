/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_act_ctr: actions on containers (and the destroy action, which means
 * "the selected thing" in every view): spawn, destroy with a confirmation,
 * reboot, reset, wake, logs, run a process, shell, processes.  Requests go
 * through the SDK's event-driven calls; answers come back as a message
 * line.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

struct act_report {
	struct tui *t;
	char what[200];
};

void *
tui_act_report_arg(struct tui *t, const char *fmt, ...)
{
	struct act_report *r = tf_calloc(1, sizeof *r);
	va_list ap;

	r->t = t;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
	return r;
}

void
tui_act_report_set(void *arg, const char *fmt, ...)
{
	struct act_report *r = arg;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
}

void
tui_act_report(void *arg, const char *error, const msgpack_object *params)
{
	struct act_report *r = arg;

	TF_UNUSED(params);
	if (error != NULL)
		tui_error(r->t, "%s failed: %s", r->what, error);
	else
		tui_message(r->t, "%s: done", r->what);
	free(r);
}

/* Sends through fn or reports why it could not be sent. */
#define ACT_SEND(t, call, rep) do { \
	tf_err err_; \
	if ((call) != 0) { \
		tui_error((t), "%s", err_.msg); \
		free(rep); \
	} \
} while (0)

const tf_model_container *
tui_act_target(struct tui *t, const char *arg, const char *verb)
{
	const tf_model_container *c;
	const tf_model_proc *p;
	const tf_model_volume *v;

	if (arg != NULL && *arg != '\0') {
		c = tui_locs_container(t, arg);
		if (c == NULL)
			tui_error(t, "%s: no container '%s' (or the name is "
			    "ambiguous)", verb, arg);
		return c;
	}
	switch (tui_list_view(t)) {
	case TUI_VIEW_CONTAINERS:
		c = tui_list_selected_rec(t);
		break;
	case TUI_VIEW_PROCS:
		p = tui_list_selected_rec(t);
		c = p ? tf_model_container_find(t->model, p->container) : NULL;
		break;
	case TUI_VIEW_EVENTS: {
		const tf_model_event *e = tui_list_selected_rec(t);

		c = e != NULL && e->container[0] != '\0' ?
		    tf_model_container_find(t->model, e->container) : NULL;
		break;
	}
	case TUI_VIEW_VOLUMES:
		v = tui_list_selected_rec(t);
		c = v && v->nmounts ? tf_model_container_find(t->model,
		    v->mounts[0]) : NULL;
		break;
	default:
		c = NULL;
	}
	if (c == NULL)
		tui_error(t, "%s: select a container first (2 shows them)", verb);
	return c;
}

int
tui_act_spawn(struct tui *t, const char *arg)
{
	const void *rec = tui_list_selected_rec(t);
	char image[256] = "", tag[80] = "";

	if (arg != NULL && *arg != '\0') {
		if (sscanf(arg, "%255s %79s", image, tag) < 1)
			return TUI_R_REDRAW;
		tui_spawn_quick(t, image, tag);
		return TUI_R_REDRAW;
	}
	if (tui_list_view(t) == TUI_VIEW_IMAGES && rec != NULL)
		tui_spawn_open(t, ((const tf_model_image *)rec)->name, NULL);
	else if (tui_list_view(t) == TUI_VIEW_NODES && rec != NULL)
		tui_spawn_open(t, NULL, ((const tf_model_node *)rec)->id);
	else
		tui_spawn_open(t, NULL, NULL);
	return TUI_R_REDRAW;
}

/* What a confirmed destroy acts on, copied: the model may change while
 * the dialog is open. */
struct act_destroy {
	enum tui_view_kind kind;
	int loc;			/* the location that holds it */
	char id[TF_MODEL_ID];
	char container[TF_MODEL_ID];
	char name[128];
};

static void
act_destroy_cb(struct tui *t, bool ok, void *arg)
{
	struct act_destroy *d = arg;
	void *rep;

	if (!ok) {
		tui_message(t, "cancelled");
		return;
	}
	tui_locs_use(t, d->loc);
	switch (d->kind) {
	case TUI_VIEW_CONTAINERS:
		tui_message(t, "destroying %s", d->name);
		rep = tui_act_report_arg(t, "destroy %s", d->name);
		ACT_SEND(t, tf_async_destroy(t->loc, d->id, tui_act_report, rep,
		    &err_), rep);
		break;
	case TUI_VIEW_VOLUMES:
		rep = tui_act_report_arg(t, "destroy volume %s", d->name);
		ACT_SEND(t, tf_async_volume(t->loc, TF_VOLUME_DESTROY, d->id,
		    tui_act_report, rep, &err_), rep);
		break;
	case TUI_VIEW_TUNNELS:
		rep = tui_act_report_arg(t, "close tunnel %s", d->name);
		ACT_SEND(t, tf_async_tunnel_close(t->loc, d->id, tui_act_report, rep,
		    &err_), rep);
		break;
	case TUI_VIEW_PROCS:
		if (tf_async_kill(t->loc, d->container, d->id, SIGTERM) != 0)
			tui_error(t, "stop %s: not connected", d->name);
		else
			tui_message(t, "sent SIGTERM to %s", d->name);
		break;
	default:
		break;
	}
}

int
tui_act_destroy(struct tui *t, const char *arg)
{
	struct act_destroy *d = tf_calloc(1, sizeof *d);
	const tf_model_container *c;
	const tf_model_volume *v;
	const tf_model_tunnel *tu;
	const tf_model_proc *p;
	char text[400], name[96];

	if (tui_marks_act(t, "destroy", arg)) {
		free(d);
		return TUI_R_REDRAW;
	}
	d->kind = tui_list_view(t);
	if (arg != NULL && *arg != '\0') {
		if ((c = tui_locs_container(t, arg)) != NULL)
			d->kind = TUI_VIEW_CONTAINERS;
		else if ((v = tf_model_volume_lookup(t->model, arg)) != NULL) {
			d->kind = TUI_VIEW_VOLUMES;
			tui_list_set_view(t, TUI_VIEW_VOLUMES);
			tui_list_select(t, v->id);
		} else {
			tui_error(t, "destroy: nothing called '%s'", arg);
			free(d);
			return TUI_R_REDRAW;
		}
	}
	switch (d->kind) {
	case TUI_VIEW_CONTAINERS:
		if ((c = tui_act_target(t, arg, "destroy")) == NULL)
			break;
		snprintf(d->id, sizeof d->id, "%s", c->id);
		tui_describe_container(c, d->name, sizeof d->name);
		snprintf(text, sizeof text, "Destroy container %s (%s, image %s, "
		    "node %s)?  Its processes and tunnels go with it.", d->name,
		    tf_model_ctr_state_name(c->state), c->image,
		    tui_node_name(t, c->node));
		d->loc = t->cur_loc;
		tui_confirm_open(t, "Destroy container", text, "Destroy",
		    act_destroy_cb, d);
		return TUI_R_REDRAW;
	case TUI_VIEW_VOLUMES:
		if ((v = tui_list_selected_rec(t)) == NULL)
			break;
		snprintf(d->id, sizeof d->id, "%s", v->id);
		snprintf(d->name, sizeof d->name, "%.8s%s%s", v->id,
		    v->tag[0] ? ":" : "", v->tag);
		snprintf(text, sizeof text, "Destroy volume %s and all its data?",
		    d->name);
		d->loc = t->cur_loc;
		tui_confirm_open(t, "Destroy volume", text, "Destroy",
		    act_destroy_cb, d);
		return TUI_R_REDRAW;
	case TUI_VIEW_TUNNELS:
		if ((tu = tui_list_selected_rec(t)) == NULL)
			break;
		snprintf(d->id, sizeof d->id, "%s", tu->id);
		snprintf(d->name, sizeof d->name, "localhost:%lld",
		    (long long)tu->localport);
		snprintf(text, sizeof text, "Close the tunnel from %s?", d->name);
		d->loc = t->cur_loc;
		tui_confirm_open(t, "Close tunnel", text, "Close",
		    act_destroy_cb, d);
		return TUI_R_REDRAW;
	case TUI_VIEW_PROCS:
		if ((p = tui_list_selected_rec(t)) == NULL)
			break;
		snprintf(d->id, sizeof d->id, "%s", p->id);
		snprintf(d->container, sizeof d->container, "%s", p->container);
		snprintf(d->name, sizeof d->name, "%s", p->command);
		snprintf(name, sizeof name, "%.60s", p->command);
		snprintf(text, sizeof text, "Stop process %s?", name);
		d->loc = t->cur_loc;
		tui_confirm_open(t, "Stop process", text, "Stop",
		    act_destroy_cb, d);
		return TUI_R_REDRAW;
	default:
		tui_error(t, "destroy: nothing to destroy in this view");
		break;
	}
	free(d);
	return TUI_R_REDRAW;
}

static void
act_reset_cb(struct tui *t, bool ok, void *arg)
{
	struct act_destroy *d = arg;
	void *rep;

	if (!ok) {
		tui_message(t, "cancelled");
		return;
	}
	tui_locs_use(t, d->loc);
	rep = tui_act_report_arg(t, "reset %s", d->name);
	ACT_SEND(t, tf_async_reboot(t->loc, d->id, true, tui_act_report, rep, &err_),
	    rep);
	tui_message(t, "resetting %s", d->name);
}

int
tui_act_reboot(struct tui *t, const char *arg)
{
	const tf_model_container *c;
	char name[96];
	void *rep;

	if (tui_marks_act(t, "reboot", arg))
		return TUI_R_REDRAW;
	c = tui_act_target(t, arg, "reboot");
	if (c == NULL)
		return TUI_R_REDRAW;
	tui_describe_container(c, name, sizeof name);
	rep = tui_act_report_arg(t, "reboot %s", name);
	ACT_SEND(t, tf_async_reboot(t->loc, c->id, false, tui_act_report, rep,
	    &err_), rep);
	tui_message(t, "rebooting %s", name);
	return TUI_R_REDRAW;
}

int
tui_act_reset(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "reset");
	struct act_destroy *d;
	char text[300];

	if (c == NULL)
		return TUI_R_REDRAW;
	d = tf_calloc(1, sizeof *d);
	snprintf(d->id, sizeof d->id, "%s", c->id);
	tui_describe_container(c, d->name, sizeof d->name);
	snprintf(text, sizeof text, "Reboot %s with its filesystem reset to "
	    "the image %s?  Changes made inside it are lost.", d->name,
	    c->image);
	d->loc = t->cur_loc;
	tui_confirm_open(t, "Reboot with reset", text, "Reset", act_reset_cb,
	    d);
	return TUI_R_REDRAW;
}

int
tui_act_wake(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "wake");
	char name[96];
	void *rep;

	if (c == NULL)
		return TUI_R_REDRAW;
	tui_describe_container(c, name, sizeof name);
	rep = tui_act_report_arg(t, "wake %s", name);
	ACT_SEND(t, tf_async_wake(t->loc, c->id, tui_act_report, rep, &err_), rep);
	return TUI_R_REDRAW;
}

int
tui_act_logs(struct tui *t, const char *arg)
{
	const tf_model_container *c;

	if (tui_marks_act(t, "logs", arg))
		return TUI_R_REDRAW;
	c = tui_act_target(t, arg, "logs");
	if (c != NULL)
		tui_logpane_open_logs(t, c->id);
	return TUI_R_REDRAW;
}

static void
act_exec_cb(struct tui *t, const char *text, void *arg)
{
	const char *id = arg;

	if (text == NULL || *text == '\0')
		return;
	if (tui_locs_container(t, id) == NULL) {
		tui_error(t, "run: the container has gone");
		return;
	}
	tui_logpane_open_proc(t, id, text);
}

/* ":run NAME CMD" or ":run CMD" (in the selected container); the action
 * without an argument asks for the command. */
int
tui_act_exec(struct tui *t, const char *arg)
{
	const tf_model_container *c = NULL;
	char first[128] = "", label[160], name[96];
	const char *rest = NULL;

	if (arg != NULL && *arg != '\0') {
		sscanf(arg, "%127s", first);
		rest = arg + strlen(first);
		while (*rest == ' ')
			rest++;
		if (*rest != '\0')
			c = tui_locs_container(t, first);
		if (c == NULL)
			rest = arg;
	}
	if (c == NULL && (c = tui_act_target(t, NULL, "run")) == NULL)
		return TUI_R_REDRAW;
	if (rest != NULL && *rest != '\0') {
		tui_logpane_open_proc(t, c->id, rest);
		return TUI_R_REDRAW;
	}
	snprintf(label, sizeof label, "run in %s: ",
	    tui_describe_container(c, name, sizeof name));
	tui_prompt_open(t, label, "", act_exec_cb, tf_strdup(c->id), true);
	return TUI_R_REDRAW;
}

int
tui_act_shell(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "shell");

	if (c != NULL)
		tui_shell_open(t, c->id);
	return TUI_R_REDRAW;
}

int
tui_act_procs(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "procs");

	if (c == NULL)
		return TUI_R_REDRAW;
	tui_list_set_procs_of(t, c->id);
	tui_list_set_view(t, TUI_VIEW_PROCS);
	return TUI_R_REDRAW;
}
