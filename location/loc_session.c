/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_session.c: hello/welcome for clients and nodes, session resumption,
 * heartbeats and timeouts, and garbage collection of sessions whose client
 * has been gone for the grace period (containers and tunnels destroyed,
 * volumes kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "location.h"
#include "tf_codec_hosts.h"
#include "tf_codec_report.h"
#include "tf_codec_session.h"
#include "tf_log.h"

static void
session_welcome(struct location *loc, struct loc_session *s, uint64_t id,
		bool resumed)
{
	tf_welcome_msg w = { .session = s->id, .user = s->user_id,
	    .user_name = s->user_name, .admin = s->admin, .resumed = resumed,
	    .heartbeat_ms = loc->opt.heartbeat_ms,
	    .boot = (int64_t)loc->boot_ms };
	tf_out o;

	TF_SET(&tf_welcome_codec, &w, user);
	TF_SET(&tf_welcome_codec, &w, admin);
	tf_out_init(&o, TF_REPLY);
	tf_welcome_pack(&w, &o);
	loc_send_session(loc, s, &o, id, NULL, 0);
	tf_out_fini(&o);
	loc_push_offer(loc, s);
}

static void
session_hello_user(struct location *loc, const tf_msg *m, int64_t user_id)
{
	struct loc_session *s = NULL, *other;
	bool resumed = false;
	tf_hello_msg h;

	if (tf_hello_unpack(m->params, &h, NULL) != 0) {
		tf_send_error(loc->router, m->rid, m->rid_len, m->id,
		    "hello: params must be a map");
		return;
	}
	if (h.session[0] != '\0') {
		s = loc_session_find(loc, h.session);
		if (s != NULL && s->user_id != user_id)
			s = NULL;	/* someone else's id: start afresh */
	}
	/* The same connection saying hello again replaces its session: the
	 * old one keeps nothing that routes to this connection. */
	other = loc_session_by_rid(loc, m->rid, m->rid_len);
	if (other != NULL && other != s) {
		other->connected = false;
		other->rid_len = 0;
	}
	if (s != NULL) {
		resumed = true;
		if (!s->connected)
			tf_info("session %s (%s) resumed", s->id, s->name);
	} else {
		tf_uuid u;
		tf_err err;

		if (loc_quota_check(loc, user_id, LOC_QUOTA_SESSIONS, 1,
		    &err) != 0) {
			tf_send_error(loc->router, m->rid, m->rid_len, m->id,
			    "%s", err.msg);
			return;
		}
		s = tf_calloc(1, sizeof *s);
		tf_uuid_make(&u);
		snprintf(s->id, sizeof s->id, "%s", u.s);
		s->user_id = user_id;
		if (loc_db_user_get(loc, user_id, s->user_name,
		    sizeof s->user_name, &s->admin) != 0) {
			free(s);
			tf_send_error(loc->router, m->rid, m->rid_len, m->id,
			    "your account no longer exists");
			tf_hello_free(&h);
			return;
		}
		snprintf(s->name, sizeof s->name, "%s", h.name);
		s->pid = h.pid;
		LOC_PUSH(sessions, s);
		loc_db_session_save(loc, s);
		tf_info("session %s opened for %s (%s)", s->id, s->user_name,
		    s->name);
	}
	memcpy(s->rid, m->rid, m->rid_len);
	s->rid_len = m->rid_len;
	s->connected = true;
	s->last_rx_ms = tf_now_ms();
	s->down_since_ms = 0;
	tf_hello_free(&h);
	session_welcome(loc, s, m->id, resumed);
}

/* A node reports its containers on every hello: they are the truth after a
 * location restart or a node restart.  A container recorded on this node
 * that the node does not report has ended while we were apart: its owner
 * hears it was destroyed. */
/* A container record of a node's hello, taken in. */
static void
session_node_record(struct location *loc, struct loc_node *node,
		    const tf_node_ctr_rec *r, double now)
{
	const tf_codec *rc = &tf_node_ctr_rec_codec;
	struct loc_container *c;

	if (!tf_uuid_valid(r->container))
		return;
	c = loc_container_find(loc, r->container);
	if (c == NULL) {
		c = tf_calloc(1, sizeof *c);
		snprintf(c->id, sizeof c->id, "%s", r->container);
		c->created = now;
		LOC_PUSH(containers, c);
	}
	if (strcmp(c->state, "lost") == 0)
		c->error[0] = '\0';	/* found again */
	c->node_id = node->id;
	c->user_id = r->user;
	snprintf(c->session, sizeof c->session, "%s", r->session);
	snprintf(c->tag, sizeof c->tag, "%s", r->tag);
	snprintf(c->image, sizeof c->image, "%s", r->image);
	if (r->state[0] != '\0')
		snprintf(c->state, sizeof c->state, "%s", r->state);
	if (TF_HAS(rc, r, ip))
		snprintf(c->ip, sizeof c->ip, "%s", r->ip);
	if (TF_HAS(rc, r, exit_code))
		c->exit_code = r->exit_code;
	if (TF_HAS(rc, r, error))
		snprintf(c->error, sizeof c->error, "%s", r->error);
	if (TF_HAS(rc, r, created))
		c->created = r->created;
	if (TF_HAS(rc, r, started))
		c->started = r->started;
	if (TF_HAS(rc, r, startup_ms))
		c->startup_ms = r->startup_ms;
	loc_event_container(loc, c);
}

static void
session_node_containers(struct location *loc, struct loc_node *node,
			const tf_msg *m)
{
	double now = tf_wall_time();
	tf_node_hello_msg h;
	tf_err err;

	if (tf_node_hello_unpack(m->params, &h, &err) != 0) {
		tf_warn("node %s: hello: %s", node->name, err.msg);
		memset(&h, 0, sizeof h);
	}
	/* Forget what the node no longer has. */
	for (size_t i = 0; i < loc->n_containers; i++) {
		struct loc_container *c = loc->containers[i];
		bool listed = false;

		if (c->dead || c->node_id != node->id)
			continue;
		for (size_t k = 0; k < h.n_containers; k++) {
			if (strcmp(h.containers[k].container, c->id) == 0)
				listed = true;
		}
		if (!listed) {
			c->dead = true;
			snprintf(c->state, sizeof c->state, "destroyed");
			loc_event_container(loc, c);
			loc_event_container_gone(loc, c);
		}
	}
	for (size_t k = 0; k < h.n_containers; k++)
		session_node_record(loc, node, &h.containers[k], now);
	tf_node_hello_free(&h);
}

/* Node k gets the k-th /node_prefix block of A.B (block 0 left out, as
 * .0 always was); a /24 each is the historic 10.220.<k % 250 + 1>.0/24. */
static void
session_node_subnet(struct location *loc, struct loc_node *n)
{
	int prefix = loc->opt.node_prefix, block = 1 << (24 - prefix);
	long long slots = prefix == 24 ? 250 : 256 / block - 1;
	long long third = (n->id % slots + 1) * block;

	snprintf(n->subnet, sizeof n->subnet, "%s.%lld.0/%d",
	    loc->opt.subnet_base, third, prefix);
	snprintf(n->gateway, sizeof n->gateway, "%s.%lld.1",
	    loc->opt.subnet_base, third);
}

static void
session_hello_node(struct location *loc, const tf_msg *m, int64_t node_id)
{
	struct loc_node *n = loc_node_find(loc, node_id);
	tf_welcome_msg w;
	tf_hello_msg h;
	tf_out o;

	if (n == NULL) {
		n = tf_calloc(1, sizeof *n);
		n->id = node_id;
		LOC_PUSH(nodes, n);
	}
	if (loc_db_node_name(loc, node_id, n->name, sizeof n->name) != 0)
		snprintf(n->name, sizeof n->name, "node%lld", (long long)node_id);
	session_node_subnet(loc, n);
	memcpy(n->rid, m->rid, m->rid_len);
	n->rid_len = m->rid_len;
	n->address[0] = '\0';
	if (tf_hello_unpack(m->params, &h, NULL) == 0) {
		snprintf(n->address, sizeof n->address, "%s", h.address);
		tf_hello_free(&h);
	}
	if (n->address[0] != '\0' && !tf_codec_ipv4_valid(n->address)) {
		tf_warn("node %s advertises a bad address \"%s\": no overlay "
		    "for it", n->name, n->address);
		n->address[0] = '\0';
	}
	if (!n->up)
		tf_info("node %s is up", n->name);
	n->up = true;
	n->last_rx_ms = tf_now_ms();

	w = (tf_welcome_msg){ .node = n->name, .node_id = n->id,
	    .session = n->name, .subnet = n->subnet, .gateway = n->gateway,
	    .resumed = false, .heartbeat_ms = loc->opt.heartbeat_ms };
	TF_SET(&tf_welcome_codec, &w, node_id);
	tf_out_init(&o, TF_REPLY);
	tf_welcome_pack(&w, &o);
	loc_send(loc, n->rid, n->rid_len, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	loc_event_node(loc, n);
	session_node_containers(loc, n, m);
	loc_hosts_push_peers(loc);
}

void
loc_session_hello(struct location *loc, const tf_msg *m,
		  const struct loc_peer *peer)
{
	if (peer->is_node)
		session_hello_node(loc, m, peer->id);
	else
		session_hello_user(loc, m, peer->id);
}

void
loc_session_collect(struct location *loc, struct loc_session *s,
		    const char *why)
{
	tf_info("session %s (%s) collected: %s", s->id, s->name, why);
	for (size_t i = 0; i < loc->n_containers; i++) {
		struct loc_container *c = loc->containers[i];
		tf_out o;

		if (c->dead || strcmp(c->session, s->id) != 0)
			continue;
		snprintf(c->ended_by, sizeof c->ended_by, "the garbage "
		    "collector (%.40s of %.40s gone: %.40s)", s->name,
		    s->user_name, why);
		tf_out_init(&o, "destroy");
		tf_out_str(&o, "container", c->id);
		loc_node_command(loc, loc_node_find(loc, c->node_id), &o, c->id);
		tf_out_fini(&o);
	}
	for (size_t i = 0; i < loc->n_tunnels; i++) {
		struct loc_tunnel *t = loc->tunnels[i];

		if (t->dead || strcmp(t->session, s->id) != 0)
			continue;
		t->dead = true;
		loc_event_gone(loc, t->user_id, TF_REC_TUNNEL, t->id);
	}
	loc_fwd_session_gone(loc, s->id);
	loc_web_session_gone(loc, s->id);
	loc_dns_session_gone(loc, s->id);
	loc_missed_drop(loc, s->id);
	loc_db_session_delete(loc, s->id);
	s->dead = true;
}

/* A node that stopped answering may still run its containers (a network
 * break, a crash that runc's containers outlived): their owners are told
 * "lost", not "destroyed".  They end when the node comes back without them
 * (its hello lists what runs) or stays away for the grace period. */
void
loc_node_gone(struct location *loc, struct loc_node *n, const char *why)
{
	tf_warn("node %s is down: %s", n->name, why);
	n->up = false;
	loc_fwd_node_down(loc, n);
	for (size_t i = 0; i < loc->n_containers; i++) {
		struct loc_container *c = loc->containers[i];

		if (c->dead || c->node_id != n->id ||
		    strcmp(c->state, "lost") == 0)
			continue;
		snprintf(c->state, sizeof c->state, "lost");
		snprintf(c->error, sizeof c->error, "node %s lost (%s); the "
		    "container may still run there until the node returns",
		    n->name, why);
		loc_event_container(loc, c);
	}
	loc_event_node(loc, n);
	loc_event_gone(loc, -1, TF_REC_NODE, n->name);
	loc_hosts_push_peers(loc);
}

/* The node stayed away: what was on it is given up as destroyed. */
static void
session_node_give_up(struct location *loc, struct loc_node *n)
{
	tf_warn("node %s stayed away for the grace period: its containers "
	    "are destroyed", n->name);
	for (size_t i = 0; i < loc->n_containers; i++) {
		struct loc_container *c = loc->containers[i];

		if (c->dead || c->node_id != n->id)
			continue;
		c->dead = true;
		snprintf(c->state, sizeof c->state, "destroyed");
		snprintf(c->ended_by, sizeof c->ended_by, "node loss (%s "
		    "stayed away)", n->name);
		loc_event_container(loc, c);
		loc_event_container_gone(loc, c);
	}
}

/* Only nodes known from the database before their hello (after a restart)
 * are down with containers still recorded on them. */
static bool
session_node_has_containers(struct location *loc, const struct loc_node *n)
{
	for (size_t i = 0; i < loc->n_containers; i++)
		if (!loc->containers[i]->dead &&
		    loc->containers[i]->node_id == n->id)
			return true;
	return false;
}

int
loc_housekeeping(tf_loop *loop, uint64_t id, void *arg)
{
	struct location *loc = arg;
	uint64_t now = tf_now_ms();
	tf_out hb;

	tf_out_init(&hb, "hb");
	for (size_t i = 0; i < loc->n_sessions; i++) {
		struct loc_session *s = loc->sessions[i];

		if (s->dead)
			continue;
		if (s->connected && now - s->last_rx_ms > loc->opt.timeout_ms) {
			tf_info("session %s (%s) went quiet; kept for %u s",
			    s->id, s->name, loc->opt.grace_ms / 1000);
			s->connected = false;
			s->down_since_ms = now;
		}
		if (s->connected)
			loc_send(loc, s->rid, s->rid_len, &hb, 0, NULL, 0);
		else if (now - s->down_since_ms > loc->opt.grace_ms)
			loc_session_collect(loc, s, "gone for the grace period");
	}
	for (size_t i = 0; i < loc->n_nodes; i++) {
		struct loc_node *n = loc->nodes[i];

		if (!n->up) {
			if (now - n->last_rx_ms > loc->opt.grace_ms &&
			    session_node_has_containers(loc, n))
				session_node_give_up(loc, n);
			continue;
		}
		if (now - n->last_rx_ms > loc->opt.timeout_ms)
			loc_node_gone(loc, n, "stopped answering");
		else
			loc_send(loc, n->rid, n->rid_len, &hb, 0, NULL, 0);
	}
	tf_out_fini(&hb);
	loc_tconns_purge(loc);
	for (size_t i = 0; i < loc->n_uploads; i++) {
		struct loc_upload *u = loc->uploads[i];

		if (now - u->last_ms > 600000) {
			char *part = loc_layer_path(loc, u->sha);
			char tmp[4200];

			snprintf(tmp, sizeof tmp, "%s.part", part);
			unlink(tmp);
			free(part);
			close(u->fd);
			loc_layer_in_free(u->in);
			free(u);
			loc->uploads[i] = loc->uploads[--loc->n_uploads];
			i--;
		}
	}
	return 0;
}
