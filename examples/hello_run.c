/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello_run: "Developing Client Applications": the hello world with
 * loc.run(), which keeps the program (and so its container) alive until
 * Ctrl-C, SIGTERM or the container's end, then garbage-collects.
 *
 *     loc = location.Location()
 *     node = loc.node()
 *     ctr = node.spawn_container('nginx')
 *     ctr.attach_tunnel(80, localport=8080)
 *     loc.run()
 *
 * Usage: hello_run [LOCALPORT]   (default 8080)
 */
#include "example.h"

int
main(int argc, char **argv)
{
	tf_location *loc = example_connect();
	tf_container *ctr;
	tf_node *node;
	tf_err err;
	int rc;

	node = tf_location_best_node(loc, &err);	/* loc.node() */
	if (node == NULL)
		example_fail(&loc, "node", &err);
	ctr = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (ctr == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_attach_tunnel(ctr, 80, argc > 1 ? atoi(argv[1]) : 8080,
	    NULL, &err) == NULL)
		example_fail(&loc, "attach_tunnel", &err);
	rc = tf_location_run(loc, &err);
	if (rc < 0)
		fprintf(stderr, "run: %s\n", err.msg);
	tf_location_destroy(&loc);
	return rc < 0 ? 1 : 0;
}
