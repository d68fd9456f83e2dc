/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rec_check: a new session after a location restart (issue 6, "Recovery")
 * finds everything the location keeps: the account works, the images are
 * there (nothing to upload again), the volume and its tag, the KV pair,
 * and the live session's running container by its tag.
 *
 *   rec_check TAG SESSION CONTAINER
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

struct progress {
	int calls;
};

static void
progress_cb(const char *what, uint64_t done, uint64_t total, void *arg)
{
	((struct progress *)arg)->calls++;
}

int
main(int argc, char **argv)
{
	tf_location *loc;
	tf_model *m;
	tf_volume *v;
	tf_container *c;
	struct progress p = { 0 };
	char vtag[96], id[80], name[160], *s = NULL;
	bool busybox = false, nginx = false;
	tf_err err;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: rec_check TAG SESSION CONTAINER\n");
		return 2;
	}
	loc = prog_connect("rec_check");
	m = tf_location_model(loc);
	prog_check(true, "the account still works after the restart");
	for (size_t i = 0; i < tf_model_count(m, TF_MODEL_IMAGE); i++) {
		const tf_model_image *im = tf_model_image_at(m, i);

		busybox |= strstr(im->names, "busybox") != NULL;
		nginx |= strstr(im->names, "nginx") != NULL;
	}
	prog_check(busybox && nginx, "the images are in the offer (%zu)",
	    tf_model_count(m, TF_MODEL_IMAGE));
	rc = tf_location_ensure_image_uploaded(loc, "busybox", progress_cb, &p,
	    id, sizeof id, &err);
	prog_check(rc == 0 && p.calls == 0, "busybox needs no upload (%d "
	    "progress calls)", p.calls);

	snprintf(vtag, sizeof vtag, "%s-vol", argv[1]);
	v = tf_location_volume(loc, vtag, &err);
	prog_check(v != NULL, "the volume is there, by its tag%s%s",
	    v ? "" : ": ", v ? "" : err.msg);
	prog_check(v != NULL && tf_volume_node(v) != NULL &&
	    strcmp(tf_node_name(tf_volume_node(v)), "node1") == 0,
	    "on its node");
	rc = tf_kv_get(loc, "rec/key", &s, &err);
	prog_check(rc == 0 && strcmp(s, "kv value") == 0, "the KV pair is "
	    "there");
	free(s);

	c = tf_location_find_container(loc, argv[1], &err);
	prog_check(c != NULL && strcmp(tf_container_id(c), argv[3]) == 0,
	    "the live session's container is found by its tag%s%s",
	    c ? "" : ": ", c ? "" : err.msg);
	snprintf(name, sizeof name, "%s:%s", argv[3], argv[1]);
	prog_check(tf_location_find_container(loc, name, &err) != NULL,
	    "and by uuid:tag");
	{
		const tf_model_container *mc = tf_model_container_find(m, argv[3]);

		prog_check(mc != NULL && mc->state == TF_CTR_RUNNING &&
		    strcmp(mc->session, argv[2]) == 0,
		    "running, still marked with its session");
		prog_check(mc != NULL && strcmp(mc->tag, argv[1]) == 0 &&
		    strcmp(mc->image, "busybox") == 0,
		    "with its tag and image (%s, %s)", mc ? mc->tag : "-",
		    mc ? mc->image : "-");
		prog_check(mc != NULL && mc->ip[0] != '\0',
		    "and its address (%s)", mc ? mc->ip : "-");
	}
	tf_location_destroy(&loc);
	return prog_finish();
}
