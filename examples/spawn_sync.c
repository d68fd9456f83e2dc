/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn_sync: "Advanced Spawning / Concurrent Booting", the synchronous
 * case: each container is spawned and waited on (HTTP 200 with a Host
 * header) before the next.  Compare with spawn_async.
 *
 *     location = Location()
 *     location.ensure_image_uploaded('337c501c333c')
 *     logging.info("-----Starting")
 *     for n in range(0, 10):
 *         container = location.ranked_nodes()[0].spawn_container(
 *                         '337c501c333c', no_image_check=True)
 *         container.wait_http_200(fqdn="www.atomicdroplet.com")
 *     logging.info("-----Finished")
 *
 * Usage: spawn_sync [COUNT]   (default 10; the image is nginx)
 */
#include "example.h"
#include "tf_log.h"

int
main(int argc, char **argv)
{
	tf_location *loc = example_connect();
	tf_spawn_opts opts = { .no_image_check = true };
	int count = argc > 1 ? atoi(argv[1]) : 10;
	tf_err err;

	if (tf_location_ensure_image_uploaded(loc, "nginx", NULL, NULL, NULL, 0,
	    &err) != 0)
		example_fail(&loc, "ensure_image_uploaded", &err);
	tf_info("-----Starting");
	for (int n = 0; n < count; n++) {
		tf_node *node = tf_location_best_node(loc, &err);
		tf_container *c;

		if (node == NULL)
			example_fail(&loc, "ranked_nodes", &err);
		c = tf_node_spawn_container(node, "nginx", &opts, &err);
		if (c == NULL)
			example_fail(&loc, "spawn_container", &err);
		if (tf_container_wait_http_200(c, 80, "www.atomicdroplet.com",
		    NULL, 0, &err) == NULL)
			example_fail(&loc, "wait_http_200", &err);
	}
	tf_info("-----Finished");
	tf_location_destroy(&loc);
	return 0;
}
