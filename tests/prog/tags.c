/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tags: tags and discovery (issue 6, "Tags"): tags of containers and
 * volumes are validated (0-9 a-z - _ . only, at most 64, not shaped like a
 * uuid), by the SDK and by the location itself (raw requests); a tag in
 * use is refused with a clear error, across containers and volumes, and
 * free again once its object is gone; lookup by uuid, tag and uuid:tag,
 * and a uuid with another object's tag finds nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"
#include "tf_util.h"

static const char *const bad_tags[] = {
	"Upper", "has space", "slash/x", "colon:x", "caf\xc3\xa9", "semi;x",
	"tab\tx", "star*",
	/* 65 characters */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	/* 22 characters of the uuid alphabet: shaped like a uuid */
	"abcdefghijkmnopqrstuvw",
	NULL
};
static const char *const good_tags[] = {
	"a", "0-9_a.z", "web.prod-1_x",
	/* 64 characters */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	/* 22 characters, but 0 and l are not in the uuid alphabet */
	"abcdefghijkl0opqrstuvw",
	NULL
};

/* A raw request with one string param and an optional tag; "" when
 * accepted, else the error. */
static void
raw_tagged(tf_conn *raw, const char *cmd, const char *tag, char *why,
	   size_t size)
{
	tf_reply r;
	tf_err err;
	tf_out o;
	char id[64] = "";

	tf_out_init(&o, cmd);
	if (strcmp(cmd, "spawn") == 0) {
		tf_out_str(&o, "image", "busybox");
		tf_out_bool(&o, "sleep", true);
	}
	tf_out_str(&o, "tag", tag);
	if (prog_raw_call(raw, &o, &r, &err) != 0) {
		snprintf(why, size, "%s", err.msg);
		return;
	}
	why[0] = '\0';
	/* Accepted: undo it. */
	if (tf_obj_str(r.params, "container", id, sizeof id, false, NULL) == 0) {
		tf_out_init(&o, "destroy");
		tf_out_str(&o, "container", id);
		prog_raw_call(raw, &o, NULL, &err);
	} else if (tf_obj_str(r.params, "volume", id, sizeof id, false,
	    NULL) == 0) {
		tf_out_init(&o, "vol_destroy");
		tf_out_str(&o, "volume", id);
		prog_raw_call(raw, &o, NULL, &err);
	}
	tf_reply_fini(&r);
}

/* What the steps share, in tag_tests[] order. */
struct tags {
	tf_location *loc, *other;
	tf_node *node;
	tf_conn *raw;
	tf_container *c;		/* tagged tag */
	tf_volume *v;			/* tagged vtag */
	char tag[64], vtag[64];
};

/* Bad tags are refused by the SDK and by the location itself. */
static void
test_bad(struct tags *x)
{
	tf_spawn_opts so = { .sleep = true };
	int bad_sdk = 0, bad_loc = 0, n = 0;
	char why[512] = "";
	tf_container *c;
	tf_err err;

	for (int i = 0; bad_tags[i] != NULL; i++, n++) {
		so.tag = bad_tags[i];
		c = tf_node_spawn(x->node, "busybox", &so, &err);
		if (c != NULL && tf_container_wait_ready(c, 10000, &err) == 0) {
			prog_note("the SDK spawned a container tagged '%s'",
			    bad_tags[i]);
			tf_container_destroy(c, &err);
		} else if (tf_location_create_volume(x->loc, x->node,
		    bad_tags[i], &err) != NULL) {
			prog_note("the SDK made a volume tagged '%s'", bad_tags[i]);
		} else {
			bad_sdk++;
		}
		raw_tagged(x->raw, "spawn", bad_tags[i], why, sizeof why);
		if (why[0] == '\0')
			prog_note("the location spawned a container tagged '%s'",
			    bad_tags[i]);
		else if (strstr(why, "tag") == NULL)
			prog_note("odd refusal of '%s': %s", bad_tags[i], why);
		else {
			raw_tagged(x->raw, "vol_create", bad_tags[i], why,
			    sizeof why);
			if (why[0] == '\0')
				prog_note("the location made a volume tagged "
				    "'%s'", bad_tags[i]);
			else
				bad_loc++;
		}
	}
	prog_check(bad_sdk == n, "the SDK refuses %d bad tags for containers "
	    "and volumes (%d refused)", n, bad_sdk);
	prog_check(bad_loc == n, "so does the location itself (%d refused); "
	    "e.g. '%s'", bad_loc, why);
}

static void
test_good(struct tags *x)
{
	tf_spawn_opts so = { .sleep = true };
	tf_container *c;
	int good = 0, n = 0;
	tf_err err;

	for (int i = 0; good_tags[i] != NULL; i++, n++) {
		so.tag = good_tags[i];
		c = tf_node_spawn_container(x->node, "busybox", &so, &err);
		if (c == NULL) {
			prog_note("'%s' refused: %s", good_tags[i], err.msg);
			continue;
		}
		if (strcmp(tf_container_tag(c), good_tags[i]) == 0)
			good++;
		tf_container_destroy(c, &err);
	}
	prog_check(good == n, "%d good tags are accepted (%d)", n, good);
}

/* A tag in use is refused, across containers and volumes. */
static void
test_clashes(struct tags *x)
{
	tf_spawn_opts so = { .sleep = true };
	tf_container *d;
	tf_volume *v, *w;
	char why[512];
	tf_err err;

	snprintf(x->tag, sizeof x->tag, "web-%d", (int)getpid());
	snprintf(x->vtag, sizeof x->vtag, "db-%d", (int)getpid());
	so.tag = x->tag;
	x->c = prog_spawn(x->loc, x->node, "busybox", &so);
	prog_check(strcmp(tf_container_tag(x->c), x->tag) == 0 &&
	    strstr(tf_container_display_name(x->c), x->tag) != NULL,
	    "a tagged container: %s", tf_container_display_name(x->c));
	d = tf_node_spawn_container(x->node, "busybox", &so, &err);
	prog_check(d == NULL && strstr(err.msg, "in use") != NULL,
	    "a second container with its tag is refused: %s",
	    d ? "it spawned" : err.msg);
	v = tf_location_create_volume(x->loc, x->node, x->tag, &err);
	prog_check(v == NULL, "so is a volume with it: %s",
	    v ? "it was made" : err.msg);
	x->v = tf_location_create_volume(x->loc, x->node, x->vtag, &err);
	if (x->v == NULL)
		prog_bail(&x->loc, "create_volume", &err);
	w = tf_location_create_volume(x->loc, x->node, x->vtag, &err);
	prog_check(w == NULL && strstr(err.msg, "in use") != NULL,
	    "a second volume with a volume's tag is refused: %s",
	    w ? "it was made" : err.msg);
	so.tag = x->vtag;
	d = tf_node_spawn_container(x->node, "busybox", &so, &err);
	prog_check(d == NULL, "so is a container with it: %s",
	    d ? "it spawned" : err.msg);
	raw_tagged(x->raw, "spawn", x->tag, why, sizeof why);
	prog_check(strstr(why, "in use") != NULL,
	    "the location itself refuses the clash: %s", why);
}

/* Lookup by uuid, tag and uuid:tag from another session. */
static void
test_lookup(struct tags *x)
{
	const char *cid = tf_container_id(x->c);
	tf_container *found;
	char name[128];
	tf_err err;

	x->other = tf_location_new(&(tf_location_opts){ .program = "tags2" },
	    &err);
	if (x->other == NULL)
		prog_bail(&x->loc, "a second session", &err);
	found = tf_location_find_container(x->other, x->tag, &err);
	prog_check(found != NULL && strcmp(tf_container_id(found), cid) == 0,
	    "another session finds the container by tag");
	found = tf_location_find_container(x->other, cid, &err);
	prog_check(found != NULL && strcmp(tf_container_id(found), cid) == 0,
	    "by uuid");
	snprintf(name, sizeof name, "%s:%s", cid, x->tag);
	found = tf_location_find_container(x->other, name, &err);
	prog_check(found != NULL && strcmp(tf_container_id(found), cid) == 0,
	    "by uuid:tag");
	snprintf(name, sizeof name, "%s:%s", cid, x->vtag);
	found = tf_location_find_container(x->other, name, &err);
	prog_check(found == NULL, "a uuid with another object's tag finds "
	    "nothing: %s", found ? "found one" : err.msg);
	prog_check(tf_location_volume(x->other, x->vtag, &err) != NULL,
	    "the volume by tag");
	snprintf(name, sizeof name, "%s:%s", tf_volume_id(x->v), x->vtag);
	prog_check(tf_location_volume(x->other, name, &err) != NULL,
	    "the volume by uuid:tag");
	snprintf(name, sizeof name, "%s:%s", tf_volume_id(x->v), x->tag);
	prog_check(tf_location_volume(x->other, name, &err) == NULL,
	    "a volume uuid with the container's tag finds nothing");
}

/* The location's own lookup (find). */
static void
test_find(struct tags *x)
{
	char kind[32] = "";
	tf_reply r;
	tf_err err;
	tf_out o;
	int rc;

	tf_out_init(&o, "find");
	tf_out_str(&o, "name", x->tag);
	rc = prog_raw_call(x->raw, &o, &r, &err);
	if (rc == 0) {
		tf_obj_str(r.params, "kind", kind, sizeof kind, false, NULL);
		tf_reply_fini(&r);
	}
	prog_check(rc == 0 && strcmp(kind, "container") == 0,
	    "the location's find resolves the container's tag");
	tf_out_init(&o, "find");
	tf_out_str(&o, "name", x->vtag);
	rc = prog_raw_call(x->raw, &o, &r, &err);
	if (rc == 0) {
		tf_obj_str(r.params, "kind", kind, sizeof kind, false, NULL);
		tf_reply_fini(&r);
	}
	prog_check(rc == 0 && strcmp(kind, "volume") == 0,
	    "and the volume's");
}

/* Free again once the object is gone. */
static void
test_freed(struct tags *x)
{
	tf_spawn_opts so = { .sleep = true, .tag = x->tag };
	tf_container *d;
	tf_volume *w;
	tf_err err;

	tf_container_destroy(x->c, &err);
	d = tf_node_spawn_container(x->node, "busybox", &so, &err);
	prog_check(d != NULL, "once the container is destroyed its tag is free"
	    "%s%s", d ? "" : ": ", d ? "" : err.msg);
	tf_location_destroy_volume(x->loc, x->v, &err);
	w = tf_location_create_volume(x->loc, x->node, x->vtag, &err);
	prog_check(w != NULL, "once the volume is destroyed its tag is free"
	    "%s%s", w ? "" : ": ", w ? "" : err.msg);
	if (w != NULL)
		tf_location_destroy_volume(x->loc, w, &err);
}

static const struct {
	const char *name;
	void (*fn)(struct tags *);
} tag_tests[] = {
	{ "bad", test_bad },
	{ "good", test_good },
	{ "clashes", test_clashes },
	{ "lookup", test_lookup },
	{ "find", test_find },
	{ "freed", test_freed },
};

int
main(void)
{
	struct tags x = { 0 };

	x.loc = prog_connect("tags");
	x.node = prog_node(x.loc);
	x.raw = prog_raw_connect(x.loc, NULL);
	for (size_t i = 0; i < TF_ARRAY_LEN(tag_tests); i++) {
		prog_note("%s", tag_tests[i].name);
		tag_tests[i].fn(&x);
	}
	tf_conn_destroy(&x.raw);
	tf_location_destroy(&x.other);
	tf_location_destroy(&x.loc);
	return prog_finish();
}
