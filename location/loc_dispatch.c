/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_dispatch.c: reads the ROUTER sockets and routes each message: hellos
 * to loc_session.c, node answers back to clients (loc_fwd.c), commands the
 * location serves to the request table (loc_req.c), and container-scoped
 * commands on to the container's node.  The author of every message is the
 * ZAP User-Id libzmq attached to it, never a param.
 */
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "location.h"
#include "tf_codec_account.h"
#include "tf_codec_flow.h"
#include "tf_log.h"

/* Commands forwarded to the node that holds the container (or tunnel). */
static const char *const dispatch_container_cmds[] = {
	"destroy", "reboot", "wake", "put", "fetch", "fs", "logs", "proc",
	"proc_stdin", "proc_kill", "proc_resize", "procs", "tcp_open",
	"tcp_data", "tcp_close", "allow", "disallow", NULL
};

static bool
dispatch_is_container_cmd(const char *cmd)
{
	for (size_t i = 0; dispatch_container_cmds[i] != NULL; i++)
		if (strcmp(dispatch_container_cmds[i], cmd) == 0)
			return true;
	return false;
}

static int
dispatch_peer(const char *user_id, struct loc_peer *peer)
{
	char *end;

	if ((user_id[0] != 'u' && user_id[0] != 'n') || user_id[1] != ':')
		return -1;
	peer->is_node = user_id[0] == 'n';
	peer->id = strtoll(user_id + 2, &end, 10);
	return *end == '\0' && peer->id > 0 ? 0 : -1;
}

static const struct loc_req *
dispatch_find(const char *cmd)
{
	for (size_t i = 0; loc_req_table[i].cmd != NULL; i++)
		if (strcmp(loc_req_table[i].cmd, cmd) == 0)
			return &loc_req_table[i];
	return NULL;
}

/* ack and unsub name a stream by the client's id; the node knows it by
 * ours. */
static void
dispatch_stream_ref(struct location *loc, struct loc_session *s,
		    const tf_msg *m)
{
	struct loc_fwd *f;
	tf_flow_msg a;
	tf_out o;

	if (tf_flow_unpack(m->params, &a, NULL) != 0)
		return;
	f = loc_fwd_by_client(loc, s->id, (uint64_t)a.ref);
	if (f == NULL)
		return;
	a.ref = (int64_t)f->id;
	tf_out_init(&o, m->cmd);
	tf_flow_pack(&a, &o);
	loc_node_command(loc, loc_node_find(loc, f->node_id), &o, NULL);
	tf_out_fini(&o);
}

/* A peer that talks without a session (a client whose session was
 * collected, a node taken for down) gets a bye that makes it say hello
 * again, and its request, if it made one, an error. */
static void
dispatch_say_hello(struct location *loc, const tf_msg *m, const char *reason)
{
	tf_out o;

	tf_out_init(&o, "bye");
	tf_out_str(&o, "reason", reason);
	loc_send(loc, m->rid, m->rid_len, &o, 0, NULL, 0);
	tf_out_fini(&o);
	if (m->id != 0 && !tf_msg_is_answer(m))
		tf_send_error(loc->router, m->rid, m->rid_len, m->id,
		    "no session: say hello first");
}

static void
dispatch_user(struct location *loc, const tf_msg *m, const struct loc_peer *peer)
{
	struct loc_session *s;
	const struct loc_req *r;
	tf_err err;

	if (strcmp(m->cmd, "hello") == 0) {
		loc_session_hello(loc, m, peer);
		return;
	}
	s = loc_session_by_rid(loc, m->rid, m->rid_len);
	if (s == NULL || s->user_id != peer->id) {
		/* Collected, or we restarted: tell the client to say hello
		 * again rather than answer each request with an error. */
		dispatch_say_hello(loc, m, "the location has no session for "
		    "this connection (it was collected or the location "
		    "restarted)");
		return;
	}
	s->last_rx_ms = tf_now_ms();
	if (!s->connected) {
		/* The same connection came back to life (a stopped client
		 * continued): nothing was lost, carry on. */
		tf_info("session %s (%s) resumed", s->id, s->name);
		s->connected = true;
		s->down_since_ms = 0;
		loc_push_offer(loc, s);
	}
	if (tf_msg_is_answer(m))
		return;		/* answers to our heartbeats */
	if (strcmp(m->cmd, "hb") == 0) {
		tf_out o;

		tf_out_init(&o, TF_REPLY);
		loc_send_session(loc, s, &o, m->id, NULL, 0);
		tf_out_fini(&o);
		return;
	}
	if (strcmp(m->cmd, "bye") == 0) {
		loc_session_collect(loc, s, "the client disconnected");
		return;
	}
	if (strcmp(m->cmd, "ack") == 0 || strcmp(m->cmd, "unsub") == 0) {
		dispatch_stream_ref(loc, s, m);
		return;
	}
	r = dispatch_find(m->cmd);
	tf_err_clear(&err);
	if (r != NULL && (r->flags & LOC_REQ_USER)) {
		if ((r->flags & LOC_REQ_ADMIN) && !s->admin) {
			tf_send_error(loc->router, m->rid, m->rid_len, m->id,
			    "%s is for administrators only", m->cmd);
			return;
		}
		if (r->fn(loc, s, NULL, m, &err) != 0)
			tf_send_error(loc->router, m->rid, m->rid_len, m->id,
			    "%s", err.msg[0] ? err.msg : "failed");
		return;
	}
	if (dispatch_is_container_cmd(m->cmd)) {
		if (loc_fwd_container_cmd(loc, s, m, &err) != 0)
			tf_send_error(loc->router, m->rid, m->rid_len, m->id,
			    "%s", err.msg);
		return;
	}
	tf_send_error(loc->router, m->rid, m->rid_len, m->id,
	    "unknown command: %s", m->cmd);
}

static void
dispatch_node(struct location *loc, const tf_msg *m, const struct loc_peer *peer)
{
	struct loc_node *n;
	const struct loc_req *r;
	tf_err err;

	if (strcmp(m->cmd, "hello") == 0) {
		loc_session_hello(loc, m, peer);
		return;
	}
	n = loc_node_find(loc, peer->id);
	if (n == NULL || !n->up || n->rid_len != m->rid_len ||
	    memcmp(n->rid, m->rid, m->rid_len) != 0) {
		/* A node we took for down (its link was cut for longer than
		 * the timeout, but not long enough for it to notice) is
		 * talking again on its old connection: it must say hello,
		 * so that its containers are reconciled, rather than have
		 * every message refused while it believes all is well. */
		dispatch_say_hello(loc, m, "the location took this node for "
		    "down: say hello again");
		return;
	}
	n->last_rx_ms = tf_now_ms();
	if (tf_msg_is_answer(m)) {
		loc_fwd_answer(loc, n, m);
		return;
	}
	if (strcmp(m->cmd, "hb") == 0) {
		tf_out o;

		tf_out_init(&o, TF_REPLY);
		loc_send(loc, n->rid, n->rid_len, &o, m->id, NULL, 0);
		tf_out_fini(&o);
		return;
	}
	r = dispatch_find(m->cmd);
	tf_err_clear(&err);
	if (r == NULL || !(r->flags & LOC_REQ_NODE)) {
		tf_send_error(loc->router, m->rid, m->rid_len, m->id,
		    "unknown command for a node: %s", m->cmd);
		return;
	}
	if (r->fn(loc, NULL, n, m, &err) != 0)
		tf_send_error(loc->router, m->rid, m->rid_len, m->id, "%s",
		    err.msg[0] ? err.msg : "failed");
}

int
loc_router_cb(tf_loop *loop, void *sock, void *arg)
{
	struct location *loc = arg;

	for (int i = 0; i < 1024; i++) {
		struct loc_peer peer;
		tf_msg m;
		tf_err err;
		int rc = tf_msg_recv(&m, sock, true, &err);

		if (rc == 0)
			break;
		if (rc < 0) {
			tf_warn("malformed message from %s: %s", m.user_id, err.msg);
			if (m.rid_len > 0 && m.id != 0)
				tf_send_error(sock, m.rid, m.rid_len, m.id,
				    "malformed message: %s", err.msg);
		} else if (dispatch_peer(m.user_id, &peer) != 0) {
			tf_warn("message from unknown peer '%s' dropped", m.user_id);
		} else if (peer.is_node) {
			dispatch_node(loc, &m, &peer);
		} else {
			dispatch_user(loc, &m, &peer);
		}
		tf_msg_fini(&m);
	}
	return 0;
}

/* The enrolment socket serves one command: turn an invite token into an
 * account for the key that connected. */
int
loc_enrol_cb(tf_loop *loop, void *sock, void *arg)
{
	struct location *loc = arg;

	for (int i = 0; i < 64; i++) {
		char name[TF_ACCOUNT_NAME_MAX + 1];
		uint8_t secret[TF_TOKEN_SECRET_LEN], spk[TF_KEY_LEN], pk[TF_KEY_LEN];
		tf_account_msg req = { 0 };
		int64_t user_id;
		tf_msg m;
		tf_err err;
		tf_out o;
		int rc;

		tf_err_clear(&err);
		memset(spk, 0, sizeof spk);
		rc = tf_msg_recv(&m, sock, true, &err);
		if (rc == 0)
			break;
		if (rc < 0 || strcmp(m.cmd, "enrol") != 0 ||
		    strncmp(m.user_id, "e:", 2) != 0) {
			if (rc > 0)
				tf_err_set(&err, "only enrol is served here");
			if (m.rid_len > 0)
				tf_send_error(sock, m.rid, m.rid_len, m.id, "%s",
				    err.msg);
			tf_msg_fini(&m);
			continue;
		}
		if (tf_key_from_b64(m.user_id + 2, pk) != 0 ||
		    tf_account_unpack(m.params, &req, &err) != 0 ||
		    tf_token_parse(req.token, secret, spk, &err) != 0 ||
		    (memcmp(spk, loc->keys.pk, TF_KEY_LEN) != 0 &&
		    tf_err_set(&err, "this token belongs to another location")) ||
		    loc_db_invite_use(loc, secret, pk, &user_id, name, sizeof name,
		    &err) != 0) {
			tf_info("enrolment refused: %s", err.msg);
			tf_send_error(sock, m.rid, m.rid_len, m.id, "%s", err.msg);
			tf_account_free(&req);
			tf_msg_fini(&m);
			continue;
		}
		tf_info("account %lld created for %s", (long long)user_id, name);
		tf_out_init(&o, TF_REPLY);
		tf_account_pack(&(tf_account_msg){ .user = user_id,
		    .name = name }, &o);
		tf_out_send(&o, sock, m.rid, m.rid_len, m.id, NULL, 0);
		tf_out_fini(&o);
		tf_account_free(&req);
		tf_msg_fini(&m);
	}
	return 0;
}
