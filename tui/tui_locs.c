/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_locs: the locations one console is connected to (tfcon -l a -l b,
 * ":location add NAME").  Each is an SDK location on the console's one
 * loop, with its own model; the views merge the models (tui_list.c keeps
 * the location of every row) and t->loc / t->model name the current one:
 * the location of the selected row, or of the record an action names, so
 * an action always goes to the location that holds its target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_log.h"
#include "tf_util.h"
#include "tui.h"
#ifdef TFCON_DEMO
#include "con_demo.h"
#endif

/* The console's backends: the first whose option is set serves it; the
 * last (a real location) needs none.  Each makes the SDK location the
 * console talks to; the demo location is a test fixture, present only in a
 * tfcon built with meson -Ddemo=true. */
struct tui_backend {
	const char *name;
	bool (*wanted)(const struct tui_opts *o);
	tf_location *(*open)(struct tui *t, const char *name,
			     const tf_location_opts *base, tf_err *err);
};

static tf_location *
locs_open_location(struct tui *t, const char *name,
		   const tf_location_opts *base, tf_err *err)
{
	tf_location_opts opts = *base;

	opts.location = name;
	/* --endpoint is the address of the first location named. */
	opts.address = t->nlocs == 0 ? t->opts.endpoint : NULL;
	return tf_location_new(&opts, err);
}

#ifdef TFCON_DEMO
static bool
locs_wants_demo(const struct tui_opts *o)
{
	return o->demo;
}

static tf_location *
locs_open_demo(struct tui *t, const char *name, const tf_location_opts *base,
	       tf_err *err)
{
	TF_UNUSED(name);
	return con_demo_location(base, t->opts.demo_feed, err);
}
#endif

static const struct tui_backend locs_backends[] = {
#ifdef TFCON_DEMO
	{ "demo", locs_wants_demo, locs_open_demo },
#endif
	{ "location", NULL, locs_open_location },
};

bool
tui_have_demo(void)
{
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(locs_backends); i++)
		if (strcmp(locs_backends[i].name, "demo") == 0)
			return true;
	return false;
}

static const struct tui_backend *
locs_backend(const struct tui_opts *o, tf_err *err)
{
	size_t i;

	if (o->demo && !tui_have_demo()) {
		tf_err_set(err, "this tfcon was built without the demo location "
		    "(--demo is a test fixture: build with meson -Ddemo=true)");
		return NULL;
	}
	for (i = 0; i < TF_ARRAY_LEN(locs_backends); i++)
		if (locs_backends[i].wanted == NULL ||
		    locs_backends[i].wanted(o))
			return &locs_backends[i];
	return NULL;
}

static void
locs_model_cb(tf_model *m, tf_model_kind kind, tf_model_op op, const char *id,
	      void *arg)
{
	struct tui *t = arg;

	TF_UNUSED(m);
	TF_UNUSED(kind);
	TF_UNUSED(op);
	TF_UNUSED(id);
	t->dirty = true;
}

/* Connection news, prefixed with the location's name when there are
 * several (the header shows each one's state as well). */
static void
locs_event_cb(tf_location *loc, tf_event ev, const char *text, void *arg)
{
	struct tui *t = arg;
	tf_status st = tf_location_status(loc);
	char who[80] = "";

	if (t->nlocs > 1)
		snprintf(who, sizeof who, "%s: ", tf_location_name(loc));
	switch (ev) {
	case TF_EVENT_STATE:
		if (st == TF_STATUS_UP)
			tui_message(t, "connected to %s as %s",
			    tf_location_name(loc), tf_location_user(loc));
		else if (st == TF_STATUS_DOWN)
			tui_error(t, "%sconnection lost%s%s; reconnecting", who,
			    *text ? ": " : "", text);
		else if (st == TF_STATUS_REFUSED)
			tui_error(t, "%sthe location refused this account%s%s",
			    who, *text ? ": " : "", text);
		break;
	case TF_EVENT_LOG_INFO:
		tui_message(t, "%s%s", who, text);
		break;
	case TF_EVENT_LOG_ERROR:
		tui_error(t, "%s%s", who, text);
		break;
	}
	t->dirty = true;
}

int
tui_locs_add(struct tui *t, const char *name, tf_err *err)
{
	tf_location_opts base = {
		.logging = TF_LOGGING_UNCHANGED,
		.program = "tfcon",
		.no_wait = true,
		.on_event = locs_event_cb,
		.on_event_arg = t,
		.loop = t->loop,
	};
	const struct tui_backend *backend = locs_backend(&t->opts, err);
	struct tui_loc *l;
	tf_location *loc;

	if (backend == NULL)
		return -1;
	if (t->nlocs == TUI_LOCS_MAX) {
		tf_err_set(err, "at most %d locations in one console",
		    TUI_LOCS_MAX);
		return -1;
	}
	if (name != NULL && tui_locs_find(t, name) >= 0) {
		tf_err_set(err, "already connected to %s", name);
		return -1;
	}
	if (t->nlocs > 0 && strcmp(backend->name, "demo") == 0) {
		tf_err_set(err, "the demo has one location");
		return -1;
	}
	if ((loc = backend->open(t, name, &base, err)) == NULL)
		return -1;
	l = &t->locs[t->nlocs];
	l->loc = loc;
	l->model = tf_location_model(loc);
	snprintf(l->name, sizeof l->name, "%s", tf_location_name(loc));
	tf_model_listen(l->model, locs_model_cb, t);
	/* Sent with every offer from now on (tf.h, "Metrics"). */
	if (tf_location_watch_metrics(loc, true, err) != 0 ||
	    tf_location_watch_events(loc, true, err) != 0) {
		tf_model_unlisten(l->model, locs_model_cb, t);
		tf_location_destroy(&l->loc);
		memset(l, 0, sizeof *l);
		return -1;
	}
	tui_locs_use(t, t->nlocs++);
	t->dirty = true;
	return 0;
}

void
tui_locs_use(struct tui *t, int i)
{
	if (i < 0 || i >= t->nlocs)
		return;
	t->cur_loc = i;
	t->loc = t->locs[i].loc;
	t->model = t->locs[i].model;
}

int
tui_locs_find(struct tui *t, const char *name)
{
	for (int i = 0; i < t->nlocs; i++)
		if (strcmp(t->locs[i].name, name) == 0)
			return i;
	return -1;
}

const tf_model_container *
tui_locs_container(struct tui *t, const char *name)
{
	const tf_model_container *c;

	if (t->model != NULL &&
	    (c = tf_model_container_lookup(t->model, name)) != NULL)
		return c;
	for (int i = 0; i < t->nlocs; i++) {
		if (i == t->cur_loc)
			continue;
		c = tf_model_container_lookup(t->locs[i].model, name);
		if (c != NULL) {
			tui_locs_use(t, i);
			return c;
		}
	}
	return NULL;
}

uint64_t
tui_locs_generation(struct tui *t)
{
	uint64_t g = (uint64_t)t->nlocs << 48;

	for (int i = 0; i < t->nlocs; i++)
		g += tf_model_generation(t->locs[i].model);
	return g;
}

size_t
tui_locs_count(struct tui *t, tf_model_kind kind)
{
	size_t n = 0;

	for (int i = 0; i < t->nlocs; i++)
		if (t->only_loc < 0 || t->only_loc == i)
			n += tf_model_count(t->locs[i].model, kind);
	return n;
}

void
tui_locs_fini(struct tui *t)
{
	for (int i = 0; i < t->nlocs; i++) {
		tf_model_unlisten(t->locs[i].model, locs_model_cb, t);
		tf_location_destroy(&t->locs[i].loc);
	}
	t->nlocs = 0;
	t->model = NULL;
	t->loc = NULL;
}

int
tui_act_location(struct tui *t, const char *arg)
{
	char verb[16] = "", name[64] = "";
	tf_err err;
	int i;

	if (arg == NULL || sscanf(arg, "%15s %63s", verb, name) < 1) {
		tui_error(t, "location: add NAME, NAME or all");
		return TUI_R_REDRAW;
	}
	if (strcmp(verb, "add") == 0) {
		if (name[0] == '\0') {
			tui_error(t, "location add: which location?");
			return TUI_R_REDRAW;
		}
		tf_err_clear(&err);
		if (tui_locs_add(t, name, &err) != 0)
			tui_error(t, "location add %s: %s", name, err.msg);
		else
			tui_message(t, "connecting to %s", name);
		return TUI_R_REDRAW;
	}
	if (strcmp(verb, "all") == 0) {
		t->only_loc = -1;
		tui_message(t, "showing all %d locations", t->nlocs);
	} else if ((i = tui_locs_find(t, verb)) >= 0) {
		t->only_loc = i;
		tui_locs_use(t, i);
		tui_message(t, "showing only %s (:location all shows all)",
		    verb);
	} else {
		tui_error(t, "location: not connected to '%s' (:location add "
		    "%s connects)", verb, verb);
		return TUI_R_REDRAW;
	}
	tui_list_set_filter(t, tui_list_filter(t));
	return TUI_R_REDRAW;
}
