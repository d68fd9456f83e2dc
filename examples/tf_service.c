/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_service: "Deploying to Production / The Best Way": development and
 * production side by side in one account.  The database volume's uuid is
 * kept in the key/value store under prod/db or dev/db; the database
 * container mounts it; the app container is told the database's address
 * in a pre-boot file, and the database's firewall lets the app in.
 *
 *     parser.add_argument('--prod', action='store_true')
 *     parser.add_argument('image')
 *     loc = Location(debug_log=not args.prod)
 *     dbname = 'prod/db' if args.prod else 'dev/db'
 *     try:
 *         volume_uuid = loc.kv[dbname]
 *         node, vol = loc.node_and_volume(volume_uuid)
 *     except KeyError:
 *         node = loc.best_node()
 *         vol = node.create_volume()
 *         loc.set_kv({dbname: vol.uuid})
 *     logging.info("Starting our-tf-service " + ...)
 *     logging.info("Using webserver image: " + args.image)
 *     db = node.spawn_container("postgres", volumes=[(vol, '/db')])
 *     app = node.spawn_container(args.image,
 *                        pre_boot_files=[('/etc/webapp.cfg', 'db=' + db.ip)])
 *     db.allow_connection_from(app)
 *     signal.pause()
 *
 * The database is the postgres image (scripts/build_debian_images.sh) with
 * its data directory on the volume, mounted at /db as in the seed.
 *
 * Usage: tf_service [--prod] IMAGE
 */
#include <string.h>

#include "example.h"
#include "tf_log.h"

int
main(int argc, char **argv)
{
	const char *image = NULL;
	bool prod = false;
	tf_location_opts lo = { .program = "our-tf-service" };
	tf_location *loc;
	tf_node *node = NULL;
	tf_volume *vol = NULL;
	tf_container *db, *app;
	const char *dbname;
	char *volume_uuid = NULL, cfg[128];
	tf_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--prod") == 0)
			prod = true;
		else if (image == NULL && argv[i][0] != '-')
			image = argv[i];
		else
			image = NULL, i = argc;
	}
	if (image == NULL) {
		fprintf(stderr, "usage: tf_service [--prod] IMAGE\n");
		return 2;
	}
	lo.logging = prod ? TF_LOGGING_INFO : TF_LOGGING_DEBUG;
	loc = tf_location_new(&lo, &err);
	if (loc == NULL) {
		fprintf(stderr, "connect: %s\n", err.msg);
		return 1;
	}

	/* Fetch or create the database volume. */
	dbname = prod ? "prod/db" : "dev/db";
	if (tf_kv_get(loc, dbname, &volume_uuid, &err) != 0 ||
	    tf_location_node_and_volume(loc, volume_uuid, &node, &vol,
	    &err) != 0) {
		node = tf_location_best_node(loc, &err);
		if (node == NULL)
			example_fail(&loc, "best_node", &err);
		vol = tf_location_create_volume(loc, node, NULL, &err);
		if (vol == NULL ||
		    tf_kv_set1(loc, dbname, tf_volume_id(vol), &err) != 0)
			example_fail(&loc, "create_volume", &err);
	}
	free(volume_uuid);

	tf_info("Starting our-tf-service %s", prod ?
	    "ON THE PRODUCTION ENVIRONMENT." : "on the development environment.");
	tf_info("Using webserver image: %s", image);

	{
		tf_mount mounts[] = { { vol, NULL, "/db" } };
		tf_spawn_opts dbo = {
			.mounts = mounts, .nmounts = 1,
			.env = (const char *const[]){ "PGDATA=/db/pgdata", NULL },
		};

		db = tf_node_spawn_container(node, "postgres", &dbo, &err);
		if (db == NULL)
			example_fail(&loc, "spawn_container(db)", &err);
	}
	snprintf(cfg, sizeof cfg, "db=%s", tf_container_ip(db));
	{
		tf_file files[] = { { "/etc/webapp.cfg", cfg, strlen(cfg) } };
		tf_spawn_opts appo = { .files = files, .nfiles = 1 };

		app = tf_node_spawn_container(node, image, &appo, &err);
		if (app == NULL)
			example_fail(&loc, "spawn_container(app)", &err);
	}
	if (tf_container_allow_connection_from(db, app, &err) != 0)
		example_fail(&loc, "allow_connection_from", &err);
	tf_location_run(loc, &err);		/* signal.pause() */
	tf_location_destroy(&loc);
	return 0;
}
