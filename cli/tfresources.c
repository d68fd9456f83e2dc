/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfresources: prints the location's resource offer (nodes, containers,
 * tunnels, volumes, images) as JSON, as the original utility did.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char usage_text[] =
"Usage: tfresources [--location NAME] [--local ADDR] [--compact]\n"
"\n"
"Connects to a 20ft location with your account (~/.20ft, or $TF_DIR) and\n"
"prints its resource offer as JSON: the nodes with their statistics, and\n"
"your containers, tunnels, volumes and images, and your quotas.\n"
"\n"
"  --location NAME  a location other than the default one\n"
"  --local ADDR     connect to ADDR (host[:port]) instead of resolving NAME\n"
"  --compact        one line of JSON instead of indented output\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0 on success, 1 when the location cannot be reached or\n"
"refuses the account, 2 on bad usage.\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, 'l' },
		{ "local", required_argument, NULL, 'L' },
		{ "compact", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL;
	bool compact = false;
	struct cli_conn cc;
	tf_reply offer;
	char *json;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': location = optarg; break;
		case 'L': address = optarg; break;
		case 'c': compact = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	tf_log_setup(TF_LOG_WARN, "tfresources", stderr);
	if (cli_connect(&cc, "tfresources", location, address, 10000) != 0)
		return 1;
	if (cli_wait_offer(&cc, &offer, 10000) != 0) {
		fprintf(stderr, "tfresources: the location sent no offer\n");
		cli_disconnect(&cc);
		return 1;
	}
	json = tf_obj_to_json(offer.params, !compact);
	printf("%s\n", json);
	free(json);
	tf_reply_fini(&offer);
	cli_disconnect(&cc);
	return 0;
}
