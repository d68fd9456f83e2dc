/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-sdkops: the C side of bench/bench_python.sh, which times the same
 * three operations through tfnz (bench/bench_tfnz.py, the same program in
 * Python) and through the C SDK (this), alternating rounds of each.
 *
 *   bench-sdkops spawn  N             spawn + wait_ready, N times
 *   bench-sdkops exec   N             run_process("true"), N times
 *   bench-sdkops tunnel N BYTES SRV   N transfers of BYTES through a tunnel
 *   bench-sdkops tunnel-thread N BYTES SRV
 *                                     the same with the loop on a thread of
 *                                     its own (tf_location_thread_start) and
 *                                     the main thread writing, as tfnz does
 *
 * Each prints one "sample VALUE" line per measurement (ms, or MB/s for
 * tunnel).  Connecting, image checks and making the containers that exec
 * and tunnel use are not timed.  spawn: busybox running `sleep 3600`,
 * spawned with no_image_check and destroyed (untimed) before the next.
 * tunnel: tfbench-srv (SRV) put into a busybox container; a transfer
 * connects to the tunnel's local port, writes BYTES in 1 MiB writes,
 * half-closes and waits for the sink's 8-byte count.  The writer is a
 * thread of its own while the main thread runs the SDK's loop, as in a
 * tfnz program (whose loop has the thread and whose main thread writes).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define SRV_PATH "/usr/local/bin/tfbench-srv"
#define CHUNK (1024 * 1024)

static const char *const sleep_cmd[] = { "sleep", "3600", NULL };
static const char *const srv_cmd[] = { SRV_PATH, NULL };

static void
die(tf_location **loc, const char *what, const tf_err *err)
{
	fprintf(stderr, "bench-sdkops: %s: %s\n", what, err->msg);
	tf_location_destroy(loc);
	exit(1);
}

static tf_container *
spawn_sleeper(tf_location **loc, tf_node *node)
{
	tf_spawn_opts o = { .command = sleep_cmd, .no_image_check = true };
	tf_container *c;
	tf_err err;

	c = tf_node_spawn(node, "busybox", &o, &err);
	if (c == NULL || tf_container_wait_ready(c, 0, &err) != 0)
		die(loc, "spawn", &err);
	return c;
}

struct transfer {
	int port;
	long long bytes;
	const char *buf;
	volatile int done;
	int failed;
};

static void *
transfer_main(void *arg)
{
	struct transfer *t = arg;
	long long left = t->bytes;
	unsigned char count[8];
	size_t got = 0;
	int fd;
	tf_err err;

	fd = bench_connect_tcp("127.0.0.1", t->port, 10000, &err);
	if (fd < 0) {
		t->failed = 1;
		goto out;
	}
	while (left > 0) {
		ssize_t n = write(fd, t->buf, left < CHUNK ? (size_t)left : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->failed = 1;
			goto close;
		}
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof count) {
		ssize_t n = read(fd, count + got, sizeof count - got);

		if (n <= 0) {
			t->failed = 1;
			break;
		}
		got += (size_t)n;
	}
close:
	close(fd);
out:
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
bench_tunnel(tf_location **loc, tf_node *node, int n, long long bytes,
	     const char *srv_file, bool threaded)
{
	tf_spawn_opts o = { .command = srv_cmd, .sleep = true,
			    .no_image_check = true };
	uint8_t *srv;
	size_t srv_len;
	tf_container *c;
	tf_tunnel *t;
	char *buf;
	tf_err err;
	FILE *f;

	f = fopen(srv_file, "rb");
	if (f == NULL) {
		fprintf(stderr, "bench-sdkops: %s: %s\n", srv_file,
		    strerror(errno));
		exit(1);
	}
	srv = malloc(4 << 20);
	srv_len = fread(srv, 1, 4 << 20, f);
	fclose(f);
	c = tf_node_spawn(node, "busybox", &o, &err);
	if (c == NULL || tf_container_wait_ready(c, 0, &err) != 0 ||
	    tf_container_put(c, SRV_PATH, srv, srv_len, 0755, &err) != 0 ||
	    tf_container_wake(c, &err) != 0 ||
	    tf_container_wait_tcp(c, 5000, 0, &err) != 0)
		die(loc, "tfbench-srv container", &err);
	free(srv);
	t = tf_container_attach_tunnel(c, 5000, 0, NULL, &err);
	if (t == NULL)
		die(loc, "attach_tunnel", &err);
	buf = calloc(1, CHUNK);
	if (threaded && tf_location_thread_start(*loc, &err) != 0)
		die(loc, "thread_start", &err);
	for (int i = 0; i < n; i++) {
		struct transfer tr = { tf_tunnel_localport(t), bytes, buf, 0, 0 };
		pthread_t th;
		double t0 = bench_now_ms();

		if (threaded) {
			transfer_main(&tr);
		} else {
			pthread_create(&th, NULL, transfer_main, &tr);
			while (!__atomic_load_n(&tr.done, __ATOMIC_ACQUIRE))
				tf_location_sleep(*loc, 5);
			pthread_join(th, NULL);
		}
		if (tr.failed) {
			fprintf(stderr, "bench-sdkops: a transfer failed\n");
			exit(1);
		}
		printf("sample %.3f\n", bytes / 1e6 / ((bench_now_ms() - t0) / 1e3));
		fflush(stdout);
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	tf_location *loc;
	tf_node *node;
	tf_err err;
	int n;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-sdkops spawn|exec N | tunnel N "
		    "BYTES TFBENCH-SRV\n");
		return 2;
	}
	n = atoi(argv[2]);
	loc = bench_connect(false, &err);
	if (loc == NULL) {
		fprintf(stderr, "bench-sdkops: %s\n", err.msg);
		return 1;
	}
	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		die(&loc, "best_node", &err);
	if (strcmp(argv[1], "spawn") == 0) {
		for (int i = 0; i < n; i++) {
			double t0 = bench_now_ms();
			tf_container *c = spawn_sleeper(&loc, node);

			printf("sample %.3f\n", bench_now_ms() - t0);
			fflush(stdout);
			tf_container_destroy(c, &err);
		}
	} else if (strcmp(argv[1], "exec") == 0) {
		tf_container *c = spawn_sleeper(&loc, node);

		for (int i = 0; i < n; i++) {
			tf_run_result r;
			double t0 = bench_now_ms();

			if (tf_container_run_process(c, "true", 0, &r, &err) != 0)
				die(&loc, "run_process", &err);
			printf("sample %.3f\n", bench_now_ms() - t0);
			fflush(stdout);
			tf_run_result_fini(&r);
		}
	} else if (strcmp(argv[1], "tunnel") == 0 && argc >= 5) {
		bench_tunnel(&loc, node, n, atoll(argv[3]), argv[4], false);
	} else if (strcmp(argv[1], "tunnel-thread") == 0 && argc >= 5) {
		bench_tunnel(&loc, node, n, atoll(argv[3]), argv[4], true);
	} else {
		fprintf(stderr, "bench-sdkops: unknown bench %s\n", argv[1]);
		tf_location_destroy(&loc);
		return 2;
	}
	tf_location_destroy(&loc);
	return 0;
}
