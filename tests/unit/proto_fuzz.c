/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proto_fuzz: sends malformed, wrongly typed and oversized messages to a
 * live location over a real CURVE connection (the account in $TF_DIR), and
 * checks after each one that the location answers with an error where it
 * can read an id, and that the next well-formed request still works.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "probe_conn.h"
#include "tf_msg.h"
#include "tf_util.h"

static void *sock;
static int failures;

static void
send_raw(const void *hdr, size_t len, const void *bulk, size_t blen, int nbulk)
{
	zmq_send(sock, hdr, len, nbulk > 0 ? ZMQ_SNDMORE : 0);
	for (int i = 0; i < nbulk; i++)
		zmq_send(sock, bulk, blen, i + 1 < nbulk ? ZMQ_SNDMORE : 0);
}

static void
expect(const char *what, bool cond)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

static bool
still_up(uint64_t id)
{
	tf_out o;
	tf_msg m;
	bool ok;

	tf_out_init(&o, "hb");
	tf_out_send(&o, sock, NULL, 0, id, NULL, 0);
	tf_out_fini(&o);
	ok = probe_recv_answer(sock, id, &m, 5000) == 0 && tf_msg_is_reply(&m);
	tf_msg_fini(&m);
	return ok;
}

static bool
error_for(uint64_t id)
{
	tf_msg m;
	bool ok = probe_recv_answer(sock, id, &m, 5000) == 0 && tf_msg_is_error(&m);

	tf_msg_fini(&m);
	return ok;
}

int
main(void)
{
	tf_err err;
	tf_out o;
	void *ctx;
	uint8_t *big;

	ctx = zmq_ctx_new();
	sock = probe_connect(ctx, "proto_fuzz", 5000, &err);
	expect("hello is welcomed", sock != NULL);
	if (sock == NULL) {
		fprintf(stderr, "proto_fuzz: %s\n", err.msg);
		zmq_ctx_term(ctx);
		return 1;
	}

	/* Not msgpack at all. */
	send_raw("\xc1\xc1\xc1", 3, NULL, 0, 0);
	expect("garbage header: still up", still_up(100));
	/* A header whose array claims 4 billion items. */
	send_raw("\x93\xa2hb\x65\xdd\xff\xff\xff\xff", 10, NULL, 0, 0);
	expect("lying array count: error reply", error_for(0x65));
	expect("lying array count: still up", still_up(101));
	/* Truncated: [cmd, id, {"a": "abc... */
	send_raw("\x93\xa2hb\x66\x81\xa1" "a\xa5" "ab", 10, NULL, 0, 0);
	expect("truncated: error reply", error_for(0x66));
	/* Wrong types: command as an int, params as a string. */
	send_raw("\x93\x05\x67\x80", 4, NULL, 0, 0);
	expect("command not a string: still up", still_up(102));
	send_raw("\x93\xa2kv\x68\xa3xyz", 8, NULL, 0, 0);
	expect("params not a map: error reply", error_for(0x68));
	/* A param of the wrong type for a real command. */
	tf_out_init(&o, "kv_get");
	tf_out_int(&o, "key", 42);
	tf_out_send(&o, sock, NULL, 0, 103, NULL, 0);
	tf_out_fini(&o);
	expect("key as an int: error reply", error_for(103));
	/* Too many frames. */
	tf_out_init(&o, "hb");
	{
		msgpack_sbuffer hdr;
		msgpack_packer pk;

		msgpack_sbuffer_init(&hdr);
		msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 3);
		tf_pack_str(&pk, "hb");
		msgpack_pack_uint64(&pk, 104);
		msgpack_pack_map(&pk, 0);
		send_raw(hdr.data, hdr.size, "x", 1, 3);
		msgpack_sbuffer_destroy(&hdr);
	}
	tf_out_fini(&o);
	expect("four frames: error reply", error_for(104));
	/* An oversized header (over 1 MiB, under the transport limit): its
	 * id is read all the same, so the sender hears at once. */
	big = tf_calloc(1, (2u << 20));
	memcpy(big, "\x93\xa2hb\x69\x81\xa1" "a\xdb\x00\x1f\xff\xf0", 14);
	send_raw(big, 2u << 20, NULL, 0, 0);
	free(big);
	expect("oversized header: error reply", error_for(105));
	expect("oversized header: still up", still_up(109));
	/* Unknown command. */
	tf_out_init(&o, "no_such_thing");
	tf_out_send(&o, sock, NULL, 0, 106, NULL, 0);
	tf_out_fini(&o);
	expect("unknown command: error reply", error_for(106));
	/* A container that is not there. */
	tf_out_init(&o, "destroy");
	tf_out_str(&o, "container", "aaaaaaaaaaaaaaaaaaaaaa");
	tf_out_send(&o, sock, NULL, 0, 107, NULL, 0);
	tf_out_fini(&o);
	expect("unknown container: error reply", error_for(107));
	expect("and the connection is still up at the end", still_up(108));

	zmq_close(sock);
	zmq_ctx_term(ctx);
	return failures == 0 ? 0 : 1;
}
