/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfvolumes: lists, creates and destroys persistent volumes (and takes or
 * rolls back their snapshot), as the original utility did.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tf.h"
#include "tf_util.h"

static const char usage_text[] =
"Usage: tfvolumes [OPTIONS] {list,create,destroy,snapshot,rollback} [ARG]\n"
"\n"
"Manages your persistent volumes at a 20ft location.  Volumes outlive the\n"
"containers that mount them (tf -m VOLUME:/path) and the session that made\n"
"them; only 'destroy' removes one.  A volume is named by its uuid, its tag\n"
"or uuid:tag.\n"
"\n"
"Commands:\n"
"  list                 one volume per line: uuid or uuid:tag\n"
"  create [TAG]         create a volume (on the best node, or --node) and\n"
"                       print uuid or uuid:tag\n"
"  destroy VOLUME       destroy a volume; refused while it is mounted\n"
"  snapshot VOLUME      take the volume's one snapshot point\n"
"  rollback VOLUME      go back to the snapshot\n"
"\n"
"Options:\n"
"      --node NAME      create the volume on this node\n"
"      --size N         create it to hold N bytes (K, M, G after N multiply\n"
"                       by 1024s; default: the location's, 1G unless its\n"
"                       operator set another).  Sizes count against your\n"
"                       volume_bytes quota (tf --quota); a node that keeps\n"
"                       volumes on btrfs refuses writes past the size\n"
"      --location NAME  a location other than the default one\n"
"      --local ADDR     connect to ADDR (host[:port]) instead\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 on success, 1 when the volume cannot be found or the\n"
"location refuses, 2 on bad usage, 5 when the location cannot be reached.\n";

int
main(int argc, char **argv)
{
	enum { OPT_LOCATION = 256, OPT_LOCAL, OPT_NODE, OPT_SYNC, OPT_SIZE };
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL, *node_name = NULL, *cmd;
	tf_location *loc;
	int64_t size = 0;
	tf_err err;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LOCATION: location = optarg; break;
		case OPT_LOCAL: address = optarg; break;
		case OPT_NODE: node_name = optarg; break;
		case OPT_SIZE:
			if ((size = tf_size_parse(optarg)) <= 0) {
				fprintf(stderr, "tfvolumes: --size %s: a number "
				    "of bytes above 0, with K, M or G after it\n",
				    optarg);
				return 2;
			}
			break;
		case OPT_SYNC: break;	/* the original's; writes are synchronous */
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "list") == 0 ? argc - optind != 1 :
	    strcmp(cmd, "create") == 0 ? argc - optind > 2 :
	    (strcmp(cmd, "destroy") == 0 || strcmp(cmd, "snapshot") == 0 ||
	    strcmp(cmd, "rollback") == 0) ? argc - optind != 2 : true) {
		if (argc - optind == 1 && strcmp(cmd, "list") != 0 &&
		    strcmp(cmd, "create") != 0)
			fprintf(stderr, "tfvolumes: %s: the following arguments "
			    "are required: volume\n", cmd);
		else
			fputs(usage_text, stderr);
		return 2;
	}
	tf_log_setup(TF_LOG_WARN, "tfvolumes", stderr);
	loc = cli_location_open("tfvolumes", location, address);
	if (loc == NULL)
		return 5;
	if (strcmp(cmd, "list") == 0) {
		tf_volume *vols[4096];
		size_t n = tf_location_volumes(loc, vols, 4096);

		for (size_t i = 0; i < n && i < 4096; i++)
			printf("%s\n", tf_volume_display_name(vols[i]));
	} else if (strcmp(cmd, "create") == 0) {
		tf_node *node = NULL;
		tf_volume *v;

		if (node_name != NULL &&
		    (node = tf_location_node(loc, node_name, &err)) == NULL) {
			fprintf(stderr, "tfvolumes: %s\n", err.msg);
			rc = 1;
		} else if ((v = tf_location_create_volume_sized(loc, node,
		    argc - optind == 2 ? argv[optind + 1] : NULL, size,
		    &err)) == NULL) {
			fprintf(stderr, "tfvolumes: %s\n", err.msg);
			rc = 1;
		} else {
			printf("%s\n", tf_volume_display_name(v));
		}
	} else {
		tf_volume *v = tf_location_volume(loc, argv[optind + 1], &err);
		int r;

		if (v == NULL) {
			fprintf(stderr, "Can't find volume: %s\n", argv[optind + 1]);
			rc = 1;
		} else {
			if (strcmp(cmd, "destroy") == 0)
				r = tf_location_destroy_volume(loc, v, &err);
			else if (strcmp(cmd, "snapshot") == 0)
				r = tf_volume_snapshot(v, &err);
			else
				r = tf_volume_rollback(v, &err);
			if (r != 0) {
				fprintf(stderr, "%s\n", err.msg);
				rc = 1;
			}
		}
	}
	tf_location_destroy(&loc);
	return rc;
}
