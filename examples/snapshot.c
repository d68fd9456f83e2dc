/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot: "Deploying to Production / Snapshots and Rollbacks": a volume
 * has one snapshot point to go back to.
 *
 *     node = Location().best_node()
 *     volume = node.create_volume()
 *     container = node.spawn_container('nginx',
 *                                      volumes=[(volume, '/mount/point')])
 *     container.put('/mount/point/test', b'I am a test')
 *     volume.snapshot()
 *     container.put('/mount/point/test', b'I am a carrot')
 *     print(container.fetch('/mount/point/test'))
 *     volume.rollback()
 *     print(container.fetch('/mount/point/test'))
 *     node.destroy_volume(volume)
 */
#include "example.h"

static void
print_fetch(tf_location **loc, tf_container *c)
{
	uint8_t *data;
	size_t len;
	tf_err err;

	if (tf_container_fetch(c, "/mount/point/test", &data, &len, &err) != 0)
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
	tf_volume *volume;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	volume = tf_location_create_volume(loc, node, NULL, &err);
	if (volume == NULL)
		example_fail(&loc, "create_volume", &err);
	{
		tf_mount mounts[] = { { volume, NULL, "/mount/point" } };
		tf_spawn_opts so = { .mounts = mounts, .nmounts = 1 };

		container = tf_node_spawn_container(node, "nginx", &so, &err);
	}
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	if (tf_container_put(container, "/mount/point/test", "I am a test", 11,
	    0, &err) != 0 || tf_volume_snapshot(volume, &err) != 0 ||
	    tf_container_put(container, "/mount/point/test", "I am a carrot", 13,
	    0, &err) != 0)
		example_fail(&loc, "put/snapshot", &err);
	print_fetch(&loc, container);
	if (tf_volume_rollback(volume, &err) != 0)
		example_fail(&loc, "rollback", &err);
	print_fetch(&loc, container);
	/* A mounted volume cannot go: its container goes first. */
	if (tf_container_destroy(container, &err) != 0 ||
	    tf_location_destroy_volume(loc, volume, &err) != 0)
		example_fail(&loc, "destroy_volume", &err);
	tf_location_destroy(&loc);
	return 0;
}
