/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc-fwd.c: forwarding container-scoped requests to the node that holds
 * the container, and relaying the node's answers back.  The location gives
 * each forwarded request its own id (client ids are only unique per
 * client), remembers (session, client id) for it, and adds the trusted
 * `user` and `session` params.  Stream answers ("~") keep the entry; a
 * final "^" or "!" removes it.
 */
#include <string.h>

#include "location.h"
#include "tf_log.h"

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
	loc_send(loc, node->rid, node->rid_len, o, id,
	    m != NULL ? m->bulk : NULL, m != NULL ? m->bulk_len : 0);
	return f;
}

void
loc_node_command(struct location *loc, struct loc_node *node, tf_out *o,
		 const char *object)
{
	if (node != NULL && node->up)
		loc_send(loc, node->rid, node->rid_len, o, 0, NULL, 0);
}

/* Finds the container a command is about, by "container" or "tunnel". */
static struct loc_container *
fwd_target(struct location *loc, struct loc_session *s, const tf_msg *m,
	   struct loc_tunnel **tunnel, tf_err *err)
{
	char name[160];
	struct loc_container *c;

	*tunnel = NULL;
	if (tf_msg_str(m, "container", name, sizeof name, false, err) == 0) {
		c = loc_container_lookup(loc, s->user_id, s->admin, name);
		if (c == NULL)
			tf_err_set(err, "no such container: %s", name);
		return c;
	}
	if (tf_msg_str(m, "tunnel", name, sizeof name, false, err) == 0) {
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
	struct loc_node *node;
	tf_out o;

	if (c == NULL)
		return -1;
	node = loc_node_find(loc, c->node_id);
	if (node == NULL || !node->up)
		return tf_err_set(err, "the node of container %s is down", c->id);
	if (t != NULL && strcmp(m->cmd, "tcp_data") == 0)
		t->bytes_in += (int64_t)m->bulk_len;
	if (t != NULL && strcmp(m->cmd, "tcp_open") == 0) {
		t->conns++;
		loc_event_tunnel(loc, t);
	}
	if (t != NULL && strcmp(m->cmd, "tcp_close") == 0 && t->conns > 0) {
		bool both = true;

		tf_msg_bool(m, "both", &both, false, NULL);
		if (both) {
			t->conns--;
			loc_event_tunnel(loc, t);
		}
	}
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
	}
	if (f->session[0] == '\0' || f->client_id == 0)
		return;
	s = loc_session_find(loc, f->session);
	if (s == NULL)
		return;
	tf_out_init(&o, m->cmd);
	tf_out_copy(&o, m->params, NULL);
	loc_send_session(loc, s, &o, f->client_id, m->bulk, m->bulk_len);
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
		if (s != NULL && s->connected && f->client_id != 0)
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
		tf_out_int(&o, "ref", (int64_t)f->id);
		loc_node_command(loc, n, &o, NULL);
		tf_out_fini(&o);
	}
}
