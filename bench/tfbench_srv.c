/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfbench-srv: the server bench-tunnel runs inside a busybox container.
 * Linked statically (by bench/meson.build) so that it needs nothing from
 * the image.  Self-contained on purpose: no libtf.
 *
 *   tfbench-srv [SINK_PORT [ECHO_PORT]]      (default 5000 5001)
 *
 * SINK_PORT  reads everything until the client half-closes, then answers
 *            with the byte count (8 bytes, big-endian) and closes: the
 *            client knows every byte arrived when the count does.
 * ECHO_PORT  writes back whatever it reads, until the client closes.
 *
 * One process, one epoll loop, non-blocking sockets: a new connection
 * costs an accept, not a fork, so connection set-up times measure the
 * path to the server rather than the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)
#define ECHO_BUF (64 * 1024)

/* Listeners and connections alike; epoll hands back the pointer. */
typedef struct conn {
	int fd;
	bool listener;
	bool echo;
	uint64_t total;		/* sink: bytes read */
	unsigned char *pend;	/* echo: bytes read, not yet written back */
	size_t off, len;
} conn;

static int
listen_on(int port)
{
	struct sockaddr_in a;
	int s, one = 1;

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 128) != 0) {
		fprintf(stderr, "tfbench-srv: port %d: %s\n", port,
		    strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

static void
conn_close(conn *c)
{
	close(c->fd);
	free(c->pend);
	free(c);
}

/* The sink's answer once the client half-closed: 8 bytes, fit in any
 * socket buffer, so a blocking write is never needed. */
static void
sink_answer(conn *c)
{
	unsigned char be[8];
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (unsigned char)(c->total >> (56 - 8 * i));
	if (write(c->fd, be, sizeof be) != (ssize_t)sizeof be)
		fprintf(stderr, "tfbench-srv: cannot answer: %s\n",
		    strerror(errno));
}

/* Writes what is pending; 1 when all went, 0 when the socket is full,
 * -1 on error. */
static int
echo_flush(conn *c)
{
	while (c->len > 0) {
		ssize_t w = write(c->fd, c->pend + c->off, c->len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		c->off += (size_t)w;
		c->len -= (size_t)w;
	}
	c->off = 0;
	return 1;
}

/* Handles readiness of c; returns -1 when c is finished. */
static int
conn_ready(int ep, conn *c, unsigned char *buf)
{
	struct epoll_event ev;
	ssize_t n;
	int f;

	if (c->echo) {
		f = echo_flush(c);
		if (f < 0)
			return -1;
		while (f == 1) {
			n = read(c->fd, c->pend, ECHO_BUF);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			if (n <= 0)
				return -1;
			c->len = (size_t)n;
			f = echo_flush(c);
			if (f < 0)
				return -1;
		}
		/* While the client does not read, stop reading from it. */
		ev.events = f == 1 ? EPOLLIN : EPOLLOUT;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return 0;
	}
	for (;;) {
		n = read(c->fd, buf, BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0) {
			sink_answer(c);
			return -1;
		}
		c->total += (uint64_t)n;
	}
}

int
main(int argc, char **argv)
{
	int sink_port = argc > 1 ? atoi(argv[1]) : 5000;
	int echo_port = argc > 2 ? atoi(argv[2]) : 5001;
	struct epoll_event ev, evs[64];
	conn lsink = { 0 }, lecho = { 0 };
	unsigned char *buf;
	int ls, le, ep, n, i, fd, one = 1;

	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: tfbench-srv [SINK_PORT [ECHO_PORT]]\n");
		return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	signal(SIGPIPE, SIG_IGN);
	buf = malloc(BUF_SIZE);
	ls = listen_on(sink_port);
	le = listen_on(echo_port);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (buf == NULL || ls < 0 || le < 0 || ep < 0)
		return 1;
	lsink.fd = ls;
	lsink.listener = true;
	lecho.fd = le;
	lecho.listener = true;
	lecho.echo = true;
	ev.events = EPOLLIN;
	ev.data.ptr = &lsink;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	ev.data.ptr = &lecho;
	epoll_ctl(ep, EPOLL_CTL_ADD, le, &ev);
	printf("tfbench-srv: sink on %d, echo on %d\n", sink_port, echo_port);
	fflush(stdout);

	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("tfbench-srv: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			conn *l = evs[i].data.ptr, *c;

			if (l->listener) {
				fd = accept4(l->fd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd < 0)
					continue;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof one);
				c = calloc(1, sizeof *c);
				if (c == NULL || (l->echo && (c->pend =
				    malloc(ECHO_BUF)) == NULL)) {
					free(c);
					close(fd);
					continue;
				}
				c->fd = fd;
				c->echo = l->echo;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			if (conn_ready(ep, evs[i].data.ptr, buf) < 0)
				conn_close(evs[i].data.ptr);
		}
	}
}
