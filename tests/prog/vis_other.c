/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vis_other: another user (issue 6, "Another user sees nothing of them
 * and every attempt to act on them is refused"): none of the owner's
 * container, tunnel, volume or KV pairs is in its offer or found by uuid,
 * tag or uuid:tag; every request naming them is refused, with the same
 * words as for an id that never existed (nothing is revealed); and it may
 * use the same tag for its own container.
 *
 *   vis_other CONTAINER TUNNEL VOLUME TAG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

/* A container or volume id that never existed. */
#define NEVER "zzzzzzzzzzzzzzzzzzzzzz"

/* Replaces every occurrence of id in s by "ID". */
static void
mask(char *s, const char *id)
{
	size_t n = strlen(id);
	char *p;

	while (n > 0 && (p = strstr(s, id)) != NULL) {
		memcpy(p, "ID", 2);
		memmove(p + 2, p + n, strlen(p + n) + 1);
	}
}

struct req {
	const char *what;
	const char *cmd;
	const char *key;	/* which param names the object */
	int kind;		/* 0 container, 1 tunnel, 2 volume */
};

static void
add_params(tf_out *o, const char *cmd, const char *c, const char *ip)
{
	if (strcmp(cmd, "put") == 0) {
		tf_out_str(o, "path", "/data/secret");
		tf_out_int(o, "offset", 0);
		tf_out_bool(o, "last", true);
	} else if (strcmp(cmd, "fetch") == 0) {
		tf_out_str(o, "path", "/data/secret");
		tf_out_int(o, "offset", 0);
		tf_out_int(o, "length", 4096);
	} else if (strcmp(cmd, "proc") == 0) {
		msgpack_packer *pk = tf_out_key(o, "argv");

		msgpack_pack_array(pk, 2);
		tf_pack_str(pk, "cat");
		tf_pack_str(pk, "/data/secret");
		tf_out_str(o, "process", "procprocprocprocprocpr");
		tf_out_bool(o, "tty", false);
	} else if (strncmp(cmd, "proc_", 5) == 0) {
		tf_out_str(o, "process", "procprocprocprocprocpr");
	} else if (strcmp(cmd, "allow") == 0 || strcmp(cmd, "disallow") == 0) {
		tf_out_str(o, "ip", ip);
	} else if (strcmp(cmd, "reboot") == 0) {
		tf_out_bool(o, "reset", true);
	} else if (strcmp(cmd, "tunnel") == 0) {
		tf_out_str(o, "tunnel", "TTTTTTTTTTTTTTTTTTTTTT");
		tf_out_int(o, "port", 80);
	} else if (strncmp(cmd, "tcp_", 4) == 0) {
		tf_out_int(o, "conn", 1);
	}
	(void)c;
}

int
main(int argc, char **argv)
{
	static const struct req reqs[] = {
		{ "destroy", "destroy", "container", 0 },
		{ "reboot", "reboot", "container", 0 },
		{ "wake", "wake", "container", 0 },
		{ "put", "put", "container", 0 },
		{ "fetch", "fetch", "container", 0 },
		{ "logs", "logs", "container", 0 },
		{ "proc", "proc", "container", 0 },
		{ "proc_stdin", "proc_stdin", "container", 0 },
		{ "proc_kill", "proc_kill", "container", 0 },
		{ "proc_resize", "proc_resize", "container", 0 },
		{ "allow", "allow", "container", 0 },
		{ "disallow", "disallow", "container", 0 },
		{ "a tunnel to it", "tunnel", "container", 0 },
		{ "tcp_open on its tunnel", "tcp_open", "tunnel", 1 },
		{ "tcp_data on its tunnel", "tcp_data", "tunnel", 1 },
		{ "tunnel_close of its tunnel", "tunnel_close", "tunnel", 1 },
		{ "vol_destroy", "vol_destroy", "volume", 2 },
		{ "vol_snapshot", "vol_snapshot", "volume", 2 },
		{ "vol_rollback", "vol_rollback", "volume", 2 },
	};
	tf_location *loc;
	tf_node *node;
	tf_model *m;
	tf_conn *raw;
	tf_out o;
	tf_err err, err2;
	char *v = NULL, **keys = NULL, name[160], a[512], b[512];
	const char *ids[3];
	int refused = 0, same = 0, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: vis_other CONTAINER TUNNEL VOLUME TAG\n");
		return 2;
	}
	ids[0] = argv[1];
	ids[1] = argv[2];
	ids[2] = argv[3];
	loc = prog_connect("vis_other");
	node = prog_node(loc);
	m = tf_location_model(loc);
	prog_check(tf_model_container_find(m, argv[1]) == NULL &&
	    tf_model_tunnel_find(m, argv[2]) == NULL &&
	    tf_model_volume_find(m, argv[3]) == NULL,
	    "another user's offer has none of them");
	prog_check(tf_model_count(m, TF_MODEL_CONTAINER) == 0 &&
	    tf_model_count(m, TF_MODEL_TUNNEL) == 0 &&
	    tf_model_count(m, TF_MODEL_VOLUME) == 0,
	    "nor any container, tunnel or volume at all (%zu, %zu, %zu)",
	    tf_model_count(m, TF_MODEL_CONTAINER),
	    tf_model_count(m, TF_MODEL_TUNNEL),
	    tf_model_count(m, TF_MODEL_VOLUME));
	prog_check(tf_location_find_container(loc, argv[1], &err) == NULL,
	    "find_container(uuid) finds nothing");
	prog_check(tf_location_find_container(loc, argv[4], &err) == NULL,
	    "find_container(tag) finds nothing");
	snprintf(name, sizeof name, "%s:%s", argv[1], argv[4]);
	prog_check(tf_location_find_container(loc, name, &err) == NULL,
	    "find_container(uuid:tag) finds nothing");
	prog_check(tf_location_volume(loc, argv[3], &err) == NULL,
	    "the volume by uuid is not found");
	snprintf(name, sizeof name, "%s-vol", argv[4]);
	prog_check(tf_location_volume(loc, name, &err) == NULL,
	    "nor by tag");
	rc = tf_kv_get(loc, "vis/secret", &v, &err);
	prog_check(rc == -1, "the owner's KV key is not there for us%s%s",
	    rc ? "" : ": ", rc ? "" : v);
	rc = tf_kv_list(loc, "vis/", &keys, &err);
	prog_check(rc == 0 && keys[0] == NULL, "kv_list shows none of the "
	    "owner's keys");
	tf_strv_free(keys);
	rc = tf_kv_del(loc, "vis/secret", &err);
	prog_check(rc == -1, "kv_del of the owner's key does nothing: %s",
	    err.msg);

	raw = prog_raw_connect(loc, NULL);
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		const struct req *q = &reqs[i];

		tf_out_init(&o, q->cmd);
		tf_out_str(&o, q->key, ids[q->kind]);
		add_params(&o, q->cmd, ids[0], "10.0.0.1");
		rc = prog_raw_call_ms(raw, &o, NULL, 5000, &err);
		tf_out_init(&o, q->cmd);
		tf_out_str(&o, q->key, NEVER);
		add_params(&o, q->cmd, NEVER, "10.0.0.1");
		prog_raw_call_ms(raw, &o, NULL, 5000, &err2);
		snprintf(a, sizeof a, "%s", err.msg);
		snprintf(b, sizeof b, "%s", err2.msg);
		mask(a, ids[q->kind]);
		mask(b, NEVER);
		if (rc == -1 && strstr(err.msg, "no such") != NULL)
			refused++;
		else
			prog_note("%s was not refused: %s", q->what,
			    rc ? err.msg : "accepted");
		if (strcmp(a, b) == 0)
			same++;
		else
			prog_note("%s: '%s' differs from '%s'", q->what, a, b);
	}
	prog_check(refused == (int)(sizeof reqs / sizeof reqs[0]),
	    "all %zu kinds of request naming them are refused with 'no such' "
	    "(%d were)", sizeof reqs / sizeof reqs[0], refused);
	prog_check(same == (int)(sizeof reqs / sizeof reqs[0]),
	    "with the same words as for ids that never existed (%d)", same);
	{
		msgpack_packer *pk;

		tf_out_init(&o, "spawn");
		tf_out_str(&o, "image", "busybox");
		tf_out_bool(&o, "sleep", true);
		pk = tf_out_key(&o, "volumes");
		msgpack_pack_array(pk, 1);
		msgpack_pack_array(pk, 2);
		tf_pack_str(pk, argv[3]);
		tf_pack_str(pk, "/stolen");
		rc = prog_raw_call(raw, &o, NULL, &err);
		prog_check(rc == -1 && strstr(err.msg, "no such volume") != NULL,
		    "mounting the owner's volume is refused: %s",
		    rc ? err.msg : "it was mounted");
		tf_out_init(&o, "find");
		tf_out_str(&o, "name", argv[1]);
		rc = prog_raw_call(raw, &o, NULL, &err);
		prog_check(rc == -1, "the location's find by uuid finds nothing");
	}
	tf_conn_destroy(&raw);

	/* Tags are per user: ours may have the owner's tag. */
	{
		tf_spawn_opts so = { .tag = argv[4], .sleep = true };
		tf_container *c = tf_node_spawn_container(node, "busybox", &so,
		    &err);

		prog_check(c != NULL, "another user may use the same tag%s%s",
		    c ? "" : ": ", c ? "" : err.msg);
		if (c != NULL) {
			tf_container *f = tf_location_find_container(loc, argv[4],
			    &err);

			prog_check(f == c, "and its tag finds its own container");
			tf_container_destroy(c, &err);
		}
	}
	tf_location_destroy(&loc);
	return prog_finish();
}
