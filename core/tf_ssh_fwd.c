/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_fwd.c: direct-tcpip channels (ssh -L LOCAL:HOST:PORT) through the
 * same path as every tunnel.  The destination port is a port of the
 * container, whatever the host name says (the container is the remote
 * host).  The server opens one SDK tunnel per port on first use (a
 * loopback listener relayed to the container with the tunnels' credit
 * windows, shown in the offer like any tunnel) and each channel connects
 * a socket to it; bytes move between that socket and the channel as the
 * SSH window and the socket allow, so neither direction buffers more than
 * FWD_BUF_MAX here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tf_ssh_private.h"

#define FWD_BUF_MAX (256u << 10)
#define FWD_READ_MAX (64u << 10)

struct sshd_fwd {
	int fd;
	int events;
	struct sdk_buf to_sock;		/* from the client, not yet written */
	bool sock_eof;			/* the container side ended */
	bool shut_wr;
	bool stalled;			/* refused client data libssh keeps */
};

/* The tunnel to port, opened on first use. */
static tf_tunnel *
sshd_fwd_tunnel(tf_ssh_server *srv, int port, tf_err *err)
{
	tf_container *c;
	tf_tunnel *t;

	for (size_t i = 0; i < srv->n_tunnels; i++)
		if (tf_tunnel_port(srv->tunnels[i]) == port &&
		    !srv->tunnels[i]->closed)
			return srv->tunnels[i];
	c = sdk_container_for_id(srv->loc, srv->container, err);
	if (c == NULL)
		return NULL;
	t = sdk_tunnel_open_async(c, port, 0, NULL, NULL, err);
	if (t == NULL)
		return NULL;
	SDK_PUSH(srv, tunnels, t);
	return t;
}

static void
sshd_fwd_events(struct sshd_chan *ch)
{
	struct sshd_fwd *f = ch->fwd;
	int ev = 0;

	if (f == NULL || f->fd < 0)
		return;
	if (!f->sock_eof && ssh_channel_window_size(ch->channel) > 0)
		ev |= TF_READ;
	if (f->to_sock.len > 0)
		ev |= TF_WRITE;
	if (ev != f->events) {
		tf_loop_set_events(sshd_loop(ch->conn->srv), f->fd, ev);
		f->events = ev;
	}
}

/* Writes client bytes to the socket; shuts its writing side after the
 * client's EOF. */
static void
sshd_fwd_write_sock(struct sshd_chan *ch)
{
	struct sshd_fwd *f = ch->fwd;

	while (f->to_sock.len > 0) {
		ssize_t n = send(f->fd, f->to_sock.p, f->to_sock.len,
		    MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			sshd_chan_close(ch);
			return;
		}
		sdk_buf_consume(&f->to_sock, (size_t)n);
	}
	if (ch->eof_in && f->to_sock.len == 0 && !f->shut_wr) {
		shutdown(f->fd, SHUT_WR);
		f->shut_wr = true;
	}
}

static void
sshd_fwd_read_sock(struct sshd_chan *ch)
{
	struct sshd_fwd *f = ch->fwd;
	uint8_t buf[FWD_READ_MAX];

	while (!f->sock_eof && !ch->dead) {
		uint32_t win = ssh_channel_window_size(ch->channel);
		size_t want = win < sizeof buf ? win : sizeof buf;
		ssize_t n;

		if (want == 0)
			break;
		n = recv(f->fd, buf, want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			f->sock_eof = true;
			ssh_channel_send_eof(ch->channel);
			if (ch->eof_in || n < 0)
				sshd_chan_close(ch);
			break;
		}
		if (ssh_channel_write(ch->channel, buf, (uint32_t)n) != n) {
			sshd_chan_close(ch);
			break;
		}
	}
}

static int
sshd_fwd_fd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct sshd_chan *ch = arg;

	(void)loop;
	(void)fd;
	if (ch->dead || ch->fwd == NULL)
		return 0;
	if (events & TF_WRITE)
		sshd_fwd_write_sock(ch);
	if (!ch->dead && (events & (TF_READ | TF_ERROR)))
		sshd_fwd_read_sock(ch);
	if (!ch->dead)
		sshd_fwd_events(ch);
	return 0;
}

static int
sshd_fwd_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

int
sshd_fwd_message_cb(ssh_session session, ssh_message msg, void *userdata)
{
	struct sshd_conn *c = userdata;
	struct sshd_chan *ch;
	struct sshd_fwd *f;
	ssh_channel channel;
	tf_tunnel *t;
	tf_err err;
	int port, fd;

	(void)session;
	if (!c->authed || ssh_message_type(msg) != SSH_REQUEST_CHANNEL_OPEN ||
	    ssh_message_subtype(msg) != SSH_CHANNEL_DIRECT_TCPIP)
		return 1;			/* libssh refuses */
	port = ssh_message_channel_request_open_destination_port(msg);
	if (port <= 0 || port > 65535)
		return 1;
	tf_err_clear(&err);
	t = sshd_fwd_tunnel(c->srv, port, &err);
	if (t == NULL) {
		tf_warn("ssh -L to port %d: %s", port, err.msg);
		return 1;
	}
	fd = sshd_fwd_connect(tf_tunnel_localport(t));
	if (fd < 0)
		return 1;
	channel = ssh_message_channel_request_open_reply_accept(msg);
	if (channel == NULL) {
		close(fd);
		return 1;
	}
	ch = sshd_chan_new(c, SSHD_CHAN_DIRECT, channel);
	f = tf_calloc(1, sizeof *f);
	f->fd = fd;
	ch->fwd = f;
	ch->started = true;
	if (tf_loop_add_fd(sshd_loop(c->srv), fd, 0, sshd_fwd_fd_cb, ch) != 0) {
		sshd_chan_close(ch);
		return 0;
	}
	sshd_fwd_events(ch);
	tf_debug("ssh: direct-tcpip to container port %d", port);
	return 0;
}

int
sshd_fwd_data(struct sshd_chan *ch, const uint8_t *data, size_t len)
{
	struct sshd_fwd *f = ch->fwd;

	if (f == NULL)
		return (int)len;
	if (f->to_sock.len >= FWD_BUF_MAX) {
		f->stalled = true;
		return 0;
	}
	sdk_buf_add(&f->to_sock, data, len);
	sshd_fwd_write_sock(ch);
	if (!ch->dead)
		sshd_fwd_events(ch);
	return (int)len;
}

void
sshd_fwd_flush(struct sshd_chan *ch)
{
	struct sshd_fwd *f = ch->fwd;

	if (f == NULL || ch->dead)
		return;
	if (f->stalled && f->to_sock.len < FWD_BUF_MAX) {
		uint8_t *tmp = tf_malloc(FWD_BUF_MAX);
		int n = ssh_channel_read_nonblocking(ch->channel, tmp,
		    FWD_BUF_MAX, 0);

		f->stalled = n > 0;
		if (n > 0)
			sdk_buf_add(&f->to_sock, tmp, (size_t)n);
		free(tmp);
		sshd_fwd_write_sock(ch);
	}
	if (!ch->dead)
		sshd_fwd_events(ch);
}

void
sshd_fwd_eof(struct sshd_chan *ch)
{
	if (ch->fwd == NULL)
		return;
	sshd_fwd_write_sock(ch);
	if (!ch->dead && ch->fwd->sock_eof)
		sshd_chan_close(ch);
}

void
sshd_fwd_free(struct sshd_fwd **f_p, tf_loop *loop)
{
	struct sshd_fwd *f = *f_p;

	if (f == NULL)
		return;
	*f_p = NULL;
	if (f->fd >= 0) {
		tf_loop_del_fd(loop, f->fd);
		close(f->fd);
	}
	sdk_buf_free(&f->to_sock);
	free(f);
}
