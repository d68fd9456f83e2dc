/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tunnel: "Creating TCP Tunnels".  Local port 1234 onto port 80 of an nginx
 * container until Ctrl-C; a local port of 0 would be chosen for us and
 * reported by tf_tunnel_localport.
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     tnl = container.attach_tunnel(80, localport=1234)
 *     signal.pause()
 *
 * Usage: tunnel [LOCALPORT]   (default 1234)
 */
#include "example.h"

int
main(int argc, char **argv)
{
	tf_location *loc = example_connect();
	int localport = argc > 1 ? atoi(argv[1]) : 1234;
	tf_container *container;
	tf_tunnel *tnl;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	tnl = tf_container_attach_tunnel(container, 80, localport, NULL, &err);
	if (tnl == NULL)
		example_fail(&loc, "attach_tunnel", &err);
	printf("localport %d\n", tf_tunnel_localport(tnl));
	fflush(stdout);
	tf_location_run(loc, &err);
	tf_location_destroy(&loc);
	return 0;
}
