/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quickstart: "Quickstart examples": the first container.  Spawns nginx on
 * the best node, opens a browser on it (or prints the URL) and runs until
 * Ctrl-C, which destroys the container.
 *
 *     location = Location(debug_log=False)
 *     node = location.best_node()
 *     container = node.spawn('nginx')
 *     container.attach_browser()
 *     signal.pause()
 */
#include "example.h"

int
main(void)
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
	if (tf_container_attach_browser(container, 80, NULL, NULL, &err) == NULL)
		example_fail(&loc, "attach_browser", &err);
	tf_location_run(loc, &err);		/* signal.pause() */
	tf_location_destroy(&loc);
	return 0;
}
