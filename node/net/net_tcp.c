/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_tcp: non-blocking TCP connections from the node to its containers,
 * the container end of a tunnel.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tf_err.h"
#include "net_ipam.h"
#include "net.h"

int
net_tcp_connect_nb(const char *bridge, const char *ip, int port, tf_err *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, one = 1;

	if (net_ip_parse(ip, &sin.sin_addr, err) != 0)
		return -1;
	if (port < 1 || port > 65535)
		return tf_err_set(err, "not a TCP port: %d", port);
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tf_err_errno(err, "making a socket");
	/* Tunnel bytes are often small interactive writes. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (bridge != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    bridge, (socklen_t)strlen(bridge) + 1) != 0) {
		tf_err_errno(err, "binding a socket to %s", bridge);
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0 &&
	    errno != EINPROGRESS) {
		tf_err_errno(err, "connecting to %s:%d", ip, port);
		close(fd);
		return -1;
	}
	return fd;
}

int
net_tcp_connect_finish(int fd, tf_err *err)
{
	socklen_t len = sizeof(int);
	int error = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
		return tf_err_errno(err, "checking a connection");
	if (error != 0)
		return tf_err_set(err, "connecting to the container: %s",
		    strerror(error));
	return 0;
}
