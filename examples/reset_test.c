/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reset_test: "Deploying to Production / Snapshots and Rollbacks": a unit
 * test's mess is undone by rebooting with a reset to the image.
 *
 *     node = Location().best_node()
 *     ctr = node.spawn_container('nginx')
 *     ctr.put('/usr/share/nginx/html/index.html', b'A big mess from a unit test')
 *     assert ctr.fetch('/usr/share/nginx/html/index.html') == \
 *            b'A big mess from a unit test'
 *     ctr.reboot(reset_filesystem=True)
 *     assert b'nginx' in ctr.fetch('/usr/share/nginx/html/index.html')
 */
#include <string.h>

#include "example.h"

#define INDEX "/usr/share/nginx/html/index.html"
#define MESS "A big mess from a unit test"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_container *ctr;
	tf_node *node;
	uint8_t *data;
	size_t len;
	tf_err err;
	int rc = 0;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	ctr = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (ctr == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_put(ctr, INDEX, MESS, strlen(MESS), 0, &err) != 0 ||
	    tf_container_fetch(ctr, INDEX, &data, &len, &err) != 0)
		example_fail(&loc, "put/fetch", &err);
	if (len != strlen(MESS) || memcmp(data, MESS, len) != 0) {
		fprintf(stderr, "assertion failed: the put did not stick\n");
		rc = 1;
	}
	free(data);
	if (tf_container_reboot(ctr, true, &err) != 0 ||
	    tf_container_fetch(ctr, INDEX, &data, &len, &err) != 0)
		example_fail(&loc, "reboot/fetch", &err);
	if (strstr((const char *)data, "nginx") == NULL) {
		fprintf(stderr, "assertion failed: the reset kept the mess\n");
		rc = 1;
	}
	free(data);
	printf("%s\n", rc == 0 ? "reset test passed" : "reset test FAILED");
	tf_location_destroy(&loc);
	return rc;
}
