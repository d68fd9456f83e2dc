/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfresources: prints the location's resource offer (nodes, containers,
 * tunnels, volumes, images) as JSON, as the original utility did, with the
 * web endpoints (domains and published clusters) under "endpoints".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: tfresources [--location NAME] [--local ADDR] [--compact]\n"
"\n"
"Connects to a 20ft location with your account (~/.20ft, or $TF_DIR) and\n"
"prints its resource offer as JSON: the nodes with their statistics, and\n"
"your containers, tunnels, volumes and images, and under \"endpoints\" the\n"
"domains you may publish under and your published clusters.\n"
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
	{
		/* The offer's keys, then "endpoints": web_list's answer. */
		msgpack_object_kv *kv;
		msgpack_object all = { .type = MSGPACK_OBJECT_MAP };
		uint32_t n = offer.params->type == MSGPACK_OBJECT_MAP ?
		    offer.params->via.map.size : 0;
		tf_reply web;
		tf_err err;
		tf_out o;
		bool have_web;

		tf_out_init(&o, "web_list");
		have_web = tf_conn_call(cc.conn, &o, NULL, 0, 10000, &web,
		    &err) == 0;
		kv = calloc(n + 1, sizeof *kv);
		if (n > 0)
			memcpy(kv, offer.params->via.map.ptr, n * sizeof *kv);
		if (have_web) {
			kv[n].key.type = MSGPACK_OBJECT_STR;
			kv[n].key.via.str.ptr = "endpoints";
			kv[n].key.via.str.size = 9;
			kv[n].val = *web.params;
			n++;
		}
		all.via.map.size = n;
		all.via.map.ptr = kv;
		json = tf_obj_to_json(&all, !compact);
		free(kv);
		if (have_web)
			tf_reply_fini(&web);
	}
	printf("%s\n", json);
	free(json);
	tf_reply_fini(&offer);
	cli_disconnect(&cc);
	return 0;
}
