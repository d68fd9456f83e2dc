/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_tunnel: the local end of a tunnel the console opened: a listening
 * socket on 127.0.0.1, and for each accepted connection a relay over the
 * tunnel's stream (docs/PROTOCOL.md "tunnel"; the same wire use as the
 * SDK's tf_sdk_tunnel.c).  Bytes from the local socket go out as tcp_data,
 * at most CON_TUNNEL_WINDOW unacknowledged per connection; bytes from the
 * node arrive as stream items {event: data, conn} and are acknowledged as
 * they are written to the local socket, so neither side can make the other
 * buffer without bound.  Half-close is kept: EOF on one side becomes
 * tcp_close {both: false}, and the connection ends when both are done.
 *
 * con_client.c owns the tunnel records and routes the stream to them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "con_backend.h"
#include "tf_log.h"
#include "tf_util.h"

#define CON_TUNNEL_WINDOW (1u << 20)
#define CON_TUNNEL_READ (64u << 10)

struct con_tconn {
	struct con_tunnel *t;
	int64_t id;
	int fd;
	int events;
	bool opened;		/* the node connected to the container */
	bool local_eof;
	bool remote_eof;
	bool wr_shut;
	bool dead;
	uint64_t unacked_out;	/* sent, not yet acknowledged by the node */
	uint8_t *wbuf;		/* from the node, not yet written locally */
	size_t wlen, wcap;
	struct con_tconn *next;
};

struct con_tunnel {
	con_client *cc;
	tf_loop *loop;
	char id[TF_MODEL_ID];
	int listen_fd;
	int localport;
	bool ready;
	bool closed;
	int64_t next_conn;
	struct con_tconn *conns;
	uint64_t (*ref)(void *arg);	/* the stream's request id */
	void *ref_arg;
};

static void con_tconn_close(struct con_tconn *k, bool tell);

static void
con_tunnel_send(struct con_tunnel *t, const char *cmd, int64_t conn,
		const char *extra_key, bool extra, const void *bulk, size_t len)
{
	struct con_params p;

	con_params_init(&p);
	con_params_str(&p, "tunnel", t->id);
	con_params_int(&p, "conn", conn);
	if (extra_key != NULL)
		con_params_bool(&p, extra_key, extra);
	con_client_send_params(t->cc, cmd, &p, bulk, len);
}

static void
con_tunnel_ack(struct con_tunnel *t, int64_t conn, size_t bytes)
{
	struct con_params p;

	if (bytes == 0)
		return;
	con_params_init(&p);
	con_params_int(&p, "ref", (int64_t)t->ref(t->ref_arg));
	con_params_int(&p, "bytes", (int64_t)bytes);
	con_params_int(&p, "conn", conn);
	con_client_send_params(t->cc, "ack", &p, NULL, 0);
}

static void
con_tconn_events(struct con_tconn *k)
{
	int ev = 0;

	if (k->dead || k->fd < 0)
		return;
	if (k->opened && !k->local_eof && k->unacked_out < CON_TUNNEL_WINDOW)
		ev |= TF_READ;
	if (k->wlen > 0)
		ev |= TF_WRITE;
	if (ev != k->events) {
		tf_loop_set_events(k->t->loop, k->fd, ev);
		k->events = ev;
	}
}

static void
con_tconn_check_done(struct con_tconn *k)
{
	if (k->local_eof && k->remote_eof && k->wlen == 0)
		con_tconn_close(k, true);
}

static void
con_tconn_close(struct con_tconn *k, bool tell)
{
	if (k->dead)
		return;
	k->dead = true;
	if (tell && !k->t->closed)
		con_tunnel_send(k->t, "tcp_close", k->id, "both", true, NULL, 0);
	if (k->fd >= 0) {
		tf_loop_del_fd(k->t->loop, k->fd);
		close(k->fd);
		k->fd = -1;
	}
	free(k->wbuf);
	k->wbuf = NULL;
	k->wlen = k->wcap = 0;
}

/* Frees dead connections (never from inside their own fd callback). */
static void
con_tunnel_gc(struct con_tunnel *t)
{
	struct con_tconn **pp = &t->conns, *k;

	while ((k = *pp) != NULL) {
		if (k->dead) {
			*pp = k->next;
			free(k);
		} else
			pp = &k->next;
	}
}

static void
con_tconn_flush(struct con_tconn *k)
{
	size_t written = 0;
	ssize_t w;

	while (written < k->wlen) {
		w = send(k->fd, k->wbuf + written, k->wlen - written,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			tf_debug("tunnel %s conn %lld: %s", k->t->id,
			    (long long)k->id, strerror(errno));
			con_tconn_close(k, true);
			return;
		}
		written += (size_t)w;
	}
	if (written > 0) {
		memmove(k->wbuf, k->wbuf + written, k->wlen - written);
		k->wlen -= written;
		con_tunnel_ack(k->t, k->id, written);
	}
	if (k->wlen == 0 && k->remote_eof && !k->wr_shut) {
		shutdown(k->fd, SHUT_WR);
		k->wr_shut = true;
	}
	con_tconn_events(k);
	con_tconn_check_done(k);
}

static int
con_tconn_fd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct con_tconn *k = arg;
	uint8_t buf[CON_TUNNEL_READ];
	size_t room;
	ssize_t n;

	TF_UNUSED(loop);
	if (k->dead)
		return 0;
	if (events & TF_WRITE)
		con_tconn_flush(k);
	if (k->dead || !(events & (TF_READ | TF_ERROR)) ||
	    !(k->events & TF_READ))
		return 0;
	room = CON_TUNNEL_WINDOW - k->unacked_out;
	n = recv(fd, buf, room < sizeof buf ? room : sizeof buf, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			con_tconn_close(k, true);
		return 0;
	}
	if (n == 0) {
		k->local_eof = true;
		con_tunnel_send(k->t, "tcp_close", k->id, "both", false, NULL, 0);
		con_tconn_events(k);
		con_tconn_check_done(k);
		return 0;
	}
	con_tunnel_send(k->t, "tcp_data", k->id, NULL, false, buf, (size_t)n);
	k->unacked_out += (uint64_t)n;
	con_tconn_events(k);
	return 0;
}

static int
con_tunnel_accept_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct con_tunnel *t = arg;
	struct con_tconn *k;
	int s, i;

	TF_UNUSED(loop);
	TF_UNUSED(events);
	con_tunnel_gc(t);
	for (i = 0; i < 64; i++) {
		s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0)
			break;
		if (t->closed) {
			close(s);
			continue;
		}
		k = tf_calloc(1, sizeof *k);
		k->t = t;
		k->fd = s;
		k->id = ++t->next_conn;
		k->next = t->conns;
		t->conns = k;
		tf_loop_add_fd(t->loop, s, 0, con_tconn_fd_cb, k);
		if (t->ready)
			con_tunnel_send(t, "tcp_open", k->id, NULL, false, NULL, 0);
	}
	return 0;
}

struct con_tunnel *
con_tunnel_new(con_client *cc, const char *id, int localport,
	       uint64_t (*ref)(void *arg), void *ref_arg, tf_err *err)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	struct con_tunnel *t;
	int one = 1, fd;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)localport);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tf_err_errno(err, "tunnel: socket");
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 64) != 0) {
		tf_err_errno(err, "tunnel: cannot listen on 127.0.0.1:%d",
		    localport);
		close(fd);
		return NULL;
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	t = tf_calloc(1, sizeof *t);
	t->cc = cc;
	t->loop = con_client_loop(cc);
	snprintf(t->id, sizeof t->id, "%s", id);
	t->listen_fd = fd;
	t->localport = ntohs(sa.sin_port);
	t->ref = ref;
	t->ref_arg = ref_arg;
	tf_loop_add_fd(t->loop, fd, TF_READ, con_tunnel_accept_cb, t);
	return t;
}

void
con_tunnel_set_ref_arg(struct con_tunnel *t, void *ref_arg)
{
	t->ref_arg = ref_arg;
}

int
con_tunnel_localport(const struct con_tunnel *t)
{
	return t->localport;
}

const char *
con_tunnel_id(const struct con_tunnel *t)
{
	return t->id;
}

static struct con_tconn *
con_tunnel_find(struct con_tunnel *t, int64_t id)
{
	struct con_tconn *k;

	for (k = t->conns; k != NULL; k = k->next) {
		if (k->id == id)
			return k;
	}
	return NULL;
}

/* One item of the tunnel's stream.  Returns true when it says the tunnel
 * is ready (the first time). */
bool
con_tunnel_item(struct con_tunnel *t, const tf_msg *m)
{
	char event[16] = "";
	int64_t conn = -1, bytes = 0;
	struct con_tconn *k;
	bool both = true;

	tf_obj_str(m->params, "event", event, sizeof event, false, NULL);
	if (tf_obj_int(m->params, "conn", &conn, 0, INT64_MAX, false,
	    NULL) != 0 || conn < 0) {
		if (!t->ready && (strcmp(event, "ready") == 0 ||
		    strcmp(event, "open") == 0)) {
			t->ready = true;
			for (k = t->conns; k != NULL; k = k->next) {
				if (!k->dead)
					con_tunnel_send(t, "tcp_open", k->id,
					    NULL, false, NULL, 0);
			}
			return true;
		}
		return false;
	}
	k = con_tunnel_find(t, conn);
	if (k == NULL || k->dead) {
		if (strcmp(event, "data") == 0)
			con_tunnel_ack(t, conn, m->bulk_len);
		return false;
	}
	if (strcmp(event, "open") == 0) {
		k->opened = true;
		con_tconn_events(k);
	} else if (strcmp(event, "error") == 0) {
		con_tconn_close(k, false);
	} else if (strcmp(event, "data") == 0 && m->bulk_len > 0) {
		if (k->wlen + m->bulk_len > k->wcap) {
			k->wcap = k->wlen + m->bulk_len;
			k->wbuf = tf_realloc(k->wbuf, k->wcap);
		}
		memcpy(k->wbuf + k->wlen, m->bulk, m->bulk_len);
		k->wlen += m->bulk_len;
		con_tconn_flush(k);
	} else if (strcmp(event, "close") == 0) {
		tf_obj_bool(m->params, "both", &both, false, NULL);
		if (both) {
			if (k->wlen > 0)
				send(k->fd, k->wbuf, k->wlen,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			con_tconn_close(k, false);
			return false;
		}
		k->remote_eof = true;
		con_tconn_flush(k);
	} else if (strcmp(event, "ack") == 0) {
		tf_obj_int(m->params, "bytes", &bytes, 0, INT64_MAX, false, NULL);
		k->unacked_out = (uint64_t)bytes >= k->unacked_out ? 0 :
		    k->unacked_out - (uint64_t)bytes;
		con_tconn_events(k);
	}
	return false;
}

/* Closes the listener and every connection; the record stays for free. */
void
con_tunnel_shut(struct con_tunnel *t)
{
	struct con_tconn *k;

	for (k = t->conns; k != NULL; k = k->next)
		con_tconn_close(k, false);
	if (t->listen_fd >= 0) {
		tf_loop_del_fd(t->loop, t->listen_fd);
		close(t->listen_fd);
		t->listen_fd = -1;
	}
	t->closed = true;
}

void
con_tunnel_free(struct con_tunnel **t_p)
{
	struct con_tunnel *t = *t_p;

	if (t == NULL)
		return;
	con_tunnel_shut(t);
	con_tunnel_gc(t);
	free(t);
	*t_p = NULL;
}
