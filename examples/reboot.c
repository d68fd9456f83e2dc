/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reboot: "Advanced Spawning / Rebooting".  A file put into a container
 * survives a plain reboot and is gone after a reboot with reset.
 *
 *     node = Location().ranked_nodes()[0]
 *     container = node.spawn_container('nginx')
 *     container.put("/usr/new/path", b'Some data')
 *     print(container.fetch("/usr/new/path"), flush=True)
 *     container.reboot()
 *     print(container.fetch("/usr/new/path"), flush=True)
 *     container.reboot(reset_filesystem=True)
 *     try:
 *         container.fetch("/usr/new/path")
 *     except ValueError:
 *         pass
 */
#include "example.h"

static void
print_fetch(tf_location **loc, tf_container *c, const char *path)
{
	uint8_t *data;
	size_t len;
	tf_err err;

	if (tf_container_fetch(c, path, &data, &len, &err) != 0)
		example_fail(loc, "fetch", &err);
	printf("%.*s\n", (int)len, (const char *)data);
	fflush(stdout);
	free(data);
}

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
		example_fail(&loc, "ranked_nodes", &err);
	container = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_put(container, "/usr/new/path", "Some data", 9, 0,
	    &err) != 0)
		example_fail(&loc, "put", &err);
	print_fetch(&loc, container, "/usr/new/path");

	if (tf_container_reboot(container, false, &err) != 0)
		example_fail(&loc, "reboot", &err);
	print_fetch(&loc, container, "/usr/new/path");

	if (tf_container_reboot(container, true, &err) != 0)
		example_fail(&loc, "reboot(reset_filesystem=True)", &err);
	if (tf_container_fetch(container, "/usr/new/path", &data, &len,
	    &err) == 0) {
		fprintf(stderr, "the file survived a reset\n");
		free(data);
		tf_location_destroy(&loc);
		return 1;
	}
	printf("after the reset: %s\n", err.msg);	/* the ValueError */
	tf_location_destroy(&loc);
	return 0;
}
