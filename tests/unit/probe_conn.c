/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_conn: the probes' raw client of a live location (probe_conn.h).
 */
#include <zmq.h>

#include "probe_conn.h"
#include "tf_keys.h"
#include "tf_util.h"

int
probe_recv_answer(void *sock, uint64_t id, tf_msg *m, int timeout_ms)
{
	uint64_t end = tf_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		zmq_pollitem_t pi = { sock, 0, ZMQ_POLLIN, 0 };
		tf_err err;
		uint64_t now = tf_now_ms();

		if (now >= end)
			return -1;
		if (zmq_poll(&pi, 1, (long)(end - now)) <= 0)
			continue;
		if (tf_msg_recv(m, sock, false, &err) != 1) {
			tf_msg_fini(m);
			continue;
		}
		if (m->id == id && tf_msg_is_answer(m))
			return 0;
		tf_msg_fini(m);	/* pushes, heartbeats */
	}
}

void *
probe_connect(void *ctx, const char *name, int timeout_ms, tf_err *err)
{
	tf_account acct;
	void *sock;
	int zero = 0;
	tf_out o;
	tf_msg m;
	bool welcomed;

	if (tf_account_load(&acct, NULL, err) != 0)
		return NULL;
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, acct.server_pk, 32);
	zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, acct.keys.pk, 32);
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, acct.keys.sk, 32);
	zmq_connect(sock, acct.endpoint);
	tf_keypair_wipe(&acct.keys);

	tf_out_init(&o, "hello");
	tf_out_str(&o, "role", "client");
	tf_out_str(&o, "name", name);
	tf_out_send(&o, sock, NULL, 0, 1, NULL, 0);
	tf_out_fini(&o);
	if (probe_recv_answer(sock, 1, &m, timeout_ms) != 0) {
		welcomed = false;
	} else {
		welcomed = tf_msg_is_reply(&m);
		tf_msg_fini(&m);
	}
	if (!welcomed) {
		zmq_close(sock);
		tf_err_set(err, "hello is not welcomed");
		return NULL;
	}
	return sock;
}
