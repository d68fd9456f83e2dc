/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vol_snapshot: the seeds' "Snapshots and Rollbacks" example as a test,
 * plus: rollback before any snapshot is an error; files made after the
 * snapshot go away; the single snapshot point is replaced by the next
 * snapshot; the record says a snapshot exists; the container sees the
 * rollback at once; a fresh container sees the rolled-back data.
 *
 *   vol_snapshot [NODE [VOLUMES_DIR]]
 *
 * With VOLUMES_DIR (the node's <state>/volumes on btrfs), the volume's data
 * and its snapshot must be btrfs subvolumes, and a snapshot of 256 MB must
 * take well under a second.
 *
 *     volume = node.create_volume()
 *     container = node.spawn_container('nginx', volumes=[(volume, '/mount/point')])
 *     container.put('/mount/point/test', b'I am a test')
 *     volume.snapshot()
 *     container.put('/mount/point/test', b'I am a carrot')
 *     print(container.fetch('/mount/point/test'))
 *     volume.rollback()
 *     print(container.fetch('/mount/point/test'))
 *     node.destroy_volume(volume)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

static char *
fetch_str(tf_container *c, const char *path)
{
	uint8_t *data;
	size_t len;
	tf_err err;

	if (tf_container_fetch(c, path, &data, &len, &err) != 0)
		return strdup("<missing>");
	return (char *)data;
}

static bool
snapshot_flag(void *arg)
{
	void **a = arg;
	const tf_model_volume *mv = tf_model_volume_find(
	    tf_location_model(a[0]), tf_volume_id(a[1]));

	return mv != NULL && mv->snapshot;
}

/* Is dir/<volume>/<what> a btrfs subvolume? */
static bool
subvolume(const char *dir, tf_volume *v, const char *what)
{
	char cmd[4400];

	snprintf(cmd, sizeof cmd, "btrfs subvolume show '%s/%s/%s' >/dev/null "
	    "2>&1", dir, tf_volume_id(v), what);
	return system(cmd) == 0;
}

int
main(int argc, char **argv)
{
	tf_location *loc = prog_connect("vol_snapshot");
	tf_node *node = argc > 1 ? NULL : prog_node(loc);
	const char *btrfs = argc > 2 ? argv[2] : NULL;
	tf_err err;

	if (node == NULL && (node = tf_location_node(loc, argv[1], &err)) == NULL)
		prog_bail(&loc, "the node", &err);
	tf_volume *volume;
	tf_container *container, *second;
	char *s;
	int rc;

	volume = tf_location_create_volume(loc, node, NULL, &err);
	if (volume == NULL)
		prog_bail(&loc, "create_volume", &err);
	{
		tf_mount m[] = { { volume, NULL, "/mount/point" } };
		tf_spawn_opts so = { .mounts = m, .nmounts = 1 };

		container = prog_spawn(loc, node, "nginx", &so);
	}
	rc = tf_volume_rollback(volume, &err);
	prog_check(rc == -1, "rollback before any snapshot is an error: %s",
	    rc ? err.msg : "it succeeded");

	rc = tf_container_put(container, "/mount/point/test", "I am a test", 11,
	    0, &err);
	prog_check(rc == 0, "put 'I am a test'");
	rc = tf_volume_snapshot(volume, &err);
	prog_check(rc == 0, "snapshot%s%s", rc ? ": " : "", rc ? err.msg : "");
	prog_check(prog_wait(loc, snapshot_flag, (void *[]){ loc, volume },
	    5000), "the volume's record says it has a snapshot");
	if (btrfs != NULL)
		prog_check(subvolume(btrfs, volume, "data") &&
		    subvolume(btrfs, volume, "snapshot"), "on btrfs the data and "
		    "the snapshot are subvolumes");
	rc = tf_container_put(container, "/mount/point/test", "I am a carrot",
	    13, 0, &err);
	rc |= prog_sh(container, "echo new > /mount/point/after", NULL);
	s = fetch_str(container, "/mount/point/test");
	prog_check(rc == 0 && strcmp(s, "I am a carrot") == 0,
	    "after the put: '%s'", s);
	free(s);
	rc = tf_volume_rollback(volume, &err);
	prog_check(rc == 0, "rollback%s%s", rc ? ": " : "", rc ? err.msg : "");
	s = fetch_str(container, "/mount/point/test");
	prog_check(strcmp(s, "I am a test") == 0,
	    "after the rollback the mounted container reads '%s'", s);
	free(s);
	s = fetch_str(container, "/mount/point/after");
	prog_check(strcmp(s, "<missing>") == 0,
	    "a file made after the snapshot is gone");
	free(s);
	{
		char *out = NULL;

		rc = prog_sh(container, "cat /mount/point/test", &out);
		prog_check(rc == 0 && out && strcmp(out, "I am a test") == 0,
		    "a process in the container sees the rollback too");
		free(out);
	}

	/* One snapshot point: the next snapshot replaces it. */
	tf_container_put(container, "/mount/point/test", "second", 6, 0, &err);
	rc = tf_volume_snapshot(volume, &err);
	tf_container_put(container, "/mount/point/test", "third", 5, 0, &err);
	rc |= tf_volume_rollback(volume, &err);
	s = fetch_str(container, "/mount/point/test");
	prog_check(rc == 0 && strcmp(s, "second") == 0,
	    "a second snapshot replaces the first: rollback gives '%s'", s);
	free(s);
	rc = tf_volume_rollback(volume, &err);
	s = fetch_str(container, "/mount/point/test");
	prog_check(rc == 0 && strcmp(s, "second") == 0,
	    "rolling back twice is harmless");
	free(s);

	/* On btrfs a snapshot costs the same whatever the size. */
	if (btrfs != NULL) {
		uint64_t t0;

		rc = prog_sh(container, "dd if=/dev/urandom of=/mount/point/big "
		    "bs=1M count=256 2>/dev/null && sync", NULL);
		t0 = prog_now_ms();
		rc |= tf_volume_snapshot(volume, &err);
		prog_check(rc == 0 && prog_now_ms() - t0 < 1000,
		    "a snapshot of 256 MB takes %.2f s", (double)(prog_now_ms() -
		    t0) / 1000);
		t0 = prog_now_ms();
		rc = prog_sh(container, "rm /mount/point/big", NULL);
		rc |= tf_volume_rollback(volume, &err);
		s = fetch_str(container, "/mount/point/test");
		prog_check(rc == 0 && strcmp(s, "second") == 0 &&
		    prog_sh(container, "test -s /mount/point/big", NULL) == 0,
		    "and its rollback brings the 256 MB back (%.2f s)",
		    (double)(prog_now_ms() - t0) / 1000);
		free(s);
	}

	/* A new container sees the rolled-back data. */
	{
		tf_mount m[] = { { volume, NULL, "/v" } };
		tf_spawn_opts so = { .mounts = m, .nmounts = 1, .sleep = true };

		second = prog_spawn(loc, node, "busybox", &so);
	}
	s = fetch_str(second, "/v/test");
	prog_check(strcmp(s, "second") == 0, "a new container mounting it "
	    "reads '%s'", s);
	free(s);

	/* The seeds end with node.destroy_volume(volume): after its
	 * containers are gone. */
	tf_container_destroy(second, &err);
	tf_container_destroy(container, &err);
	rc = tf_location_destroy_volume(loc, volume, &err);
	prog_check(rc == 0, "destroy_volume%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_volume_snapshot(volume, &err);
	prog_check(rc == -1, "a destroyed volume cannot be snapshotted: %s",
	    err.msg);
	rc = tf_volume_rollback(volume, &err);
	prog_check(rc == -1, "nor rolled back: %s", err.msg);
	tf_location_destroy(&loc);
	return prog_finish();
}
