/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * procs_shell: "Additional Processes / Launching a Shell": a shell in a
 * container that was spawned asleep (its entrypoint never runs).
 *
 *     node = Location().best_node()
 *     container = node.spawn_container('alpine', sleep=True).wait_until_ready()
 *     shell = container.spawn_shell(data_callback=dc)
 *     time.sleep(2)
 *     shell.stdin(b'ps faxu\n')
 *     time.sleep(1)
 *
 * (alpine is the busybox image under alpine's name: scripts/build_images.sh;
 * busybox's ps takes no options.)
 */
#include "example.h"

static void
dc(tf_process *p, int fd, const uint8_t *data, size_t len, void *arg)
{
	fwrite(data, 1, len, stdout);
	fflush(stdout);
}

int
main(void)
{
	tf_location *loc = example_connect();
	tf_spawn_opts so = { .sleep = true };
	tf_process_opts po = { .data = dc };
	tf_container *container;
	tf_process *shell;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn_container(node, "alpine", &so, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	shell = tf_container_spawn_shell(container, NULL, &po, &err);
	if (shell == NULL)
		example_fail(&loc, "spawn_shell", &err);
	tf_location_sleep(loc, 2000);
	tf_process_stdin(shell, "ps\n", 3, &err);
	tf_location_sleep(loc, 1000);
	printf("\n");
	tf_location_destroy(&loc);
	return 0;
}
