/* SPDX-License-Identifier: BSD-2-Clause */
/* tf_call: blocking helpers that run the loop until an answer arrives. */
#include <stdlib.h>
#include <string.h>

#include "tf_call.h"
#include "tf_log.h"
#include "tf_util.h"

struct call_wait {
	bool done;
	bool ok;
	tf_reply *out;
	char error[TF_ERR_LEN];
};

void
tf_reply_fini(tf_reply *r)
{
	if (r == NULL)
		return;
	if (r->params != NULL)
		msgpack_unpacked_destroy(&r->unp);
	free(r->raw);
	free(r->bulk);
	memset(r, 0, sizeof *r);
}

/* msgpack_unpack_next() leaves strings pointing into its input, so the
 * packed copy lives as long as the reply. */
void
tf_reply_copy(tf_reply *out, const tf_msg *m)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	memset(out, 0, sizeof *out);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *m->params);
	msgpack_unpacked_init(&out->unp);
	msgpack_unpack_next(&out->unp, sb.data, sb.size, NULL);
	out->raw = msgpack_sbuffer_release(&sb);
	out->params = &out->unp.data;
	if (m->bulk != NULL) {
		out->bulk = tf_malloc(m->bulk_len + 1);
		memcpy(out->bulk, m->bulk, m->bulk_len);
		out->bulk[m->bulk_len] = 0;
		out->bulk_len = m->bulk_len;
	}
}

static void
call_reply_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct call_wait *w = arg;

	if (tf_msg_is_stream(m))
		return;
	w->done = true;
	w->ok = tf_msg_is_reply(m);
	if (!w->ok) {
		if (tf_obj_str(m->params, "error", w->error, sizeof w->error,
		    true, NULL) != 0)
			snprintf(w->error, sizeof w->error, "request failed");
	} else if (w->out != NULL) {
		tf_reply_copy(w->out, m);
	}
}

int
tf_loop_wait_flag(tf_loop *loop, const bool *flag, int timeout_ms)
{
	uint64_t end = tf_now_ms() + (uint64_t)timeout_ms;

	while (!*flag) {
		uint64_t now = tf_now_ms();

		if (now >= end)
			return -1;
		if (tf_loop_run_once(loop, (int)(end - now)) != 0 && !*flag)
			return -1;
	}
	return 0;
}

int
tf_conn_wait_up(tf_conn *c, int timeout_ms, tf_err *err)
{
	uint64_t end = tf_now_ms() + (uint64_t)timeout_ms;
	tf_loop *loop = tf_conn_loop(c);

	for (;;) {
		tf_conn_state st = tf_conn_get_state(c);
		uint64_t now = tf_now_ms();

		if (st == TF_CONN_UP)
			return 0;
		if (st == TF_CONN_REFUSED)
			return tf_err_set(err, "%s", tf_conn_refusal(c));
		if (st == TF_CONN_CLOSED)
			return tf_err_set(err, "the connection is closed");
		if (now >= end)
			return tf_err_set(err, "could not reach the location "
			    "within %d s (is it running, and is the address "
			    "right?)", timeout_ms / 1000);
		if (tf_loop_run_once(loop, (int)(end - now)) != 0)
			return tf_err_set(err, "interrupted");
	}
}

int
tf_conn_call(tf_conn *c, tf_out *o, const void *bulk, size_t bulk_len,
	     int timeout_ms, tf_reply *out, tf_err *err)
{
	struct call_wait w;
	char cmd[TF_CMD_MAX];
	uint64_t id;

	memset(&w, 0, sizeof w);
	w.out = out;
	if (out != NULL)
		memset(out, 0, sizeof *out);
	snprintf(cmd, sizeof cmd, "%s", o->cmd);
	id = tf_conn_request(c, o, bulk, bulk_len, call_reply_cb, &w);
	if (id == 0)
		return tf_err_set(err, "not connected to the location");
	if (tf_loop_wait_flag(tf_conn_loop(c), &w.done, timeout_ms) != 0) {
		tf_conn_forget(c, id);
		return tf_err_set(err, "%s: no answer from the location within "
		    "%d s", cmd, timeout_ms / 1000);
	}
	if (!w.ok)
		return tf_err_set(err, "%s", w.error);
	return 0;
}
