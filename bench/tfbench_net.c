/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfbench-net: the client bench-hosts runs inside a busybox container,
 * against tfbench-srv in another container (on the same node or another
 * one).  Static and self-contained like tfbench-srv.
 *
 *   tfbench-net IP MIB ROUNDS
 *
 * Sends MIB MiB to IP:5000 (the sink), half-closes and waits for the
 * sink's byte count, then does ROUNDS round trips of 64 bytes with
 * IP:5001 (the echo) on one connection with TCP_NODELAY.  Prints
 *   mbps=<MB/s, 10^6 bytes> rtt_p50_us=<median> rtt_p99_us=<99th percentile>
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
dial(const char *ip, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("tfbench-net: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n <= 0) {
			fprintf(stderr, "tfbench-net: short read\n");
			exit(1);
		}
		got += (size_t)n;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static char buf[256 << 10];
	uint64_t total, sent = 0;
	uint8_t count[8], ping[64];
	double t0, secs, *rtt;
	int fd, rounds;

	if (argc != 4) {
		fprintf(stderr, "usage: tfbench-net IP MIB ROUNDS\n");
		return 2;
	}
	total = (uint64_t)atoi(argv[2]) << 20;
	rounds = atoi(argv[3]);
	if (rounds < 1)
		rounds = 1;
	memset(buf, 'x', sizeof buf);

	fd = dial(argv[1], 5000);
	t0 = now_us();
	while (sent < total) {
		size_t want = total - sent < sizeof buf ?
		    (size_t)(total - sent) : sizeof buf;
		ssize_t n = write(fd, buf, want);

		if (n <= 0) {
			perror("tfbench-net: write");
			return 1;
		}
		sent += (uint64_t)n;
	}
	shutdown(fd, SHUT_WR);
	read_full(fd, count, sizeof count);
	secs = (now_us() - t0) / 1e6;
	close(fd);

	rtt = calloc((size_t)rounds, sizeof *rtt);
	fd = dial(argv[1], 5001);
	memset(ping, 'p', sizeof ping);
	for (int i = 0; i < rounds; i++) {
		double t = now_us();

		if (write(fd, ping, sizeof ping) != (ssize_t)sizeof ping) {
			perror("tfbench-net: write");
			return 1;
		}
		read_full(fd, ping, sizeof ping);
		rtt[i] = now_us() - t;
	}
	close(fd);
	qsort(rtt, (size_t)rounds, sizeof *rtt, cmp_double);
	printf("mbps=%.1f rtt_p50_us=%.1f rtt_p99_us=%.1f\n",
	    (double)total / secs / 1e6, rtt[rounds / 2],
	    rtt[(int)(rounds * 0.99)]);
	free(rtt);
	return 0;
}
