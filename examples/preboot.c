/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preboot: "Advanced Spawning / Pre-boot files".  Writes index.html into an
 * nginx container before it boots, opens a browser on it and waits for
 * Ctrl-C.
 *
 *     location = Location()
 *     preboot = [('/usr/share/nginx/html/index.html', 'Hello World!')]
 *     container = location.ranked_nodes()[0].spawn_container('nginx',
 *                                                pre_boot_files=preboot)
 *     container.attach_browser()
 *     signal.pause()
 */
#include <string.h>

#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_file preboot[] = {
		{ "/usr/share/nginx/html/index.html", "Hello World!", 12 },
	};
	tf_spawn_opts opts = { .files = preboot, .nfiles = 1 };
	tf_node *ranked[8];
	tf_container *container;
	tf_err err;

	if (tf_location_ranked_nodes(loc, ranked, 8) == 0) {
		tf_err_set(&err, "The location has no nodes");
		example_fail(&loc, "ranked_nodes", &err);
	}
	container = tf_node_spawn_container(ranked[0], "nginx", &opts, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_attach_browser(container, 80, NULL, NULL, &err) == NULL)
		example_fail(&loc, "attach_browser", &err);
	tf_location_run(loc, &err);		/* signal.pause() */
	tf_location_destroy(&loc);
	return 0;
}
