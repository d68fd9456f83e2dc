/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_events.c: what happened at the location, for people (docs/PROTOCOL.md,
 * "Events").  A bounded ring of the last TF_EVENTS_MAX events with wall
 * clock times: containers spawned, running, exited (with the code), failed,
 * OOM-killed, destroyed (and by whom), rebooted, lost; nodes up and down;
 * volumes created and destroyed.  A session that sends `events_sub {on:
 * true}` gets what of the ring it may see, then each new event as an
 * `event` push; others get nothing.
 *
 * Container events come from one place, loc_event_container (every change
 * of a record passes there): the record remembers the last state told
 * (ev_state), so a new state is one event whatever path set it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_codec_metrics.h"
#include "tf_log.h"

static void
events_owner_name(struct location *loc, int64_t user_id, char *name,
		  size_t size)
{
	bool admin;

	name[0] = '\0';
	if (user_id < 0)
		return;
	for (size_t i = 0; i < loc->n_sessions; i++) {
		const struct loc_session *s = loc->sessions[i];

		if (!s->dead && s->user_id == user_id) {
			snprintf(name, size, "%s", s->user_name);
			return;
		}
	}
	if (loc_db_user_get(loc, user_id, name, size, &admin) != 0)
		name[0] = '\0';
}

static bool
events_may_see(const struct loc_session *s, const struct loc_event *e)
{
	return e->owner < 0 || loc_may_see(s, e->owner);
}

static void
events_rec(const struct loc_event *e, tf_event_rec *r)
{
	memset(r, 0, sizeof *r);
	r->seq = e->seq;
	r->time = e->time;
	r->kind = e->kind;
	r->container = e->container;
	r->tag = e->tag;
	r->node = e->node;
	r->volume = e->volume;
	r->user = e->user;
	r->text = e->text;
}

void
loc_events_add(struct location *loc, const char *kind, int64_t owner,
	       const struct loc_container *c, const char *node,
	       const char *volume, const char *fmt, ...)
{
	struct loc_event *e;
	tf_event_rec r;
	va_list ap;

	if (loc->events == NULL)
		loc->events = tf_calloc(TF_EVENTS_MAX, sizeof *loc->events);
	if (loc->event_seq == 0)
		/* Ids stay new across restarts of the location. */
		loc->event_seq = (int64_t)(tf_wall_time() * 1000);
	e = &loc->events[(loc->events_head + loc->n_events) % TF_EVENTS_MAX];
	if (loc->n_events < TF_EVENTS_MAX)
		loc->n_events++;
	else
		loc->events_head = (loc->events_head + 1) % TF_EVENTS_MAX;
	memset(e, 0, sizeof *e);
	e->seq = ++loc->event_seq;
	e->time = tf_wall_time();
	e->owner = owner;
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	if (c != NULL) {
		const struct loc_node *n = loc_node_find(loc, c->node_id);

		snprintf(e->container, sizeof e->container, "%s", c->id);
		snprintf(e->tag, sizeof e->tag, "%s", c->tag);
		if (node == NULL && n != NULL)
			node = n->name;
	}
	snprintf(e->node, sizeof e->node, "%s", node != NULL ? node : "");
	snprintf(e->volume, sizeof e->volume, "%s", volume != NULL ? volume : "");
	events_owner_name(loc, owner, e->user, sizeof e->user);
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	tf_info("event %s %s%s%s: %s", e->kind, e->container, e->node[0] ?
	    " @" : "", e->node, e->text);

	events_rec(e, &r);
	for (size_t i = 0; i < loc->n_sessions; i++) {
		struct loc_session *s = loc->sessions[i];
		tf_out o;

		if (!s->events || s->dead || !events_may_see(s, e))
			continue;
		tf_out_init(&o, "event");
		tf_event_pack(&r, &o);
		loc_send_session(loc, s, &o, 0, NULL, 0);
		tf_out_fini(&o);
	}
}

/* A container record changed: an event when its state did. */
void
loc_events_container(struct location *loc, struct loc_container *c)
{
	const char *st = c->state;
	const char *by;

	if (strcmp(st, c->ev_state) == 0)
		return;
	if (strcmp(st, "spawning") == 0 && c->ev_state[0] == '\0')
		loc_events_add(loc, "spawned", c->user_id, c, NULL, NULL,
		    "%s", c->image);
	else if (strcmp(st, "running") == 0)
		loc_events_add(loc, c->rebooting ? "rebooted" : "running",
		    c->user_id, c, NULL, NULL, c->rebooting ?
		    "rebooted: running again" : "running on %s", c->ip[0] ?
		    c->ip : "no network");
	else if (strcmp(st, "exited") == 0)
		loc_events_add(loc, "exited", c->user_id, c, NULL, NULL,
		    "exited with status %lld%s", (long long)c->exit_code,
		    c->exit_code == 137 && c->metrics.oom_kills > 0 ?
		    " (killed: out of memory)" : "");
	else if (strcmp(st, "failed") == 0)
		loc_events_add(loc, "failed", c->user_id, c, NULL, NULL,
		    "failed: %s", c->error);
	else if (strcmp(st, "lost") == 0)
		loc_events_add(loc, "lost", c->user_id, c, NULL, NULL, "%s",
		    c->error);
	else if (strcmp(st, "destroyed") == 0) {
		by = c->ended_by[0] != '\0' ? c->ended_by : "its node";
		loc_events_add(loc, "destroyed", c->user_id, c, NULL, NULL,
		    "destroyed by %s", by);
	}
	if (strcmp(st, "running") == 0)
		c->rebooting = false;
	snprintf(c->ev_state, sizeof c->ev_state, "%s", st);
}

/* A node record changed: an event when it came up or went down. */
void
loc_events_node(struct location *loc, struct loc_node *n)
{
	int up = n->up ? 1 : 0;

	if (n->ev_up == up + 1)
		return;
	if (n->ev_up != 0 || up)	/* the first "down" is no news */
		loc_events_add(loc, up ? "node_up" : "node_down", -1, NULL,
		    n->name, NULL, "node %s is %s", n->name, up ? "up" : "down");
	n->ev_up = up + 1;
}

/* events_sub {on}: answers the ring (what the session may see). */
int
req_events_sub(struct location *loc, struct loc_session *s,
	       struct loc_node *n, const tf_msg *m, tf_err *err)
{
	tf_metrics_sub_msg sub;
	tf_events_msg msg = { 0 };
	tf_event_rec *recs = NULL;
	tf_out o;

	TF_UNUSED(n);
	if (tf_events_sub_unpack(m->params, &sub, err) != 0)
		return -1;
	s->events = sub.on;
	tf_events_sub_free(&sub);
	if (s->events && loc->n_events > 0) {
		recs = tf_calloc(loc->n_events, sizeof *recs);
		for (size_t i = 0; i < loc->n_events; i++) {
			const struct loc_event *e = &loc->events[
			    (loc->events_head + i) % TF_EVENTS_MAX];

			if (events_may_see(s, e))
				events_rec(e, &recs[msg.n_events++]);
		}
		msg.events = recs;
	}
	tf_out_init(&o, TF_REPLY);
	tf_events_pack(&msg, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	free(recs);
	return 0;
}
