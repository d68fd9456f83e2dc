/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-hosts: container-to-container networking across nodes against the
 * same on one node, side by side in one run (docs/BENCH.md).
 *
 *   bench-hosts [--mib N] [--rounds N] [--reps N] SERVER_NODE OTHER_NODE
 *
 * tfbench-srv runs in a busybox container on SERVER_NODE; tfbench-net runs
 * in a client container on the same node (the baseline: veth, bridge,
 * veth) and in one on OTHER_NODE (ours: veth, bridge, VXLAN over the
 * underlay, bridge, veth), both allowed through the server's firewall.
 * The two clients take turns, reps times, so load on the machine falls on
 * both alike; the medians of the reps are reported.  Needs an account
 * ($TF_DIR) with busybox and a location whose nodes run with --advertise
 * (bench/hosts.sh makes one on simulated hosts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tf_util.h"

#define SRV_PATH "/usr/local/bin/tfbench-srv"
#define NET_PATH "/usr/local/bin/tfbench-net"

struct side {
	const char *label;
	tf_container *c;
	bench_samples mbps, p50, p99;
};

static int
side_run(struct side *s, const char *ip, int mib, int rounds, tf_err *err)
{
	char cmd[256];
	tf_run_result r;
	double mbps, p50, p99;
	int rc = -1;

	snprintf(cmd, sizeof cmd, "%s %s %d %d", NET_PATH, ip, mib, rounds);
	if (tf_container_run_process(s->c, cmd, 300000, &r, err) != 0)
		return -1;
	if (r.exit_code == 0 && r.out != NULL &&
	    sscanf((const char *)r.out, "mbps=%lf rtt_p50_us=%lf "
	    "rtt_p99_us=%lf", &mbps, &p50, &p99) == 3) {
		bench_samples_add(&s->mbps, mbps);
		bench_samples_add(&s->p50, p50);
		bench_samples_add(&s->p99, p99);
		printf("  %-10s %8.1f MB/s  rtt p50 %7.1f us  p99 %7.1f us\n",
		    s->label, mbps, p50, p99);
		fflush(stdout);
		rc = 0;
	} else {
		tf_err_set(err, "%s: tfbench-net failed (exit %d): %s",
		    s->label, r.exit_code, r.err ? (const char *)r.err : "");
	}
	tf_run_result_fini(&r);
	return rc;
}

static tf_container *
client_new(tf_node *node, const uint8_t *net, size_t len, tf_err *err)
{
	tf_spawn_opts o = { .sleep = true };
	tf_container *c = tf_node_spawn_container(node, "busybox", &o, err);

	if (c == NULL || tf_container_wait_ready(c, 60000, err) != 0 ||
	    tf_container_put(c, NET_PATH, net, len, 0755, err) != 0)
		return NULL;
	return c;
}

int
main(int argc, char **argv)
{
	static const char *const srv_cmd[] = { SRV_PATH, NULL };
	int mib = 256, rounds = 2000, reps = 3, a = 1, rc = 1;
	struct side near = { .label = "one node" }, far = { .label = "across" };
	tf_location *loc = NULL;
	tf_container *server = NULL;
	tf_node *n1, *n2;
	uint8_t *srv = NULL, *net = NULL;
	size_t srv_len = 0, net_len = 0;
	char *dir, *path;
	tf_spawn_opts so = { .command = srv_cmd, .sleep = true };
	tf_err err;

	for (; a < argc && argv[a][0] == '-'; a += 2) {
		if (a + 1 >= argc)
			break;
		if (strcmp(argv[a], "--mib") == 0)
			mib = atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--rounds") == 0)
			rounds = atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--reps") == 0)
			reps = atoi(argv[a + 1]);
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: bench-hosts [--mib N] [--rounds N] "
		    "[--reps N] SERVER_NODE OTHER_NODE\n");
		return 2;
	}
	dir = bench_self_dir();
	path = tf_asprintf("%s/tfbench-srv", dir);
	srv = (uint8_t *)tf_read_file(path, &srv_len, 64 << 20);
	free(path);
	path = tf_asprintf("%s/tfbench-net", dir);
	net = (uint8_t *)tf_read_file(path, &net_len, 64 << 20);
	free(path);
	free(dir);
	if (srv == NULL || net == NULL) {
		fprintf(stderr, "bench-hosts: tfbench-srv and tfbench-net must "
		    "be next to this program (a static build)\n");
		goto out;
	}
	loc = bench_connect(false, &err);
	if (loc == NULL || tf_location_catch_signals(loc, &err) != 0)
		goto fail;
	n1 = tf_location_node(loc, argv[a], &err);
	n2 = n1 != NULL ? tf_location_node(loc, argv[a + 1], &err) : NULL;
	if (n2 == NULL)
		goto fail;
	server = tf_node_spawn_container(n1, "busybox", &so, &err);
	if (server == NULL ||
	    tf_container_put(server, SRV_PATH, srv, srv_len, 0755, &err) != 0 ||
	    tf_container_wake(server, &err) != 0 ||
	    tf_container_wait_tcp(server, 5000, 30000, &err) != 0 ||
	    tf_container_wait_tcp(server, 5001, 30000, &err) != 0)
		goto fail;
	near.c = client_new(n1, net, net_len, &err);
	far.c = near.c != NULL ? client_new(n2, net, net_len, &err) : NULL;
	if (far.c == NULL ||
	    tf_container_allow_connection_from(server, near.c, &err) != 0 ||
	    tf_container_allow_connection_from(server, far.c, &err) != 0)
		goto fail;
	printf("bench-hosts: busybox containers, tfbench-srv on %s; %d MiB "
	    "through, %d round trips of 64 bytes; %d reps each\n", argv[a],
	    mib, rounds, reps);
	for (int i = 0; i < reps; i++) {
		if (side_run(&near, tf_container_ip(server), mib, rounds,
		    &err) != 0 ||
		    side_run(&far, tf_container_ip(server), mib, rounds,
		    &err) != 0)
			goto fail;
	}
	bench_summary("hosts", "throughput MB/s (across / one node)",
	    bench_samples_median(&far.mbps), bench_samples_median(&near.mbps),
	    "MB/s", "higher is better; target >= 0.8");
	bench_summary("hosts", "64-byte round trip p50 (across / one node)",
	    bench_samples_median(&far.p50), bench_samples_median(&near.p50),
	    "us", "lower is better; target <= 1.5");
	bench_summary("hosts", "64-byte round trip p99 (across / one node)",
	    bench_samples_median(&far.p99), bench_samples_median(&near.p99),
	    "us", "lower is better");
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench-hosts: %s\n", err.msg);
out:
	if (near.c != NULL)
		tf_container_destroy(near.c, NULL);
	if (far.c != NULL)
		tf_container_destroy(far.c, NULL);
	if (server != NULL)
		tf_container_destroy(server, NULL);
	tf_location_destroy(&loc);
	bench_samples_fini(&near.mbps);
	bench_samples_fini(&near.p50);
	bench_samples_fini(&near.p99);
	bench_samples_fini(&far.mbps);
	bench_samples_fini(&far.p50);
	bench_samples_fini(&far.p99);
	free(srv);
	free(net);
	return rc;
}
