/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * selftest: runs the core objects' self tests (czmq style), all of them or
 * the ones named on the command line.
 */
/* The checks are the test: never compiled out. */
#undef NDEBUG
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "tf_call.h"
#include "tf_conn.h"
#include "tf_frames.h"
#include "tf_keys.h"
#include "tf_log.h"
#include "tf_loop.h"
#include "tf_msg.h"
#include "tf_name.h"
#include "tf_util.h"
#include "tf_image.h"
#include "tf_model.h"
#include "tf_registry.h"
#include "tf_selftest.h"

/* A kv_set whose one value makes the header len bytes with id 0, and more
 * with any other id. */
static void
oversize_out(tf_out *o, size_t len)
{
	size_t head;
	char *v;

	tf_out_init(o, "kv_set");
	head = tf_out_header_size(o, 0);
	tf_out_fini(o);
	head += 2 + 5;		/* key "v", a str 32 header */
	v = tf_malloc(len - head);
	memset(v, 'v', len - head);
	tf_out_init(o, "kv_set");
	tf_out_strn(o, "v", v, len - head);
	free(v);
}

static int
recv_wait(tf_msg *m, void *sock, bool router, tf_err *err)
{
	zmq_pollitem_t pi = { .socket = sock, .events = ZMQ_POLLIN };

	TF_TEST_CHECK(zmq_poll(&pi, 1, 2000) == 1);
	return tf_msg_recv(m, sock, router, err);
}

/*
 * What the location does with an oversize header: the ROUTER still learns
 * the request id, so the sender gets "!" for its request at once rather
 * than waiting out its timeout; and tf_out_send never sends one.
 */
static void
msg_wire_test(bool verbose)
{
	void *ctx = zmq_ctx_new();
	void *router = zmq_socket(ctx, ZMQ_ROUTER);
	void *dealer = zmq_socket(ctx, ZMQ_DEALER);
	zmq_msg_t frame;
	tf_msg m;
	tf_err err;
	tf_out o;
	char text[TF_ERR_LEN];

	if (verbose)
		tf_info("msg_wire_test");
	TF_TEST_CHECK(zmq_bind(router, "inproc://selftest-wire") == 0);
	TF_TEST_CHECK(zmq_connect(dealer, "inproc://selftest-wire") == 0);

	/* A header one byte over the limit, as an older SDK sent it. */
	oversize_out(&o, TF_HEADER_MAX + 9);
	{
		msgpack_sbuffer hdr;
		msgpack_packer pk;

		msgpack_sbuffer_init(&hdr);
		msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 3);
		tf_pack_str(&pk, o.cmd);
		msgpack_pack_uint64(&pk, 0x4242);
		msgpack_pack_map(&pk, o.n);
		msgpack_sbuffer_write(&hdr, o.params.data, o.params.size);
		TF_TEST_CHECK(hdr.size > TF_HEADER_MAX);
		zmq_msg_init_size(&frame, hdr.size);
		memcpy(zmq_msg_data(&frame), hdr.data, hdr.size);
		TF_TEST_CHECK(zmq_msg_send(&frame, dealer, 0) >= 0);
		msgpack_sbuffer_destroy(&hdr);
	}
	TF_TEST_CHECK(recv_wait(&m, router, true, &err) == -1);
	TF_TEST_CHECK(strstr(err.msg, "limit") != NULL);
	TF_TEST_CHECK(m.id == 0x4242 && m.rid_len > 0);
	TF_TEST_CHECK(tf_send_error(router, m.rid, m.rid_len, m.id,
	    "malformed message: %s", err.msg) == 0);
	tf_msg_fini(&m);
	TF_TEST_CHECK(recv_wait(&m, dealer, false, &err) == 1);
	TF_TEST_CHECK(tf_msg_is_error(&m) && m.id == 0x4242);
	TF_TEST_CHECK(tf_msg_str(&m, "error", text, sizeof text, true, &err) == 0);
	TF_TEST_CHECK(strstr(text, "limit") != NULL);
	tf_msg_fini(&m);

	/* tf_out_send refuses it, and nothing arrives. */
	errno = 0;
	TF_TEST_CHECK(tf_out_send(&o, dealer, NULL, 0, 0x4243, NULL, 0) == -1 &&
	    errno == EMSGSIZE);
	tf_out_fini(&o);
	TF_TEST_CHECK(tf_msg_recv(&m, router, true, &err) == 0);
	tf_msg_fini(&m);

	zmq_close(dealer);
	zmq_close(router);
	zmq_ctx_term(ctx);
}

struct conn_answer {
	int calls;
	bool error;
	char text[TF_ERR_LEN];
};

static void
conn_answer_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct conn_answer *a = arg;

	(void)c;
	a->calls++;
	a->error = tf_msg_is_error(m);
	tf_obj_str(m->params, "error", a->text, sizeof a->text, false, NULL);
}

/*
 * The SDK's side: a request too large to send is answered "!" by tf_conn
 * itself, on the next pass of the loop and never before tf_conn_request
 * returns.  The endpoint is never served: nothing leaves this process.
 */
static void
conn_oversize_test(bool verbose)
{
	tf_loop *loop = tf_loop_new();
	tf_conn_config cfg;
	tf_keypair server;
	struct conn_answer a = { 0 }, small = { 0 };
	tf_conn *c;
	tf_err err;
	tf_out o;
	uint64_t id, t0;

	if (verbose)
		tf_info("conn_oversize_test");
	memset(&cfg, 0, sizeof cfg);
	tf_keypair_make(&server);
	tf_keypair_make(&cfg.keys);
	memcpy(cfg.server_pk, server.pk, TF_KEY_LEN);
	cfg.endpoint = "inproc://selftest-nobody";
	c = tf_conn_new(loop, &cfg, &err);
	TF_TEST_CHECK(c != NULL);

	oversize_out(&o, TF_HEADER_MAX + 1);
	id = tf_conn_request(c, &o, NULL, 0, conn_answer_cb, &a);
	TF_TEST_CHECK(id != 0 && a.calls == 0);
	tf_out_init(&o, "kv_get");
	tf_out_str(&o, "key", "k");
	TF_TEST_CHECK(tf_conn_request(c, &o, NULL, 0, conn_answer_cb, &small) != 0);
	tf_loop_run_once(loop, 100);
	TF_TEST_CHECK(a.calls == 1 && a.error);
	TF_TEST_CHECK(strstr(a.text, "kv_set") != NULL &&
	    strstr(a.text, "limit") != NULL);
	TF_TEST_CHECK(small.calls == 0);	/* queued, not refused */

	/* A forgotten refusal is not answered. */
	a.calls = 0;
	oversize_out(&o, TF_HEADER_MAX + 1);
	id = tf_conn_request(c, &o, NULL, 0, conn_answer_cb, &a);
	tf_conn_forget(c, id);
	tf_loop_run_once(loop, 100);
	TF_TEST_CHECK(a.calls == 0);

	/* Blocking: the error at once, not after the timeout. */
	t0 = tf_now_ms();
	oversize_out(&o, TF_HEADER_MAX + 1);
	TF_TEST_CHECK(tf_conn_call(c, &o, NULL, 0, 20000, NULL, &err) == -1);
	TF_TEST_CHECK(strstr(err.msg, "limit") != NULL);
	TF_TEST_CHECK(tf_now_ms() - t0 < 2000);

	/* Without a callback, or with no answer wanted: refused, said. */
	oversize_out(&o, TF_HEADER_MAX + 1);
	errno = 0;
	TF_TEST_CHECK(tf_conn_request(c, &o, NULL, 0, NULL, NULL) == 0 &&
	    errno == EMSGSIZE);
	oversize_out(&o, TF_HEADER_MAX + 1);
	errno = 0;
	TF_TEST_CHECK(tf_conn_send(c, &o, NULL, 0) == -1 && errno == EMSGSIZE);

	/* A refusal still pending when the connection closes says why. */
	a.calls = 0;
	oversize_out(&o, TF_HEADER_MAX + 1);
	TF_TEST_CHECK(tf_conn_request(c, &o, NULL, 0, conn_answer_cb, &a) != 0);
	tf_conn_destroy(&c);
	TF_TEST_CHECK(a.calls == 1 && strstr(a.text, "limit") != NULL);
	TF_TEST_CHECK(small.calls == 1 && small.error &&
	    strstr(small.text, "closed") != NULL);
	tf_loop_destroy(&loop);
	tf_keypair_wipe(&server);
}

static const struct {
	const char *name;
	void (*fn)(bool verbose);
} all_tests[] = {
	{ "tf_loop", tf_loop_test },
	{ "tf_msg", tf_msg_test },
	{ "tf_frames", tf_frames_test },
	{ "tf_name", tf_name_test },
	{ "msg_wire", msg_wire_test },
	{ "conn_oversize", conn_oversize_test },
	{ "tf_keys", tf_keys_test },
	{ "tf_model", tf_model_test },
	{ "tf_registry", tf_registry_test },
	{ "tf_image", tf_image_test },
};

int
main(int argc, char **argv)
{
	size_t n = sizeof all_tests / sizeof all_tests[0];
	int passed = 0;

	tf_log_setup(TF_LOG_INFO, "selftest", stderr);
	for (size_t i = 0; i < n; i++) {
		bool wanted = argc < 2;

		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], all_tests[i].name) == 0)
				wanted = true;
		if (!wanted)
			continue;
		all_tests[i].fn(true);
		printf("ok %s\n", all_tests[i].name);
		passed++;
	}
	printf("%d passed, 0 failed\n", passed);
	return 0;
}
