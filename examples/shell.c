/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shell: "Launching a Shell" (SDK page): a login shell on a terminal; a
 * command runs once it gets its return.
 *
 *     def dc(obj, data):
 *         print(data.decode(), end='')
 *         sys.stdout.flush()
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     time.sleep(2)
 *     shell = container.spawn_shell(dc)
 *     shell.stdin(b'ps faxu')
 *     time.sleep(2)
 *     shell.stdin(b'\n')
 *     time.sleep(2)
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
	tf_process_opts opts = { .data = dc };
	tf_container *container;
	tf_process *shell;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	tf_location_sleep(loc, 2000);
	shell = tf_container_spawn_shell(container, NULL, &opts, &err);
	if (shell == NULL)
		example_fail(&loc, "spawn_shell", &err);
	tf_process_stdin(shell, "ps", 2, &err);
	tf_location_sleep(loc, 2000);
	tf_process_stdin(shell, "\n", 1, &err);
	tf_location_sleep(loc, 2000);
	printf("\n");
	tf_location_destroy(&loc);
	return 0;
}
