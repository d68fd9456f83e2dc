/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vis_owner: the owner's side of the visibility tests (issue 6,
 * "Visibility and ownership").  Makes a tagged container (busybox httpd
 * with a page), a tunnel to it, a tagged volume, a KV pair and a file in
 * the container, prints their ids ("# container=..." etc.), then waits for
 * the script's step "end" while others look at (and try to touch) them.
 * At the end it checks that nothing of its was changed by the others.
 *
 *   vis_owner TAG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

int
main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "vis-web";
	tf_location *loc = prog_connect("vis_owner");
	tf_node *node = prog_node(loc);
	tf_container *c;
	tf_tunnel *t;
	tf_volume *v;
	char vtag[96], *s = NULL;
	uint8_t *data;
	size_t len;
	tf_err err;
	int rc;

	snprintf(vtag, sizeof vtag, "%s-vol", tag);
	v = tf_location_create_volume(loc, node, vtag, &err);
	if (v == NULL)
		prog_bail(&loc, "create_volume", &err);
	{
		tf_file pre[] = { { "/www/index.html", "owner's page", 12 } };
		tf_mount m[] = { { v, NULL, "/data" } };
		tf_spawn_opts so = { .tag = tag, .files = pre, .nfiles = 1,
		    .mounts = m, .nmounts = 1,
		    .command = (const char *const[]){ "httpd", "-f", "-p", "80",
		    "-h", "/www", NULL } };

		c = prog_spawn(loc, node, "busybox", &so);
	}
	rc = tf_container_put(c, "/data/secret", "owner's data", 12, 0, &err);
	rc |= tf_kv_set1(loc, "vis/secret", "owner's value", &err);
	t = tf_container_attach_tunnel(c, 80, 0, NULL, &err);
	prog_check(rc == 0 && t != NULL, "made a container, tunnel, volume and "
	    "KV pair");
	if (t == NULL)
		prog_bail(&loc, "attach_tunnel", &err);
	prog_value("container", "%s", tf_container_id(c));
	prog_value("ip", "%s", tf_container_ip(c));
	prog_value("tunnel", "%s", tf_tunnel_id(t));
	prog_value("localport", "%d", tf_tunnel_localport(t));
	prog_value("volume", "%s", tf_volume_id(v));
	prog_value("session", "%s", tf_location_session(loc));
	prog_note("ready");

	if (!prog_step(loc, "end", 0))
		prog_bail(&loc, "waiting for the end", NULL);
	prog_check(tf_container_state(c) == TF_CTR_RUNNING,
	    "the container still runs after the others tried");
	rc = tf_container_fetch(c, "/data/secret", &data, &len, &err);
	prog_check(rc == 0 && len == 12 && memcmp(data, "owner's data", 12) == 0,
	    "its volume's file is untouched");
	if (rc == 0)
		free(data);
	rc = tf_container_fetch(c, "/www/index.html", &data, &len, &err);
	prog_check(rc == 0 && len == 12, "its page is untouched");
	if (rc == 0)
		free(data);
	rc = tf_kv_get(loc, "vis/secret", &s, &err);
	prog_check(rc == 0 && strcmp(s, "owner's value") == 0,
	    "its KV value is untouched");
	free(s);
	prog_check(tf_volume_exists(v), "its volume still exists");
	prog_check(tf_model_tunnel_find(tf_location_model(loc),
	    tf_tunnel_id(t)) != NULL, "its tunnel still exists");
	prog_step_done("end");
	tf_container_destroy(c, &err);
	tf_location_destroy_volume(loc, v, &err);
	tf_location_destroy(&loc);
	return prog_finish();
}
