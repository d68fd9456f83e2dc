/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_conn: the client end of a location connection, used by the SDK, the
 * console, the cli and by nodes.  One DEALER socket with CURVE, driven by
 * the caller's tf_loop; nothing here blocks.
 *
 * Lifecycle: the socket connects; when the CURVE handshake succeeds (seen on
 * the socket monitor) we send "hello" (carrying our session id when we had
 * one, so the location resumes it) and the location answers "welcome".  The
 * connection is then UP and queued requests go out.  Heartbeats run both
 * ways; a location silent for timeout_ms makes us DOWN: the socket is
 * rebuilt after a back-off with jitter and the session resumed.  A key the
 * location does not know gives REFUSED, which is final.
 *
 * Requests carry ids; the reply callback gets "~" stream items, then one
 * final "^" or "!" after which the id is forgotten.  Incoming commands that
 * are not answers (pushes, and requests to a node) go to the push handler;
 * when m->id != 0 the handler (or later code) answers with tf_conn_reply.
 */
#ifndef TF_CONN_H
#define TF_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "tf_err.h"
#include "tf_keys.h"
#include "tf_loop.h"
#include "tf_msg.h"

typedef struct tf_conn tf_conn;

typedef enum tf_conn_state {
	TF_CONN_CONNECTING,	/* no welcome yet */
	TF_CONN_UP,		/* welcomed; requests flow */
	TF_CONN_DOWN,		/* lost; retrying, session kept */
	TF_CONN_REFUSED,	/* the location refused our key: final */
	TF_CONN_CLOSED,		/* closed by us */
} tf_conn_state;

typedef struct tf_conn_config {
	const char *endpoint;		/* "tcp://127.0.0.1:2020" */
	uint8_t server_pk[TF_KEY_LEN];
	tf_keypair keys;
	const char *role;		/* "client" or "node" */
	const char *name;		/* shown to operators: program or node name */
	uint32_t heartbeat_ms;		/* 0: 1000 */
	uint32_t timeout_ms;		/* 0: 5000 */
	/* Extra params sent with every hello (a node's subnet request and
	 * container list, for instance).  Called just before each hello. */
	void (*hello_fn)(tf_conn *c, tf_out *hello, void *arg);
	void *hello_arg;
} tf_conn_config;

typedef void (*tf_conn_reply_fn)(tf_conn *c, const tf_msg *m, void *arg);
typedef void (*tf_conn_push_fn)(tf_conn *c, const tf_msg *m, void *arg);
typedef void (*tf_conn_state_fn)(tf_conn *c, tf_conn_state st,
				 const char *why, void *arg);

tf_conn *tf_conn_new(tf_loop *loop, const tf_conn_config *cfg, tf_err *err);
/* Answers every outstanding request with a synthetic "!" first. */
void tf_conn_destroy(tf_conn **self_p);

void tf_conn_on_push(tf_conn *c, tf_conn_push_fn fn, void *arg);
void tf_conn_on_state(tf_conn *c, tf_conn_state_fn fn, void *arg);

tf_conn_state tf_conn_get_state(const tf_conn *c);
const char *tf_conn_state_name(tf_conn_state st);
/* The welcome message's params (session, user, admin ...), or NULL. */
const msgpack_object *tf_conn_welcome(const tf_conn *c);
const char *tf_conn_session(const tf_conn *c);
/* Why the connection was refused ("" if it was not). */
const char *tf_conn_refusal(const tf_conn *c);
/* Last measured heartbeat round trip in ms, -1 if unknown. */
int tf_conn_rtt_ms(const tf_conn *c);
tf_loop *tf_conn_loop(const tf_conn *c);

/* Sends a request; fn (may be NULL) gets its answers.  Returns the id, or 0
 * if the connection is refused/closed (fn is not called then).  While the
 * connection is not UP requests are queued (bounded; beyond it 0).  A
 * request whose header would be over TF_HEADER_MAX is not sent: fn gets a
 * "!" saying so on the next pass of the loop (without fn: 0, EMSGSIZE). */
uint64_t tf_conn_request(tf_conn *c, tf_out *o, const void *bulk,
			 size_t bulk_len, tf_conn_reply_fn fn, void *arg);
/* Sends a command that wants no answer (-1 with errno EMSGSIZE, and a
 * warning, for one too large to send). */
int tf_conn_send(tf_conn *c, tf_out *o, const void *bulk, size_t bulk_len);
/* tf_conn_send with the bulk frame handed over (frame: a zmq_msg_t, taken
 * in every case), so its bytes are not copied (tf_frames.h). */
int tf_conn_send_frame(tf_conn *c, tf_out *o, void *frame);
/* Drops the callback of an outstanding request; late answers are ignored. */
void tf_conn_forget(tf_conn *c, uint64_t id);
/* Answers a request received through the push handler: kind is TF_REPLY,
 * TF_STREAM or TF_ERROR_REPLY.  o may be NULL for an empty params map.  An
 * answer too large to send is replaced by a "!" that says so. */
int tf_conn_reply(tf_conn *c, uint64_t id, const char *kind, tf_out *o,
		  const void *bulk, size_t bulk_len);
int tf_conn_reply_error(tf_conn *c, uint64_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Convenience: connects with a saved account (tf_account_load). */
tf_conn *tf_conn_new_account(tf_loop *loop, const tf_account *acct,
			     const char *name, tf_err *err);

#endif
