/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_stdin: "Interacting with Processes": write a command into a
 * shell's stdin and wait for its reply, without the echo.
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     shell = container.spawn_process('/bin/bash')
 *     reply = shell.stdin("ps faxu\n".encode(), return_reply=True,
 *                         drop_echo=True)
 *     print(reply.decode())
 *
 * (busybox: /bin/sh and ps.)
 */
#include <string.h>

#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *container;
	tf_process *shell;
	tf_node *node;
	uint8_t *reply;
	size_t len;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	shell = tf_container_spawn_process(container, "/bin/sh", NULL, &err);
	if (shell == NULL)
		example_fail(&loc, "spawn_process", &err);
	if (tf_process_stdin_reply(shell, "ps\n", 3, true, 0, 0, &reply, &len,
	    &err) != 0)
		example_fail(&loc, "stdin", &err);
	printf("%s\n", (const char *)reply);
	free(reply);
	tf_location_destroy(&loc);
	return 0;
}
