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

int
main(void)
{
	tf_location *loc = prog_connect("tags"), *other;
	tf_node *node = prog_node(loc);
	tf_container *c, *d, *found;
	tf_volume *v, *w;
	char tag[64], vtag[64], name[128], why[512];
	tf_spawn_opts so = { .sleep = true };
	tf_conn *raw;
	tf_err err;
	int bad_sdk = 0, bad_loc = 0, good = 0, n = 0;

	raw = prog_raw_connect(loc, NULL);
	for (int i = 0; bad_tags[i] != NULL; i++, n++) {
		so.tag = bad_tags[i];
		c = tf_node_spawn(node, "busybox", &so, &err);
		if (c != NULL && tf_container_wait_ready(c, 10000, &err) == 0) {
			prog_note("the SDK spawned a container tagged '%s'",
			    bad_tags[i]);
			tf_container_destroy(c, &err);
		} else if (tf_location_create_volume(loc, node, bad_tags[i],
		    &err) != NULL) {
			prog_note("the SDK made a volume tagged '%s'", bad_tags[i]);
		} else {
			bad_sdk++;
		}
		raw_tagged(raw, "spawn", bad_tags[i], why, sizeof why);
		if (why[0] == '\0')
			prog_note("the location spawned a container tagged '%s'",
			    bad_tags[i]);
		else if (strstr(why, "tag") == NULL)
			prog_note("odd refusal of '%s': %s", bad_tags[i], why);
		else {
			raw_tagged(raw, "vol_create", bad_tags[i], why, sizeof why);
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
	n = 0;
	for (int i = 0; good_tags[i] != NULL; i++, n++) {
		so.tag = good_tags[i];
		c = tf_node_spawn_container(node, "busybox", &so, &err);
		if (c == NULL) {
			prog_note("'%s' refused: %s", good_tags[i], err.msg);
			continue;
		}
		if (strcmp(tf_container_tag(c), good_tags[i]) == 0)
			good++;
		tf_container_destroy(c, &err);
	}
	prog_check(good == n, "%d good tags are accepted (%d)", n, good);

	/* Clashes. */
	snprintf(tag, sizeof tag, "web-%d", (int)getpid());
	snprintf(vtag, sizeof vtag, "db-%d", (int)getpid());
	so.tag = tag;
	c = prog_spawn(loc, node, "busybox", &so);
	prog_check(strcmp(tf_container_tag(c), tag) == 0 &&
	    strstr(tf_container_display_name(c), tag) != NULL,
	    "a tagged container: %s", tf_container_display_name(c));
	d = tf_node_spawn_container(node, "busybox", &so, &err);
	prog_check(d == NULL && strstr(err.msg, "in use") != NULL,
	    "a second container with its tag is refused: %s",
	    d ? "it spawned" : err.msg);
	v = tf_location_create_volume(loc, node, tag, &err);
	prog_check(v == NULL, "so is a volume with it: %s",
	    v ? "it was made" : err.msg);
	v = tf_location_create_volume(loc, node, vtag, &err);
	if (v == NULL)
		prog_bail(&loc, "create_volume", &err);
	w = tf_location_create_volume(loc, node, vtag, &err);
	prog_check(w == NULL && strstr(err.msg, "in use") != NULL,
	    "a second volume with a volume's tag is refused: %s",
	    w ? "it was made" : err.msg);
	so.tag = vtag;
	d = tf_node_spawn_container(node, "busybox", &so, &err);
	prog_check(d == NULL, "so is a container with it: %s",
	    d ? "it spawned" : err.msg);
	raw_tagged(raw, "spawn", tag, why, sizeof why);
	prog_check(strstr(why, "in use") != NULL,
	    "the location itself refuses the clash: %s", why);

	/* Lookup. */
	other = tf_location_new(&(tf_location_opts){ .program = "tags2" },
	    &err);
	if (other == NULL)
		prog_bail(&loc, "a second session", &err);
	found = tf_location_find_container(other, tag, &err);
	prog_check(found != NULL && strcmp(tf_container_id(found),
	    tf_container_id(c)) == 0, "another session finds the container "
	    "by tag");
	found = tf_location_find_container(other, tf_container_id(c), &err);
	prog_check(found != NULL && strcmp(tf_container_id(found),
	    tf_container_id(c)) == 0, "by uuid");
	snprintf(name, sizeof name, "%s:%s", tf_container_id(c), tag);
	found = tf_location_find_container(other, name, &err);
	prog_check(found != NULL && strcmp(tf_container_id(found),
	    tf_container_id(c)) == 0, "by uuid:tag");
	snprintf(name, sizeof name, "%s:%s", tf_container_id(c), vtag);
	found = tf_location_find_container(other, name, &err);
	prog_check(found == NULL, "a uuid with another object's tag finds "
	    "nothing: %s", found ? "found one" : err.msg);
	prog_check(tf_location_volume(other, vtag, &err) != NULL,
	    "the volume by tag");
	snprintf(name, sizeof name, "%s:%s", tf_volume_id(v), vtag);
	prog_check(tf_location_volume(other, name, &err) != NULL,
	    "the volume by uuid:tag");
	snprintf(name, sizeof name, "%s:%s", tf_volume_id(v), tag);
	prog_check(tf_location_volume(other, name, &err) == NULL,
	    "a volume uuid with the container's tag finds nothing");
	/* The location's own lookup (find). */
	{
		tf_reply r;
		tf_out o;
		char kind[32] = "";
		int rc;

		tf_out_init(&o, "find");
		tf_out_str(&o, "name", tag);
		rc = prog_raw_call(raw, &o, &r, &err);
		if (rc == 0) {
			tf_obj_str(r.params, "kind", kind, sizeof kind, false,
			    NULL);
			tf_reply_fini(&r);
		}
		prog_check(rc == 0 && strcmp(kind, "container") == 0,
		    "the location's find resolves the container's tag");
		tf_out_init(&o, "find");
		tf_out_str(&o, "name", vtag);
		rc = prog_raw_call(raw, &o, &r, &err);
		if (rc == 0) {
			tf_obj_str(r.params, "kind", kind, sizeof kind, false,
			    NULL);
			tf_reply_fini(&r);
		}
		prog_check(rc == 0 && strcmp(kind, "volume") == 0,
		    "and the volume's");
	}

	/* Free again once the object is gone. */
	tf_container_destroy(c, &err);
	so.tag = tag;
	d = tf_node_spawn_container(node, "busybox", &so, &err);
	prog_check(d != NULL, "once the container is destroyed its tag is free"
	    "%s%s", d ? "" : ": ", d ? "" : err.msg);
	tf_location_destroy_volume(loc, v, &err);
	w = tf_location_create_volume(loc, node, vtag, &err);
	prog_check(w != NULL, "once the volume is destroyed its tag is free"
	    "%s%s", w ? "" : ": ", w ? "" : err.msg);
	if (w != NULL)
		tf_location_destroy_volume(loc, w, &err);
	tf_conn_destroy(&raw);
	tf_location_destroy(&other);
	tf_location_destroy(&loc);
	return prog_finish();
}
