/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_conn: the con_client backend for a real location, over tf_conn.  It
 * loads the account (~/.20ft), connects, turns tf_conn's state changes and
 * welcome into con_client state, and forwards requests, answers and pushes
 * unchanged.  All the protocol machinery (CURVE, heartbeats, resumption,
 * request ids) is tf_conn's; this file is only the adapter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "con_backend.h"
#include "tf_conn.h"
#include "tf_keys.h"
#include "tf_log.h"
#include "tf_util.h"

struct con_conn {
	con_client *cc;
	tf_conn *conn;
};

static void
con_conn_push_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct con_conn *b = arg;

	TF_UNUSED(c);
	/* A console never serves requests; answer any so the peer is not
	 * left waiting. */
	if (m->id != 0) {
		tf_conn_reply_error(b->conn, m->id, "%s: not served by tfcon",
		    m->cmd);
		return;
	}
	con_client_push(b->cc, m);
}

static void
con_conn_state_cb(tf_conn *c, tf_conn_state st, const char *why, void *arg)
{
	struct con_conn *b = arg;
	const msgpack_object *w;
	char user[128] = "", session[TF_MODEL_ID] = "";
	bool admin = false;

	switch (st) {
	case TF_CONN_UP:
		if ((w = tf_conn_welcome(c)) != NULL) {
			if (tf_obj_str(w, "user_name", user, sizeof user, false,
			    NULL) != 0 || user[0] == '\0')
				tf_obj_str(w, "user", user, sizeof user, false,
				    NULL);
			tf_obj_str(w, "session", session, sizeof session,
			    false, NULL);
			tf_obj_bool(w, "admin", &admin, false, NULL);
		}
		con_client_set_welcome(b->cc, user, session, admin);
		con_client_set_state(b->cc, CON_UP, why);
		break;
	case TF_CONN_CONNECTING:
		con_client_set_state(b->cc, CON_CONNECTING, why);
		break;
	case TF_CONN_DOWN:
		con_client_set_state(b->cc, CON_DOWN, why);
		break;
	case TF_CONN_REFUSED:
		con_client_set_state(b->cc, CON_REFUSED, why);
		break;
	case TF_CONN_CLOSED:
		con_client_set_state(b->cc, CON_CLOSED, why);
		break;
	}
}

static void
con_conn_reply_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	TF_UNUSED(c);
	con_client_answer(arg, m);
}

static void *
con_conn_open(con_client *cc, const struct con_config *cfg, char *location,
	     size_t location_size, tf_err *err)
{
	struct con_conn *b;
	tf_account acct;

	if (tf_account_load(&acct, cfg->location, err) != 0)
		return NULL;
	if (cfg->endpoint != NULL && *cfg->endpoint != '\0' &&
	    tf_endpoint_from_location(cfg->endpoint, 0, acct.endpoint,
	    sizeof acct.endpoint) != 0) {
		tf_keypair_wipe(&acct.keys);
		tf_err_set(err, "bad endpoint '%s'", cfg->endpoint);
		return NULL;
	}
	snprintf(location, location_size, "%s", acct.location);
	b = tf_calloc(1, sizeof *b);
	b->cc = cc;
	b->conn = tf_conn_new_account(con_client_loop(cc), &acct,
	    cfg->name ? cfg->name : "tfcon", err);
	tf_keypair_wipe(&acct.keys);
	if (b->conn == NULL) {
		free(b);
		return NULL;
	}
	tf_info("connecting to %s at %s", acct.location, acct.endpoint);
	tf_conn_on_push(b->conn, con_conn_push_cb, b);
	tf_conn_on_state(b->conn, con_conn_state_cb, b);
	return b;
}

static uint64_t
con_conn_request(void *bp, const char *cmd, const msgpack_object *params,
		 const void *bulk, size_t bulk_len, struct con_req *req,
		 tf_err *err)
{
	struct con_conn *b = bp;
	uint64_t id;
	tf_out o;

	/* tf_conn takes the tf_out (it finishes it on every path). */
	tf_out_init(&o, cmd);
	tf_out_copy(&o, params, NULL);
	id = tf_conn_request(b->conn, &o, bulk, bulk_len, con_conn_reply_cb,
	    req);
	if (id == 0)
		tf_err_set(err, "%s: not sent (connection %s)", cmd,
		    tf_conn_state_name(tf_conn_get_state(b->conn)));
	return id;
}

static int
con_conn_send(void *bp, const char *cmd, const msgpack_object *params,
	      const void *bulk, size_t bulk_len)
{
	struct con_conn *b = bp;
	tf_out o;
	int rc;

	tf_out_init(&o, cmd);
	tf_out_copy(&o, params, NULL);
	rc = tf_conn_send(b->conn, &o, bulk, bulk_len);
	return rc;
}

static void
con_conn_forget(void *bp, uint64_t id)
{
	struct con_conn *b = bp;

	tf_conn_forget(b->conn, id);
}

static int
con_conn_rtt_ms(void *bp)
{
	struct con_conn *b = bp;

	return tf_conn_rtt_ms(b->conn);
}

static void
con_conn_destroy(void *bp)
{
	struct con_conn *b = bp;

	/* tf_conn answers every outstanding request with "!" first. */
	tf_conn_destroy(&b->conn);
	free(b);
}

const struct con_backend_ops con_conn_ops = {
	.name = "location",
	.open = con_conn_open,
	.request = con_conn_request,
	.send = con_conn_send,
	.forget = con_conn_forget,
	.rtt_ms = con_conn_rtt_ms,
	.destroy = con_conn_destroy,
};
