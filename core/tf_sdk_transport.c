/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_transport: what the SDK sends through when a transport stands in
 * for the location (tf.h "Transports": tfcon's demo location, tests of a
 * program's interface), and the connection facts every event-driven
 * program reads (status, user, round trip) whichever carries the messages.
 * With a transport there is no tf_conn: requests are handed over as
 * decoded params, and the transport answers through the reply function it
 * was given, exactly as tf_conn would.
 */
#include <stdio.h>
#include <string.h>

#include "tf_sdk_private.h"

static const char *const sdk_status_names[] = {
	[TF_STATUS_CONNECTING] = "connecting",
	[TF_STATUS_UP] = "up",
	[TF_STATUS_DOWN] = "down",
	[TF_STATUS_REFUSED] = "refused",
	[TF_STATUS_CLOSED] = "closed",
};

bool
sdk_connected(const tf_location *loc)
{
	return loc->conn != NULL || loc->transport != NULL;
}

/* A tf_out's params as one decoded map (msgpack needs the map's size in
 * front, which tf_out learns only at the end). */
static const msgpack_object *
sdk_out_params(const tf_out *o, msgpack_sbuffer *sb, msgpack_unpacked *unp)
{
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, o->n);
	msgpack_sbuffer_write(sb, o->params.data, o->params.size);
	if (msgpack_unpack_next(unp, sb->data, sb->size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS)
		return NULL;
	return &unp->data;
}

static uint64_t
sdk_transport_pass(tf_location *loc, tf_out *o, const void *bulk, size_t len,
		   tf_conn_reply_fn fn, void *arg)
{
	const msgpack_object *params;
	msgpack_sbuffer sb;
	msgpack_unpacked unp;
	uint64_t id = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&unp);
	params = sdk_out_params(o, &sb, &unp);
	if (params != NULL && fn != NULL)
		id = loc->transport->request(loc->transport_arg, o->cmd, params,
		    bulk, len, fn, arg);
	else if (params != NULL)
		id = loc->transport->send(loc->transport_arg, o->cmd, params,
		    bulk, len) == 0 ? 1 : 0;
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	tf_out_fini(o);
	return id;
}

uint64_t
sdk_transport_request(tf_location *loc, tf_out *o, const void *bulk,
		      size_t len, tf_conn_reply_fn fn, void *arg)
{
	return sdk_transport_pass(loc, o, bulk, len, fn, arg);
}

int
sdk_transport_send(tf_location *loc, tf_out *o, const void *bulk, size_t len)
{
	return sdk_transport_pass(loc, o, bulk, len, NULL, NULL) != 0 ? 0 : -1;
}

void
sdk_forget(tf_location *loc, uint64_t id)
{
	if (id == 0)
		return;
	if (loc->conn != NULL)
		tf_conn_forget(loc->conn, id);
	else if (loc->transport != NULL)
		loc->transport->forget(loc->transport_arg, id);
}

void
sdk_transport_close(tf_location *loc)
{
	const tf_transport_ops *ops = loc->transport;

	if (ops == NULL)
		return;
	loc->transport = NULL;
	ops->destroy(loc->transport_arg);
	loc->transport_arg = NULL;
}

void
tf_transport_push(tf_location *loc, const tf_msg *m)
{
	sdk_push(loc, m);
}

void
tf_transport_state(tf_location *loc, tf_status st, const char *why,
		   const char *user, const char *session, bool admin)
{
	if (st == TF_STATUS_UP) {
		snprintf(loc->user, sizeof loc->user, "%s", user ? user : "");
		snprintf(loc->session, sizeof loc->session, "%s",
		    session ? session : "");
		loc->admin = admin;
	}
	sdk_status_set(loc, st, why, false);
}

/* ---- what event-driven programs read ------------------------------------ */

void
tf_location_on_event(tf_location *loc, tf_event_fn fn, void *arg)
{
	loc->ev_fn = fn;
	loc->ev_arg = arg;
}

tf_status
tf_location_status(const tf_location *loc)
{
	if (loc->disconnected)
		return loc->conn_failed ? TF_STATUS_REFUSED : TF_STATUS_CLOSED;
	return loc->status;
}

const char *
tf_status_name(tf_status st)
{
	return st <= TF_STATUS_CLOSED ? sdk_status_names[st] : "?";
}

const char *
tf_location_user(const tf_location *loc)
{
	return loc->user;
}

bool
tf_location_is_admin(const tf_location *loc)
{
	return loc->admin;
}

int
tf_location_rtt_ms(const tf_location *loc)
{
	if (loc->status != TF_STATUS_UP)
		return -1;
	if (loc->conn != NULL)
		return tf_conn_rtt_ms(loc->conn);
	if (loc->transport != NULL)
		return loc->transport->rtt_ms(loc->transport_arg);
	return -1;
}
