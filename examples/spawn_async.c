/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn_async: "Advanced Spawning / Concurrent Booting", the asynchronous
 * case: every spawn is sent first, then each container is waited on, so
 * the containers boot side by side.
 *
 *     location = Location()
 *     location.ensure_image_uploaded('337c501c333c')
 *     containers = []
 *     logging.info("-----Starting")
 *     for n in range(0, 10):
 *         container = location.ranked_nodes()[0].spawn('337c501c333c',
 *                                                      no_image_check=True)
 *         containers.append(container)
 *     for container in containers:
 *         container.wait_http_200(fqdn="www.atomicdroplet.com")
 *     logging.info("-----Finished")
 *
 * Usage: spawn_async [COUNT]   (default 10; the image is nginx)
 */
#include "example.h"
#include "tf_log.h"

int
main(int argc, char **argv)
{
	tf_location *loc = example_connect();
	tf_spawn_opts opts = { .no_image_check = true };
	int count = argc > 1 ? atoi(argv[1]) : 10;
	tf_container **containers;
	tf_err err;

	if (count < 1)
		count = 1;
	containers = calloc((size_t)count, sizeof *containers);
	if (tf_location_ensure_image_uploaded(loc, "nginx", NULL, NULL, NULL, 0,
	    &err) != 0)
		example_fail(&loc, "ensure_image_uploaded", &err);
	tf_info("-----Starting");
	for (int n = 0; n < count; n++) {
		tf_node *node = tf_location_best_node(loc, &err);

		if (node == NULL)
			example_fail(&loc, "ranked_nodes", &err);
		containers[n] = tf_node_spawn(node, "nginx", &opts, &err);
		if (containers[n] == NULL)
			example_fail(&loc, "spawn", &err);
	}
	for (int n = 0; n < count; n++)
		if (tf_container_wait_http_200(containers[n], 80,
		    "www.atomicdroplet.com", NULL, 0, &err) == NULL)
			example_fail(&loc, "wait_http_200", &err);
	tf_info("-----Finished");
	free(containers);
	tf_location_destroy(&loc);
	return 0;
}
