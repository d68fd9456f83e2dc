/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pg_bestway: the seeds' "The Best Way" deployment with the real postgres
 * image (issue 15; scripts/build_debian_images.sh):
 *
 *     volume from loc.kv['pg/db'], or a new one recorded there
 *     db = node.spawn_container("postgres", volumes=[(vol, PGDATA's parent)])
 *     app = node.spawn_container(CLIENT, pre_boot_files=[('/etc/webapp.cfg',
 *                                                          'db=' + db.ip)])
 *     db.allow_connection_from(app)
 *
 *   pg_bestway new|reuse RUNS [CLIENT]
 *
 * The app (CLIENT, default "postgres": Debian with psql) cannot reach the
 * db before allow_connection_from and can after; it inserts a row per run
 * and must count RUNS rows (so the volume kept the earlier runs' data);
 * the rows survive a reboot of the db and a new db container on the same
 * volume.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define PG_MOUNT	"/var/lib/postgresql/data"
#define PG_READY_MS	180000	/* initdb on a loaded machine */

static tf_container *
spawn_db(tf_location *loc, tf_node *node, tf_volume *vol)
{
	tf_mount m[] = { { vol, NULL, PG_MOUNT } };
	tf_spawn_opts so = { .mounts = m, .nmounts = 1 };
	tf_container *db = prog_spawn(loc, node, "postgres", &so);
	tf_err err;
	int rc;

	rc = tf_container_wait_tcp(db, 5432, PG_READY_MS, &err);
	prog_check(rc == 0, "postgres listens on 5432 (%s)%s%s",
	    tf_container_ip(db), rc ? ": " : "", rc ? err.msg : "");
	return db;
}

/* psql in the app against the db named in its config; "" on failure. */
static char *
psql(tf_container *app, const char *sql, int *rc_out)
{
	char cmd[512], *out = NULL;

	snprintf(cmd, sizeof cmd, "psql -tA \"host=$(sed 's/^db=//' "
	    "/etc/webapp.cfg) user=postgres connect_timeout=5\" -c \"%s\" "
	    "2>&1", sql);
	*rc_out = prog_sh(app, cmd, &out);
	if (out == NULL)
		out = strdup("");
	out[strcspn(out, "\n")] = '\0';	/* the value, or psql's error */
	return out;
}

/* The rows, once the db answers: a db that just started may still be
 * recovering ("the database system is starting up") for a while after it
 * accepts connections.  -1 after 60 s, with psql's last error noted. */
static int
count_rows(tf_container *app, int *rc_out)
{
	uint64_t end = prog_now_ms() + 60000;
	char *out;
	int n;

	for (;;) {
		out = psql(app, "SELECT count(*) FROM runs", rc_out);
		n = *rc_out == 0 ? atoi(out) : -1;
		if (n >= 0 || prog_now_ms() > end)
			break;
		free(out);
		tf_location_sleep(tf_container_location(app), 500);
	}
	if (n < 0)
		prog_note("psql: %s", out);
	free(out);
	return n;
}

int
main(int argc, char **argv)
{
	const char *expect = argc > 1 ? argv[1] : "new";
	int runs = argc > 2 ? atoi(argv[2]) : 1;
	const char *client = argc > 3 ? argv[3] : "postgres";
	tf_location *loc = prog_connect("pg_bestway");
	tf_node *node = NULL;
	tf_volume *vol = NULL;
	tf_container *db, *app;
	char *uuid = NULL, *out, cfg[96], sql[160];
	bool created;
	tf_err err;
	int rc, n;

	if (tf_kv_get(loc, "pg/db", &uuid, &err) == 0) {
		created = false;
		rc = tf_location_node_and_volume(loc, uuid, &node, &vol, &err);
		if (rc != 0)
			prog_bail(&loc, "node_and_volume", &err);
	} else {
		created = true;
		node = prog_node(loc);
		vol = tf_location_create_volume(loc, node, "pgdata", &err);
		if (vol == NULL)
			prog_bail(&loc, "create_volume", &err);
		rc = tf_kv_set(loc, (const char *const[]){ "pg/db",
		    tf_volume_id(vol), NULL }, &err);
		prog_check(rc == 0, "set_kv({pg/db: %s})", tf_volume_id(vol));
	}
	free(uuid);
	prog_check(created == (strcmp(expect, "new") == 0),
	    "the volume was %s, as expected", created ? "made" : "reused");
	prog_value("volume", "%s", tf_volume_id(vol));

	db = spawn_db(loc, node, vol);
	snprintf(cfg, sizeof cfg, "db=%s", tf_container_ip(db));
	{
		tf_file pre[] = { { "/etc/webapp.cfg", cfg, strlen(cfg) } };
		tf_spawn_opts so = { .files = pre, .nfiles = 1, .sleep = true };

		app = prog_spawn(loc, node, client, &so);
	}
	out = psql(app, "SELECT 1", &rc);
	prog_check(rc != 0, "before allow_connection_from the app cannot "
	    "reach the db (%s)", out);
	free(out);
	rc = tf_container_allow_connection_from(db, app, &err);
	prog_check(rc == 0, "db.allow_connection_from(app)%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	out = psql(app, "SELECT version()", &rc);
	prog_check(rc == 0 && strstr(out, "PostgreSQL") != NULL,
	    "psql in %s reaches the db: %s", client, out);
	free(out);
	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS runs(n int); "
	    "INSERT INTO runs VALUES (%d)", runs);
	out = psql(app, sql, &rc);
	prog_check(rc == 0, "a row for this run is inserted%s%s",
	    rc ? ": " : "", rc ? out : "");
	free(out);
	n = count_rows(app, &rc);
	prog_check(n == runs, "the volume holds %d row(s), %d expected", n,
	    runs);

	rc = tf_container_reboot(db, false, &err);
	prog_check(rc == 0, "the db reboots%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_container_wait_tcp(db, 5432, PG_READY_MS, &err);
	prog_check(rc == 0, "postgres listens again after the reboot");
	n = count_rows(app, &rc);
	prog_check(n == runs, "after the reboot: %d row(s), %d expected", n,
	    runs);

	rc = tf_container_destroy(db, &err);
	prog_check(rc == 0, "the db is destroyed");
	db = spawn_db(loc, node, vol);
	rc = tf_container_allow_connection_from(db, app, &err);
	if (strcmp(tf_container_ip(db), cfg + 3) != 0) {
		/* A new address: the app is told through its config. */
		snprintf(cfg, sizeof cfg, "db=%s", tf_container_ip(db));
		rc = rc != 0 ? rc : tf_container_put(app, "/etc/webapp.cfg",
		    cfg, strlen(cfg), 0, &err);
	}
	prog_check(rc == 0, "a new db container on the volume is allowed "
	    "from the app");
	n = count_rows(app, &rc);
	prog_check(n == runs, "a new db container on the same volume: %d "
	    "row(s), %d expected", n, runs);
	tf_location_destroy(&loc);
	return prog_finish();
}
