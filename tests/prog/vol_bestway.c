/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vol_bestway: the seeds' "The Best Way" deployment as a test (issue 6):
 *
 *     dbname = 'prod/db' if args.prod else 'dev/db'
 *     try:
 *         volume_uuid = loc.kv[dbname]
 *         node, vol = loc.node_and_volume(volume_uuid)
 *     except KeyError:
 *         node = loc.best_node()
 *         vol = node.create_volume()
 *         loc.set_kv({dbname: vol.uuid})
 *     db = node.spawn_container("postgres", volumes=[(vol, '/db')])
 *     app = node.spawn_container(args.image,
 *                                pre_boot_files=[('/etc/webapp.cfg', 'db=' + db.ip)])
 *     db.allow_connection_from(app)
 *
 *   vol_bestway [--prod] new|reuse RUNS
 *
 * "postgres" is busybox httpd serving the volume, which counts the runs
 * that used it in /db/runs; the app reads its config and asks the db.
 * new: the volume must be made now; reuse: found through the KV store.
 * RUNS: how many runs the volume must have seen, this one included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

int
main(int argc, char **argv)
{
	bool prod = argc > 1 && strcmp(argv[1], "--prod") == 0;
	const char *expect = argc > 1 + prod ? argv[1 + prod] : "new";
	int runs = argc > 2 + prod ? atoi(argv[2 + prod]) : 1;
	const char *dbname = prod ? "prod/db" : "dev/db";
	tf_location *loc = prog_connect("vol_bestway");
	tf_node *node = NULL;
	tf_volume *vol = NULL;
	tf_container *db, *app;
	char *uuid = NULL, *out = NULL, cfg[96], cmd[256];
	bool created;
	tf_err err;
	int rc, n;

	if (tf_kv_get(loc, dbname, &uuid, &err) == 0) {
		created = false;
		rc = tf_location_node_and_volume(loc, uuid, &node, &vol, &err);
		prog_check(rc == 0, "kv[%s] = %s, and node_and_volume finds it"
		    "%s%s", dbname, uuid, rc ? ": " : "", rc ? err.msg : "");
		if (rc != 0)
			prog_bail(&loc, "node_and_volume", &err);
	} else {
		created = true;
		prog_check(strstr(err.msg, "no such key") != NULL,
		    "kv[%s] is missing: %s", dbname, err.msg);
		node = prog_node(loc);
		vol = tf_location_create_volume(loc, node, NULL, &err);
		if (vol == NULL)
			prog_bail(&loc, "create_volume", &err);
		rc = tf_kv_set(loc, (const char *const[]){ dbname,
		    tf_volume_id(vol), NULL }, &err);
		prog_check(rc == 0, "set_kv({%s: %s})", dbname,
		    tf_volume_id(vol));
	}
	free(uuid);
	prog_check(created == (strcmp(expect, "new") == 0),
	    "the volume was %s, as expected", created ? "made" : "reused");
	prog_value("volume", "%s", tf_volume_id(vol));

	{
		tf_mount m[] = { { vol, NULL, "/db" } };
		tf_spawn_opts so = { .mounts = m, .nmounts = 1,
		    .command = (const char *const[]){ "sh", "-c",
		    "echo run >> /db/runs; exec httpd -f -p 5432 -h /db", NULL } };

		db = prog_spawn(loc, node, "busybox", &so);
	}
	snprintf(cfg, sizeof cfg, "db=%s", tf_container_ip(db));
	{
		tf_file pre[] = { { "/etc/webapp.cfg", cfg, strlen(cfg) } };
		tf_spawn_opts so = { .files = pre, .nfiles = 1, .sleep = true };

		app = prog_spawn(loc, node, "busybox", &so);
	}
	rc = tf_container_allow_connection_from(db, app, &err);
	prog_check(rc == 0, "db.allow_connection_from(app)%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_container_wait_tcp(db, 5432, 30000, &err);
	prog_check(rc == 0, "the db listens");
	rc = prog_sh(app, "cat /etc/webapp.cfg", &out);
	prog_check(rc == 0 && strcmp(out, cfg) == 0,
	    "the app's pre-boot config names the db: %s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "timeout 5 wget -q -O - "
	    "http://$(sed 's/^db=//' /etc/webapp.cfg):5432/runs");
	rc = prog_sh(app, cmd, &out);
	n = 0;
	for (char *p = out; p != NULL && (p = strstr(p, "run")) != NULL; p++)
		n++;
	prog_check(rc == 0 && n == runs, "the app reaches the db, whose volume "
	    "has seen %d run(s) (%d expected)", n, runs);
	free(out);
	tf_location_destroy(&loc);
	return prog_finish();
}
