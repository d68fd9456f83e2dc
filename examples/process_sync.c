/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_sync: "Launching Processes in Containers", synchronously: run a
 * process to completion and print what it wrote.
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     container.wait_http_200()
 *     data = container.spawn_process('ps faxu').wait_until_complete()
 *     print(data.decode())
 *
 * (busybox's ps takes no options: "ps" it is.)
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *container;
	tf_process *ps;
	size_t len;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	if (tf_container_wait_http_200(container, 80, NULL, NULL, 0, &err) == NULL)
		example_fail(&loc, "wait_http_200", &err);
	ps = tf_container_spawn_process(container, "ps", NULL, &err);
	if (ps == NULL || tf_process_wait(ps, 0, NULL, &err) != 0)
		example_fail(&loc, "spawn_process", &err);
	printf("%s", (const char *)tf_process_output(ps, &len));
	tf_location_destroy(&loc);
	return 0;
}
