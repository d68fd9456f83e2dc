/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * name_probe: sends every request that names a container, volume, tag,
 * node, tunnel or KV key to a live location (the account in $TF_DIR, over
 * a real CURVE connection) with empty and malformed names: "", ":", "x:",
 * ":x", an overlong name and bytes that are not UTF-8.  Each must be
 * refused with an error that names the field; none may act on anything.
 * At the end the objects given on the command line must still be there.
 *
 *   name_probe CONTAINER VOLUME
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "probe_conn.h"
#include "tf_msg.h"
#include "tf_util.h"

enum kind { K_REF, K_TAG, K_NODE, K_UUID, K_KEY, K_PREFIX };

/* How a probed name is placed in the request. */
enum place { P_FIELD, P_PAIRS, P_VOLUMES };

struct probe {
	const char *cmd;
	const char *field;	/* the field the error must name */
	enum kind kind;
	enum place place;
};

static const struct probe probes[] = {
	{ "destroy", "container", K_REF, P_FIELD },
	{ "reboot", "container", K_REF, P_FIELD },
	{ "wake", "container", K_REF, P_FIELD },
	{ "put", "container", K_REF, P_FIELD },
	{ "fetch", "container", K_REF, P_FIELD },
	{ "logs", "container", K_REF, P_FIELD },
	{ "proc", "container", K_REF, P_FIELD },
	{ "proc_stdin", "container", K_REF, P_FIELD },
	{ "proc_kill", "container", K_REF, P_FIELD },
	{ "proc_resize", "container", K_REF, P_FIELD },
	{ "procs", "container", K_REF, P_FIELD },
	{ "allow", "container", K_REF, P_FIELD },
	{ "disallow", "container", K_REF, P_FIELD },
	{ "tunnel", "container", K_REF, P_FIELD },
	{ "find", "name", K_REF, P_FIELD },
	{ "vol_destroy", "volume", K_REF, P_FIELD },
	{ "vol_snapshot", "volume", K_REF, P_FIELD },
	{ "vol_rollback", "volume", K_REF, P_FIELD },
	{ "spawn", "volumes", K_REF, P_VOLUMES },
	{ "spawn", "tag", K_TAG, P_FIELD },
	{ "spawn", "node", K_NODE, P_FIELD },
	{ "vol_create", "tag", K_TAG, P_FIELD },
	{ "vol_create", "node", K_NODE, P_FIELD },
	{ "tunnel", "tunnel", K_UUID, P_FIELD },
	{ "tunnel_close", "tunnel", K_UUID, P_FIELD },
	{ "tcp_open", "tunnel", K_UUID, P_FIELD },
	{ "tcp_data", "tunnel", K_UUID, P_FIELD },
	{ "tcp_close", "tunnel", K_UUID, P_FIELD },
	{ "kv_get", "key", K_KEY, P_FIELD },
	{ "kv_del", "key", K_KEY, P_FIELD },
	{ "kv_set", "pairs", K_KEY, P_PAIRS },
	{ "kv_list", "prefix", K_PREFIX, P_FIELD },
};

static void *sock;
static int failures;
static uint64_t next_id = 1000;

static void
expect(bool cond, const char *fmt, const char *cmd, const char *field,
       const char *shown)
{
	printf("%s - ", cond ? "ok" : "not ok");
	printf(fmt, cmd, field, shown);
	printf("\n");
	if (!cond)
		failures++;
}

/* The names of a kind that must be refused. */
static size_t
bad_names(enum kind kind, const char **out, const char *overlong)
{
	size_t n = 0;

	if (kind != K_PREFIX)
		out[n++] = "";
	if (kind != K_KEY && kind != K_PREFIX) {
		out[n++] = ":";
		out[n++] = "x:";
		out[n++] = ":x";
	}
	if (kind == K_KEY || kind == K_PREFIX)
		out[n++] = "a\001b";
	out[n++] = overlong;
	out[n++] = "\xff\xfe";
	out[n++] = "caf\xc3";
	return n;
}

static void
probe_build(tf_out *o, const struct probe *p, const char *name)
{
	tf_uuid u;

	tf_out_init(o, p->cmd);
	if (p->place == P_PAIRS) {
		msgpack_packer *pk = tf_out_key(o, "pairs");

		msgpack_pack_map(pk, 1);
		tf_pack_str(pk, name);
		msgpack_pack_int(pk, 1);
	} else if (p->place == P_VOLUMES) {
		msgpack_packer *pk = tf_out_key(o, "volumes");

		msgpack_pack_array(pk, 1);
		msgpack_pack_array(pk, 2);
		tf_pack_str(pk, name);
		tf_pack_str(pk, "/data");
	} else {
		tf_out_str(o, p->field, name);
	}
	/* What else the command needs, so that only the name is wrong. */
	if (strcmp(p->cmd, "spawn") == 0)
		tf_out_str(o, "image", "busybox");
	if (strcmp(p->cmd, "reboot") == 0)
		tf_out_bool(o, "reset", false);
	if (strcmp(p->cmd, "put") == 0 || strcmp(p->cmd, "fetch") == 0) {
		tf_out_str(o, "path", "/tmp/probe");
		tf_out_int(o, "offset", 0);
		tf_out_int(o, "length", 1);
		tf_out_bool(o, "last", true);
	}
	if (strncmp(p->cmd, "proc", 4) == 0) {
		tf_uuid_make(&u);
		tf_out_str(o, "process", u.s);
		tf_out_int(o, "rows", 24);
		tf_out_int(o, "cols", 80);
		tf_out_bool(o, "tty", false);
	}
	if (strcmp(p->cmd, "allow") == 0 || strcmp(p->cmd, "disallow") == 0)
		tf_out_str(o, "ip", "10.0.0.1");
	if (strncmp(p->cmd, "tcp_", 4) == 0)
		tf_out_int(o, "conn", 1);
	if (strcmp(p->cmd, "tunnel") == 0) {
		if (strcmp(p->field, "tunnel") != 0) {
			tf_uuid_make(&u);
			tf_out_str(o, "tunnel", u.s);
		} else {
			tf_out_str(o, "container", "probe-nothing");
		}
		tf_out_int(o, "port", 80);
	}
}

static void
probe_one(const struct probe *p, const char *name)
{
	char text[600] = "", shown[64], want[64];
	uint64_t id = next_id++;
	tf_out o;
	tf_msg m;
	bool answered, refused;

	for (size_t i = 0; i < sizeof shown - 1 && name[i]; i++) {
		shown[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
		shown[i + 1] = '\0';
		if (i == 20) {
			snprintf(shown + i, sizeof shown - i, "...(%zu bytes)",
			    strlen(name));
			break;
		}
	}
	if (name[0] == '\0')
		shown[0] = '\0';
	probe_build(&o, p, name);
	tf_out_send(&o, sock, NULL, 0, id, NULL, 0);
	tf_out_fini(&o);
	answered = probe_recv_answer(sock, id, &m, 10000) == 0;
	refused = answered && tf_msg_is_error(&m);
	if (refused)
		tf_msg_str(&m, "error", text, sizeof text, false, NULL);
	snprintf(want, sizeof want, "parameter %s", p->field);
	expect(refused && strstr(text, want) != NULL,
	    "%s with %s '%s' is refused naming the field", p->cmd, p->field,
	    shown);
	if (refused && strstr(text, want) == NULL)
		printf("#   the error was: %s\n", text);
	if (answered)
		tf_msg_fini(&m);
}

/* find NAME answers with a record (the object is still there). */
static bool
still_there(const char *name)
{
	uint64_t id = next_id++;
	tf_out o;
	tf_msg m;
	bool ok;

	tf_out_init(&o, "find");
	tf_out_str(&o, "name", name);
	tf_out_send(&o, sock, NULL, 0, id, NULL, 0);
	tf_out_fini(&o);
	if (probe_recv_answer(sock, id, &m, 10000) != 0)
		return false;
	ok = tf_msg_is_reply(&m);
	tf_msg_fini(&m);
	return ok;
}

int
main(int argc, char **argv)
{
	char overlong[301];
	tf_err err;
	void *ctx;

	if (argc != 3) {
		fprintf(stderr, "usage: name_probe CONTAINER VOLUME\n");
		return 2;
	}
	memset(overlong, 'a', sizeof overlong - 1);
	overlong[sizeof overlong - 1] = '\0';
	ctx = zmq_ctx_new();
	sock = probe_connect(ctx, "name_probe", 10000, &err);
	if (sock == NULL) {
		printf("not ok - hello is welcomed (%s)\n", err.msg);
		zmq_ctx_term(ctx);
		return 1;
	}

	for (size_t i = 0; i < TF_ARRAY_LEN(probes); i++) {
		const char *names[8];
		size_t n = bad_names(probes[i].kind, names, overlong);

		for (size_t k = 0; k < n; k++)
			probe_one(&probes[i], names[k]);
	}
	expect(still_there(argv[1]), "%s%s%s: the container is still there",
	    "", "", argv[1]);
	expect(still_there(argv[2]), "%s%s%s: the volume is still there",
	    "", "", argv[2]);

	zmq_close(sock);
	zmq_ctx_term(ctx);
	return failures == 0 ? 0 : 1;
}
