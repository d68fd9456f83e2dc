/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_req_net: the node's side of networking, on top of net_*.h: the bridge
 * and address pool for the subnet the location assigns in its welcome, a
 * network namespace per container (runc joins it), firewall allow /
 * disallow, and tunnels.
 *
 * Allowances: each container lists the addresses its firewall lets in.  An
 * allowance is for a container, not for whoever has its address next, so
 * when a container goes its address is taken out of every firewall that
 * lets it in before the address goes back to the pool.  Only this node's
 * containers get addresses of this node's subnet, so the node knows every
 * firewall to fix.
 *
 * Tunnels (docs/PROTOCOL.md "tunnel"): for each `tcp_open` the node opens a
 * non-blocking TCP connection from the bridge to the container's address
 * and relays bytes both ways.  Credit per direction: the node stops reading
 * the container's socket while NODE_WINDOW bytes it sent are unacked by the
 * client, and acks (`~ {conn, event: "ack", bytes}`) what it has written
 * to the container, so the client never sends faster than the container
 * reads.  Connections are marked dead and freed before sleep.
 *
 * The data path (docs/BENCH.md "Tunnels"): client data is written to the
 * container straight from the message and only what the socket refuses is
 * queued; a read of the container's socket (up to TCP_SLICE, the
 * protocol's chunk) is one data item at once, so interactive bytes never
 * wait; acks go per TCP_ACK_MIN bytes written, not per frame: the client
 * can always send while less than a window minus that is queued here.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_ipam.h"
#include "net.h"
#include "node.h"
#include "tf_codec_firewall.h"
#include "tf_codec_session.h"
#include "tf_codec_tunnel.h"
#include "tf_log.h"

#define TCP_SLICE (256u << 10)
#define TCP_ACK_MIN (NODE_WINDOW / 4)

struct node_tconn {
	struct node_tconn *next;
	struct node_tunnel *t;
	int64_t conn;
	int fd;
	bool connecting;
	bool rd_eof;		/* the container closed its sending side */
	bool wr_shut;		/* the client closed its sending side ... */
	bool wr_done;		/* ... and we passed that on */
	uint64_t out_unacked;	/* sent to the client, not acked yet */
	uint64_t in_unacked;	/* written to the container, not acked yet */
	uint8_t *q;		/* from the client, not written yet */
	size_t qlen, qcap;
	bool dead;
};

struct node_tunnel {
	struct node_tunnel *next;
	struct node *n;
	char id[NODE_ID_LEN];
	char ctr[NODE_ID_LEN];
	uint64_t req;
	int port;
	struct node_tconn *conns;
	bool dead;
};

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

/* --- bridge and addresses ------------------------------------------------- */

struct keep_ctx {
	const char *name;
	const char *bridge;
	bool keep;
};

static void
keep_one(ctr *c, void *arg)
{
	struct keep_ctx *k = arg;
	char veth[IFNAMSIZ], ns[160];

	if (k->keep || ctr_data(c) == NULL)
		return;
	net_ctr_veth_name(ctr_id(c), veth, sizeof veth);
	snprintf(ns, sizeof ns, NET_NS_PREFIX "%s-%s", k->bridge, ctr_id(c));
	k->keep = strcmp(k->name, veth) == 0 || strcmp(k->name, ns) == 0;
}

/* The networks of adopted containers stay (namespace, veth, firewall). */
static bool
keep_adopted(const char *name, void *arg)
{
	struct node *n = arg;
	struct keep_ctx k = { .name = name, .bridge = n->bridge };

	ctr_table_foreach(n->ctrs, keep_one, &k);
	return k.keep;
}

int
node_net_start(struct node *n, tf_err *err)
{
	tf_err e2;
	int gone;

	if (n->opt.no_net) {
		tf_info("networking is off (--no-net): containers get a "
		    "loopback-only namespace");
		return 0;
	}
	if (n->opt.bridge != NULL)
		snprintf(n->bridge, sizeof n->bridge, "%s", n->opt.bridge);
	else
		snprintf(n->bridge, sizeof n->bridge, "tfb%08x",
		    fnv1a(n->state_dir));
	if (!net_bridge_name_valid(n->bridge))
		return tf_err_set(err, "bad bridge name: %s", n->bridge);
	gone = net_cleanup_stale(n->bridge, keep_adopted, n, &e2);
	if (gone < 0)
		tf_warn("cleaning up old container networks: %s", e2.msg);
	else if (gone > 0)
		tf_info("removed %d container networks left by an earlier run",
		    gone);
	return 0;
}

static void
reserve_one(ctr *c, void *arg)
{
	struct node *n = arg;
	struct node_ctr *nc = ctr_data(c);

	if (nc != NULL && nc->ip[0] != '\0')
		net_ipam_reserve(n->ipam, nc->ip, NULL);
}

void
node_net_welcome(struct node *n)
{
	const msgpack_object *w = tf_conn_welcome(n->conn);
	char subnet[32] = "", gw[NET_IP_LEN];
	tf_welcome_msg wm;
	tf_err err;

	if (n->opt.no_net || n->bridge[0] == '\0' || w == NULL)
		return;
	if (tf_welcome_unpack(w, &wm, &err) == 0) {
		snprintf(subnet, sizeof subnet, "%s", wm.subnet);
		tf_welcome_free(&wm);
	}
	if (subnet[0] == '\0') {
		tf_warn("the location gave no subnet: containers get no network");
		return;
	}
	if (n->net_up) {
		if (strcmp(subnet, n->subnet) != 0)
			tf_warn("the location now gives subnet %s, but containers "
			    "use %s: keeping %s until restart", subnet, n->subnet,
			    n->subnet);
		return;
	}
	if (net_node_setup(n->bridge, subnet, &err) != 0) {
		tf_warn("cannot set up bridge %s for %s: %s; containers get no "
		    "network", n->bridge, subnet, err.msg);
		return;
	}
	n->ipam = net_ipam_new(subnet, &err);
	if (n->ipam == NULL) {
		tf_warn("subnet %s: %s", subnet, err.msg);
		net_node_teardown(n->bridge, NULL);
		return;
	}
	net_ipam_gateway(n->ipam, gw);
	snprintf(n->gateway, sizeof n->gateway, "%s", gw);
	snprintf(n->subnet, sizeof n->subnet, "%s", subnet);
	n->prefixlen = net_ipam_prefixlen(n->ipam);
	ctr_table_foreach(n->ctrs, reserve_one, n);
	n->net_up = true;
	tf_info("bridge %s up: subnet %s, gateway %s", n->bridge, subnet, gw);
}

int
node_net_ctr_create(struct node *n, struct node_ctr *nc, tf_err *err)
{
	char ip[NET_IP_LEN];

	nc->ip[0] = '\0';
	nc->netns[0] = '\0';
	if (!n->net_up)
		return 0;
	if (net_ipam_alloc(n->ipam, ip, err) != 0)
		return -1;
	if (net_ctr_create(nc->id, n->bridge, ip, n->prefixlen, n->gateway,
	    nc->netns, sizeof nc->netns, err) != 0) {
		net_ipam_release(n->ipam, ip);
		nc->netns[0] = '\0';
		return -1;
	}
	snprintf(nc->ip, sizeof nc->ip, "%s", ip);
	return 0;
}

/* --- allowances ------------------------------------------------------------ */

static ssize_t
allowed_index(const struct node_ctr *nc, struct in_addr ip)
{
	for (size_t i = 0; i < nc->nallowed; i++)
		if (nc->allowed[i].s_addr == ip.s_addr)
			return (ssize_t)i;
	return -1;
}

void
node_ctr_allowed_add(struct node_ctr *nc, struct in_addr ip)
{
	if (allowed_index(nc, ip) >= 0)
		return;
	if (nc->nallowed == nc->capallowed) {
		nc->capallowed = nc->capallowed ? nc->capallowed * 2 : 4;
		nc->allowed = tf_realloc(nc->allowed,
		    nc->capallowed * sizeof *nc->allowed);
	}
	nc->allowed[nc->nallowed++] = ip;
}

static void
allowed_remove(struct node_ctr *nc, struct in_addr ip)
{
	ssize_t i = allowed_index(nc, ip);

	if (i >= 0)
		nc->allowed[i] = nc->allowed[--nc->nallowed];
}

static void
allowed_clear(struct node_ctr *nc)
{
	free(nc->allowed);
	nc->allowed = NULL;
	nc->nallowed = 0;
	nc->capallowed = 0;
}

struct allowed_revoke {
	struct node *n;
	const struct node_ctr *gone;	/* NULL: a container of another node */
	const char *ip_str;
	struct in_addr ip;
	int failed;
};

static void
revoke_one(ctr *c, void *arg)
{
	struct allowed_revoke *r = arg;
	struct node_ctr *nc = ctr_data(c);
	tf_err err;

	if (nc == NULL || nc == r->gone || allowed_index(nc, r->ip) < 0)
		return;
	/* A container without a namespace has no firewall to fix. */
	if (nc->netns[0] != '\0' &&
	    net_ctr_disallow(nc->id, r->n->bridge, r->ip_str, &err) != 0) {
		tf_warn("container %s still lets in %s (container %s, gone): "
		    "%s", nc->id, r->ip_str, r->gone != NULL ? r->gone->id :
		    "of another node", err.msg);
		r->failed++;
		return;
	}
	allowed_remove(nc, r->ip);
	node_ctr_note_save(r->n, c);
}

/* Takes the address of a container that is going out of every other
 * container's firewall.  -1 if some firewall may still let it in. */
static int
allowed_revoke_all(struct node *n, const struct node_ctr *gone)
{
	struct allowed_revoke r = { .n = n, .gone = gone, .ip_str = gone->ip };

	if (n->ctrs == NULL || net_ip_parse(gone->ip, &r.ip, NULL) != 0)
		return 0;
	ctr_table_foreach(n->ctrs, revoke_one, &r);
	return r.failed > 0 ? -1 : 0;
}

int
node_net_ip_gone(struct node *n, const char *ip)
{
	struct allowed_revoke r = { .n = n, .ip_str = ip };

	if (n->ctrs == NULL || net_ip_parse(ip, &r.ip, NULL) != 0)
		return 0;
	ctr_table_foreach(n->ctrs, revoke_one, &r);
	return r.failed > 0 ? -1 : 0;
}

void
node_net_ctr_destroy(struct node *n, struct node_ctr *nc)
{
	tf_err err;
	bool reusable = true;

	/* Its own allowances go with its firewall, in its namespace. */
	allowed_clear(nc);
	if (nc->ip[0] != '\0')
		reusable = allowed_revoke_all(n, nc) == 0;
	if (nc->netns[0] != '\0' &&
	    net_ctr_destroy(nc->id, n->bridge, &err) != 0)
		tf_warn("container %s: %s", nc->id, err.msg);
	if (nc->ip[0] != '\0' && n->ipam != NULL) {
		/* Better an address lost to the pool than handed to a
		 * container that a firewall would take for this one. */
		if (reusable)
			net_ipam_release(n->ipam, nc->ip);
		else
			tf_warn("container %s: address %s is not reused",
			    nc->id, nc->ip);
	}
	nc->ip[0] = '\0';
	nc->netns[0] = '\0';
}

static void
forget_allowed_one(ctr *c, void *arg)
{
	struct node_ctr *nc = ctr_data(c);

	(void)arg;
	if (nc != NULL)
		allowed_clear(nc);
}

static void
down_one(ctr *c, void *arg)
{
	struct node_ctr *nc = ctr_data(c);

	if (nc != NULL)
		node_net_ctr_destroy(arg, nc);
}

void
node_net_ctrs_down(struct node *n)
{
	/* Every firewall goes too: nothing to take back one by one. */
	ctr_table_foreach(n->ctrs, forget_allowed_one, NULL);
	ctr_table_foreach(n->ctrs, down_one, n);
}

int
node_cmd_allow(struct node *n, const tf_msg *m, tf_err *err)
{
	char ip[64];
	struct in_addr addr;
	struct node_ctr *nc;
	tf_allow_msg am;
	ctr *c;
	bool allow = strcmp(m->cmd, "allow") == 0;
	int rc;

	if (tf_allow_unpack(m->params, &am, err) != 0)
		return -1;
	c = node_ctr_by_id(n, am.container, err);
	snprintf(ip, sizeof ip, "%s", am.ip);
	tf_allow_free(&am);
	if (c == NULL || net_ip_parse(ip, &addr, err) != 0)
		return -1;
	nc = ctr_data(c);
	if (nc->netns[0] == '\0')
		return tf_err_set(err, "container %s has no network", nc->id);
	if (allow)
		rc = net_ctr_allow(nc->id, n->bridge, ip, err);
	else
		rc = net_ctr_disallow(nc->id, n->bridge, ip, err);
	if (rc != 0)
		return -1;
	if (allow)
		node_ctr_allowed_add(nc, addr);
	else
		allowed_remove(nc, addr);
	node_ctr_note_save(n, c);
	return node_reply(n, m->id, NULL, NULL, 0);
}

/* --- tunnels --------------------------------------------------------------- */

static struct node_tunnel *
tunnel_find(struct node *n, const char *id)
{
	struct node_tunnel *t;

	for (t = n->tunnels; t != NULL; t = t->next) {
		if (!t->dead && strcmp(t->id, id) == 0)
			return t;
	}
	return NULL;
}

static struct node_tconn *
tconn_find(struct node_tunnel *t, int64_t conn)
{
	struct node_tconn *tc;

	for (tc = t->conns; tc != NULL; tc = tc->next) {
		if (!tc->dead && tc->conn == conn)
			return tc;
	}
	return NULL;
}

static void
tconn_event(struct node_tconn *tc, const char *event, const char *error,
	    int64_t bytes, int both, const void *data, size_t len)
{
	tf_tunnel_msg ev = { .conn = tc->conn, .event = event,
	    .error = error, .bytes = bytes, .both = both > 0 };
	tf_out o;

	TF_SET(&tf_tunnel_codec, &ev, conn);
	if (error != NULL)
		TF_SET(&tf_tunnel_codec, &ev, error);
	if (bytes >= 0)
		TF_SET(&tf_tunnel_codec, &ev, bytes);
	if (both >= 0)
		TF_SET(&tf_tunnel_codec, &ev, both);
	tf_out_init(&o, TF_STREAM);
	tf_tunnel_pack(&ev, &o);
	node_stream_item(tc->t->n, tc->t->req, &o, data, len);
}

static void
tconn_close(struct node_tconn *tc)
{
	struct node *n = tc->t->n;

	if (tc->fd >= 0) {
		n->io.unwatch(n->io.ctx, tc->fd);
		close(tc->fd);
		tc->fd = -1;
	}
	tc->dead = true;
}

static void tconn_ready(int fd, int events, void *arg);

static void
tconn_watch(struct node_tconn *tc)
{
	struct node *n = tc->t->n;
	int ev = 0;

	if (tc->fd < 0 || tc->dead)
		return;
	if (tc->connecting) {
		ev = RT_WRITE;
	} else {
		if (!tc->rd_eof && tc->out_unacked < NODE_WINDOW)
			ev |= RT_READ;
		if (tc->qlen > 0)
			ev |= RT_WRITE;
	}
	if (ev == 0)
		n->io.unwatch(n->io.ctx, tc->fd);
	else
		n->io.watch(n->io.ctx, tc->fd, ev, tconn_ready, tc);
}

/* Writes what it can of data to the container: the bytes written, or -1
 * when the connection failed (then closed, and the client told). */
static ssize_t
tconn_write(struct node_tconn *tc, const uint8_t *data, size_t len)
{
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = send(tc->fd, data + done, len - done,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			tconn_event(tc, "close", NULL, -1, 1, NULL, 0);
			tconn_close(tc);
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

/* Credit back to the client for what reached the container (see the top
 * of the file for why not per frame). */
static void
tconn_credit(struct node_tconn *tc, size_t done)
{
	tc->in_unacked += done;
	if (tc->in_unacked >= TCP_ACK_MIN) {
		tconn_event(tc, "ack", NULL, (int64_t)tc->in_unacked, -1,
		    NULL, 0);
		tc->in_unacked = 0;
	}
}

/* Writes what the client sent; acks it; passes a half-close on. */
static void
tconn_flush(struct node_tconn *tc)
{
	ssize_t done = tconn_write(tc, tc->q, tc->qlen);

	if (done < 0)
		return;
	if (done > 0) {
		memmove(tc->q, tc->q + done, tc->qlen - (size_t)done);
		tc->qlen -= (size_t)done;
		tconn_credit(tc, (size_t)done);
	}
	if (tc->qlen == 0 && tc->wr_shut && !tc->wr_done) {
		shutdown(tc->fd, SHUT_WR);
		tc->wr_done = true;
	}
	if (tc->rd_eof && tc->wr_done)
		tconn_close(tc);
}

static void
tconn_read(struct node_tconn *tc)
{
	struct node *n = tc->t->n;
	size_t room = NODE_WINDOW - tc->out_unacked;
	ssize_t r;

	if (room > TCP_SLICE)
		room = TCP_SLICE;
	if (room == 0)
		return;
	if (n->tcp_buf == NULL)
		n->tcp_buf = tf_malloc(TCP_SLICE);
	do {
		r = recv(tc->fd, n->tcp_buf, room, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return;
	if (r < 0) {
		tconn_event(tc, "close", NULL, -1, 1, NULL, 0);
		tconn_close(tc);
		return;
	}
	if (r == 0) {
		tc->rd_eof = true;
		tconn_event(tc, "close", NULL, -1, 0, NULL, 0);
		if (tc->wr_done)
			tconn_close(tc);
		return;
	}
	tc->out_unacked += (uint64_t)r;
	tconn_event(tc, "data", NULL, -1, -1, n->tcp_buf, (size_t)r);
}

static void
tconn_ready(int fd, int events, void *arg)
{
	struct node_tconn *tc = arg;
	tf_err err;

	(void)fd;
	if (tc->dead)
		return;
	if (tc->connecting) {
		if (!(events & (RT_WRITE | RT_ERROR)))
			return;
		tc->connecting = false;
		if (net_tcp_connect_finish(tc->fd, &err) != 0) {
			tconn_event(tc, "error", err.msg, -1, -1, NULL, 0);
			tconn_close(tc);
			return;
		}
		tconn_event(tc, "open", NULL, -1, -1, NULL, 0);
		tconn_watch(tc);
		return;
	}
	if (events & RT_WRITE)
		tconn_flush(tc);
	if (!tc->dead && (events & (RT_READ | RT_ERROR)))
		tconn_read(tc);
	tconn_watch(tc);
}

static void
tunnel_end(struct node_tunnel *t, bool answer)
{
	struct node_tconn *tc;

	for (tc = t->conns; tc != NULL; tc = tc->next)
		if (!tc->dead)
			tconn_close(tc);
	if (answer && !t->dead)
		node_reply(t->n, t->req, NULL, NULL, 0);
	t->dead = true;
}

/* Unpacks a tunnel message that must name its tunnel (copied to id);
 * free *tm after reading it. */
static int
tunnel_named(const tf_msg *m, char id[NODE_ID_LEN], tf_tunnel_msg *tm,
	     tf_err *err)
{
	if (tf_tunnel_unpack(m->params, tm, err) != 0)
		return -1;
	if (!TF_HAS(&tf_tunnel_codec, tm, tunnel) ||
	    strlen(tm->tunnel) >= NODE_ID_LEN) {
		tf_err_set(err, "missing parameter: tunnel");
		tf_tunnel_free(tm);
		return -1;
	}
	snprintf(id, NODE_ID_LEN, "%s", tm->tunnel);
	return 0;
}

int
node_cmd_tunnel(struct node *n, const tf_msg *m, tf_err *err)
{
	char id[NODE_ID_LEN];
	int64_t port;
	struct node_tunnel *t;
	struct node_ctr *nc;
	tf_tunnel_msg tm;
	tf_out o;
	ctr *c = node_ctr_lookup(n, m, err);

	if (c == NULL || tunnel_named(m, id, &tm, err) != 0)
		return -1;
	port = tm.port;
	tf_tunnel_free(&tm);
	if (port < 1)
		return tf_err_set(err, "missing parameter: port");
	if (m->id == 0)
		return tf_err_set(err, "tunnel needs a request id for its stream");
	nc = ctr_data(c);
	if (nc->ip[0] == '\0')
		return tf_err_set(err, "container %s has no network address",
		    nc->id);
	if (tunnel_find(n, id) != NULL)
		return tf_err_set(err, "tunnel %s already exists", id);
	t = tf_calloc(1, sizeof *t);
	t->n = n;
	snprintf(t->id, sizeof t->id, "%s", id);
	snprintf(t->ctr, sizeof t->ctr, "%s", nc->id);
	t->req = m->id;
	t->port = (int)port;
	t->next = n->tunnels;
	n->tunnels = t;
	tf_out_init(&o, TF_STREAM);
	tf_tunnel_pack(&(tf_tunnel_msg){ .event = "ready" }, &o);
	node_stream_item(n, t->req, &o, NULL, 0);
	return 0;
}

int
node_cmd_tunnel_close(struct node *n, const tf_msg *m, tf_err *err)
{
	char id[NODE_ID_LEN];
	struct node_tunnel *t;
	tf_tunnel_msg tm;

	if (tunnel_named(m, id, &tm, err) != 0)
		return -1;
	tf_tunnel_free(&tm);
	t = tunnel_find(n, id);
	if (t != NULL)
		tunnel_end(t, true);
	return node_reply(n, m->id, NULL, NULL, 0);
}

int
node_cmd_tcp(struct node *n, const tf_msg *m, tf_err *err)
{
	char id[NODE_ID_LEN];
	int64_t conn = -1;
	struct node_tunnel *t;
	struct node_tconn *tc;
	ctr *c;
	struct node_ctr *nc;
	tf_tunnel_msg tm;
	bool both;

	if (tunnel_named(m, id, &tm, err) != 0)
		return -1;
	if (TF_HAS(&tf_tunnel_codec, &tm, conn))
		conn = tm.conn;
	both = !TF_HAS(&tf_tunnel_codec, &tm, both) || tm.both;
	tf_tunnel_free(&tm);
	if (conn < 0)
		return tf_err_set(err, "missing parameter: conn");
	t = tunnel_find(n, id);
	if (t == NULL)
		return tf_err_set(err, "no such tunnel: %s", id);
	tc = tconn_find(t, conn);

	if (strcmp(m->cmd, "tcp_open") == 0) {
		if (tc != NULL)
			return tf_err_set(err, "connection %lld is open already",
			    (long long)conn);
		tc = tf_calloc(1, sizeof *tc);
		tc->t = t;
		tc->conn = conn;
		tc->fd = -1;
		tc->next = t->conns;
		t->conns = tc;
		c = ctr_find(n->ctrs, t->ctr);
		nc = c != NULL ? ctr_data(c) : NULL;
		if (nc == NULL || nc->ip[0] == '\0') {
			tconn_event(tc, "error", "the container is gone", -1, -1,
			    NULL, 0);
			tc->dead = true;
			return 0;
		}
		tc->fd = net_tcp_connect_nb(n->bridge, nc->ip, t->port, err);
		if (tc->fd < 0) {
			tconn_event(tc, "error", err->msg, -1, -1, NULL, 0);
			tc->dead = true;
			return 0;
		}
		tc->connecting = true;
		tconn_watch(tc);
		return 0;
	}
	if (tc == NULL)
		return 0;	/* closed meanwhile: the data has nowhere to go */
	if (strcmp(m->cmd, "tcp_data") == 0) {
		const uint8_t *data = m->bulk;
		size_t len = m->bulk != NULL ? m->bulk_len : 0;

		if (tc->wr_shut)
			return 0;
		if (tc->qlen == 0 && !tc->connecting && len > 0) {
			ssize_t w = tconn_write(tc, data, len);

			if (w < 0)
				return 0;
			tconn_credit(tc, (size_t)w);
			data += w;
			len -= (size_t)w;
		}
		if (tc->qlen + len > 2 * NODE_WINDOW) {
			/* The client ignored our acks. */
			tconn_event(tc, "close", NULL, -1, 1, NULL, 0);
			tconn_close(tc);
			return 0;
		}
		if (tc->qlen + len > tc->qcap) {
			tc->qcap = tc->qlen + len + 4096;
			tc->q = tf_realloc(tc->q, tc->qcap);
		}
		if (len > 0)
			memcpy(tc->q + tc->qlen, data, len);
		tc->qlen += len;
		tconn_watch(tc);
		return 0;
	}
	/* tcp_close */
	if (both) {
		tconn_close(tc);
		return 0;
	}
	tc->wr_shut = true;
	if (!tc->connecting)
		tconn_flush(tc);
	tconn_watch(tc);
	return 0;
}

int
node_tunnel_ack(struct node *n, const tf_flow_msg *a)
{
	uint64_t bytes = (uint64_t)a->bytes;
	struct node_tunnel *t;
	struct node_tconn *tc;

	for (t = n->tunnels; t != NULL; t = t->next) {
		if (!t->dead && t->req == (uint64_t)a->ref)
			break;
	}
	if (t == NULL || !TF_HAS(&tf_flow_codec, a, conn))
		return -1;
	tc = tconn_find(t, a->conn);
	if (tc == NULL)
		return 0;
	tc->out_unacked = bytes > tc->out_unacked ? 0 :
	    tc->out_unacked - bytes;
	tconn_watch(tc);
	return 0;
}

bool
node_tunnel_unsub(struct node *n, uint64_t ref)
{
	struct node_tunnel *t;

	for (t = n->tunnels; t != NULL; t = t->next) {
		if (!t->dead && t->req == ref) {
			tunnel_end(t, true);
			return true;
		}
	}
	return false;
}

void
node_tunnels_ctr_gone(struct node *n, const char *ctr_id)
{
	struct node_tunnel *t;

	for (t = n->tunnels; t != NULL; t = t->next) {
		if (!t->dead && strcmp(t->ctr, ctr_id) == 0)
			tunnel_end(t, true);
	}
}

void
node_tunnels_reap(struct node *n)
{
	struct node_tunnel **tp = &n->tunnels, *t;

	while ((t = *tp) != NULL) {
		struct node_tconn **cp = &t->conns, *tc;

		while ((tc = *cp) != NULL) {
			if (tc->dead || t->dead) {
				if (tc->fd >= 0)
					tconn_close(tc);
				*cp = tc->next;
				free(tc->q);
				free(tc);
			} else {
				cp = &tc->next;
			}
		}
		if (t->dead) {
			*tp = t->next;
			free(t);
		} else {
			tp = &t->next;
		}
	}
}

void
node_tunnels_reset(struct node *n)
{
	struct node_tunnel *t;

	for (t = n->tunnels; t != NULL; t = t->next)
		tunnel_end(t, false);
}

void
node_net_stop(struct node *n)
{
	struct node_tunnel *t;
	tf_err err;

	for (t = n->tunnels; t != NULL; t = t->next)
		tunnel_end(t, false);
	node_tunnels_reap(n);
	free(n->tcp_buf);
	n->tcp_buf = NULL;
	node_hosts_stop(n);
	if (n->net_up && net_node_teardown(n->bridge, &err) != 0)
		tf_warn("bridge %s: %s", n->bridge, err.msg);
	net_ipam_destroy(&n->ipam);
	n->net_up = false;
}
