/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_fwd.c: forwarding container-scoped requests to the node that holds
 * the container, and relaying the node's answers back.  The location gives
 * each forwarded request its own id (client ids are only unique per
 * client), remembers (session, client id) for it, and adds the trusted
 * `user` and `session` params.  Stream answers ("~") keep the entry; a
 * final "^" or "!" removes it.
 *
 * Tunnels: the location keeps the ids of the connections open through each
 * tunnel (loc->tconns), since a connection may end from either side (the
 * client's tcp_close, the node's close or error) and the tunnel's count
 * must drop exactly once.  tcp_* messages usually carry no id to answer,
 * so one naming a tunnel the location cannot serve gets a tunnel_gone
 * push (one with an id gets its "!" as any request).
 */
#include <string.h>

#include "location.h"
#include "tf_codec_flow.h"
#include "tf_codec_tunnel.h"
#include "tf_log.h"
#include "tf_name.h"

static const char *const fwd_skip_container[] = { "user", "session", "node",
    "container", NULL };

struct loc_fwd *
loc_fwd_find(struct location *loc, uint64_t id)
{
	for (size_t i = 0; i < loc->n_fwds; i++)
		if (!loc->fwds[i]->dead && loc->fwds[i]->id == id)
			return loc->fwds[i];
	return NULL;
}

struct loc_fwd *
loc_fwd_by_client(struct location *loc, const char *session, uint64_t client_id)
{
	for (size_t i = 0; i < loc->n_fwds; i++) {
		struct loc_fwd *f = loc->fwds[i];

		if (!f->dead && f->client_id == client_id &&
		    strcmp(f->session, session) == 0)
			return f;
	}
	return NULL;
}

/* Sends o to the node.  When the client wants an answer (m->id != 0, or
 * m == NULL for the location's own requests with a done_fn) an entry is
 * kept to route it back. */
struct loc_fwd *
loc_fwd_to_node(struct location *loc, struct loc_node *node,
		struct loc_session *s, const tf_msg *m, tf_out *o,
		const char *object)
{
	struct loc_fwd *f = NULL;
	uint64_t id = 0;

	if (m == NULL || m->id != 0) {
		f = tf_calloc(1, sizeof *f);
		f->id = id = loc->next_fwd_id++;
		if (s != NULL)
			snprintf(f->session, sizeof f->session, "%s", s->id);
		f->client_id = m != NULL ? m->id : 0;
		f->node_id = node->id;
		snprintf(f->cmd, sizeof f->cmd, "%s", o->cmd);
		snprintf(f->object, sizeof f->object, "%s", object ? object : "");
		LOC_PUSH(fwds, f);
	}
	loc_send_fwd(loc, node->rid, node->rid_len, o, id, m);
	return f;
}

void
loc_node_command(struct location *loc, struct loc_node *node, tf_out *o,
		 const char *object)
{
	if (node != NULL && node->up)
		loc_send(loc, node->rid, node->rid_len, o, 0, NULL, 0);
}

/* ---- connections through tunnels ---------------------------------------- */

static size_t
fwd_tconn_index(struct location *loc, const char *tunnel, int64_t conn)
{
	for (size_t i = 0; i < loc->n_tconns; i++)
		if (loc->tconns[i].conn == conn &&
		    strcmp(loc->tconns[i].tunnel, tunnel) == 0)
			return i;
	return loc->n_tconns;
}

static void
fwd_tconn_open(struct location *loc, struct loc_tunnel *t, int64_t conn)
{
	struct loc_tconn k;

	if (fwd_tconn_index(loc, t->id, conn) < loc->n_tconns)
		return;		/* opened twice: the node refuses the second */
	snprintf(k.tunnel, sizeof k.tunnel, "%s", t->id);
	k.conn = conn;
	LOC_PUSH(tconns, k);
	t->conns++;
	loc_event_tunnel(loc, t);
}

static void
fwd_tconn_end(struct location *loc, struct loc_tunnel *t, int64_t conn)
{
	size_t i = fwd_tconn_index(loc, t->id, conn);

	if (i == loc->n_tconns)
		return;		/* the other side ended it first */
	loc->tconns[i] = loc->tconns[--loc->n_tconns];
	if (t->conns > 0)
		t->conns--;
	loc_event_tunnel(loc, t);
}

/* Forgets the connections of tunnels that are gone (housekeeping, and
 * before a tunnel is made, so that a reused id starts with none). */
void
loc_tconns_purge(struct location *loc)
{
	size_t j = 0;

	for (size_t i = 0; i < loc->n_tconns; i++)
		if (loc_tunnel_find(loc, loc->tconns[i].tunnel) != NULL)
			loc->tconns[j++] = loc->tconns[i];
	loc->n_tconns = j;
}

/* A client's tcp_open / tcp_close moves the tunnel's count. */
static void
fwd_tconn_client(struct location *loc, struct loc_tunnel *t, const tf_msg *m)
{
	int64_t conn;
	bool both = true;

	if (tf_msg_int(m, "conn", &conn, 0, INT64_MAX, true, NULL) != 0)
		return;
	if (strcmp(m->cmd, "tcp_open") == 0) {
		fwd_tconn_open(loc, t, conn);
	} else if (strcmp(m->cmd, "tcp_close") == 0) {
		tf_msg_bool(m, "both", &both, false, NULL);
		if (both)
			fwd_tconn_end(loc, t, conn);
	}
}

/* The node ends a connection with an error or a close of both sides. */
static void
fwd_tconn_node(struct location *loc, struct loc_fwd *f, const tf_msg *m)
{
	struct loc_tunnel *t = loc_tunnel_find(loc, f->object);
	char event[16] = "";
	int64_t conn;
	bool both = true;

	if (t == NULL ||
	    tf_msg_int(m, "conn", &conn, 0, INT64_MAX, true, NULL) != 0 ||
	    tf_msg_str(m, "event", event, sizeof event, true, NULL) != 0)
		return;
	tf_msg_bool(m, "both", &both, false, NULL);
	if (strcmp(event, "error") == 0 ||
	    (strcmp(event, "close") == 0 && both))
		fwd_tconn_end(loc, t, conn);
}

/* tcp_* without an id for a tunnel we cannot serve: tell the sender's
 * session (only it: the tunnel may not be known, or not be its own), or
 * it would go on sending, and waiting for credit, for ever. */
static void
fwd_tunnel_gone(struct location *loc, struct loc_session *s, const tf_msg *m,
		const char *why)
{
	tf_tunnel_msg gone = { 0 }, req;
	tf_out o;

	if (tf_tunnel_unpack(m->params, &req, NULL) != 0)
		return;
	if (TF_HAS(&tf_tunnel_codec, &req, tunnel)) {
		tf_debug("session %s: %s on tunnel %s: %s", s->id, m->cmd,
		    req.tunnel, why);
		gone.tunnel = req.tunnel;
		gone.error = why;
		TF_SET(&tf_tunnel_codec, &gone, error);
		tf_out_init(&o, "tunnel_gone");
		tf_tunnel_pack(&gone, &o);
		loc_send_session(loc, s, &o, 0, NULL, 0);
		tf_out_fini(&o);
	}
	tf_tunnel_free(&req);
}

/* ---- forwarding -------------------------------------------------------- */

/* Finds the container a command is about, by "container" or "tunnel". */
static struct loc_container *
fwd_target(struct location *loc, struct loc_session *s, const tf_msg *m,
	   struct loc_tunnel **tunnel, tf_err *err)
{
	char name[160];
	struct loc_container *c;
	int rc;

	*tunnel = NULL;
	rc = tf_msg_name(m, "container", tf_name_container, name, sizeof name,
	    false, err);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		c = loc_container_lookup(loc, s->user_id, s->admin, name);
		if (c == NULL)
			tf_err_set(err, "no such container: %s", name);
		return c;
	}
	rc = tf_msg_name(m, "tunnel", tf_name_uuid, name, sizeof name, false,
	    err);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		struct loc_tunnel *t = loc_tunnel_find(loc, name);

		if (t == NULL || !loc_may_see(s, t->user_id)) {
			tf_err_set(err, "no such tunnel: %s", name);
			return NULL;
		}
		*tunnel = t;
		c = loc_container_find(loc, t->container);
		if (c == NULL)
			tf_err_set(err, "the tunnel's container is gone");
		return c;
	}
	tf_err_set(err, "missing parameter: container");
	return NULL;
}

int
loc_fwd_container_cmd(struct location *loc, struct loc_session *s,
		      const tf_msg *m, tf_err *err)
{
	struct loc_tunnel *t;
	struct loc_container *c = fwd_target(loc, s, m, &t, err);
	struct loc_node *node = c != NULL ? loc_node_find(loc, c->node_id) : NULL;
	bool tcp = strncmp(m->cmd, "tcp_", 4) == 0;
	tf_out o;

	if (c == NULL || node == NULL || !node->up) {
		if (c != NULL)
			tf_err_set(err, "the node of container %s is down", c->id);
		if (!tcp || m->id != 0)
			return -1;
		fwd_tunnel_gone(loc, s, m, err->msg);
		return 0;
	}
	if (t != NULL && strcmp(m->cmd, "tcp_data") == 0)
		t->bytes_in += (int64_t)m->bulk_len;
	if (t != NULL && tcp)
		fwd_tconn_client(loc, t, m);
	if (strcmp(m->cmd, "destroy") == 0)
		snprintf(c->ended_by, sizeof c->ended_by, "%.63s (%.80s)",
		    s->user_name, s->name);
	else if (strcmp(m->cmd, "reboot") == 0)
		c->rebooting = true;
	/* The node only knows uuids: a container named by tag is passed on
	 * by its uuid. */
	tf_out_init(&o, m->cmd);
	tf_out_copy(&o, m->params, fwd_skip_container);
	tf_out_str(&o, "container", c->id);
	tf_out_int(&o, "user", s->user_id);
	tf_out_str(&o, "session", s->id);
	loc_fwd_to_node(loc, node, s, m, &o, c->id);
	tf_out_fini(&o);
	return 0;
}

void
loc_fwd_answer(struct location *loc, struct loc_node *node, const tf_msg *m)
{
	struct loc_fwd *f = loc_fwd_find(loc, m->id);
	struct loc_session *s;
	bool final = !tf_msg_is_stream(m);
	tf_out o;

	if (f == NULL || f->node_id != node->id)
		return;		/* cancelled, or a node answering for another */
	if (final) {
		f->dead = true;
		if (f->done_fn != NULL)
			f->done_fn(loc, f, m);
	}
	if (strcmp(f->cmd, "tunnel") == 0 && m->bulk_len > 0) {
		struct loc_tunnel *t = loc_tunnel_find(loc, f->object);

		if (t != NULL)
			t->bytes_out += (int64_t)m->bulk_len;
	} else if (strcmp(f->cmd, "tunnel") == 0 && !final) {
		fwd_tconn_node(loc, f, m);
	}
	if (f->session[0] == '\0' || f->client_id == 0)
		return;
	s = loc_session_find(loc, f->session);
	if (s == NULL || s->dead || s->rid_len == 0)
		return;
	tf_out_init(&o, m->cmd);
	tf_out_copy(&o, m->params, NULL);
	loc_send_fwd(loc, s->rid, s->rid_len, &o, f->client_id, m);
	tf_out_fini(&o);
}

/* Everything in flight to a node that went down is answered with an error,
 * so no client waits for ever. */
void
loc_fwd_node_down(struct location *loc, struct loc_node *node)
{
	for (size_t i = 0; i < loc->n_fwds; i++) {
		struct loc_fwd *f = loc->fwds[i];
		struct loc_session *s;

		if (f->dead || f->node_id != node->id)
			continue;
		f->dead = true;
		s = loc_session_find(loc, f->session);
		if (s != NULL && s->rid_len > 0 && f->client_id != 0)
			tf_send_error(loc->router, s->rid, s->rid_len,
			    f->client_id, "node %s went down", node->name);
	}
}

void
loc_fwd_session_gone(struct location *loc, const char *session)
{
	for (size_t i = 0; i < loc->n_fwds; i++) {
		struct loc_fwd *f = loc->fwds[i];
		struct loc_node *n;
		tf_out o;

		if (f->dead || strcmp(f->session, session) != 0)
			continue;
		f->dead = true;
		/* Tell the node to stop streaming to nobody. */
		n = loc_node_find(loc, f->node_id);
		tf_out_init(&o, "unsub");
		tf_flow_pack(&(tf_flow_msg){ .ref = (int64_t)f->id }, &o);
		loc_node_command(loc, n, &o, NULL);
		tf_out_fini(&o);
	}
}
