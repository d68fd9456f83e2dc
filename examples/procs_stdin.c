/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * procs_stdin: "Additional Processes / Interacting with Processes", with
 * full paths.
 *
 *     location = Location()
 *     container = location.best_node().spawn_container('nginx')
 *     shell = container.spawn_process('/bin/bash')
 *     reply = shell.stdin("/bin/ps faxu\n".encode(), return_reply=True,
 *                         drop_echo=True)
 *     print(reply.decode())
 */
#include <string.h>

#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	static const char line[] = "/bin/ps\n";
	tf_container *container;
	tf_process *shell;
	uint8_t *reply;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	shell = tf_container_spawn_argv(container,
	    (const char *const[]){ "/bin/sh", NULL }, NULL, &err);
	if (shell == NULL)
		example_fail(&loc, "spawn_process", &err);
	if (tf_process_stdin_reply(shell, line, strlen(line), true, 0, 0, &reply,
	    NULL, &err) != 0)
		example_fail(&loc, "stdin", &err);
	printf("%s\n", (const char *)reply);
	free(reply);
	tf_location_destroy(&loc);
	return 0;
}
