/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * put_fetch: "Putting and Fetching files".  A put onto a new path creates
 * the path; a fetch reads any file of the container.
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     container.put("/usr/new/path", b'Some data')
 *     print(container.fetch("/usr/new/path"))
 *     print("------------------------------------")
 *     print(str(container.fetch("/etc/nginx/nginx.conf"), 'ascii'))
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *container;
	tf_node *node;
	uint8_t *data;
	size_t len;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn", &err);
	/* put waits for the container to be accepted; it need not run. */
	if (tf_container_put(container, "/usr/new/path", "Some data", 9, 0,
	    &err) != 0)
		example_fail(&loc, "put", &err);
	if (tf_container_fetch(container, "/usr/new/path", &data, &len,
	    &err) != 0)
		example_fail(&loc, "fetch", &err);
	printf("%.*s\n", (int)len, (const char *)data);
	free(data);
	printf("------------------------------------\n");
	if (tf_container_fetch(container, "/etc/nginx/nginx.conf", &data, &len,
	    &err) != 0)
		example_fail(&loc, "fetch", &err);
	fwrite(data, 1, len, stdout);
	free(data);
	tf_location_destroy(&loc);
	return 0;
}
