/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_act_net: network actions on a container: open a tunnel from a local
 * port, allow and disallow connections from an address (or from another
 * container, by name, which is turned into its IP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

struct act_net {
	char container[TF_MODEL_ID];
	char name[96];
	bool allow;
};

static bool
act_tunnel_submit(struct tui *t, struct tui_field *f, int n, void *arg)
{
	struct act_net *a = arg;
	char *end;
	long port, local;
	int actual = 0;
	void *rep;
	tf_err err;

	if (f == NULL || n < 2)
		return true;
	port = strtol(tui_form_value(&f[0]), &end, 10);
	if (*end != '\0' || port <= 0 || port > 65535) {
		tui_error(t, "tunnel: the container port must be 1-65535");
		return false;
	}
	local = *tui_form_value(&f[1]) ? strtol(tui_form_value(&f[1]), &end,
	    10) : port;
	if (*end != '\0' || local < 0 || local > 65535) {
		tui_error(t, "tunnel: the local port must be 0-65535");
		return false;
	}
	/* To the location that holds it, whichever row is selected now. */
	(void)tui_locs_container(t, a->container);
	rep = tui_act_report_arg(t, "tunnel");
	if (tf_async_tunnel_open(t->loc, a->container, (int)port, (int)local,
	    &actual, tui_act_report, rep, &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
		return false;
	}
	/* The answer comes later; name the real local port in it. */
	tui_act_report_set(rep, "tunnel localhost:%d -> %s:%ld", actual,
	    a->name, port);
	tui_message(t, "opening a tunnel localhost:%d -> %s:%ld", actual,
	    a->name, port);
	return true;
}

int
tui_act_tunnel(struct tui *t, const char *arg)
{
	const tf_model_container *c;
	struct tui_field fields[2];
	struct act_net *a;
	char first[128] = "", port[16] = "", local[16] = "";
	char title[160];
	int n = 0;

	/* ":tunnel [NAME] PORT [LOCALPORT]" */
	if (arg != NULL)
		n = sscanf(arg, "%127s %15s %15s", first, port, local);
	c = n >= 2 ? tui_locs_container(t, first) : NULL;
	if (c == NULL) {
		c = tui_act_target(t, NULL, "tunnel");
		if (n >= 1) {
			snprintf(local, sizeof local, "%s", n >= 2 ? port : "");
			snprintf(port, sizeof port, "%s", first);
		}
	}
	if (c == NULL)
		return TUI_R_REDRAW;
	a = tf_calloc(1, sizeof *a);
	snprintf(a->container, sizeof a->container, "%s", c->id);
	tui_describe_container(c, a->name, sizeof a->name);
	tui_form_field_text(&fields[0], "Port", port,
	    "The port inside the container, e.g. 80");
	tui_form_field_text(&fields[1], "Local port", local,
	    "The port on this machine (empty: the same; 0: any free one)");
	snprintf(title, sizeof title, "Tunnel to %s", a->name);
	tui_form_open(t, title, fields, 2, act_tunnel_submit, a, true);
	return TUI_R_REDRAW;
}

static void
act_allow_cb(struct tui *t, const char *text, void *arg)
{
	struct act_net *a = arg;
	const tf_model_container *other;
	const char *ip = text;
	void *rep;
	tf_err err;

	if (text == NULL || *text == '\0')
		return;
	(void)tui_locs_container(t, a->container);
	other = tf_model_container_lookup(t->model, text);
	if (other != NULL && other->ip[0] != '\0')
		ip = other->ip;
	rep = tui_act_report_arg(t, "%s %s -> %s", a->allow ? "allow" :
	    "disallow", ip, a->name);
	if (tf_async_allow(t->loc, a->container, ip, a->allow, tui_act_report, rep,
	    &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
	}
}

static int
act_allow(struct tui *t, const char *arg, bool allow)
{
	const tf_model_container *c;
	struct act_net *a;
	char first[128] = "", second[128] = "", label[200];
	int n = 0;

	if (arg != NULL)
		n = sscanf(arg, "%127s %127s", first, second);
	if (n == 2)
		c = tui_act_target(t, first, allow ? "allow" : "disallow");
	else
		c = tui_act_target(t, NULL, allow ? "allow" : "disallow");
	if (c == NULL)
		return TUI_R_REDRAW;
	a = tf_calloc(1, sizeof *a);
	snprintf(a->container, sizeof a->container, "%s", c->id);
	tui_describe_container(c, a->name, sizeof a->name);
	a->allow = allow;
	if (n >= 1) {
		act_allow_cb(t, n == 2 ? second : first, a);
		free(a);
		return TUI_R_REDRAW;
	}
	snprintf(label, sizeof label, "%s connections to %s from (IP or "
	    "container): ", allow ? "allow" : "disallow", a->name);
	tui_prompt_open(t, label, "", act_allow_cb, a, true);
	return TUI_R_REDRAW;
}

int
tui_act_allow(struct tui *t, const char *arg)
{
	return act_allow(t, arg, true);
}

int
tui_act_disallow(struct tui *t, const char *arg)
{
	return act_allow(t, arg, false);
}
