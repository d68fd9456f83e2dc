/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-tunnel: a tunnel's throughput and small-request latency, side by
 * side in one run with a direct connection to the container's address
 * (from the host, through the node's bridge) and with a plain userspace
 * TCP relay (socat, default options) on this machine.
 *
 * The server is tfbench-srv (a static binary built next to this program)
 * put into a busybox container: a sink on port 5000 (reads until the
 * client half-closes, answers with the byte count) and an echo on 5001.
 * The three paths to it:
 *
 *   direct   the container's ip:port, straight from this process.
 *   socat    socat TCP-LISTEN:<p>,bind=127.0.0.1,reuseaddr,fork
 *            TCP:<ip>:<port> on loopback: one extra userspace hop.
 *   tunnel   tf_container_attach_tunnel's local port: the SDK (this
 *            process's loop thread) -> CurveZMQ -> tf-location ->
 *            CurveZMQ -> tf-node -> the container, and back.
 *
 * For each path, by a worker thread while the main thread runs the SDK's
 * loop (so the tunnel moves):
 *
 *   throughput   BYTES in all per path, in ROUNDS transfers taking turns
 *                with the other paths (drift hits all alike).  A transfer
 *                is one connection that sends its share (1 MiB writes),
 *                half-closes and waits for the sink's count: timed from
 *                connect until the count arrives (every byte was received
 *                in the container).  MB/s = all bytes / all transfers'
 *                time; the rounds' own rates give the spread.
 *   latency      one connection per path, TCP_NODELAY, 20 warm-up then N
 *                sequential 64-byte writes each followed by reading the
 *                64-byte echo; the time of each round trip.  The paths
 *                take turns, one round trip each, so that load from
 *                elsewhere on the machine spreads over all of them alike.
 *   connect      a new connection, one 64-byte echo, close; M times, the
 *                paths again taking turns.
 *   CPU          user + system time of this process (the client and, for
 *                the tunnel, the SDK's relay), socat (with its relay
 *                children) and, given --cpu, tf-location and tf-node,
 *                over each path's transfers, per GiB.  The container's
 *                server is not counted (it is the same on every path).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench_util.h"
#include "tf_util.h"

#define SINK_PORT 5000
#define ECHO_PORT 5001
#define SRV_PATH "/usr/local/bin/tfbench-srv"
#define CHUNK (1u << 20)
#define MSG 64
#define WARMUP 20
#define IO_TIMEOUT_S 120

enum { P_DIRECT, P_SOCAT, P_TUNNEL, NPATHS };
static const char *const path_names[NPATHS] = { "direct", "socat",
    "tunnel" };

/* Whose CPU time is counted during the bulk transfers. */
enum { CPU_SELF, CPU_LOCATION, CPU_NODE, CPU_SOCAT, NCPU };
static const char *const cpu_names[NCPU] = { "bench", "location", "node",
    "socat" };

typedef struct path_result {
	bool on;
	double cpu[NCPU];	/* CPU seconds during its transfers */
	char host[64];
	int sink, echo;		/* ports */
	double mbps;		/* 10^6 bytes per second, all rounds */
	double secs;		/* all rounds */
	bench_samples round_mbps;
	bench_samples rtt, conn;
} path_result;

typedef struct tunnel_bench {
	uint64_t bytes;
	int rounds;
	int requests;
	int connects;
	path_result p[NPATHS];
	pid_t cpu_pid[NCPU];	/* 0: not measured */
	tf_err err;		/* the worker's */
} tunnel_bench;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: bench-tunnel [options]\n"
"Tunnel throughput and small-request latency beside a direct connection\n"
"to the container and a socat relay, in one run.  Needs a location\n"
"account ($TF_DIR) with busybox, and tfbench-srv (built next to this).\n"
"  -b, --bytes N[K|M|G]   bytes through each path (default 1G = 1 GiB)\n"
"  -R, --rounds N         transfers the bytes are split into (default 4)\n"
"  -r, --requests N       64-byte round trips per path (default 1000)\n"
"  -c, --connects N       new connection + one echo, per path (default 50)\n"
"      --server PATH      tfbench-srv (default: next to this program)\n"
"  -p, --paths LIST       which of direct,socat,tunnel to measure (default\n"
"                         all; e.g. -p tunnel while profiling)\n"
"      --socat PATH       socat (default socat)\n"
"      --cpu NAME=PID     also count the CPU time of the location's or the\n"
"                         node's process (NAME location or node)\n"
"  -i, --image NAME       the image (default busybox)\n"
"  -v, --verbose          SDK logging\n"
"  -h, --help             this text\n");
}

static int
parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || v == 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* "direct,tunnel" -> want[]. */
static int
parse_paths(const char *list, bool want[NPATHS])
{
	char *copy = tf_strdup(list), *tok, *save = NULL;
	int k, rc = 0;

	for (k = 0; k < NPATHS; k++)
		want[k] = false;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < NPATHS; k++) {
			if (strcmp(tok, path_names[k]) == 0)
				break;
		}
		if (k == NPATHS)
			rc = -1;
		else
			want[k] = true;
	}
	free(copy);
	return rc;
}

/* --- the client side (worker thread: sockets only, no SDK) --------------- */

static int
sock_open(const char *host, int port, tf_err *err)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int s, one = 1;

	s = bench_connect_tcp(host, port, 5000, err);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return s;
}

static int
write_all(int fd, const uint8_t *p, size_t n, tf_err *err)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return tf_err_errno(err, "write");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n, tf_err *err)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return tf_err_errno(err, "read");
		if (r == 0)
			return tf_err_set(err, "the connection closed early");
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* CPU seconds used so far by pid (user + system, and of its waited-for
 * children: socat relays in children it reaps); -1 when unknown. */
static double
cpu_secs(pid_t pid)
{
	char path[64], *data, *p;
	unsigned long long v[4];
	double r;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	data = tf_read_file(path, NULL, 4096);
	if (data == NULL)
		return -1;
	/* Fields after the command name, which may hold spaces: state is
	 * field 3, utime..cstime are 14..17. */
	p = strrchr(data, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3]) != 4) {
		free(data);
		return -1;
	}
	free(data);
	r = (double)(v[0] + v[1] + v[2] + v[3]) / (double)sysconf(_SC_CLK_TCK);
	return r;
}

static void
cpu_sample(const tunnel_bench *b, double out[NCPU])
{
	for (int k = 0; k < NCPU; k++)
		out[k] = b->cpu_pid[k] > 0 ? cpu_secs(b->cpu_pid[k]) : -1;
}

/* One transfer of bytes to p's sink; adds to p's totals. */
static int
measure_throughput(tunnel_bench *b, path_result *p, uint64_t bytes,
		   const uint8_t *buf)
{
	uint64_t left = bytes, got = 0;
	uint8_t be[8];
	double t0, t1;
	int s, i;

	t0 = bench_now_ms();
	s = sock_open(p->host, p->sink, &b->err);
	if (s < 0)
		return -1;
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;

		if (write_all(s, buf, n, &b->err) != 0)
			goto fail;
		left -= n;
	}
	if (shutdown(s, SHUT_WR) != 0) {
		tf_err_errno(&b->err, "shutdown");
		goto fail;
	}
	if (read_all(s, be, sizeof be, &b->err) != 0)
		goto fail;
	t1 = bench_now_ms();
	close(s);
	for (i = 0; i < 8; i++)
		got = got << 8 | be[i];
	if (got != bytes)
		return tf_err_set(&b->err, "%s: the sink got %llu bytes of %llu",
		    path_names[p - b->p], (unsigned long long)got,
		    (unsigned long long)bytes);
	p->secs += (t1 - t0) / 1e3;
	bench_samples_add(&p->round_mbps, (double)bytes / 1e3 / (t1 - t0));
	return 0;
fail:
	close(s);
	return -1;
}

/* One 64-byte round trip on s; ms or -1. */
static double
echo_once(tunnel_bench *b, int s, const char *name)
{
	uint8_t out[MSG], in[MSG];
	double t0 = bench_now_ms();
	int i;

	for (i = 0; i < MSG; i++)
		out[i] = (uint8_t)('a' + i % 26);
	if (write_all(s, out, MSG, &b->err) != 0 ||
	    read_all(s, in, MSG, &b->err) != 0)
		return -1;
	if (memcmp(in, out, MSG) != 0)
		return tf_err_set(&b->err, "%s: the echo differs", name);
	return bench_now_ms() - t0;
}

/* Round trips and new connections, the paths taking turns (one sample of
 * each per round) so that a disturbance on the machine hits all alike. */
static int
measure_latency(tunnel_bench *b)
{
	int s[NPATHS], i, k, rc = -1;
	double ms, t0;

	for (k = 0; k < NPATHS; k++)
		s[k] = -1;
	for (k = 0; k < NPATHS; k++) {
		if (b->p[k].on &&
		    (s[k] = sock_open(b->p[k].host, b->p[k].echo, &b->err)) < 0)
			goto out;
	}
	for (i = 0; i < WARMUP + b->requests; i++) {
		for (k = 0; k < NPATHS; k++) {
			if (s[k] < 0)
				continue;
			if ((ms = echo_once(b, s[k], path_names[k])) < 0)
				goto out;
			if (i >= WARMUP)
				bench_samples_add(&b->p[k].rtt, ms);
		}
	}
	for (i = 0; i < b->connects; i++) {
		for (k = 0; k < NPATHS; k++) {
			int c;

			if (!b->p[k].on)
				continue;
			t0 = bench_now_ms();
			c = sock_open(b->p[k].host, b->p[k].echo, &b->err);
			if (c < 0)
				goto out;
			ms = echo_once(b, c, path_names[k]);
			close(c);
			if (ms < 0)
				goto out;
			bench_samples_add(&b->p[k].conn, bench_now_ms() - t0);
		}
	}
	rc = 0;
out:
	for (k = 0; k < NPATHS; k++) {
		if (s[k] >= 0)
			close(s[k]);
	}
	return rc;
}

static int
client_main(void *arg)
{
	tunnel_bench *b = arg;
	uint8_t *buf = tf_malloc(CHUNK);
	int i, rc = -1;

	for (size_t k = 0; k < CHUNK; k++)
		buf[k] = (uint8_t)(k * 2654435761u >> 24);
	/* Latency first, on quiet paths; then the bulk transfers. */
	if (measure_latency(b) != 0)
		goto out;
	for (int r = 0; r < b->rounds; r++) {
		/* The last round takes the remainder. */
		uint64_t n = b->bytes / (uint64_t)b->rounds;

		if (r == b->rounds - 1)
			n = b->bytes - n * (uint64_t)(b->rounds - 1);
		for (i = 0; i < NPATHS; i++) {
			double c0[NCPU], c1[NCPU];

			if (!b->p[i].on)
				continue;
			cpu_sample(b, c0);
			if (measure_throughput(b, &b->p[i], n, buf) != 0)
				goto out;
			/* socat's relay child is reaped (and counted in
			 * its parent) just after the connection ends. */
			if (i == P_SOCAT)
				usleep(100000);
			cpu_sample(b, c1);
			for (int k = 0; k < NCPU; k++)
				b->p[i].cpu[k] += c0[k] >= 0 && c1[k] >= 0 ?
				    c1[k] - c0[k] : 0;
		}
	}
	for (i = 0; i < NPATHS; i++)
		b->p[i].mbps = (double)b->bytes / 1e6 / b->p[i].secs;
	rc = 0;
out:
	free(buf);
	return rc;
}

/* --- setup: the container, socat, the tunnels ---------------------------- */

static pid_t
socat_start(const char *socat, int lport, const char *ip, int port, tf_err *err)
{
	char listen[96], connect[96];
	const char *argv[] = { socat, listen, connect, NULL };

	snprintf(listen, sizeof listen,
	    "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", lport);
	snprintf(connect, sizeof connect, "TCP:%s:%d", ip, port);
	return bench_spawn(argv, 2, -1, err);
}

/* CPU seconds per GiB of path i: of one process (k), or of all (k -1). */
static double
cpu_per_gib(const tunnel_bench *b, int i, int k)
{
	double gib = (double)b->bytes / (double)(1u << 30), sum = 0;

	for (int j = 0; j < NCPU; j++)
		if (b->cpu_pid[j] > 0 && (k < 0 || j == k))
			sum += b->p[i].cpu[j];
	return sum / gib;
}

/* Summary lines of the CPU a tunnel costs beside socat's relay: in all,
 * and for each of its three processes. */
static void
summary_cpu(const tunnel_bench *b)
{
	static const int procs[] = { CPU_SELF, CPU_LOCATION, CPU_NODE };
	static const char *const proc_names[] = { "client+SDK", "tf-location",
	    "tf-node" };
	double socat = cpu_per_gib(b, P_SOCAT, -1);
	char what[96];

	if (!b->p[P_TUNNEL].on || !b->p[P_SOCAT].on || socat <= 0)
		return;
	bench_summary("tunnel", "CPU per GiB, all processes: tunnel vs socat",
	    cpu_per_gib(b, P_TUNNEL, -1), socat, "s/GiB", "tunnel / socat");
	for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
		if (b->cpu_pid[procs[i]] <= 0)
			continue;
		snprintf(what, sizeof what, "CPU per GiB: tunnel's %s vs socat",
		    proc_names[i]);
		bench_summary("tunnel", what, cpu_per_gib(b, P_TUNNEL, procs[i]),
		    socat, "s/GiB", "process / socat");
	}
}

/* x / y for each measure, when both paths ran; summary lines too. */
static void
print_ratio(tunnel_bench *b, int x, int y, bool summary)
{
	path_result *px = &b->p[x], *py = &b->p[y];
	char what[96], means[48];

	if (!px->on || !py->on)
		return;
	printf("    %-6s / %-6s  throughput %.3f, CPU per GiB %.2f, 64 B round "
	    "trip %.2f, connect+echo %.2f\n", path_names[x], path_names[y],
	    px->mbps / py->mbps, cpu_per_gib(b, x, -1) / cpu_per_gib(b, y, -1),
	    bench_samples_median(&px->rtt) / bench_samples_median(&py->rtt),
	    bench_samples_median(&px->conn) / bench_samples_median(&py->conn));
	if (!summary)
		return;
	snprintf(means, sizeof means, "%s / %s", path_names[x], path_names[y]);
	snprintf(what, sizeof what, "throughput: %s vs %s", path_names[x],
	    path_names[y]);
	bench_summary("tunnel", what, px->mbps, py->mbps, "MB/s", means);
	snprintf(what, sizeof what, "64 B round trip, median: %s vs %s",
	    path_names[x], path_names[y]);
	bench_summary("tunnel", what, bench_samples_median(&px->rtt),
	    bench_samples_median(&py->rtt), "ms", means);
	snprintf(what, sizeof what, "new connection + echo: %s vs %s",
	    path_names[x], path_names[y]);
	bench_summary("tunnel", what, bench_samples_median(&px->conn),
	    bench_samples_median(&py->conn), "ms", means);
}

static void
print_results(tunnel_bench *b)
{
	int i;

	printf("bench-tunnel: tfbench-srv in a busybox container; %.0f MiB "
	    "per path in %d rounds, %d round trips of %d bytes, %d new "
	    "connections\n", (double)b->bytes / (1 << 20), b->rounds,
	    b->requests, MSG, b->connects);
	printf("  %-8s %8s %7s %15s %11s %11s %11s %13s\n", "path", "MB/s",
	    "secs", "rounds' MB/s", "rtt median", "rtt p90", "rtt p99",
	    "connect+echo");
	for (i = 0; i < NPATHS; i++) {
		path_result *p = &b->p[i];

		if (!p->on)
			continue;
		printf("  %-8s %8.1f %7.2f %7.0f..%-6.0f %8.3f ms %8.3f ms "
		    "%8.3f ms %10.3f ms\n", path_names[i], p->mbps, p->secs,
		    bench_samples_min(&p->round_mbps),
		    bench_samples_pct(&p->round_mbps, 100),
		    bench_samples_median(&p->rtt),
		    bench_samples_pct(&p->rtt, 90),
		    bench_samples_pct(&p->rtt, 99),
		    bench_samples_median(&p->conn));
	}
	printf("  CPU seconds per GiB moved during the transfers (this "
	    "machine has %ld cores):\n  %-8s", sysconf(_SC_NPROCESSORS_ONLN),
	    "path");
	for (int k = 0; k < NCPU; k++)
		printf(" %9s", cpu_names[k]);
	printf(" %9s\n", "sum");
	for (i = 0; i < NPATHS; i++) {
		double gib = (double)b->bytes / (double)(1u << 30), sum = 0;

		if (!b->p[i].on)
			continue;
		printf("  %-8s", path_names[i]);
		for (int k = 0; k < NCPU; k++) {
			if (b->cpu_pid[k] <= 0) {
				printf(" %9s", "-");
				continue;
			}
			printf(" %9.2f", b->p[i].cpu[k] / gib);
			sum += b->p[i].cpu[k] / gib;
		}
		printf(" %9.2f\n", sum);
	}
	printf("  ratios (of the totals and medians above):\n");
	print_ratio(b, P_TUNNEL, P_DIRECT, true);
	print_ratio(b, P_TUNNEL, P_SOCAT, true);
	print_ratio(b, P_SOCAT, P_DIRECT, false);
	summary_cpu(b);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "bytes", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "requests", required_argument, NULL, 'r' },
		{ "connects", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 'S' },
		{ "socat", required_argument, NULL, 'T' },
		{ "image", required_argument, NULL, 'i' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "paths", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const srv_cmd[] = { SRV_PATH, NULL };
	tunnel_bench b;
	const char *image = "busybox", *socat = "socat";
	char *server = NULL, *srv = NULL, *dir;
	tf_location *loc = NULL;
	tf_container *c = NULL;
	tf_tunnel *ts = NULL, *te = NULL;
	pid_t socat_pid[2] = { -1, -1 };
	bool want[NPATHS] = { true, true, true };
	bool verbose = false;
	size_t srv_len = 0;
	tf_spawn_opts o;
	tf_node *node;
	tf_err err;
	int ch, rc = 1, i;

	memset(&b, 0, sizeof b);
	b.bytes = 1ull << 30;
	b.rounds = 4;
	b.requests = 1000;
	b.connects = 50;
	while ((ch = getopt_long(argc, argv, "b:R:r:c:p:i:vh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			if (parse_bytes(optarg, &b.bytes) != 0) {
				fprintf(stderr, "bench-tunnel: bad size %s\n",
				    optarg);
				return 2;
			}
			break;
		case 'R': b.rounds = atoi(optarg); break;
		case 'r': b.requests = atoi(optarg); break;
		case 'c': b.connects = atoi(optarg); break;
		case 'S': server = tf_strdup(optarg); break;
		case 'T': socat = optarg; break;
		case 'i': image = optarg; break;
		case 'C':
			if (strncmp(optarg, "location=", 9) == 0)
				b.cpu_pid[CPU_LOCATION] = atoi(optarg + 9);
			else if (strncmp(optarg, "node=", 5) == 0)
				b.cpu_pid[CPU_NODE] = atoi(optarg + 5);
			else {
				fprintf(stderr, "bench-tunnel: --cpu "
				    "location=PID or node=PID\n");
				return 2;
			}
			break;
		case 'p':
			if (parse_paths(optarg, want) != 0) {
				fprintf(stderr, "bench-tunnel: --paths takes "
				    "direct,socat,tunnel\n");
				return 2;
			}
			break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	b.cpu_pid[CPU_SELF] = getpid();
	if (optind != argc || b.requests < 1 || b.connects < 1 ||
	    b.rounds < 1 || b.bytes < (uint64_t)b.rounds) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (server == NULL) {
		dir = bench_self_dir();
		server = tf_asprintf("%s/tfbench-srv", dir);
		free(dir);
	}
	srv = tf_read_file(server, &srv_len, 64 << 20);
	if (srv == NULL) {
		fprintf(stderr, "bench-tunnel: cannot read %s: %s (ninja -C "
		    "BUILD bench/tfbench-srv)\n", server, strerror(errno));
		free(server);
		return 1;
	}

	loc = bench_connect(verbose, &err);
	if (loc == NULL)
		goto fail;
	/* Ctrl-C ends the blocking calls with an error, so the containers
	 * made so far are destroyed on the way out. */
	if (tf_location_catch_signals(loc, &err) != 0)
		goto fail;
	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		goto fail;
	/* Booted asleep, so the server can be put in before it starts. */
	memset(&o, 0, sizeof o);
	o.command = srv_cmd;
	o.sleep = true;
	c = tf_node_spawn_container(node, image, &o, &err);
	if (c == NULL)
		goto fail;
	if (tf_container_put(c, SRV_PATH, srv, srv_len, 0755, &err) != 0 ||
	    tf_container_wake(c, &err) != 0 ||
	    tf_container_wait_tcp(c, SINK_PORT, 30000, &err) != 0 ||
	    tf_container_wait_tcp(c, ECHO_PORT, 30000, &err) != 0)
		goto fail;
	if (tf_container_ip(c)[0] == '\0') {
		tf_err_set(&err, "the container has no address");
		goto fail;
	}

	for (i = 0; i < NPATHS; i++)
		snprintf(b.p[i].host, sizeof b.p[i].host, "127.0.0.1");
	b.p[P_DIRECT].on = want[P_DIRECT];
	snprintf(b.p[P_DIRECT].host, sizeof b.p[P_DIRECT].host, "%s",
	    tf_container_ip(c));
	b.p[P_DIRECT].sink = SINK_PORT;
	b.p[P_DIRECT].echo = ECHO_PORT;

	if (want[P_SOCAT] && !bench_have_program(socat)) {
		fprintf(stderr, "bench-tunnel: %s not found: the socat path is "
		    "skipped (apt-get install socat)\n", socat);
		want[P_SOCAT] = false;
	}
	if (want[P_SOCAT]) {
		b.p[P_SOCAT].sink = bench_free_port();
		b.p[P_SOCAT].echo = bench_free_port();
		while (b.p[P_SOCAT].echo == b.p[P_SOCAT].sink)
			b.p[P_SOCAT].echo = bench_free_port();
		socat_pid[0] = socat_start(socat, b.p[P_SOCAT].sink,
		    tf_container_ip(c), SINK_PORT, &err);
		socat_pid[1] = socat_start(socat, b.p[P_SOCAT].echo,
		    tf_container_ip(c), ECHO_PORT, &err);
		if (socat_pid[0] < 0 || socat_pid[1] < 0)
			goto fail;
		b.cpu_pid[CPU_SOCAT] = socat_pid[0];
		b.p[P_SOCAT].on = true;
	}

	if (want[P_TUNNEL]) {
		ts = tf_container_attach_tunnel(c, SINK_PORT, 0, NULL, &err);
		if (ts == NULL)
			goto fail;
		te = tf_container_attach_tunnel(c, ECHO_PORT, 0, NULL, &err);
		if (te == NULL)
			goto fail;
		b.p[P_TUNNEL].on = true;
		b.p[P_TUNNEL].sink = tf_tunnel_localport(ts);
		b.p[P_TUNNEL].echo = tf_tunnel_localport(te);
	}

	tf_err_clear(&err);
	if (bench_with_loop(loc, client_main, &b, &err) != 0) {
		if (b.err.msg[0] != '\0')
			err = b.err;
		goto fail;
	}
	print_results(&b);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench-tunnel: %s\n", err.msg);
out:
	for (i = 0; i < 2; i++) {
		if (socat_pid[i] > 0) {
			kill(socat_pid[i], SIGTERM);
			bench_wait(socat_pid[i]);
		}
	}
	if (ts != NULL && tf_tunnel_destroy(ts, &err) != 0)
		fprintf(stderr, "bench-tunnel: %s\n", err.msg);
	if (te != NULL && tf_tunnel_destroy(te, &err) != 0)
		fprintf(stderr, "bench-tunnel: %s\n", err.msg);
	if (c != NULL && tf_container_destroy(c, &err) != 0)
		fprintf(stderr, "bench-tunnel: %s\n", err.msg);
	tf_location_destroy(&loc);
	for (i = 0; i < NPATHS; i++) {
		bench_samples_fini(&b.p[i].rtt);
		bench_samples_fini(&b.p[i].conn);
		bench_samples_fini(&b.p[i].round_mbps);
	}
	free(srv);
	free(server);
	return rc;
}
