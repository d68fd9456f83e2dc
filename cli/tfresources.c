/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfresources: prints the location's resource offer (nodes, containers,
 * tunnels, volumes, images, web endpoints) as JSON, as the original utility
 * did, with the balancer's view (domains, clusters, ports) under "web"; with
 * --metrics, what each container and node uses, as a table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: tfresources [--location NAME] [--local ADDR] [--compact | --metrics]\n"
"\n"
"Connects to a 20ft location with your account (~/.20ft, or $TF_DIR) and\n"
"prints its resource offer as JSON: the nodes with their statistics, and\n"
"your containers, tunnels, volumes, images and web endpoints (published\n"
"clusters: FQDN, domain, members, the members HAProxy's checks pass,\n"
"requests a second), and your quotas; under \"web\", the domains you may\n"
"publish under, your clusters and the balancer's ports.\n"
"\n"
"  --location NAME  a location other than the default one\n"
"  --local ADDR     connect to ADDR (host[:port]) instead of resolving NAME\n"
"  --compact        one line of JSON instead of indented output\n"
"  --metrics        instead of the offer, a table of what each running\n"
"                   container uses (CPU %% of a core, memory and its limit,\n"
"                   processes, network and block I/O per second) and the\n"
"                   sums per node, as their nodes measured it\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0 on success, 1 when the location cannot be reached or\n"
"refuses the account, 2 on bad usage.\n";

static void
metrics_human(int64_t v, char *buf, size_t size)
{
	static const char *const units[] = { "B", "K", "M", "G", "T" };
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f%s" : "%.1f%s", d, units[u]);
}

static void
metrics_row(const char *name, const char *node, const tf_model_metrics *m)
{
	char rss[16], lim[16], rx[16], tx[16], rd[16], wr[16];

	metrics_human(m->mem_rss, rss, sizeof rss);
	if (m->mem_limit > 0)
		metrics_human(m->mem_limit, lim, sizeof lim);
	else
		snprintf(lim, sizeof lim, "-");
	metrics_human(m->net_rx, rx, sizeof rx);
	metrics_human(m->net_tx, tx, sizeof tx);
	metrics_human(m->io_read, rd, sizeof rd);
	metrics_human(m->io_write, wr, sizeof wr);
	printf("%-32s %-12s %6.1f %8s %8s %5lld %8s %8s %8s %8s %4lld\n", name,
	    node, m->cpu_pct, rss, lim, (long long)m->pids, rx, tx, rd, wr,
	    (long long)m->oom_kills);
}

static bool
metrics_all_in(tf_model *model)
{
	for (size_t i = 0; i < tf_model_count(model, TF_MODEL_CONTAINER); i++) {
		const tf_model_container *c = tf_model_container_at(model, i);

		if (c->state == TF_CTR_RUNNING && c->metrics.at == 0)
			return false;
	}
	return true;
}

/* Watches metrics until every running container has figures (at most a
 * few seconds: a node sends a container's first figures after its second
 * sample), then prints them. */
static int
metrics_print(const char *location, const char *address)
{
	tf_location *loc = cli_location_open("tfresources", location, address);
	tf_model *model;
	tf_err err;
	int waited;

	if (loc == NULL)
		return 1;
	if (tf_location_watch_metrics(loc, true, &err) != 0) {
		fprintf(stderr, "tfresources: %s\n", err.msg);
		tf_location_destroy(&loc);
		return 1;
	}
	model = tf_location_model(loc);
	for (waited = 0; waited < 4000; waited += 100) {
		if (waited >= 300 && metrics_all_in(model))
			break;
		if (tf_location_sleep(loc, 100) != 0)
			break;
	}
	printf("%-32s %-12s %6s %8s %8s %5s %8s %8s %8s %8s %4s\n",
	    "CONTAINER", "NODE", "CPU%", "MEM", "LIMIT", "PIDS", "NET_RX/s",
	    "NET_TX/s", "IO_R/s", "IO_W/s", "OOM");
	for (size_t i = 0; i < tf_model_count(model, TF_MODEL_CONTAINER); i++) {
		const tf_model_container *c = tf_model_container_at(model, i);
		char name[TF_MODEL_ID + TF_MODEL_NAME + 2];

		if (c->state != TF_CTR_RUNNING)
			continue;
		snprintf(name, sizeof name, "%s%s%s", c->id,
		    c->tag[0] != '\0' ? ":" : "", c->tag);
		metrics_row(name, c->node, &c->metrics);
	}
	for (size_t i = 0; i < tf_model_count(model, TF_MODEL_NODE); i++) {
		const tf_model_node *n = tf_model_node_at(model, i);
		tf_model_metrics sum;
		char name[TF_MODEL_NAME + 8];

		tf_model_node_metrics(model, n->id, &sum);
		snprintf(name, sizeof name, "node %s", n->name);
		metrics_row(name, n->up ? "up" : "down", &sum);
	}
	tf_location_disconnect(loc);
	tf_location_destroy(&loc);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, 'l' },
		{ "local", required_argument, NULL, 'L' },
		{ "compact", no_argument, NULL, 'c' },
		{ "metrics", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL;
	bool compact = false, metrics = false;
	struct cli_conn cc;
	tf_reply offer;
	char *json;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': location = optarg; break;
		case 'L': address = optarg; break;
		case 'c': compact = true; break;
		case 'm': metrics = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	tf_log_setup(TF_LOG_WARN, "tfresources", stderr);
	if (metrics)
		return metrics_print(location, address);
	if (cli_connect(&cc, "tfresources", location, address, 10000) != 0)
		return 1;
	if (cli_wait_offer(&cc, &offer, 10000) != 0) {
		fprintf(stderr, "tfresources: the location sent no offer\n");
		cli_disconnect(&cc);
		return 1;
	}
	{
		/* The offer's keys, then "web": web_list's answer. */
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
			kv[n].key.via.str.ptr = "web";
			kv[n].key.via.str.size = 3;
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
