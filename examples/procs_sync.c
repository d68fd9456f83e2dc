/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * procs_sync: "Additional Processes / Launching Processes", synchronously,
 * with full paths as that page recommends; here through the run-to-
 * completion helper, which keeps stdout and stderr apart.
 *
 *     node = Location().best_node()
 *     container = node.spawn_container('nginx')
 *     container.wait_http_200()
 *     data = container.spawn_process('/bin/ps faxu').wait_until_complete()
 *     print(data.decode())
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *container;
	tf_run_result r;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_wait_http_200(container, 80, NULL, NULL, 0, &err) == NULL)
		example_fail(&loc, "wait_http_200", &err);
	if (tf_container_run_process(container, "/bin/ps", 0, &r, &err) != 0)
		example_fail(&loc, "spawn_process", &err);
	printf("%s", (const char *)r.out);
	tf_run_result_fini(&r);
	tf_location_destroy(&loc);
	return 0;
}
