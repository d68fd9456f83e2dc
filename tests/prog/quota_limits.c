/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quota_limits: per-account quotas (issue 17 item 5) against a location
 * started with --quota containers=2 tunnels=1 volumes=1 sessions=3
 * kv_entries=5 kv_bytes=4K (tests/integration/test_quotas.sh).  Each
 * limit lets the account reach it, refuses one more with an error that
 * names the limit, and lets the account go on once something is freed.
 * A refused KV set stores none of its pairs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"
#include "tf_conn.h"
#include "tf_util.h"

static bool
names(const tf_err *err, int rc, const char *kind)
{
	return rc != 0 && strstr(err->msg, "quota reached") != NULL &&
	    strstr(err->msg, kind) != NULL;
}

static void
check_kv(tf_location *loc)
{
	char key[32], *v = NULL, big[5000];
	tf_err err;
	int rc = 0;

	for (int i = 0; i < 5 && rc == 0; i++) {
		snprintf(key, sizeof key, "q/%d", i);
		rc = tf_kv_set1(loc, key, "v", &err);
	}
	prog_check(rc == 0, "five KV entries fit%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_kv_set1(loc, "q/5", "v", &err);
	prog_check(names(&err, rc, "KV entries") &&
	    strstr(err.msg, "kv_entries") != NULL,
	    "a sixth is refused, naming the limit: %s", rc ? err.msg : "stored");
	rc = tf_kv_set1(loc, "q/0", "replaced", &err);
	prog_check(rc == 0, "replacing an entry at the limit is allowed%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	rc = tf_kv_del(loc, "q/4", &err);
	rc |= tf_kv_set1(loc, "q/5", "v", &err);
	prog_check(rc == 0, "after a delete there is room for one more%s%s",
	    rc ? ": " : "", rc ? err.msg : "");

	/* Room for two more entries, so that only the bytes limit stops
	 * the next set. */
	tf_kv_del(loc, "q/1", &err);
	tf_kv_del(loc, "q/2", &err);
	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		const char *pairs[] = { "q/small", "s", "q/big", big, NULL };

		rc = tf_kv_set(loc, pairs, &err);
	}
	prog_check(names(&err, rc, "bytes of KV values") &&
	    strstr(err.msg, "kv_bytes") != NULL,
	    "a value over the bytes limit is refused: %s",
	    rc ? err.msg : "stored");
	rc = tf_kv_get(loc, "q/small", &v, &err);
	prog_check(rc != 0, "and the refused set stored none of its pairs");
	free(v);
}

static void
check_containers(tf_location *loc, tf_node *node, tf_container **keep)
{
	const char *const argv[] = { "sleep", "3600", NULL };
	tf_spawn_opts so = { .command = argv };
	tf_container *a, *b, *c;
	tf_err err;

	a = prog_spawn(loc, node, "busybox", &so);
	b = prog_spawn(loc, node, "busybox", &so);
	c = tf_node_spawn_container(node, "busybox", &so, &err);
	prog_check(c == NULL && names(&err, -1, "containers"),
	    "a third container is refused: %s", c ? "spawned" : err.msg);
	if (tf_container_destroy(b, &err) != 0)
		prog_bail(&loc, "destroy", &err);
	c = prog_spawn(loc, node, "busybox", &so);
	prog_check(c != NULL, "after a destroy a new one spawns");
	tf_container_destroy(c, &err);
	*keep = a;
}

static bool
tunnel_known(void *arg)
{
	return tf_model_count(tf_location_model(arg), TF_MODEL_TUNNEL) > 0;
}

static void
check_tunnels(tf_location *loc, tf_conn *raw, tf_container *c)
{
	tf_tunnel *t;
	tf_uuid u;
	tf_out o;
	tf_err err;
	int rc;

	t = tf_container_attach_tunnel(c, 80, 0, NULL, &err);
	if (t == NULL)
		prog_bail(&loc, "a first tunnel", &err);
	/* The tunnel is the location's once the offer has it. */
	prog_check(prog_wait(loc, tunnel_known, loc, 30000),
	    "a first tunnel is open");
	tf_uuid_make(&u);
	tf_out_init(&o, "tunnel");
	tf_out_str(&o, "tunnel", u.s);
	tf_out_str(&o, "container", tf_container_id(c));
	tf_out_int(&o, "port", 80);
	rc = prog_raw_call(raw, &o, NULL, &err);
	prog_check(names(&err, rc, "tunnels"), "a second tunnel is refused: %s",
	    rc ? err.msg : "opened");
}

static void
check_volumes(tf_location *loc, tf_node *node)
{
	tf_volume *v, *w;
	tf_err err;

	v = tf_location_create_volume(loc, node, "quota-one", &err);
	prog_check(v != NULL, "one volume fits%s%s", v ? "" : ": ",
	    v ? "" : err.msg);
	w = tf_location_create_volume(loc, node, "quota-two", &err);
	prog_check(w == NULL && names(&err, -1, "volumes"),
	    "a second is refused: %s", w ? "created" : err.msg);
}

/* This program's session and two raw ones: three, the limit.  The first
 * raw one stays for check_tunnels. */
static tf_conn *
check_sessions(tf_location *loc)
{
	tf_conn *raw = prog_raw_connect(loc, NULL);
	tf_conn *raw2 = prog_raw_connect(loc, NULL);
	tf_location *fourth;
	tf_err err;

	fourth = tf_location_connect(NULL, &err);
	prog_check(fourth == NULL && names(&err, -1, "sessions"),
	    "a fourth session is refused: %s", fourth ? "let in" : err.msg);
	tf_location_destroy(&fourth);
	tf_conn_destroy(&raw2);
	return raw;
}

int
main(void)
{
	tf_location *loc = prog_connect("quota_limits");
	tf_node *node = prog_node(loc);
	tf_container *c = NULL;
	tf_conn *raw;

	raw = check_sessions(loc);
	check_kv(loc);
	check_containers(loc, node, &c);
	check_tunnels(loc, raw, c);
	check_volumes(loc, node);
	/* test_quotas.sh reads `tf --quota` while this use holds. */
	prog_value("at_quota", "1");
	prog_step(loc, "quota_shown", 120000);
	prog_step_done("quota_shown");
	tf_conn_destroy(&raw);
	tf_location_destroy(&loc);
	return prog_finish();
}
