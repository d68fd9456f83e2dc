/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_call: blocking helpers over tf_conn for programs that want a simple
 * call-and-wait (the cli, tests, the SDK's synchronous functions).  They
 * run the caller's loop until the condition holds, so everything else on
 * the loop (streams, timers, other requests) keeps moving meanwhile.
 */
#ifndef TF_CALL_H
#define TF_CALL_H

#include "tf_conn.h"

/* A copy of a final answer that outlives the message. */
typedef struct tf_reply {
	msgpack_unpacked unp;
	const msgpack_object *params;	/* the reply's params map */
	char *raw;			/* the packed params unp points into */
	uint8_t *bulk;			/* malloc'd copy, or NULL */
	size_t bulk_len;
} tf_reply;

void tf_reply_fini(tf_reply *r);
/* Fills r with a deep copy of m's params and bulk. */
void tf_reply_copy(tf_reply *r, const tf_msg *m);

/* Waits until the connection is UP.  Fails when it is refused or after
 * timeout_ms (err says which). */
int tf_conn_wait_up(tf_conn *c, int timeout_ms, tf_err *err);

/* Sends o (consumed) and waits for the final answer.  Returns 0 and fills
 * *out (may be NULL) on "^"; -1 with the location's message on "!", on a
 * timeout or when the connection is refused.  Stream items are ignored. */
int tf_conn_call(tf_conn *c, tf_out *o, const void *bulk, size_t bulk_len,
		 int timeout_ms, tf_reply *out, tf_err *err);

/* Runs the loop until *flag becomes true or timeout_ms passes (0 on
 * success, -1 on timeout or when the loop is stopped). */
int tf_loop_wait_flag(tf_loop *loop, const bool *flag, int timeout_ms);

#endif
