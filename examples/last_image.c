/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * last_image: "Quickstart examples": the Docker workflow.  Runs the image
 * pushed last (tfcache IMAGE) and opens a browser on its port 80.
 *
 *     location = Location(debug_log=False)
 *     node = location.best_node()
 *     container = node.spawn(last_image())
 *     container.attach_browser()
 *     signal.pause()
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *container;
	char image[80];
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	if (tf_location_last_image(loc, image, sizeof image, &err) != 0)
		example_fail(&loc, "last_image", &err);
	container = tf_node_spawn(node, image, NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	if (tf_container_attach_browser(container, 80, NULL, NULL, &err) == NULL)
		example_fail(&loc, "attach_browser", &err);
	tf_location_run(loc, &err);
	tf_location_destroy(&loc);
	return 0;
}
