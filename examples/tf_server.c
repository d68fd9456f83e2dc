/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_server: "Deploying to Production / The Better Way": a tiny program
 * that keeps an nginx container served on local port 8080; run it under a
 * process manager (docs/SDK.md has a systemd unit).  SIGTERM or Ctrl-C
 * destroys the container and exits.
 *
 *     container = Location().best_node().spawn('nginx')
 *     container.attach_tunnel(80, localport=8080)
 *     signal.pause()
 *
 * Usage: tf_server [LOCALPORT]   (default 8080)
 */
#include "example.h"

int
main(int argc, char **argv)
{
	tf_location *loc = example_connect();
	tf_container *container;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	if (tf_container_attach_tunnel(container, 80, argc > 1 ? atoi(argv[1]) :
	    8080, NULL, &err) == NULL)
		example_fail(&loc, "attach_tunnel", &err);
	tf_location_run(loc, &err);
	tf_location_destroy(&loc);
	return 0;
}
