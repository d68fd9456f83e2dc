/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vol_basic: volumes (issue 6, "Volumes"): create with and without a tag;
 * the record in this and another session; mount at spawn by handle, tag,
 * uuid and uuid:tag; data persists across containers; destroy refused
 * while mounted, then done, then refused as already gone; unknown
 * volumes; nested, repeated, relative and root mount points refused by the
 * SDK and by the location itself (raw requests); node_and_volume.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"
#include "tf_util.h"

static tf_container *
spawn_with(tf_location *loc, tf_node *node, tf_volume *v, const char *name,
	   const char *mnt, tf_err *err)
{
	tf_mount m[] = { { v, name, mnt } };
	tf_spawn_opts so = { .mounts = m, .nmounts = 1,
	    .command = (const char *const[]){ "sleep", "3600", NULL } };

	return tf_node_spawn_container(node, "busybox", &so, err);
}

/* a[0]: a location, a[1]: a volume */
static bool
mounted_once(void *arg)
{
	void **a = arg;
	const tf_model_volume *mv = tf_model_volume_find(
	    tf_location_model(a[0]), tf_volume_id(a[1]));

	return mv != NULL && mv->nmounts == 1;
}

static bool
volume_gone(void *arg)
{
	void **a = arg;

	return tf_model_volume_find(tf_location_model(a[0]),
	    tf_volume_id(a[1])) == NULL;
}

static char *
fetch_str(tf_container *c, const char *path)
{
	uint8_t *data;
	size_t len;
	tf_err err;

	if (c == NULL || tf_container_fetch(c, path, &data, &len, &err) != 0)
		return strdup("");
	return (char *)data;
}

/* A raw spawn of busybox with the given volumes; returns the error text
 * ("" when the location accepted it). */
static void
raw_spawn(tf_conn *raw, const char *const *pairs, char *why, size_t size)
{
	msgpack_packer *pk;
	tf_reply r;
	tf_err err;
	tf_out o;
	size_t n = 0;

	while (pairs[2 * n] != NULL)
		n++;
	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "busybox");
	tf_out_bool(&o, "sleep", true);
	pk = tf_out_key(&o, "volumes");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(pk, 2);
		tf_pack_str(pk, pairs[2 * i]);
		tf_pack_str(pk, pairs[2 * i + 1]);
	}
	if (prog_raw_call(raw, &o, &r, &err) == 0) {
		char id[64] = "";

		snprintf(why, size, "%s", "");
		/* Accepted: clean up what was spawned. */
		tf_obj_str(r.params, "container", id, sizeof id, false, NULL);
		tf_reply_fini(&r);
		if (id[0] != '\0') {
			tf_out_init(&o, "destroy");
			tf_out_str(&o, "container", id);
			prog_raw_call(raw, &o, NULL, &err);
		}
		return;
	}
	snprintf(why, size, "%s", err.msg);
}

/* What the steps share, in vol_tests[] order. */
struct vol {
	tf_location *loc, *other;
	tf_node *node;
	tf_volume *v, *u;		/* tagged tag; untagged */
	char tag[64], name[128];	/* name: uuid:tag */
};

static void
test_create(struct vol *x)
{
	const tf_model_volume *mv;
	tf_err err;

	snprintf(x->tag, sizeof x->tag, "vol-%d", (int)getpid());
	x->v = tf_location_create_volume(x->loc, x->node, x->tag, &err);
	if (x->v == NULL)
		prog_bail(&x->loc, "create_volume", &err);
	prog_check(strlen(tf_volume_id(x->v)) == 22 &&
	    strcmp(tf_volume_tag(x->v), x->tag) == 0 && tf_volume_exists(x->v),
	    "create_volume with a tag: %s", tf_volume_display_name(x->v));
	snprintf(x->name, sizeof x->name, "%s:%s", tf_volume_id(x->v), x->tag);
	prog_check(strcmp(tf_volume_display_name(x->v), x->name) == 0,
	    "its display name is uuid:tag");
	prog_check(tf_volume_node(x->v) == x->node,
	    "it lives on the node asked for");
	x->u = tf_location_create_volume(x->loc, NULL, NULL, &err);
	prog_check(x->u != NULL && strcmp(tf_volume_display_name(x->u),
	    tf_volume_id(x->u)) == 0 && tf_volume_tag(x->u)[0] == '\0',
	    "create_volume without a tag or node: %s", x->u ?
	    tf_volume_display_name(x->u) : err.msg);

	mv = tf_model_volume_find(tf_location_model(x->loc),
	    tf_volume_id(x->v));
	prog_check(mv != NULL && strcmp(mv->tag, x->tag) == 0,
	    "the volume is in this session's offer with its tag");
	x->other = tf_location_new(&(tf_location_opts){
	    .program = "vol_basic2" }, &err);
	if (x->other == NULL)
		prog_bail(&x->loc, "a second session", &err);
	mv = tf_model_volume_find(tf_location_model(x->other),
	    tf_volume_id(x->v));
	prog_check(mv != NULL && strcmp(mv->tag, x->tag) == 0 && mv->node[0],
	    "and in another session's (node %s)", mv ? mv->node : "?");
}

/* Data persists across containers; mounts by handle, tag, uuid,
 * uuid:tag. */
static void
test_persist(struct vol *x)
{
	tf_location *loc = x->loc, *other = x->other;
	tf_node *node = x->node;
	tf_volume *v = x->v;
	const tf_model_volume *mv;
	tf_container *a, *b;
	tf_err err;
	char *s;
	int rc;

	a = spawn_with(loc, node, v, NULL, "/data", &err);
	prog_check(a != NULL, "spawn with the volume at /data%s%s",
	    a ? "" : ": ", a ? "" : err.msg);
	if (a == NULL)
		prog_bail(&x->loc, "spawn", &err);
	rc = tf_container_put(a, "/data/hello", "persist", 7, 0, &err);
	rc |= prog_sh(a, "mkdir -p /data/dir && echo more > /data/dir/more", NULL);
	prog_check(rc == 0, "write files into it (put and a process)");
	prog_wait(other, mounted_once, (void *[]){ other, v }, 3000);
	mv = tf_model_volume_find(tf_location_model(other), tf_volume_id(v));
	prog_check(mv != NULL && mv->nmounts == 1 && strcmp(mv->mounts[0],
	    tf_container_id(a)) == 0,
	    "the volume's record lists the container that mounts it (%d)",
	    mv ? mv->nmounts : -1);
	rc = tf_location_destroy_volume(loc, v, &err);
	prog_check(rc == -1 && strstr(err.msg, "mounted") != NULL,
	    "destroying a mounted volume is refused: %s", rc ? err.msg : "it "
	    "was destroyed");
	rc = tf_container_destroy(a, &err);
	prog_check(rc == 0, "destroy the first container");

	b = spawn_with(loc, node, NULL, x->tag, "/mnt/v", &err);
	s = fetch_str(b, "/mnt/v/hello");
	prog_check(b != NULL && strcmp(s, "persist") == 0,
	    "a new container mounting it by tag sees the data: '%s'", s);
	free(s);
	s = fetch_str(b, "/mnt/v/dir/more");
	prog_check(strcmp(s, "more\n") == 0, "including what a process wrote");
	free(s);
	tf_container_destroy(b, &err);
	b = spawn_with(loc, node, NULL, tf_volume_id(v), "/x", &err);
	s = fetch_str(b, "/x/hello");
	prog_check(b != NULL && strcmp(s, "persist") == 0, "by uuid");
	free(s);
	tf_container_destroy(b, &err);
	b = spawn_with(loc, node, NULL, x->name, "/y", &err);
	s = fetch_str(b, "/y/hello");
	prog_check(b != NULL && strcmp(s, "persist") == 0, "by uuid:tag");
	free(s);
	/* Two containers may mount one volume and see each other's writes. */
	a = spawn_with(loc, node, v, NULL, "/z", &err);
	rc = a ? tf_container_put(a, "/z/shared", "seen", 4, 0, &err) : -1;
	s = fetch_str(b, "/y/shared");
	prog_check(rc == 0 && strcmp(s, "seen") == 0,
	    "two containers mounting it share its files");
	free(s);
	tf_container_destroy(a, &err);
	tf_container_destroy(b, &err);
	b = spawn_with(loc, node, NULL, "no-such-volume", "/x", &err);
	prog_check(b == NULL, "mounting an unknown volume fails: %s", err.msg);
}

static void
test_node_and_volume(struct vol *x)
{
	tf_node *vnode = NULL;
	tf_volume *nv = NULL, *found;
	tf_err err;
	int rc;

	rc = tf_location_node_and_volume(x->loc, tf_volume_id(x->v), &vnode,
	    &nv, &err);
	prog_check(rc == 0 && vnode == x->node && nv == x->v,
	    "node_and_volume(uuid) gives its node and the volume");
	rc = tf_location_node_and_volume(x->loc, x->tag, &vnode, &nv, &err);
	prog_check(rc == 0 && vnode == x->node && nv == x->v,
	    "node_and_volume(tag) too");
	rc = tf_location_node_and_volume(x->loc, "nothing-like-it", &vnode,
	    &nv, &err);
	prog_check(rc == -1, "node_and_volume of an unknown one: %s",
	    err.msg);
	found = tf_location_volume(x->other, x->tag, &err);
	prog_check(found != NULL && strcmp(tf_volume_id(found),
	    tf_volume_id(x->v)) == 0, "another session finds it by tag");
}

/* Mount points the SDK and the location itself refuse. */
static void
test_mount_points(struct vol *x)
{
	const char *v = tf_volume_id(x->v), *u = tf_volume_id(x->u);
	tf_mount m[2] = { { x->v, NULL, "/data" }, { x->u, NULL, "/data/sub" } };
	tf_spawn_opts so = { .mounts = m, .nmounts = 2, .sleep = true };
	tf_container *b;
	char why[512];
	tf_conn *raw;
	tf_err err;

	b = tf_node_spawn_container(x->node, "busybox", &so, &err);
	prog_check(b == NULL, "the SDK refuses nested mount points: %s",
	    b ? "it spawned" : err.msg);
	raw = prog_raw_connect(x->loc, NULL);
	raw_spawn(raw, (const char *const[]){ v, "/data", u, "/data/sub",
	    NULL }, why, sizeof why);
	prog_check(strstr(why, "nested") != NULL,
	    "the location refuses nested mount points too: %s", why);
	raw_spawn(raw, (const char *const[]){ v, "/data/sub", u, "/data",
	    NULL }, why, sizeof why);
	prog_check(strstr(why, "nested") != NULL,
	    "in either order: %s", why);
	raw_spawn(raw, (const char *const[]){ v, "/data", u, "/data", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "the same mount point twice: %s", why);
	raw_spawn(raw, (const char *const[]){ v, "/a", v, "/b", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "one volume at two mount points: %s", why);
	raw_spawn(raw, (const char *const[]){ v, "data", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "a relative mount point: %s", why);
	raw_spawn(raw, (const char *const[]){ v, "/", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "a volume over the root: %s",
	    why[0] ? why : "accepted");
	raw_spawn(raw, (const char *const[]){ v, "/a", u, "/b/../a/c", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "nested through '..' (/a and /b/../a/c): %s",
	    why[0] ? why : "accepted");
	raw_spawn(raw, (const char *const[]){ v, "/a/", u, "/a/c", NULL },
	    why, sizeof why);
	prog_check(why[0] != '\0', "nested with a trailing slash (/a/ and "
	    "/a/c): %s", why[0] ? why : "accepted");
	tf_conn_destroy(&raw);
}

/* Destroy: then gone, then refused. */
static void
test_destroy(struct vol *x)
{
	tf_location *loc = x->loc, *other = x->other;
	tf_volume *v = x->v;
	tf_container *b;
	tf_err err;
	int rc;

	rc = tf_location_destroy_volume(loc, v, &err);
	prog_check(rc == 0, "destroy_volume once nothing mounts it%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	prog_check(!tf_volume_exists(v), "the handle says it is gone");
	rc = tf_location_destroy_volume(loc, v, &err);
	prog_check(rc == -1, "destroying it again is an error: %s", err.msg);
	prog_check(tf_location_volume(loc, x->tag, &err) == NULL,
	    "its tag finds nothing now: %s", err.msg);
	prog_check(prog_wait(other, volume_gone, (void *[]){ other, v }, 5000),
	    "and other sessions hear it is gone");
	b = spawn_with(loc, x->node, NULL, tf_volume_id(v), "/x", &err);
	prog_check(b == NULL, "a destroyed volume cannot be mounted: %s",
	    err.msg);
	prog_check(tf_location_volume(loc, "no-such-volume", &err) == NULL,
	    "an unknown volume: %s", err.msg);
	rc = tf_location_destroy_volume(loc, x->u, &err);
	prog_check(rc == 0, "destroy the untagged one");
}

static const struct {
	const char *name;
	void (*fn)(struct vol *);
} vol_tests[] = {
	{ "create", test_create },
	{ "persist", test_persist },
	{ "node_and_volume", test_node_and_volume },
	{ "mount_points", test_mount_points },
	{ "destroy", test_destroy },
};

int
main(void)
{
	struct vol x = { 0 };

	x.loc = prog_connect("vol_basic");
	x.node = prog_node(x.loc);
	for (size_t i = 0; i < TF_ARRAY_LEN(vol_tests); i++) {
		prog_note("%s", vol_tests[i].name);
		vol_tests[i].fn(&x);
	}
	tf_location_destroy(&x.other);
	tf_location_destroy(&x.loc);
	return prog_finish();
}
