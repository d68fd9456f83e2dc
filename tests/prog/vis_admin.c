/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vis_admin: an administrator's session (issue 6, "An admin key sees
 * everything at the location"): the owner's container, tunnel and volume
 * are in its offer with their owner; it may act on them (fetch a file);
 * and its own tag, the same as the owner's, still means its own container.
 *
 *   vis_admin CONTAINER TUNNEL VOLUME OWNER_SESSION TAG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

int
main(int argc, char **argv)
{
	tf_location *loc;
	tf_node *node;
	const tf_model_container *mc;
	tf_container *mine, *found;
	tf_conn *raw;
	tf_reply r;
	tf_out o;
	tf_err err;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: vis_admin CONTAINER TUNNEL VOLUME "
		    "OWNER_SESSION TAG\n");
		return 2;
	}
	loc = prog_connect("vis_admin");
	node = prog_node(loc);
	mc = tf_model_container_find(tf_location_model(loc), argv[1]);
	prog_check(mc != NULL && strcmp(mc->session, argv[4]) == 0,
	    "the admin sees the user's container and its session");
	prog_check(mc != NULL && mc->user[0] != '\0',
	    "and whose it is (user %s)", mc ? mc->user : "-");
	prog_check(tf_model_tunnel_find(tf_location_model(loc), argv[2]) != NULL,
	    "the admin sees the user's tunnel");
	prog_check(tf_model_volume_find(tf_location_model(loc), argv[3]) != NULL,
	    "and volume");

	raw = prog_raw_connect(loc, NULL);
	tf_out_init(&o, "fetch");
	tf_out_str(&o, "container", argv[1]);
	tf_out_str(&o, "path", "/data/secret");
	tf_out_int(&o, "offset", 0);
	tf_out_int(&o, "length", 4096);
	rc = prog_raw_call(raw, &o, &r, &err);
	prog_check(rc == 0 && r.bulk_len == 12 && memcmp(r.bulk, "owner's data",
	    12) == 0, "the admin can act on it (fetch a file)%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0)
		tf_reply_fini(&r);

	/* The admin's own container with the user's tag. */
	{
		tf_spawn_opts so = { .tag = argv[5], .sleep = true };

		mine = tf_node_spawn_container(node, "busybox", &so, &err);
	}
	prog_check(mine != NULL, "the admin may use the same tag for its own "
	    "container%s%s", mine ? "" : ": ", mine ? "" : err.msg);
	if (mine != NULL) {
		char id[64] = "";

		found = tf_location_find_container(loc, argv[5], &err);
		prog_check(found == mine, "and find_container(tag) gives the "
		    "admin's own, not the user's");
		tf_out_init(&o, "find");
		tf_out_str(&o, "name", argv[5]);
		rc = prog_raw_call(raw, &o, &r, &err);
		if (rc == 0) {
			const msgpack_object *rec = tf_obj_get(r.params, "record");

			if (rec != NULL)
				tf_obj_str(rec, "container", id, sizeof id, false,
				    NULL);
			tf_reply_fini(&r);
		}
		prog_check(strcmp(id, tf_container_id(mine)) == 0,
		    "the location's find of the tag gives the admin's own too "
		    "(%s, not %s)", id, argv[1]);
		/* A request by tag acts on the admin's own container. */
		tf_out_init(&o, "fetch");
		tf_out_str(&o, "container", argv[5]);
		tf_out_str(&o, "path", "/data/secret");
		tf_out_int(&o, "offset", 0);
		tf_out_int(&o, "length", 4096);
		rc = prog_raw_call(raw, &o, &r, &err);
		prog_check(rc == -1, "a request naming the tag goes to the "
		    "admin's own container (which has no /data/secret)%s%s",
		    rc ? ": " : "", rc ? err.msg : "");
		if (rc == 0)
			tf_reply_fini(&r);
		tf_container_destroy(mine, &err);
	}
	tf_conn_destroy(&raw);
	tf_location_destroy(&loc);
	return prog_finish();
}
