/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_call.c: the plumbing every SDK file uses to talk to the location:
 * growable buffers, the guard that an SDK call is made on the loop's
 * thread, waiting on the loop for a condition, and requests, replies and
 * stream acks.  It knows tf_location's fields but none of the SDK's other
 * files, so they all depend on it and it on none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "tf_codec_flow.h"
#include "tf_sdk_private.h"

/* ---- small buffers ---------------------------------------------------- */

void
sdk_buf_add(struct sdk_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + len + 1)
			cap *= 2;
		b->p = tf_realloc(b->p, cap);
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
}

void
sdk_buf_consume(struct sdk_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

uint8_t *
sdk_buf_take(struct sdk_buf *b, size_t *len)
{
	uint8_t *p = b->p;

	if (p == NULL)
		p = (uint8_t *)tf_strdup("");
	if (len != NULL)
		*len = b->len;
	memset(b, 0, sizeof *b);
	return p;
}

void
sdk_buf_free(struct sdk_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- guards and waiting ------------------------------------------------ */

bool
sdk_on_loop_thread(const tf_location *loc)
{
	return !__atomic_load_n(&loc->thread_running, __ATOMIC_ACQUIRE) ||
	    pthread_equal(pthread_self(), loc->thread);
}

int
sdk_check(tf_location *loc, tf_err *err)
{
	if (loc == NULL)
		return tf_err_set(err, "no location");
	if (!sdk_on_loop_thread(loc))
		return tf_err_set(err, "this SDK call was made from a thread that "
		    "does not run the location's loop: hand it over with "
		    "tf_location_call()");
	if (loc->disconnected || !sdk_connected(loc))
		return tf_err_set(err, "disconnected from %s", loc->name);
	if (loc->conn_failed)
		return tf_err_set(err, "%s", loc->conn_error);
	return 0;
}

int
sdk_wait_until(tf_location *loc, bool (*done)(void *), void *arg,
	       int timeout_ms, const char *what, tf_err *err)
{
	uint64_t start = tf_now_ms();
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : start + (uint64_t)timeout_ms;

	while (!done(arg)) {
		uint64_t now = tf_now_ms();
		int wait;

		if (loc->conn_failed)
			return tf_err_set(err, "%s", loc->conn_error);
		if (loc->complete && !loc->disconnecting)
			return tf_err_set(err, "interrupted while waiting for %s",
			    what);
		if (loc->disconnecting && loc->abandon)
			return tf_err_set(err, "abandoned while waiting for %s",
			    what);
		if (now >= end)
			return tf_err_set(err, "timed out after %d s waiting for "
			    "%s", (int)((now - start + 500) / 1000), what);
		wait = end - now > 1000 ? 1000 : (int)(end - now);
		if (tf_loop_run_once(loc->loop, wait) != 0)
			return tf_err_set(err, "the loop was stopped while "
			    "waiting for %s", what);
	}
	return 0;
}

static bool
sdk_flag_set(void *arg)
{
	return *(const bool *)arg;
}

int
sdk_wait(tf_location *loc, const bool *flag, int timeout_ms, const char *what,
	 tf_err *err)
{
	return sdk_wait_until(loc, sdk_flag_set, (void *)flag, timeout_ms, what,
	    err);
}

bool
sdk_msg_error(const tf_msg *m, char *buf, size_t size)
{
	if (!tf_msg_is_error(m))
		return false;
	if (tf_obj_str(m->params, "error", buf, size, true, NULL) != 0)
		snprintf(buf, size, "request failed");
	return true;
}

struct sdk_callw {
	bool done, ok;
	tf_reply *out;
	char error[TF_ERR_LEN];
};

static void
sdk_call_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct sdk_callw *w = arg;

	if (tf_msg_is_stream(m))
		return;
	w->done = true;
	w->ok = tf_msg_is_reply(m);
	if (!w->ok)
		sdk_msg_error(m, w->error, sizeof w->error);
	else if (w->out != NULL)
		tf_reply_copy(w->out, m);
}

uint64_t
sdk_request(tf_location *loc, tf_out *o, const void *bulk, size_t len,
	    tf_conn_reply_fn fn, void *arg)
{
	if (!sdk_connected(loc) || loc->disconnected) {
		tf_out_fini(o);
		return 0;
	}
	if (loc->transport != NULL)
		return sdk_transport_request(loc, o, bulk, len, fn, arg);
	return tf_conn_request(loc->conn, o, bulk, len, fn, arg);
}

int
sdk_send(tf_location *loc, tf_out *o, const void *bulk, size_t len)
{
	if (!sdk_connected(loc) || loc->disconnected) {
		tf_out_fini(o);
		return -1;
	}
	if (loc->transport != NULL)
		return sdk_transport_send(loc, o, bulk, len);
	return tf_conn_send(loc->conn, o, bulk, len);
}

/* A process's input goes as a request, not a bare message, so that the
 * node's refusal is heard: it takes at most 1 MiB that the process has
 * not read yet, and none once the input is closed.  What it refuses is
 * reported (a warning naming the process), never lost in silence. */
struct sdk_stdin_req {
	char container[TF_MODEL_ID];
	char process[TF_MODEL_ID];
	size_t len;
};

static void
sdk_stdin_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	struct sdk_stdin_req *r = arg;
	char error[TF_ERR_LEN] = "refused";

	(void)conn;
	if (!tf_msg_is_reply(m) && r->len > 0) {
		sdk_msg_error(m, error, sizeof error);
		tf_warn("process %s in %s: %zu bytes of its input were not "
		    "taken: %s", r->process, r->container, r->len, error);
	}
	free(r);
}

int
sdk_send_stdin(tf_location *loc, const char *container, const char *process,
	       tf_out *o, const void *bulk, size_t len)
{
	struct sdk_stdin_req *r = tf_calloc(1, sizeof *r);

	snprintf(r->container, sizeof r->container, "%s", container);
	snprintf(r->process, sizeof r->process, "%s", process);
	r->len = len;
	if (sdk_request(loc, o, bulk, len, sdk_stdin_cb, r) == 0) {
		free(r);
		return -1;
	}
	return 0;
}

/* sdk_send with the bulk frame handed over (a zmq_msg_t, taken). */
int
sdk_send_frame(tf_location *loc, tf_out *o, void *frame)
{
	int rc;

	if (loc->conn != NULL && !loc->disconnected)
		return tf_conn_send_frame(loc->conn, o, frame);
	rc = sdk_send(loc, o, zmq_msg_data(frame), zmq_msg_size(frame));
	zmq_msg_close(frame);
	return rc;
}

void
sdk_ack(tf_location *loc, uint64_t ref, size_t bytes, int64_t conn)
{
	tf_flow_msg a = { .ref = (int64_t)ref, .bytes = (int64_t)bytes,
	    .conn = conn };
	tf_out o;

	if (bytes == 0)
		return;
	if (conn >= 0)
		TF_SET(&tf_flow_codec, &a, conn);
	tf_out_init(&o, "ack");
	tf_flow_pack(&a, &o);
	sdk_send(loc, &o, NULL, 0);
}

int
sdk_call(tf_location *loc, tf_out *o, const void *bulk, size_t len,
	 int timeout_ms, tf_reply *out, tf_err *err)
{
	struct sdk_callw w;
	char what[TF_CMD_MAX + 32];
	uint64_t id;

	memset(&w, 0, sizeof w);
	w.out = out;
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (sdk_check(loc, err) != 0) {
		tf_out_fini(o);
		return -1;
	}
	snprintf(what, sizeof what, "the answer to %s", o->cmd);
	id = sdk_request(loc, o, bulk, len, sdk_call_cb, &w);
	if (id == 0)
		return tf_err_set(err, "not connected to %s", loc->name);
	if (sdk_wait(loc, &w.done, timeout_ms, what, err) != 0) {
		sdk_forget(loc, id);
		if (out != NULL && w.done)
			tf_reply_fini(out);
		return -1;
	}
	if (!w.ok)
		return tf_err_set(err, "%s", w.error);
	return 0;
}
