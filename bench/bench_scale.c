/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-scale: a thousand containers on one node (issue 16).
 *
 *   bench-scale [-n N] [--node-pid PID] [--loc-pid PID]
 *
 * Spawns N busybox `sleep 3600` at once (N tf_node_spawn calls, then each
 * waited for) and measures:
 *   - time from the first spawn until all run;
 *   - the node's and the location's resident memory and descriptors before
 *     and with the N running (from /proc of the pids given), per container;
 *   - a new client: time from tf_location_new until its offer holds the N
 *     (connect, CURVE handshake, hello, the whole offer decoded);
 *   - destroy of all N, one tf_container_destroy after another;
 *   - with --cpu-secs S (and --node-pid), the node's CPU over S seconds
 *     before the spawn and over S seconds with the N running, both as %
 *     of one core: the difference per 100 containers is what running
 *     them costs the node, its once-a-second metric sampling included
 *     (this program watches metrics, as tfcon does; issue 22).
 * There is no baseline run beside it: the figures are costs per container,
 * the baselines are the same daemons with none.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

static long
proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long
proc_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* utime + stime of pid in clock ticks; -1 if unreadable. */
static long
proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t len;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* Fields after the command name, which may hold spaces. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* The node's CPU over secs seconds, in % of one core. */
static double
node_cpu_pct(pid_t pid, int secs)
{
	long a = proc_ticks(pid), b;

	sleep((unsigned)secs);
	b = proc_ticks(pid);
	if (a < 0 || b < 0)
		return -1;
	return 100.0 * (double)(b - a) / (double)sysconf(_SC_CLK_TCK) / secs;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "node-pid", required_argument, NULL, 'p' },
		{ "loc-pid", required_argument, NULL, 'l' },
		{ "cpu-secs", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const sleep_argv[] = { "sleep", "3600", NULL };
	size_t n = 1000, i, ok = 0, listed;
	pid_t node_pid = 0, loc_pid = 0;
	long node_rss0, node_fds0, loc_rss0, node_rss, node_fds, loc_rss;
	tf_container **c;
	tf_location *loc, *fresh;
	tf_spawn_opts so;
	tf_node *node;
	double t0, spawn_ms, offer_ms, destroy_ms;
	tf_err err;
	int ch, cpu_secs = 0;
	double cpu0 = -1, cpu1 = -1;

	while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': n = (size_t)atol(optarg); break;
		case 'p': node_pid = (pid_t)atol(optarg); break;
		case 'l': loc_pid = (pid_t)atol(optarg); break;
		case 'c': cpu_secs = atoi(optarg); break;
		case 'h':
			puts("usage: bench-scale [-n N] [--node-pid PID] "
			    "[--loc-pid PID] [--cpu-secs S]");
			return 0;
		default: return 2;
		}
	}
	loc = bench_connect(false, &err);
	if (loc == NULL || (node = tf_location_best_node(loc, &err)) == NULL) {
		fprintf(stderr, "bench-scale: %s\n", err.msg);
		return 1;
	}
	if (tf_location_catch_signals(loc, &err) != 0)
		fprintf(stderr, "bench-scale: %s\n", err.msg);
	if (tf_location_watch_metrics(loc, true, &err) != 0)
		fprintf(stderr, "bench-scale: %s\n", err.msg);
	c = calloc(n, sizeof *c);
	if (cpu_secs > 0 && node_pid > 0)
		cpu0 = node_cpu_pct(node_pid, cpu_secs);
	node_rss0 = proc_rss_kib(node_pid);
	node_fds0 = proc_fds(node_pid);
	loc_rss0 = proc_rss_kib(loc_pid);

	memset(&so, 0, sizeof so);
	so.command = sleep_argv;
	t0 = bench_now_ms();
	for (i = 0; i < n; i++)
		if ((c[i] = tf_node_spawn(node, "busybox", &so, &err)) == NULL)
			break;
	for (i = 0; i < n && c[i] != NULL; i++)
		if (tf_container_wait_ready(c[i], 1800000, &err) == 0)
			ok++;
	spawn_ms = bench_now_ms() - t0;
	if (cpu_secs > 0 && node_pid > 0)
		cpu1 = node_cpu_pct(node_pid, cpu_secs);
	node_rss = proc_rss_kib(node_pid);
	node_fds = proc_fds(node_pid);
	loc_rss = proc_rss_kib(loc_pid);

	t0 = bench_now_ms();
	fresh = bench_connect(false, &err);
	listed = fresh != NULL ? tf_model_count(tf_location_model(fresh),
	    TF_MODEL_CONTAINER) : 0;
	offer_ms = bench_now_ms() - t0;
	tf_location_destroy(&fresh);

	t0 = bench_now_ms();
	for (i = 0; i < n && c[i] != NULL; i++)
		tf_container_destroy(c[i], &err);
	destroy_ms = bench_now_ms() - t0;

	printf("%zu containers spawned at once, %zu ran\n", n, ok);
	printf("  all running after            %10.0f ms (%.1f ms each)\n",
	    spawn_ms, spawn_ms / (double)n);
	if (node_pid > 0) {
		printf("  node descriptors             %10ld -> %ld (%.2f each)\n",
		    node_fds0, node_fds, (double)(node_fds - node_fds0) /
		    (double)n);
		printf("  node RSS                     %10ld -> %ld KiB (%.1f KiB "
		    "each)\n", node_rss0, node_rss, (double)(node_rss -
		    node_rss0) / (double)n);
	}
	if (loc_pid > 0)
		printf("  location RSS                 %10ld -> %ld KiB (%.1f KiB "
		    "each)\n", loc_rss0, loc_rss, (double)(loc_rss - loc_rss0) /
		    (double)n);
	if (cpu0 >= 0 && cpu1 >= 0 && ok > 0)
		printf("  node CPU, %d s each          %9.2f%% -> %.2f%% of a core "
		    "(%.2f%% per 100 running)\n", cpu_secs, cpu0, cpu1,
		    (cpu1 - cpu0) * 100.0 / (double)ok);
	printf("  a new client has the offer   %10.0f ms (%zu containers)\n",
	    offer_ms, listed);
	printf("  destroy of all, one by one   %10.0f ms (%.1f ms each)\n",
	    destroy_ms, destroy_ms / (double)n);
	bench_summary("scale", "spawn at once, until all run", spawn_ms, 0,
	    "ms", "-");
	bench_summary("scale", "new client: offer received", offer_ms, 0,
	    "ms", "-");
	bench_summary("scale", "destroy of all, one by one", destroy_ms, 0,
	    "ms", "-");
	tf_location_destroy(&loc);
	free(c);
	return ok == n ? 0 : 1;
}
