/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_tunnel.c: TCP tunnels from a local port to a port in a container
 * (docs/PROTOCOL.md "tunnel"): a listening socket on the loop, one tunnel
 * stream per tunnel, and per accepted connection a relay with a 1 MiB
 * credit window each way and half-close.
 *
 * The data path (docs/BENCH.md "Tunnels"): a read of the local socket
 * becomes one tcp_data frame at once (whatever one read returns, up to
 * TCONN_READ_MAX: small interactive writes go out alone and at once, a
 * stream of them is batched by the socket itself); data from the node is
 * written straight from the frame, and only what the socket refuses is
 * kept; acks go out per TCONN_ACK_MIN bytes written rather than per
 * frame, which is enough: the node can always send while less than a
 * window minus TCONN_ACK_MIN is waiting here.  On top: wait_tcp (connection
 * probes with no local socket), wait_http_200 (HTTP/1.0 polls through the
 * tunnel) and attach_browser.
 *
 * A tunnel outlives a restart of the location: when the offer after a
 * resumed welcome lacks it, its open connections are closed (the node
 * dropped them) and it is asked for again once its container's node is
 * up; the listening socket stays.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include "tf_codec_tunnel.h"
#include "tf_sdk_private.h"

#define TCONN_READ_MAX (256u << 10)	/* the protocol's chunk limit */
#define TCONN_ACK_MIN (SDK_WINDOW / 4)
#define TCONN_COPY_MAX (4u << 10)	/* smaller reads are copied */
#define TCONN_FRAMES_KEEP 6		/* a window's worth, and some */
#define HTTP_TRY_MS 5000
#define TUNNEL_RESTORE_RETRY_MS 2000

struct sdk_tconn {
	tf_tunnel *t;
	int64_t id;
	int fd;				/* -1: a probe (wait_tcp) */
	bool opened;			/* the node connected */
	bool local_eof;			/* we read EOF and told the node */
	bool remote_eof;		/* the node's side stopped writing */
	bool wr_shut;
	bool dead;
	uint64_t unacked_out;		/* sent to the node, not yet acked */
	uint64_t unacked_in;		/* written to fd, not yet acked */
	struct sdk_buf wbuf;		/* from the node, not yet written ... */
	size_t wofs;			/* ... from wbuf.p + wofs on */
	int events;
	/* probes */
	bool held;
	bool probe_done, probe_ok;
};

static void sdk_tconn_close(struct sdk_tconn *k, bool tell_node);

/* ---- connections --------------------------------------------------------- */

static void
sdk_tconn_events(struct sdk_tconn *k)
{
	int ev = 0;

	if (k->fd < 0 || k->dead)
		return;
	if (k->opened && !k->local_eof && k->unacked_out < SDK_WINDOW)
		ev |= TF_READ;
	if (k->wbuf.len > k->wofs)
		ev |= TF_WRITE;
	if (ev != k->events) {
		tf_loop_set_events(k->t->loc->loop, k->fd, ev);
		k->events = ev;
	}
}

/* tcp_open / tcp_data {tunnel, conn} */
static void
sdk_tconn_out(struct sdk_tconn *k, const char *cmd, tf_out *o)
{
	tf_tunnel_msg tm = { .tunnel = k->t->id, .conn = k->id };

	TF_SET(&tf_tunnel_codec, &tm, conn);
	tf_out_init(o, cmd);
	tf_tunnel_pack(&tm, o);
}

static void
sdk_tconn_send_close(struct sdk_tconn *k, bool both)
{
	tf_tunnel_msg tm = { .tunnel = k->t->id, .conn = k->id, .both = both };
	tf_out o;

	TF_SET(&tf_tunnel_codec, &tm, conn);
	TF_SET(&tf_tunnel_codec, &tm, both);
	tf_out_init(&o, "tcp_close");
	tf_tunnel_pack(&tm, &o);
	sdk_send(k->t->loc, &o, NULL, 0);
}

static void
sdk_tconn_check_done(struct sdk_tconn *k)
{
	if (k->local_eof && k->remote_eof && k->wbuf.len == k->wofs)
		sdk_tconn_close(k, true);
}

/* Removes a connection; the tunnel's array is compacted lazily. */
static void
sdk_tconn_close(struct sdk_tconn *k, bool tell_node)
{
	if (k->dead)
		return;
	k->dead = true;
	if (tell_node && !k->t->closed)
		sdk_tconn_send_close(k, true);
	if (k->fd >= 0) {
		tf_loop_del_fd(k->t->loc->loop, k->fd);
		close(k->fd);
		k->fd = -1;
	}
	sdk_buf_free(&k->wbuf);
}

/* Frees closed connections nobody holds (a wait_tcp probe is held by
 * its waiter until it has read the result). */
static void
sdk_tconn_gc(tf_tunnel *t)
{
	size_t j = 0;

	for (size_t i = 0; i < t->n_conns; i++) {
		struct sdk_tconn *k = t->conns[i];

		if (k->dead && !k->held && k->fd < 0) {
			sdk_buf_free(&k->wbuf);
			free(k);
		} else {
			t->conns[j++] = k;
		}
	}
	t->n_conns = j;
}

/* Writes what it can of data to fd; -1 if the connection failed (and was
 * closed), else the bytes written. */
static ssize_t
sdk_tconn_write(struct sdk_tconn *k, const uint8_t *data, size_t len)
{
	size_t written = 0;

	while (written < len) {
		ssize_t w = send(k->fd, data + written, len - written,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			tf_debug("tunnel %s conn %lld: %s", k->t->id,
			    (long long)k->id, strerror(errno));
			sdk_tconn_close(k, true);
			return -1;
		}
		written += (size_t)w;
	}
	return (ssize_t)written;
}

/* Credit back to the node for what reached the local socket; see the top
 * of the file for why not for every frame. */
static void
sdk_tconn_credit(struct sdk_tconn *k, size_t written)
{
	k->unacked_in += written;
	if (k->unacked_in >= TCONN_ACK_MIN) {
		sdk_ack(k->t->loc, k->t->req, k->unacked_in, k->id);
		k->unacked_in = 0;
	}
}

/* Data from the node: written at once, the rest kept for TF_WRITE. */
static void
sdk_tconn_data(struct sdk_tconn *k, const uint8_t *data, size_t len)
{
	ssize_t w = 0;

	if (k->wbuf.len == k->wofs) {
		w = sdk_tconn_write(k, data, len);
		if (w < 0)
			return;
		sdk_tconn_credit(k, (size_t)w);
	}
	if ((size_t)w < len) {
		if (k->wofs > 0 && k->wofs == k->wbuf.len) {
			k->wbuf.len = 0;
			k->wofs = 0;
		}
		sdk_buf_add(&k->wbuf, data + w, len - (size_t)w);
	}
	sdk_tconn_events(k);
}

static void
sdk_tconn_flush(struct sdk_tconn *k)
{
	ssize_t w = 0;

	if (k->wbuf.len > k->wofs) {
		w = sdk_tconn_write(k, k->wbuf.p + k->wofs,
		    k->wbuf.len - k->wofs);
		if (w < 0)
			return;
		k->wofs += (size_t)w;
		if (k->wofs == k->wbuf.len) {
			k->wbuf.len = 0;
			k->wofs = 0;
		} else if (k->wofs >= (64u << 10) && k->wofs * 2 >= k->wbuf.len) {
			sdk_buf_consume(&k->wbuf, k->wofs);
			k->wofs = 0;
		}
		sdk_tconn_credit(k, (size_t)w);
	}
	if (k->wbuf.len == k->wofs && k->remote_eof && !k->wr_shut) {
		shutdown(k->fd, SHUT_WR);
		k->wr_shut = true;
	}
	sdk_tconn_events(k);
	sdk_tconn_check_done(k);
}

static int
sdk_tconn_fd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct sdk_tconn *k = arg;
	tf_tunnel *t = k->t;

	if (k->dead)
		return 0;
	if (events & TF_WRITE)
		sdk_tconn_flush(k);
	if (k->dead || !(events & TF_READ) || !(k->events & TF_READ))
		return 0;
	{
		size_t room = SDK_WINDOW - k->unacked_out;
		tf_location *loc = t->loc;
		zmq_msg_t frame;
		uint8_t *buf;
		ssize_t n;
		tf_out o;
		int e;

		/* Read straight into the frame that goes out (tf_frames.h). */
		if (loc->frames == NULL)
			loc->frames = tf_frames_new(TCONN_READ_MAX,
			    TCONN_FRAMES_KEEP);
		buf = tf_frames_get(loc->frames);
		n = recv(fd, buf, room < TCONN_READ_MAX ? room :
		    TCONN_READ_MAX, MSG_DONTWAIT);
		e = errno;
		if (n <= 0)
			tf_frames_put(loc->frames, buf);
		if (n < 0) {
			if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR)
				return 0;
			sdk_tconn_close(k, true);
			return 0;
		}
		if (n == 0) {
			k->local_eof = true;
			sdk_tconn_send_close(k, false);
			sdk_tconn_events(k);
			sdk_tconn_check_done(k);
			return 0;
		}
		sdk_tconn_out(k, "tcp_data", &o);
		if (n < TCONN_COPY_MAX) {
			/* A small read is copied and the buffer kept. */
			sdk_send(loc, &o, buf, (size_t)n);
			tf_frames_put(loc->frames, buf);
		} else if (tf_frames_wrap(loc->frames, buf, (size_t)n,
		    &frame) == 0) {
			sdk_send_frame(loc, &o, &frame);
		} else {
			tf_out_fini(&o);
		}
		k->unacked_out += (uint64_t)n;
		sdk_tconn_events(k);
	}
	return 0;
}

static void
sdk_tconn_open(struct sdk_tconn *k)
{
	tf_out o;

	sdk_tconn_out(k, "tcp_open", &o);
	sdk_send(k->t->loc, &o, NULL, 0);
}

static struct sdk_tconn *
sdk_tconn_new(tf_tunnel *t, int fd)
{
	struct sdk_tconn *k = tf_calloc(1, sizeof *k);

	k->t = t;
	k->fd = fd;
	k->id = ++t->next_conn;
	SDK_PUSH(t, conns, k);
	if (fd >= 0)
		tf_loop_add_fd(t->loc->loop, fd, 0, sdk_tconn_fd_cb, k);
	if (t->ready)
		sdk_tconn_open(k);
	return k;
}

static struct sdk_tconn *
sdk_tconn_find(tf_tunnel *t, int64_t id)
{
	for (size_t i = 0; i < t->n_conns; i++)
		if (t->conns[i]->id == id)
			return t->conns[i];
	return NULL;
}

static int
sdk_accept_cb(tf_loop *loop, int fd, int events, void *arg)
{
	tf_tunnel *t = arg;

	for (int i = 0; i < 64; i++) {
		int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (s < 0)
			break;
		if (t->closed) {
			close(s);
			continue;
		}
		sdk_tconn_gc(t);
		sdk_tconn_new(t, s);
		tf_debug("tunnel %s: connection accepted", t->id);
	}
	return 0;
}

/* ---- the tunnel stream ------------------------------------------------ */

/* An async opener hears once: ready (error NULL) or why not. */
static void
sdk_tunnel_report(tf_tunnel *t, const char *error,
		  const msgpack_object *params)
{
	tf_done_fn fn = t->ready_fn;

	if (fn == NULL)
		return;
	t->ready_fn = NULL;
	fn(t->ready_arg, error, params);
}

static void
sdk_tunnel_shut(tf_tunnel *t)
{
	for (size_t i = 0; i < t->n_conns; i++) {
		struct sdk_tconn *k = t->conns[i];

		if (k->fd >= 0 || !k->dead) {
			k->probe_done = true;
			sdk_tconn_close(k, false);
		}
	}
	if (t->listen_fd >= 0) {
		tf_loop_del_fd(t->loc->loop, t->listen_fd);
		close(t->listen_fd);
		t->listen_fd = -1;
	}
	t->closed = true;
	sdk_tunnel_report(t, t->error[0] ? t->error :
	    "the tunnel closed before it was ready", NULL);
}

static void
sdk_tunnel_event(tf_tunnel *t, const tf_msg *m, const tf_tunnel_msg *it)
{
	const char *event = it->event;
	int64_t conn = it->conn;
	struct sdk_tconn *k;

	if (!TF_HAS(&tf_tunnel_codec, it, conn)) {
		if (strcmp(event, "ready") == 0 && !t->ready) {
			t->ready = true;
			if (t->restoring)
				tf_info("Restored tunnel onto: %s (%d -> %d)",
				    t->ctr->id, t->localport, t->port);
			t->restoring = false;
			tf_debug("tunnel %s is ready", t->id);
			for (size_t i = 0; i < t->n_conns; i++)
				if (!t->conns[i]->dead)
					sdk_tconn_open(t->conns[i]);
			sdk_tunnel_report(t, NULL, m->params);
		}
		return;
	}
	k = sdk_tconn_find(t, conn);
	if (k == NULL || k->dead) {
		if (strcmp(event, "data") == 0 && m->bulk_len > 0)
			sdk_ack(t->loc, t->req, m->bulk_len, conn);
		return;
	}
	if (strcmp(event, "open") == 0) {
		k->opened = true;
		if (k->fd < 0) {
			k->probe_done = true;
			k->probe_ok = true;
			k->dead = true;
			sdk_tconn_send_close(k, true);
			return;
		}
		sdk_tconn_events(k);
	} else if (strcmp(event, "error") == 0) {
		tf_debug("tunnel %s conn %lld: %s", t->id, (long long)conn,
		    it->error);
		if (k->fd < 0) {
			k->probe_done = true;
			k->dead = true;
			return;
		}
		sdk_tconn_close(k, false);
	} else if (strcmp(event, "data") == 0) {
		if (m->bulk_len > 0 && k->fd >= 0 && !k->wr_shut)
			sdk_tconn_data(k, m->bulk, m->bulk_len);
	} else if (strcmp(event, "close") == 0) {
		if (!TF_HAS(&tf_tunnel_codec, it, both) || it->both) {
			/* Write what we have, then go. */
			if (k->fd >= 0 && k->wbuf.len > k->wofs)
				send(k->fd, k->wbuf.p + k->wofs,
				    k->wbuf.len - k->wofs,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			sdk_tconn_close(k, false);
			return;
		}
		k->remote_eof = true;
		sdk_tconn_flush(k);
	} else if (strcmp(event, "ack") == 0) {
		uint64_t bytes = (uint64_t)it->bytes;

		k->unacked_out = bytes >= k->unacked_out ? 0 :
		    k->unacked_out - bytes;
		sdk_tconn_events(k);
	}
}

static void
sdk_tunnel_item(tf_tunnel *t, const tf_msg *m)
{
	tf_tunnel_msg it;

	if (tf_tunnel_unpack(m->params, &it, NULL) != 0)
		return;
	sdk_tunnel_event(t, m, &it);
	tf_tunnel_free(&it);
}

static void
sdk_tunnel_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_tunnel *t = arg;

	if (tf_msg_is_stream(m)) {
		sdk_tunnel_item(t, m);
		return;
	}
	t->req = 0;
	if (t->restoring && tf_msg_is_error(m)) {
		char why[TF_ERR_LEN];

		/* Its node may not be back yet: try again later. */
		sdk_msg_error(m, why, sizeof why);
		tf_debug("tunnel %s: restoring failed: %s", t->id, why);
		t->restore_after_ms = tf_now_ms() + TUNNEL_RESTORE_RETRY_MS;
		return;
	}
	if (sdk_msg_error(m, t->error, sizeof t->error))
		tf_warn("Tunnel onto %s (%d -> %d) failed: %s", t->ctr->id,
		    t->localport, t->port, t->error);
	else
		tf_debug("tunnel %s closed by the location", t->id);
	if (t->error[0] == '\0')
		snprintf(t->error, sizeof t->error, "the tunnel has closed");
	sdk_tunnel_shut(t);
}

static int
sdk_listen(tf_tunnel *t, const char *bind_addr, int localport, tf_err *err)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1, fd;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)localport);
	if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1)
		return tf_err_set(err, "'%s' is not an IPv4 address to listen "
		    "on", bind_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tf_err_errno(err, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 64) != 0) {
		tf_err_errno(err, "cannot listen on %s:%d", bind_addr, localport);
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	t->localport = ntohs(sa.sin_port);
	t->listen_fd = fd;
	tf_loop_add_fd(t->loc->loop, fd, TF_READ, sdk_accept_cb, t);
	return 0;
}

/* Asks the location for the tunnel (again, when restoring it). */
static void
sdk_tunnel_request(tf_tunnel *t)
{
	tf_tunnel_msg tm = { .tunnel = t->id, .container = t->ctr->id,
	    .port = t->port, .localport = t->localport };
	tf_out o;

	TF_SET(&tf_tunnel_codec, &tm, localport);
	tf_out_init(&o, "tunnel");
	tf_tunnel_pack(&tm, &o);
	t->req = sdk_request(t->loc, &o, NULL, 0, sdk_tunnel_cb, t);
}

static tf_tunnel *
sdk_tunnel_new(tf_container *c, int port, int localport, const char *bind_addr,
	       bool listen_local, bool wait, tf_err *err)
{
	tf_location *loc = c->loc;
	tf_tunnel *t;
	tf_uuid u;

	if (port <= 0 || port > 65535 || localport < 0 || localport > 65535) {
		tf_err_set(err, "ports are 1 to 65535 (local 0: any)");
		return NULL;
	}
	if (wait && tf_container_wait_ready(c, 0, err) != 0)
		return NULL;
	t = tf_calloc(1, sizeof *t);
	t->loc = loc;
	t->ctr = c;
	t->port = port;
	t->listen_fd = -1;
	tf_uuid_make(&u);
	snprintf(t->id, sizeof t->id, "%s", u.s);
	snprintf(t->bind, sizeof t->bind, "%s", bind_addr ? bind_addr :
	    "127.0.0.1");
	if (listen_local && sdk_listen(t, t->bind, localport, err) != 0) {
		free(t);
		return NULL;
	}
	snprintf(t->url, sizeof t->url, "http://%s:%d/",
	    strcmp(t->bind, "0.0.0.0") == 0 ? "localhost" : t->bind,
	    t->localport);
	sdk_tunnel_request(t);
	if (t->req == 0) {
		tf_err_set(err, "not connected to %s", loc->name);
		sdk_tunnel_shut(t);
		free(t);
		return NULL;
	}
	t->requested = true;
	SDK_PUSH(loc, tunnels, t);
	if (listen_local)
		tf_info("Created tunnel object onto: %s (%d -> %d)", c->id,
		    t->localport, port);
	return t;
}

tf_tunnel *
tf_container_attach_tunnel(tf_container *c, int port, int localport,
			   const char *bind_addr, tf_err *err)
{
	if (sdk_check(c->loc, err) != 0)
		return NULL;
	return sdk_tunnel_new(c, port, localport, bind_addr, true, true, err);
}

static void
sdk_tunnel_close(tf_tunnel *t, bool tell)
{
	tf_out o;

	if (t->closed)
		return;
	if (tell && sdk_connected(t->loc)) {
		tf_out_init(&o, "tunnel_close");
		tf_tunnel_pack(&(tf_tunnel_msg){ .tunnel = t->id }, &o);
		sdk_send(t->loc, &o, NULL, 0);
	}
	if (t->req != 0)
		sdk_forget(t->loc, t->req);
	t->req = 0;
	sdk_tunnel_shut(t);
	if (t->error[0] == '\0')
		snprintf(t->error, sizeof t->error, "the tunnel was destroyed");
}

int
tf_tunnel_destroy(tf_tunnel *t, tf_err *err)
{
	if (t->closed)
		return 0;
	if (sdk_check(t->loc, err) != 0)
		return -1;
	sdk_tunnel_close(t, true);
	tf_info("Destroyed tunnel: %s", t->id);
	return 0;
}

void
sdk_tunnel_free(tf_tunnel *t)
{
	sdk_tunnel_shut(t);
	for (size_t i = 0; i < t->n_conns; i++) {
		sdk_buf_free(&t->conns[i]->wbuf);
		free(t->conns[i]);
	}
	free(t->conns);
	free(t);
}

void
sdk_tunnels_container_gone(tf_container *c)
{
	tf_location *loc = c->loc;

	for (size_t i = 0; i < loc->n_tunnels; i++)
		if (loc->tunnels[i]->ctr == c)
			sdk_tunnel_close(loc->tunnels[i], false);
}

void
sdk_tunnels_close_all(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_tunnels; i++)
		sdk_tunnel_close(loc->tunnels[i], true);
}

/* A resumed session keeps its tunnels, unless the location restarted:
 * the offer that follows the welcome tells (sdk_tunnels_offer).  Tunnels
 * not ready yet are left alone: their request may still be on its way. */
void
sdk_tunnels_reconnected(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_tunnels; i++) {
		tf_tunnel *t = loc->tunnels[i];

		if (!t->closed && t->ready)
			t->verify = true;
	}
}

/* The location lost the tunnel and the node ended its connections with
 * it: close ours (their peers see the end at once rather than hang) and
 * ask for the tunnel again.  Connections accepted meanwhile wait for it. */
static void
sdk_tunnel_lost(tf_tunnel *t)
{
	for (size_t i = 0; i < t->n_conns; i++) {
		struct sdk_tconn *k = t->conns[i];

		if (!k->dead) {
			k->probe_done = true;
			sdk_tconn_close(k, false);
		}
	}
	if (t->req != 0)
		sdk_forget(t->loc, t->req);
	t->req = 0;
	t->ready = false;
	t->restoring = true;
	t->restore_after_ms = 0;
	tf_info("Tunnel onto %s (%d -> %d) was lost by the location; "
	    "restoring it", t->ctr->id, t->localport, t->port);
}

void
sdk_tunnels_offer(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_tunnels; i++) {
		tf_tunnel *t = loc->tunnels[i];

		if (!t->verify)
			continue;
		t->verify = false;
		if (!t->closed &&
		    tf_model_tunnel_find(loc->model, t->id) == NULL)
			sdk_tunnel_lost(t);
	}
	sdk_tunnels_restore(loc);
}

static bool
sdk_tunnel_node_up(const tf_tunnel *t)
{
	const tf_model_container *r = tf_model_container_find(t->loc->model,
	    t->ctr->id);
	const tf_model_node *n;

	if (r == NULL || t->ctr->state == TF_CTR_DESTROYED)
		return false;
	n = tf_model_node_find(t->loc->model, r->node);
	return n != NULL && n->up;
}

/* Called after offers and node events: a node coming back is when the
 * location can make a lost tunnel again. */
void
sdk_tunnels_restore(tf_location *loc)
{
	uint64_t now = tf_now_ms();

	for (size_t i = 0; i < loc->n_tunnels; i++) {
		tf_tunnel *t = loc->tunnels[i];

		if (!t->restoring || t->closed || t->req != 0 ||
		    now < t->restore_after_ms || !sdk_tunnel_node_up(t))
			continue;
		tf_debug("tunnel %s: asking for it again", t->id);
		sdk_tunnel_request(t);
	}
}

/* The location says it has no such tunnel (it answers tcp_* for one it
 * does not know so): unless it is being restored, the tunnel is over. */
void
sdk_tunnel_gone(tf_location *loc, const char *id, const char *why)
{
	for (size_t i = 0; i < loc->n_tunnels; i++) {
		tf_tunnel *t = loc->tunnels[i];

		if (strcmp(t->id, id) != 0 || t->closed || t->restoring ||
		    t->verify)
			continue;
		snprintf(t->error, sizeof t->error, "the location no longer has "
		    "this tunnel%s%s", why[0] ? ": " : "", why);
		tf_warn("Tunnel onto %s (%d -> %d) is gone: %s", t->ctr->id,
		    t->localport, t->port, t->error);
		if (t->req != 0)
			sdk_forget(loc, t->req);
		t->req = 0;
		sdk_tunnel_shut(t);
	}
}

/* ---- event-driven use (tf_async_tunnel_*) ------------------------------- */

tf_tunnel *
sdk_tunnel_open_async(tf_container *c, int port, int localport,
		      tf_done_fn fn, void *arg, tf_err *err)
{
	tf_tunnel *t = sdk_tunnel_new(c, port, localport, NULL, true, false,
	    err);

	if (t != NULL) {
		t->ready_fn = fn;
		t->ready_arg = arg;
	}
	return t;
}

tf_tunnel *
sdk_tunnel_by_id(tf_location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_tunnels; i++)
		if (strcmp(loc->tunnels[i]->id, id) == 0 &&
		    !loc->tunnels[i]->closed)
			return loc->tunnels[i];
	return NULL;
}

/* Stops accepting and relaying now; the location is told separately. */
void
sdk_tunnel_stop(tf_tunnel *t)
{
	sdk_tunnel_close(t, false);
}

int tf_tunnel_localport(const tf_tunnel *t) { return t->localport; }
int tf_tunnel_port(const tf_tunnel *t) { return t->port; }
const char *tf_tunnel_id(const tf_tunnel *t) { return t->id; }
tf_container *tf_tunnel_container(const tf_tunnel *t) { return t->ctr; }
const char *tf_tunnel_url(const tf_tunnel *t) { return t->url; }

/* ---- wait_tcp ---------------------------------------------------------- */

struct sdk_probew {
	tf_tunnel *t;
	struct sdk_tconn *k;
};

static bool
sdk_probe_over(void *arg)
{
	const struct sdk_probew *w = arg;

	return w->k->probe_done || w->t->closed;
}

static bool
sdk_tunnel_ready_or_closed(void *arg)
{
	const tf_tunnel *t = arg;

	return t->ready || t->closed;
}

int
tf_container_wait_tcp(tf_container *c, int port, int timeout_ms, tf_err *err)
{
	uint64_t end = tf_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms :
	    SDK_READY_TIMEOUT_MS);
	tf_tunnel *t;
	char what[64];
	int rc = -1;

	if (sdk_check(c->loc, err) != 0)
		return -1;
	t = sdk_tunnel_new(c, port, 0, NULL, false, true, err);
	if (t == NULL)
		return -1;
	snprintf(what, sizeof what, "port %d to accept connections", port);
	tf_info("Waiting for tcp port %d on: %s", port, c->id);
	if (sdk_wait_until(c->loc, sdk_tunnel_ready_or_closed, t,
	    (int)(end - tf_now_ms()), what, err) != 0)
		goto out;
	while (!t->closed) {
		struct sdk_probew w = { t, sdk_tconn_new(t, -1) };
		uint64_t now = tf_now_ms();

		w.k->held = true;
		if (now >= end) {
			tf_err_set(err, "timed out waiting for %s", what);
			goto out;
		}
		if (sdk_wait_until(c->loc, sdk_probe_over, &w, (int)(end - now),
		    what, err) != 0) {
			w.k->held = false;
			goto out;
		}
		w.k->held = false;
		if (w.k->probe_ok) {
			rc = 0;
			goto out;
		}
		sdk_tconn_gc(t);
		if (tf_location_sleep(c->loc, 250) != 0) {
			tf_err_set(err, "interrupted while waiting for %s", what);
			goto out;
		}
	}
	tf_err_set(err, "%s", t->error);
out:
	sdk_tunnel_close(t, true);
	return rc;
}

/* ---- wait_http_200 --------------------------------------------------- */

struct sdk_http {
	tf_location *loc;
	int fd;
	bool sent, done;
	int status;			/* 0: no answer */
	char req[1024];
	char resp[512];
	size_t resp_len;
	uint64_t started;
};

static void
sdk_http_finish(struct sdk_http *h)
{
	if (h->fd >= 0) {
		tf_loop_del_fd(h->loc->loop, h->fd);
		close(h->fd);
		h->fd = -1;
	}
	h->done = true;
}

static int
sdk_http_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct sdk_http *h = arg;

	if (!h->sent && (events & TF_WRITE)) {
		int soerr = 0;
		socklen_t l = sizeof soerr;
		size_t len = strlen(h->req);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
		if (soerr != 0 || send(fd, h->req, len, MSG_NOSIGNAL) !=
		    (ssize_t)len) {
			sdk_http_finish(h);
			return 0;
		}
		h->sent = true;
		tf_loop_set_events(loop, fd, TF_READ);
		return 0;
	}
	if (events & TF_READ) {
		ssize_t n = recv(fd, h->resp + h->resp_len,
		    sizeof h->resp - 1 - h->resp_len, MSG_DONTWAIT);
		char *eol;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n > 0)
			h->resp_len += (size_t)n;
		h->resp[h->resp_len] = '\0';
		eol = strstr(h->resp, "\r\n");
		if (eol != NULL || n <= 0 || h->resp_len >= sizeof h->resp - 1) {
			int major, minor, status;

			if (sscanf(h->resp, "HTTP/%d.%d %d", &major, &minor,
			    &status) == 3)
				h->status = status;
			sdk_http_finish(h);
		}
	}
	return 0;
}

static bool
sdk_http_over(void *arg)
{
	struct sdk_http *h = arg;

	if (!h->done && tf_now_ms() - h->started > HTTP_TRY_MS)
		sdk_http_finish(h);
	return h->done;
}

/* One GET of path with "Host: host" at sa; returns the status (0: no
 * answer).  Runs the loop meanwhile. */
int
sdk_http_get(tf_location *loc, const struct sockaddr_in *sa, const char *host,
	     const char *path)
{
	struct sdk_http h;
	tf_err err;

	memset(&h, 0, sizeof h);
	h.loc = loc;
	h.started = tf_now_ms();
	snprintf(h.req, sizeof h.req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: tf-sdk/" TF_SDK_VERSION "\r\nConnection: close\r\n\r\n",
	    path, host);
	h.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h.fd < 0)
		return 0;
	if (connect(h.fd, (const struct sockaddr *)sa, sizeof *sa) != 0 &&
	    errno != EINPROGRESS) {
		close(h.fd);
		return 0;
	}
	tf_loop_add_fd(loc->loop, h.fd, TF_WRITE, sdk_http_cb, &h);
	if (sdk_wait_until(loc, sdk_http_over, &h, HTTP_TRY_MS + 1000,
	    "an HTTP answer", &err) != 0)
		sdk_http_finish(&h);
	return h.status;
}

/* One GET through the tunnel; returns the status (0: no answer). */
static int
sdk_http_try(tf_tunnel *t, const char *host, const char *path)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)t->localport);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (strcmp(t->bind, "0.0.0.0") != 0)
		inet_pton(AF_INET, t->bind, &sa.sin_addr);
	return sdk_http_get(t->loc, &sa, host, path);
}

tf_tunnel *
tf_container_wait_http_200(tf_container *c, int port, const char *fqdn,
			   const char *path, int timeout_ms, tf_err *err)
{
	uint64_t end = tf_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms :
	    SDK_READY_TIMEOUT_MS);
	const char *host = fqdn != NULL && fqdn[0] ? fqdn : "localhost";
	char fullpath[512];
	tf_tunnel *t;
	int status = 0;

	if (sdk_check(c->loc, err) != 0)
		return NULL;
	snprintf(fullpath, sizeof fullpath, "%s%s", path != NULL &&
	    path[0] == '/' ? "" : "/", path != NULL ? path : "");
	tf_info("Waiting on http 200: %s", c->id[0] ? c->id : c->image);
	t = tf_container_attach_tunnel(c, port > 0 ? port : 80, 0, NULL, err);
	if (t == NULL)
		return NULL;
	while (!t->closed) {
		status = sdk_http_try(t, host, fullpath);
		if (status == 200)
			break;
		if (tf_now_ms() >= end || c->loc->complete) {
			char why[64] = "no answer";

			if (status != 0)
				snprintf(why, sizeof why, "the last answer was "
				    "%d", status);
			tf_err_set(err, "Could not connect to: http://%s:%d%s (%s)",
			    host, t->localport, fullpath, why);
			sdk_tunnel_close(t, true);
			return NULL;
		}
		tf_location_sleep(c->loc, 500);
	}
	if (t->closed) {
		tf_err_set(err, "Could not connect to: http://%s:%d%s (%s)", host,
		    t->localport, fullpath, t->error);
		return NULL;
	}
	snprintf(t->url, sizeof t->url, "http://%s:%d%s", host, t->localport,
	    fullpath);
	tf_info("Connected onto: %s", t->url);
	return t;
}

static void
sdk_browser_launch(const char *url)
{
	const char *browser = getenv("BROWSER");
	char *cmd = NULL;
	pid_t pid;

	if (browser != NULL && browser[0] != '\0') {
		char *colon;

		cmd = tf_strdup(browser);
		colon = strchr(cmd, ':');
		if (colon != NULL)
			*colon = '\0';
	} else if ((getenv("DISPLAY") != NULL || getenv("WAYLAND_DISPLAY") !=
	    NULL) && access("/usr/bin/xdg-open", X_OK) == 0) {
		cmd = tf_strdup("/usr/bin/xdg-open");
	}
	if (cmd == NULL) {
		printf("Browse to: %s\n", url);
		fflush(stdout);
		return;
	}
	tf_info("Opening %s with %s", url, cmd);
	/* Twice forked, so no zombie is left for a loop that never waits. */
	pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			int devnull = open("/dev/null", O_RDWR);

			if (devnull >= 0) {
				dup2(devnull, STDIN_FILENO);
				close(devnull);
			}
			setsid();
			if (strstr(cmd, "%s") != NULL) {
				char *line = tf_strdup(cmd);
				char *at = strstr(line, "%s");
				char *full;

				*at = '\0';
				full = tf_asprintf("%s'%s'%s", line, url, at + 2);
				execl("/bin/sh", "sh", "-c", full, (char *)NULL);
			} else {
				execlp(cmd, cmd, url, (char *)NULL);
			}
			_exit(127);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(cmd);
}

tf_tunnel *
tf_container_attach_browser(tf_container *c, int port, const char *fqdn,
			    const char *path, tf_err *err)
{
	tf_tunnel *t = tf_container_wait_http_200(c, port, fqdn, path, 0, err);

	if (t != NULL)
		sdk_browser_launch(t->url);
	return t;
}
