/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_zap.c: the ZAP handler (RFC 27) that decides which CURVE keys may
 * connect.  It is a REP socket on inproc://zeromq.zap.01 served by the
 * location's own loop.  The main socket (domain "tf") admits only keys on
 * the allow-list: users and approved nodes.  The enrolment socket (domain
 * "enrol") admits any key, because that is how a new user's key arrives;
 * it serves nothing but `enrol`.  The User-Id we return ("u:ID", "n:ID",
 * "e:") is attached by libzmq to every message from that connection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "location.h"
#include "tf_log.h"

#define ZAP_FRAMES 7

static void
zap_reply(void *sock, const char *reqid, size_t reqid_len, const char *code,
	  const char *text, const char *user)
{
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, reqid, reqid_len, ZMQ_SNDMORE);
	zmq_send(sock, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);
}

static int
zap_cb(tf_loop *loop, void *sock, void *arg)
{
	struct location *loc = arg;

	for (;;) {
		zmq_msg_t f[ZAP_FRAMES + 1];
		int n = 0, more = 1;
		char domain[64] = "", user[64] = "";
		char b64[TF_KEY_B64_LEN];
		int64_t id;

		while (more && n <= ZAP_FRAMES) {
			zmq_msg_init(&f[n]);
			if (zmq_msg_recv(&f[n], sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
				zmq_msg_close(&f[n]);
				if (n == 0)
					return 0;
				break;
			}
			more = zmq_msg_more(&f[n]);
			n++;
		}
		if (n < 6) {
			tf_warn("zap: malformed request of %d frames", n);
			for (int i = 0; i < n; i++)
				zmq_msg_close(&f[i]);
			/* REP must answer something to stay in step. */
			zap_reply(sock, "", 0, "500", "malformed", "");
			continue;
		}
		if (zmq_msg_size(&f[2]) < sizeof domain)
			memcpy(domain, zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));

		if (strcmp(domain, "enrol") == 0 && n >= 7 &&
		    zmq_msg_size(&f[6]) == 32) {
			/* The enrolling key travels in the User-Id so the
			 * account is made for the key that connected. */
			char enrol_id[64];

			tf_key_to_b64(zmq_msg_data(&f[6]), b64);
			snprintf(enrol_id, sizeof enrol_id, "e:%s", b64);
			zap_reply(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
			    "200", "OK", enrol_id);
		} else if (n < 7 || zmq_msg_size(&f[6]) != 32) {
			zap_reply(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
			    "400", "CURVE required", "");
		} else {
			const uint8_t *pk = zmq_msg_data(&f[6]);

			if (loc_db_user_by_pk(loc, pk, &id) == 0)
				snprintf(user, sizeof user, "u:%lld", (long long)id);
			else if (loc_db_node_by_pk(loc, pk, &id) == 0)
				snprintf(user, sizeof user, "n:%lld", (long long)id);
			if (user[0] != '\0') {
				zap_reply(sock, zmq_msg_data(&f[1]),
				    zmq_msg_size(&f[1]), "200", "OK", user);
			} else {
				tf_key_to_b64(pk, b64);
				tf_info("refused unknown key %s", b64);
				zap_reply(sock, zmq_msg_data(&f[1]),
				    zmq_msg_size(&f[1]), "400", "unknown key", "");
			}
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}

int
loc_zap_start(struct location *loc, tf_err *err)
{
	int zero = 0;

	loc->zap = zmq_socket(loc->zctx, ZMQ_REP);
	zmq_setsockopt(loc->zap, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_bind(loc->zap, "inproc://zeromq.zap.01") != 0)
		return tf_err_set(err, "cannot start the ZAP handler: %s",
		    zmq_strerror(errno));
	tf_loop_add_sock(loc->loop, loc->zap, zap_cb, loc);
	return 0;
}
