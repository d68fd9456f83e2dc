/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webserver: "A Special Case for Webservers".  attach_browser makes a
 * tunnel, polls it until HTTP 200, then opens a browser on it ($BROWSER or
 * xdg-open; without either the URL is printed).
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     tnl = container.attach_browser()
 *     signal.pause()
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
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
	tnl = tf_container_attach_browser(container, 80, NULL, NULL, &err);
	if (tnl == NULL)
		example_fail(&loc, "attach_browser", &err);
	tf_location_run(loc, &err);
	tf_location_destroy(&loc);
	return 0;
}
