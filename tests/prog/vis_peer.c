/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vis_peer: another session of the owner (issue 6, "Visibility"): it sees
 * the owner's container, tunnel and volume in its offer, each marked with
 * the owning session (and the container with the session's program name),
 * finds the container by tag and can act on it (run a process, fetch).
 *
 *   vis_peer CONTAINER TUNNEL VOLUME OWNER_SESSION TAG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

int
main(int argc, char **argv)
{
	tf_location *loc;
	const tf_model_container *mc;
	const tf_model_tunnel *mt;
	const tf_model_volume *mv;
	tf_container *c;
	char *out = NULL;
	tf_err err;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: vis_peer CONTAINER TUNNEL VOLUME "
		    "OWNER_SESSION TAG\n");
		return 2;
	}
	loc = prog_connect("vis_peer");
	prog_check(strcmp(tf_location_session(loc), argv[4]) != 0,
	    "this is another session of the same user");
	mc = tf_model_container_find(tf_location_model(loc), argv[1]);
	prog_check(mc != NULL && mc->state == TF_CTR_RUNNING,
	    "it sees the owner's running container");
	prog_check(mc != NULL && strcmp(mc->session, argv[4]) == 0,
	    "marked with the owning session (%s)", mc ? mc->session : "-");
	prog_check(mc != NULL && strcmp(mc->session_name, "vis_owner") == 0,
	    "and that session's program (%s)", mc ? mc->session_name : "-");
	prog_check(mc != NULL && strcmp(mc->tag, argv[5]) == 0,
	    "with its tag (%s)", mc ? mc->tag : "-");
	mt = tf_model_tunnel_find(tf_location_model(loc), argv[2]);
	prog_check(mt != NULL && strcmp(mt->session, argv[4]) == 0 &&
	    strcmp(mt->container, argv[1]) == 0,
	    "it sees the owner's tunnel, marked with the owning session");
	mv = tf_model_volume_find(tf_location_model(loc), argv[3]);
	prog_check(mv != NULL, "it sees the owner's volume");

	c = tf_location_find_container(loc, argv[5], &err);
	prog_check(c != NULL && tf_container_is_external(c) &&
	    strcmp(tf_container_id(c), argv[1]) == 0,
	    "find_container(tag) gives it as an external container");
	if (c != NULL) {
		rc = prog_sh(c, "cat /www/index.html /data/secret", &out);
		prog_check(rc == 0 && out && strcmp(out,
		    "owner's pageowner's data") == 0,
		    "and it can act on it: a process in it reads its files");
		free(out);
	}
	tf_location_destroy(&loc);
	return prog_finish();
}
