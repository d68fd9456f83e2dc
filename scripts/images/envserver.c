/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * envserver: the program inside the `env-test` image (scripts/build_images.sh
 * compiles it with `cc -static`).  It answers every HTTP request on port 80
 * (or the port given as argv[1]) with its own environment, one NAME=value a
 * line, so that tests can check which variables a container was given.
 *
 * It serves one connection at a time: the tests make a handful of requests,
 * and a slow client is cut off by a receive timeout rather than blocking the
 * others for ever.  It runs as PID 1 in a container, where signals without a
 * handler are ignored, so SIGTERM and SIGINT get one that exits.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

extern char **environ;

static void
on_signal(int sig)
{
	_exit(sig == SIGTERM || sig == SIGINT ? 0 : 128 + sig);
}

static int
listen_on(int port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd, one = 1, zero = 0;

	/* Dual stack first; a kernel without IPv6 falls back to IPv4. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		memset(&a6, 0, sizeof a6);
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons(port);
		if (bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0 &&
		    listen(fd, 64) == 0)
			return fd;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_ANY);
	a4.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&a4, sizeof a4) != 0 ||
	    listen(fd, 64) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the request head (up to the blank line, or 16 KiB, or a timeout);
 * the body, if any, is ignored.  Returns the request line for the log. */
static void
read_request(int fd, char *line, size_t line_size)
{
	char buf[16384];
	size_t used = 0;
	ssize_t n;
	char *eol;

	buf[0] = '\0';
	while (used < sizeof buf - 1) {
		n = read(fd, buf + used, sizeof buf - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			break;
	}
	eol = strpbrk(buf, "\r\n");
	if (eol != NULL)
		*eol = '\0';
	snprintf(line, line_size, "%s", buf);
}

static void
serve(int fd)
{
	char head[256], line[256];
	struct timeval tv = { .tv_sec = 5 };
	size_t len = 0, i;
	char *body, *p;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	read_request(fd, line, sizeof line);
	printf("envserver: %s\n", line[0] != '\0' ? line : "(empty request)");

	for (i = 0; environ[i] != NULL; i++)
		len += strlen(environ[i]) + 1;
	body = malloc(len + 1);
	if (body == NULL)
		return;
	p = body;
	for (i = 0; environ[i] != NULL; i++)
		p += sprintf(p, "%s\n", environ[i]);

	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", len);
	if (write_all(fd, head, strlen(head)) == 0 &&
	    strncmp(line, "HEAD ", 5) != 0)
		write_all(fd, body, len);
	free(body);
}

int
main(int argc, char **argv)
{
	int port = 80, lfd, fd;

	if (argc > 1)
		port = atoi(argv[1]);
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: envserver [port]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	lfd = listen_on(port);
	if (lfd < 0) {
		fprintf(stderr, "envserver: cannot listen on port %d: %s\n",
		    port, strerror(errno));
		return 1;
	}
	printf("envserver: listening on port %d\n", port);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "envserver: accept: %s\n",
			    strerror(errno));
			sleep(1);
			continue;
		}
		serve(fd);
		close(fd);
	}
}
