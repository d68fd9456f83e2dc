/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_conn: the client side of a location connection (see tf_conn.h for the
 * lifecycle).  The socket monitor tells us when the CURVE handshake succeeds
 * or is refused; application heartbeats tell us when the location has gone
 * quiet, in which case we rebuild the socket and resume the session.
 *
 * Outgoing messages go through one bounded queue that is flushed whenever
 * the connection is UP, so nothing a caller sends before the welcome (or
 * during a break) reaches the location ahead of our hello.  A message whose
 * header would be over TF_HEADER_MAX never enters it: the location would
 * refuse it unread, so a request is answered "!" here instead, as the
 * location would have answered it.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "tf_conn.h"
#include "tf_log.h"
#include "tf_util.h"

#define CONN_TAG 0x7fc0cc00u
#define CONN_QUEUE_MAX_MSGS 65536
#define CONN_QUEUE_MAX_BYTES (256u << 20)
#define CONN_RETRY_MIN_MS 200
#define CONN_RETRY_MAX_MS 5000

struct conn_req {
	uint64_t id;
	tf_conn_reply_fn fn;
	void *arg;
};

/* A request refused here, answered on the next pass of the loop. */
struct conn_refused {
	struct conn_refused *next;
	uint64_t id;
	char why[TF_ERR_LEN];
};

struct conn_out {
	struct conn_out *next;
	char cmd[TF_CMD_MAX];
	uint64_t id;
	uint32_t n;
	msgpack_sbuffer params;
	bool has_bulk;
	zmq_msg_t bulk;		/* the bulk frame, when has_bulk */
	size_t bulk_len;
};

struct tf_conn {
	uint32_t tag;
	tf_loop *loop;
	void *ctx;
	void *sock;
	void *mon;
	char mon_endpoint[64];
	char endpoint[300];
	char role[16];
	char name[128];
	uint8_t server_pk[TF_KEY_LEN];
	tf_keypair keys;
	void (*hello_fn)(tf_conn *, tf_out *, void *);
	void *hello_arg;

	tf_conn_state state;
	char session[64];
	msgpack_unpacked welcome;
	char *welcome_raw;		/* welcome's strings point here */
	bool have_welcome;
	uint64_t hello_id;

	uint64_t next_id;
	struct conn_req *reqs;
	size_t nreqs, capreqs;

	struct conn_out *qhead, *qtail;
	size_t qmsgs, qbytes;

	struct conn_refused *refused;
	uint64_t refused_timer;

	tf_conn_push_fn push_fn;
	void *push_arg;
	tf_conn_state_fn state_fn;
	void *state_arg;

	uint32_t heartbeat_ms, timeout_ms;
	uint64_t hb_timer, retry_timer, flush_timer;
	uint64_t last_rx_ms;
	uint64_t hb_sent_ms, hb_id;
	int rtt_ms;
	uint32_t retry_ms;
	unsigned generation;
	int bad_handshakes;		/* in a row */
	char refusal[TF_ERR_LEN];	/* why we were REFUSED */
};

static int conn_sock_cb(tf_loop *loop, void *sock, void *arg);
static int conn_mon_cb(tf_loop *loop, void *sock, void *arg);
static void conn_flush(tf_conn *c);

const char *
tf_conn_state_name(tf_conn_state st)
{
	switch (st) {
	case TF_CONN_CONNECTING: return "connecting";
	case TF_CONN_UP:         return "connected";
	case TF_CONN_DOWN:       return "reconnecting";
	case TF_CONN_REFUSED:    return "refused";
	case TF_CONN_CLOSED:     return "closed";
	}
	return "?";
}

static void
conn_set_state(tf_conn *c, tf_conn_state st, const char *why)
{
	if (st == TF_CONN_REFUSED)
		snprintf(c->refusal, sizeof c->refusal, "%s", why);
	if (c->state == st)
		return;
	c->state = st;
	tf_debug("conn %s: %s%s%s", c->endpoint, tf_conn_state_name(st),
	    why ? ": " : "", why ? why : "");
	if (c->state_fn != NULL)
		c->state_fn(c, st, why, c->state_arg);
}

/* ---- socket setup ------------------------------------------------------ */

static void
conn_close_socket(tf_conn *c)
{
	if (c->sock != NULL) {
		tf_loop_del_sock(c->loop, c->sock);
		zmq_socket_monitor(c->sock, NULL, 0);
		zmq_close(c->sock);
		c->sock = NULL;
	}
	if (c->mon != NULL) {
		tf_loop_del_sock(c->loop, c->mon);
		zmq_close(c->mon);
		c->mon = NULL;
	}
}

static int
conn_open_socket(tf_conn *c, tf_err *err)
{
	int zero = 0, one = 1, hwm = 100000;
	int ivl = 100 + (int)randombytes_uniform(100);	/* jitter */
	int ivl_max = CONN_RETRY_MAX_MS;
	/* A connect whose SYN went into a dead link would otherwise wait out
	 * the kernel's SYN back-off (up to a minute) once the link is back:
	 * give it up and start a fresh one on the reconnect interval. */
	int connect_timeout = CONN_RETRY_MAX_MS;
	int64_t maxmsg = TF_MAXMSGSIZE;

	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	if (c->sock == NULL)
		return tf_err_set(err, "zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
	zmq_setsockopt(c->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
	zmq_setsockopt(c->sock, ZMQ_CONNECT_TIMEOUT, &connect_timeout,
	    sizeof connect_timeout);
	zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &one, sizeof one);
	if (zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, c->server_pk, TF_KEY_LEN) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, c->keys.pk, TF_KEY_LEN) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, c->keys.sk, TF_KEY_LEN)) {
		conn_close_socket(c);
		return tf_err_set(err, "this libzmq has no CURVE support");
	}
	c->generation++;
	snprintf(c->mon_endpoint, sizeof c->mon_endpoint,
	    "inproc://tf-conn-mon-%p-%u", (void *)c, c->generation);
	if (zmq_socket_monitor(c->sock, c->mon_endpoint,
	    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED) != 0) {
		conn_close_socket(c);
		return tf_err_set(err, "zmq_socket_monitor: %s", zmq_strerror(errno));
	}
	c->mon = zmq_socket(c->ctx, ZMQ_PAIR);
	zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_connect(c->mon, c->mon_endpoint) != 0 ||
	    zmq_connect(c->sock, c->endpoint) != 0) {
		tf_err_set(err, "cannot connect to %s: %s", c->endpoint,
		    zmq_strerror(errno));
		conn_close_socket(c);
		return -1;
	}
	tf_loop_add_sock(c->loop, c->sock, conn_sock_cb, c);
	tf_loop_add_sock(c->loop, c->mon, conn_mon_cb, c);
	c->last_rx_ms = tf_now_ms();
	return 0;
}

/* ---- the outgoing queue ------------------------------------------------ */

static void
conn_out_free(struct conn_out *q)
{
	msgpack_sbuffer_destroy(&q->params);
	if (q->has_bulk)
		zmq_msg_close(&q->bulk);
	free(q);
}

static int
conn_out_send_now(tf_conn *c, struct conn_out *q)
{
	zmq_msg_t ref;
	tf_out o;

	/* Borrow the queued params into a tf_out for tf_out_send. */
	memcpy(o.cmd, q->cmd, sizeof o.cmd);
	o.params = q->params;
	o.n = q->n;
	if (!q->has_bulk)
		return tf_out_send(&o, c->sock, NULL, 0, q->id, NULL, 0);
	/* A reference goes, so that the frame stays queued on EAGAIN. */
	zmq_msg_init(&ref);
	zmq_msg_copy(&ref, &q->bulk);
	return tf_out_send_frame(&o, c->sock, NULL, 0, q->id, &ref);
}

static int
conn_flush_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	tf_conn *c = arg;

	c->flush_timer = 0;
	conn_flush(c);
	return 0;
}

static void
conn_flush(tf_conn *c)
{
	while (c->qhead != NULL && c->state == TF_CONN_UP && c->sock != NULL) {
		struct conn_out *q = c->qhead;

		if (conn_out_send_now(c, q) != 0) {
			if (errno == EAGAIN) {
				/* The socket is full: retry shortly. */
				if (c->flush_timer == 0)
					c->flush_timer = tf_loop_timer(c->loop, 5,
					    false, conn_flush_timer_cb, c);
				return;
			}
			tf_warn("send %s to %s failed: %s", q->cmd, c->endpoint,
			    zmq_strerror(errno));
		}
		c->qhead = q->next;
		if (c->qhead == NULL)
			c->qtail = NULL;
		c->qmsgs--;
		c->qbytes -= q->params.size + q->bulk_len;
		conn_out_free(q);
	}
}

/* Takes o's params, and frame (a zmq_msg_t, or NULL: bulk is copied);
 * o is finished and frame taken in every case. */
static int
conn_enqueue(tf_conn *c, tf_out *o, uint64_t id, const void *bulk,
	     size_t bulk_len, zmq_msg_t *frame)
{
	struct conn_out *q;

	if (frame != NULL) {
		bulk = zmq_msg_data(frame);
		bulk_len = zmq_msg_size(frame);
	}

	/* Nothing waiting: straight to ZeroMQ, without a copy into the
	 * queue (tunnel data passes here, frame after frame). */
	if (c->qhead == NULL && c->state == TF_CONN_UP && c->sock != NULL) {
		zmq_msg_t ref;
		int rc;

		if (frame != NULL) {
			/* A reference: the frame stays ours on EAGAIN. */
			zmq_msg_init(&ref);
			zmq_msg_copy(&ref, frame);
			rc = tf_out_send_frame(o, c->sock, NULL, 0, id, &ref);
		} else {
			rc = tf_out_send(o, c->sock, NULL, 0, id, bulk,
			    bulk_len);
		}

		if (rc != 0 && errno != EAGAIN)
			tf_warn("send %s to %s failed: %s", o->cmd, c->endpoint,
			    zmq_strerror(errno));
		if (rc == 0 || errno != EAGAIN) {
			tf_out_fini(o);
			if (frame != NULL)
				zmq_msg_close(frame);
			return 0;
		}
	}
	if (c->qmsgs >= CONN_QUEUE_MAX_MSGS ||
	    c->qbytes + o->params.size + bulk_len > CONN_QUEUE_MAX_BYTES) {
		tf_out_fini(o);
		if (frame != NULL)
			zmq_msg_close(frame);
		errno = ENOBUFS;
		return -1;
	}
	q = tf_calloc(1, sizeof *q);
	memcpy(q->cmd, o->cmd, sizeof q->cmd);
	q->id = id;
	q->n = o->n;
	q->params = o->params;		/* moved */
	msgpack_sbuffer_init(&o->params);
	tf_out_fini(o);
	if (frame != NULL) {
		zmq_msg_init(&q->bulk);
		zmq_msg_move(&q->bulk, frame);
		q->has_bulk = true;
		q->bulk_len = bulk_len;
	} else if (bulk != NULL) {
		zmq_msg_init_size(&q->bulk, bulk_len);
		if (bulk_len > 0)
			memcpy(zmq_msg_data(&q->bulk), bulk, bulk_len);
		q->has_bulk = true;
		q->bulk_len = bulk_len;
	}
	if (c->qtail != NULL)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	c->qmsgs++;
	c->qbytes += q->params.size + bulk_len;
	conn_flush(c);
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

static void
conn_req_add(tf_conn *c, uint64_t id, tf_conn_reply_fn fn, void *arg)
{
	if (c->nreqs == c->capreqs) {
		c->capreqs = c->capreqs ? c->capreqs * 2 : 32;
		c->reqs = tf_realloc(c->reqs, c->capreqs * sizeof *c->reqs);
	}
	c->reqs[c->nreqs++] = (struct conn_req){ id, fn, arg };
}

/* Hands r's callback a "!" made here, as if the location had sent it. */
static void
conn_answer_error(tf_conn *c, struct conn_req r, const char *why)
{
	msgpack_sbuffer hdr;
	msgpack_packer pk;
	tf_msg m;
	tf_err err;

	if (r.fn == NULL)
		return;
	msgpack_sbuffer_init(&hdr);
	msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	tf_pack_str(&pk, TF_ERROR_REPLY);
	msgpack_pack_uint64(&pk, r.id);
	msgpack_pack_map(&pk, 1);
	tf_pack_kv_str(&pk, "error", why);
	memset(&m, 0, sizeof m);
	if (tf_msg_decode(&m, hdr.data, hdr.size, &err) == 0)
		r.fn(c, &m, r.arg);
	tf_msg_fini(&m);
	msgpack_sbuffer_destroy(&hdr);
}

static struct conn_req *
conn_req_find(tf_conn *c, uint64_t id)
{
	for (size_t i = 0; i < c->nreqs; i++)
		if (c->reqs[i].id == id)
			return &c->reqs[i];
	return NULL;
}

static void
conn_req_remove(tf_conn *c, uint64_t id)
{
	for (size_t i = 0; i < c->nreqs; i++) {
		if (c->reqs[i].id == id) {
			c->reqs[i] = c->reqs[--c->nreqs];
			return;
		}
	}
}

/* Answers the requests refused here, oldest first. */
static void
conn_refused_answer(tf_conn *c)
{
	struct conn_refused *list = c->refused, *prev = NULL, *next;

	c->refused = NULL;
	/* Pushed newest first; reverse.  Refusals made by the callbacks
	 * below start a new list. */
	for (; list != NULL; list = next) {
		next = list->next;
		list->next = prev;
		prev = list;
	}
	for (list = prev; list != NULL; list = next) {
		struct conn_req *r = conn_req_find(c, list->id);

		next = list->next;
		if (r != NULL) {
			struct conn_req copy = *r;

			conn_req_remove(c, copy.id);
			conn_answer_error(c, copy, list->why);
		}
		free(list);
	}
}

static int
conn_refused_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	tf_conn *c = arg;

	(void)loop;
	(void)id;
	c->refused_timer = 0;
	conn_refused_answer(c);
	return 0;
}

/*
 * A request too large to send.  Its callback gets the "!" on the next pass
 * of the loop, not from inside tf_conn_request: a caller that matches
 * answers by id does not know the id yet.  Without a callback nobody would
 * hear of it, so it is logged and 0 returned.
 */
static uint64_t
conn_refuse(tf_conn *c, uint64_t id, tf_conn_reply_fn fn, void *arg,
	    const char *why)
{
	struct conn_refused *rf;

	if (fn == NULL) {
		tf_warn("%s", why);
		errno = EMSGSIZE;
		return 0;
	}
	conn_req_add(c, id, fn, arg);
	rf = tf_calloc(1, sizeof *rf);
	rf->id = id;
	snprintf(rf->why, sizeof rf->why, "%s", why);
	rf->next = c->refused;
	c->refused = rf;
	if (c->refused_timer == 0)
		c->refused_timer = tf_loop_timer(c->loop, 0, false,
		    conn_refused_timer_cb, c);
	return id;
}

uint64_t
tf_conn_request(tf_conn *c, tf_out *o, const void *bulk, size_t bulk_len,
		tf_conn_reply_fn fn, void *arg)
{
	uint64_t id;
	tf_err err;

	assert(c->tag == CONN_TAG);
	if (c->state == TF_CONN_REFUSED || c->state == TF_CONN_CLOSED) {
		tf_out_fini(o);
		return 0;
	}
	id = c->next_id++;
	if (tf_out_check_size(o, id, &err) != 0) {
		tf_out_fini(o);
		return conn_refuse(c, id, fn, arg, err.msg);
	}
	if (conn_enqueue(c, o, id, bulk, bulk_len, NULL) != 0)
		return 0;
	if (fn != NULL)
		conn_req_add(c, id, fn, arg);
	return id;
}

int
tf_conn_send(tf_conn *c, tf_out *o, const void *bulk, size_t bulk_len)
{
	tf_err err;

	if (c->state == TF_CONN_REFUSED || c->state == TF_CONN_CLOSED) {
		tf_out_fini(o);
		errno = ENOTCONN;
		return -1;
	}
	if (tf_out_check_size(o, 0, &err) != 0) {
		tf_warn("%s: not sent", err.msg);
		tf_out_fini(o);
		errno = EMSGSIZE;
		return -1;
	}
	return conn_enqueue(c, o, 0, bulk, bulk_len, NULL);
}

int
tf_conn_send_frame(tf_conn *c, tf_out *o, void *frame)
{
	tf_err err;

	if (c->state == TF_CONN_REFUSED || c->state == TF_CONN_CLOSED) {
		tf_out_fini(o);
		zmq_msg_close(frame);
		errno = ENOTCONN;
		return -1;
	}
	if (tf_out_check_size(o, 0, &err) != 0) {
		tf_warn("%s: not sent", err.msg);
		tf_out_fini(o);
		zmq_msg_close(frame);
		errno = EMSGSIZE;
		return -1;
	}
	return conn_enqueue(c, o, 0, NULL, 0, frame);
}

void
tf_conn_forget(tf_conn *c, uint64_t id)
{
	conn_req_remove(c, id);
}

int
tf_conn_reply(tf_conn *c, uint64_t id, const char *kind, tf_out *o,
	      const void *bulk, size_t bulk_len)
{
	tf_out empty;
	size_t size;

	if (id == 0) {
		if (o != NULL)
			tf_out_fini(o);
		return 0;
	}
	if (o == NULL) {
		tf_out_init(&empty, kind);
		o = &empty;
	} else {
		snprintf(o->cmd, sizeof o->cmd, "%s", kind);
	}
	if (c->state == TF_CONN_REFUSED || c->state == TF_CONN_CLOSED) {
		tf_out_fini(o);
		return -1;
	}
	size = tf_out_header_size(o, id);
	if (size > TF_HEADER_MAX) {
		/* The requester hears why rather than nothing. */
		tf_out_fini(o);
		return tf_conn_reply_error(c, id, "the answer would be %zu "
		    "bytes, over the %u byte limit of a message header", size,
		    TF_HEADER_MAX);
	}
	return conn_enqueue(c, o, id, bulk, bulk_len, NULL);
}

int
tf_conn_reply_error(tf_conn *c, uint64_t id, const char *fmt, ...)
{
	char text[TF_ERR_LEN];
	va_list ap;
	tf_out o;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	tf_out_init(&o, TF_ERROR_REPLY);
	tf_out_str(&o, "error", text);
	return tf_conn_reply(c, id, TF_ERROR_REPLY, &o, NULL, 0);
}

/* Answers every outstanding request with an error made here. */
static void
conn_fail_all(tf_conn *c, const char *why)
{
	while (c->nreqs > 0) {
		struct conn_req r = c->reqs[--c->nreqs];

		conn_answer_error(c, r, why);
	}
}

/* ---- hello / welcome --------------------------------------------------- */

static void
conn_welcome_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char err_text[TF_ERR_LEN];
	bool resumed = false;

	c->hello_id = 0;
	if (tf_msg_is_error(m)) {
		if (tf_obj_str(m->params, "error", err_text, sizeof err_text,
		    true, NULL) != 0)
			snprintf(err_text, sizeof err_text, "hello refused");
		conn_close_socket(c);
		conn_set_state(c, TF_CONN_REFUSED, err_text);
		conn_fail_all(c, err_text);
		return;
	}
	if (!tf_msg_is_reply(m))
		return;
	/* Keep a copy of the welcome: callers read it after this message
	 * has gone. */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *m->params);
	if (c->have_welcome) {
		msgpack_unpacked_destroy(&c->welcome);
		free(c->welcome_raw);
	}
	msgpack_unpacked_init(&c->welcome);
	msgpack_unpack_next(&c->welcome, sb.data, sb.size, NULL);
	c->welcome_raw = msgpack_sbuffer_release(&sb);
	c->have_welcome = true;
	tf_obj_str(m->params, "session", c->session, sizeof c->session, false,
	    NULL);
	tf_obj_bool(m->params, "resumed", &resumed, false, NULL);
	c->retry_ms = CONN_RETRY_MIN_MS;
	conn_set_state(c, TF_CONN_UP, resumed ? "session resumed" : NULL);
	conn_flush(c);
}

static void
conn_send_hello(tf_conn *c)
{
	tf_out o;

	tf_out_init(&o, "hello");
	tf_out_str(&o, "role", c->role);
	tf_out_str(&o, "name", c->name);
	tf_out_int(&o, "pid", (int64_t)getpid());
	if (c->session[0] != '\0')
		tf_out_str(&o, "session", c->session);
	if (c->hello_fn != NULL)
		c->hello_fn(c, &o, c->hello_arg);
	if (c->hello_id != 0)
		conn_req_remove(c, c->hello_id);
	c->hello_id = c->next_id++;
	conn_req_add(c, c->hello_id, conn_welcome_cb, NULL);
	/* The hello jumps the queue: everything queued waits for the
	 * welcome. */
	if (tf_out_send(&o, c->sock, NULL, 0, c->hello_id, NULL, 0) != 0)
		tf_warn("cannot send hello to %s: %s", c->endpoint,
		    zmq_strerror(errno));
	tf_out_fini(&o);
}

/* ---- receiving --------------------------------------------------------- */

static void
conn_dispatch(tf_conn *c, tf_msg *m)
{
	if (tf_msg_is_answer(m)) {
		struct conn_req *r = conn_req_find(c, m->id);
		tf_conn_reply_fn fn;
		void *arg;

		if (m->id == c->hb_id && c->hb_id != 0) {
			c->rtt_ms = (int)(tf_now_ms() - c->hb_sent_ms);
			c->hb_id = 0;
			conn_req_remove(c, m->id);
			return;
		}
		if (r == NULL)
			return;		/* forgotten: late answers are fine */
		fn = r->fn;
		arg = r->arg;
		if (!tf_msg_is_stream(m))
			conn_req_remove(c, m->id);
		if (fn != NULL)
			fn(c, m, arg);
		return;
	}
	if (strcmp(m->cmd, "hb") == 0) {
		tf_conn_reply(c, m->id, TF_REPLY, NULL, NULL, 0);
		return;
	}
	if (strcmp(m->cmd, "bye") == 0) {
		/* The location forgot our session (garbage-collected): start
		 * afresh on the next hello rather than resume. */
		char why[TF_ERR_LEN] = "the location closed this session";

		tf_obj_str(m->params, "reason", why, sizeof why, false, NULL);
		tf_warn("%s", why);
		if (c->hello_id != 0)
			return;		/* a hello is already on its way */
		c->session[0] = '\0';
		/* What was in flight belonged to the old session. */
		conn_fail_all(c, why);
		conn_set_state(c, TF_CONN_CONNECTING, why);
		conn_send_hello(c);
		return;
	}
	if (c->push_fn != NULL)
		c->push_fn(c, m, c->push_arg);
	else if (m->id != 0)
		tf_conn_reply_error(c, m->id, "command %s is not served here",
		    m->cmd);
}

static int
conn_sock_cb(tf_loop *loop, void *sock, void *arg)
{
	tf_conn *c = arg;
	unsigned gen = c->generation;

	for (int i = 0; i < 256; i++) {
		tf_msg m;
		tf_err err;
		int rc = tf_msg_recv(&m, sock, false, &err);

		if (rc == 0)
			break;
		c->last_rx_ms = tf_now_ms();
		if (rc < 0)
			tf_warn("malformed message from %s dropped: %s",
			    c->endpoint, err.msg);
		else
			conn_dispatch(c, &m);
		tf_msg_fini(&m);
		/* A callback may have rebuilt or closed the socket. */
		if (c->generation != gen || c->sock != sock)
			break;
	}
	return 0;
}

static int
conn_retry_cb(tf_loop *loop, uint64_t id, void *arg)
{
	tf_conn *c = arg;
	tf_err err;

	c->retry_timer = 0;
	if (c->state != TF_CONN_DOWN)
		return 0;
	if (conn_open_socket(c, &err) != 0)
		tf_warn("reconnect to %s: %s", c->endpoint, err.msg);
	return 0;
}

/* Drops the socket and schedules a fresh one after a back-off with jitter,
 * keeping the session id so the location resumes us. */
static void
conn_lost(tf_conn *c, const char *why)
{
	uint32_t delay;

	conn_close_socket(c);
	if (c->hello_id != 0) {
		conn_req_remove(c, c->hello_id);
		c->hello_id = 0;
	}
	conn_set_state(c, TF_CONN_DOWN, why);
	delay = c->retry_ms + randombytes_uniform(c->retry_ms / 2 + 1);
	c->retry_ms = c->retry_ms * 2 > CONN_RETRY_MAX_MS ?
	    CONN_RETRY_MAX_MS : c->retry_ms * 2;
	if (c->retry_timer == 0)
		c->retry_timer = tf_loop_timer(c->loop, delay, false,
		    conn_retry_cb, c);
}

static int
conn_mon_cb(tf_loop *loop, void *sock, void *arg)
{
	tf_conn *c = arg;

	for (;;) {
		zmq_msg_t ev, addr;
		uint16_t event;
		uint32_t value;

		zmq_msg_init(&ev);
		if (zmq_msg_recv(&ev, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			break;
		}
		if (zmq_msg_size(&ev) < 6) {
			zmq_msg_close(&ev);
			continue;
		}
		memcpy(&event, zmq_msg_data(&ev), 2);
		memcpy(&value, (uint8_t *)zmq_msg_data(&ev) + 2, 4);
		zmq_msg_close(&ev);
		zmq_msg_init(&addr);
		zmq_msg_recv(&addr, sock, ZMQ_DONTWAIT);
		zmq_msg_close(&addr);

		switch (event) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			c->bad_handshakes = 0;
			c->last_rx_ms = tf_now_ms();
			conn_send_hello(c);
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			conn_close_socket(c);
			conn_set_state(c, TF_CONN_REFUSED,
			    "the location refused this key: it is not on its "
			    "allow-list (no account, or the account was removed)");
			conn_fail_all(c, "the location refused this key");
			return 0;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			/* Retrying cannot fix mismatched keys: give up after a
			 * few so the user sees why. */
			if (++c->bad_handshakes < 3)
				break;
			conn_close_socket(c);
			conn_set_state(c, TF_CONN_REFUSED,
			    "the CURVE handshake failed: the location's key "
			    "(.spub) does not match this location, or the "
			    "account's key files do not belong together");
			conn_fail_all(c, "the CURVE handshake failed");
			return 0;
		case ZMQ_EVENT_DISCONNECTED:
			if (c->state == TF_CONN_UP || c->state == TF_CONN_CONNECTING)
				conn_lost(c, "disconnected");
			return 0;
		default:
			break;
		}
	}
	return 0;
}

static int
conn_hb_cb(tf_loop *loop, uint64_t id, void *arg)
{
	tf_conn *c = arg;
	uint64_t now = tf_now_ms();

	if (c->state == TF_CONN_UP || c->state == TF_CONN_CONNECTING) {
		if (c->sock != NULL && now - c->last_rx_ms > c->timeout_ms) {
			conn_lost(c, "the location stopped answering");
			return 0;
		}
	}
	if (c->state == TF_CONN_UP && c->hb_id == 0) {
		tf_out o;

		tf_out_init(&o, "hb");
		c->hb_sent_ms = now;
		c->hb_id = c->next_id++;
		if (tf_out_send(&o, c->sock, NULL, 0, c->hb_id, NULL, 0) != 0)
			c->hb_id = 0;
		tf_out_fini(&o);
	} else if (c->state == TF_CONN_UP && now - c->hb_sent_ms > c->timeout_ms) {
		c->hb_id = 0;	/* lost heartbeat: try again */
	}
	return 0;
}

/* ---- construction ------------------------------------------------------ */

tf_conn *
tf_conn_new(tf_loop *loop, const tf_conn_config *cfg, tf_err *err)
{
	tf_conn *c;

	if (sodium_init() < 0) {
		tf_err_set(err, "libsodium failed to initialise");
		return NULL;
	}
	c = tf_calloc(1, sizeof *c);
	c->tag = CONN_TAG;
	c->loop = loop;
	c->next_id = 1;
	c->rtt_ms = -1;
	c->retry_ms = CONN_RETRY_MIN_MS;
	snprintf(c->endpoint, sizeof c->endpoint, "%s", cfg->endpoint);
	snprintf(c->role, sizeof c->role, "%s", cfg->role ? cfg->role : "client");
	snprintf(c->name, sizeof c->name, "%s", cfg->name ? cfg->name : "");
	memcpy(c->server_pk, cfg->server_pk, TF_KEY_LEN);
	c->keys = cfg->keys;
	c->hello_fn = cfg->hello_fn;
	c->hello_arg = cfg->hello_arg;
	c->heartbeat_ms = cfg->heartbeat_ms ? cfg->heartbeat_ms : 1000;
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 5000;
	c->ctx = zmq_ctx_new();
	c->state = TF_CONN_CONNECTING;
	if (c->ctx == NULL || conn_open_socket(c, err) != 0) {
		if (c->ctx != NULL)
			zmq_ctx_term(c->ctx);
		sodium_memzero(&c->keys, sizeof c->keys);
		free(c);
		return NULL;
	}
	c->hb_timer = tf_loop_timer(loop, c->heartbeat_ms, true, conn_hb_cb, c);
	return c;
}

tf_conn *
tf_conn_new_account(tf_loop *loop, const tf_account *acct, const char *name,
		    tf_err *err)
{
	tf_conn_config cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.endpoint = acct->endpoint;
	memcpy(cfg.server_pk, acct->server_pk, TF_KEY_LEN);
	cfg.keys = acct->keys;
	cfg.role = "client";
	cfg.name = name;
	return tf_conn_new(loop, &cfg, err);
}

void
tf_conn_destroy(tf_conn **self_p)
{
	tf_conn *c;

	assert(self_p != NULL);
	c = *self_p;
	if (c == NULL)
		return;
	assert(c->tag == CONN_TAG);
	/* Say goodbye so the location collects the session now rather than
	 * after the grace period. */
	if (c->state == TF_CONN_UP && c->sock != NULL) {
		tf_out o;

		conn_flush(c);
		tf_out_init(&o, "bye");
		tf_out_send(&o, c->sock, NULL, 0, 0, NULL, 0);
		tf_out_fini(&o);
	}
	c->state = TF_CONN_CLOSED;
	/* Refused requests hear why, not that the connection closed. */
	conn_refused_answer(c);
	conn_fail_all(c, "the connection was closed");
	tf_loop_timer_cancel(c->loop, c->refused_timer);
	tf_loop_timer_cancel(c->loop, c->hb_timer);
	tf_loop_timer_cancel(c->loop, c->retry_timer);
	tf_loop_timer_cancel(c->loop, c->flush_timer);
	if (c->sock != NULL) {
		/* Give the goodbye a moment to leave: LINGER is 0 otherwise. */
		int linger = 200;

		zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
	}
	conn_close_socket(c);
	while (c->qhead != NULL) {
		struct conn_out *q = c->qhead;

		c->qhead = q->next;
		conn_out_free(q);
	}
	if (c->have_welcome)
		msgpack_unpacked_destroy(&c->welcome);
	free(c->welcome_raw);
	free(c->reqs);
	zmq_ctx_term(c->ctx);
	sodium_memzero(&c->keys, sizeof c->keys);
	c->tag = 0xdeadbeef;
	free(c);
	*self_p = NULL;
}

void
tf_conn_on_push(tf_conn *c, tf_conn_push_fn fn, void *arg)
{
	c->push_fn = fn;
	c->push_arg = arg;
}

void
tf_conn_on_state(tf_conn *c, tf_conn_state_fn fn, void *arg)
{
	c->state_fn = fn;
	c->state_arg = arg;
}

tf_conn_state
tf_conn_get_state(const tf_conn *c)
{
	return c->state;
}

const msgpack_object *
tf_conn_welcome(const tf_conn *c)
{
	return c->have_welcome ? &c->welcome.data : NULL;
}

const char *
tf_conn_session(const tf_conn *c)
{
	return c->session;
}

const char *
tf_conn_refusal(const tf_conn *c)
{
	return c->refusal;
}

int
tf_conn_rtt_ms(const tf_conn *c)
{
	return c->rtt_ms;
}

tf_loop *
tf_conn_loop(const tf_conn *c)
{
	return c->loop;
}
