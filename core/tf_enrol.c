/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_enrol: turns an invite token into an account.  The token carries the
 * location's public key, so the enrolment connection is CURVE-encrypted and
 * authenticated from the first byte; the location makes the account for the
 * key that connected.  This is a one-shot, blocking exchange used only by
 * the cli, so it polls its own socket instead of joining a loop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "tf_call.h"
#include "tf_codec_account.h"
#include "tf_enrol.h"
#include "tf_log.h"
#include "tf_util.h"

int
tf_account_enrol(const char *location, const char *address, const char *token,
		 int timeout_ms, tf_account *acct, tf_err *err)
{
	uint8_t secret[TF_TOKEN_SECRET_LEN];
	char endpoint[300];
	void *ctx, *sock;
	int zero = 0, rc = -1;
	tf_out o;
	tf_msg m;
	zmq_pollitem_t pi;

	memset(acct, 0, sizeof *acct);
	if (tf_token_parse(token, secret, acct->server_pk, err) != 0)
		return -1;
	sodium_memzero(secret, sizeof secret);
	snprintf(acct->location, sizeof acct->location, "%s", location);
	if (tf_endpoint_from_location(address ? address : location, 0,
	    acct->endpoint, sizeof acct->endpoint) != 0 ||
	    tf_endpoint_from_location(address ? address : location,
	    TF_ENROL_PORT_OFFSET, endpoint, sizeof endpoint) != 0)
		return tf_err_set(err, "cannot make an address from '%s'",
		    address ? address : location);
	tf_keypair_make(&acct->keys);

	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, acct->server_pk, TF_KEY_LEN);
	zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, acct->keys.pk, TF_KEY_LEN);
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, acct->keys.sk, TF_KEY_LEN);
	if (zmq_connect(sock, endpoint) != 0) {
		tf_err_set(err, "cannot connect to %s: %s", endpoint,
		    zmq_strerror(errno));
		goto out;
	}
	tf_out_init(&o, "enrol");
	tf_account_pack(&(tf_account_msg){ .token = token }, &o);
	{
		msgpack_sbuffer hdr;
		msgpack_packer pk;

		msgpack_sbuffer_init(&hdr);
		msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 3);
		tf_pack_str(&pk, "enrol");
		msgpack_pack_uint64(&pk, 1);
		msgpack_pack_map(&pk, o.n);
		msgpack_sbuffer_write(&hdr, o.params.data, o.params.size);
		zmq_send(sock, hdr.data, hdr.size, 0);
		msgpack_sbuffer_destroy(&hdr);
	}
	tf_out_fini(&o);
	pi.socket = sock;
	pi.events = ZMQ_POLLIN;
	if (zmq_poll(&pi, 1, timeout_ms) <= 0) {
		tf_err_set(err, "no answer from %s within %d s (is the location "
		    "running there?)", endpoint, timeout_ms / 1000);
		goto out;
	}
	for (;;) {
		int r = tf_msg_recv(&m, sock, false, err);

		if (r == 0) {
			tf_err_set(err, "no answer from %s", endpoint);
			break;
		}
		if (r < 0) {
			tf_msg_fini(&m);
			break;
		}
		if (m.id != 1) {
			tf_msg_fini(&m);
			if (zmq_poll(&pi, 1, timeout_ms) <= 0) {
				tf_err_set(err, "no answer from %s", endpoint);
				break;
			}
			continue;
		}
		if (tf_msg_is_error(&m)) {
			char text[TF_ERR_LEN] = "enrolment refused";

			tf_msg_str(&m, "error", text, sizeof text, false, NULL);
			tf_err_set(err, "%s", text);
		} else {
			rc = 0;
		}
		tf_msg_fini(&m);
		break;
	}
out:
	zmq_close(sock);
	zmq_ctx_term(ctx);
	if (rc != 0)
		tf_keypair_wipe(&acct->keys);
	return rc;
}
