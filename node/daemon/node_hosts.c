/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_hosts: the node's part in a location of many hosts.  With
 * --advertise ADDR the node says its underlay address in its hello, makes
 * the overlay device once its bridge is up (net_overlay.h), and keeps the
 * device's peer entries equal to the latest `peers` the location sent:
 * entries of peers that went are withdrawn, new peers added.  The data
 * path stays in the kernel; only these few netlink requests are ours.
 *
 * `ip_gone` (a container of another node has gone) takes that address out
 * of every firewall here, as the node does for its own containers.
 *
 * When the location is out of reach the entries stay as they were: the
 * containers' traffic does not depend on the location being up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_overlay.h"
#include "node.h"
#include "tf_codec_hosts.h"
#include "tf_codec_session.h"
#include "tf_log.h"

/* The node's own copy of a peer (the codec's strings live only as long
 * as the message). */
struct node_peer {
	char node[TF_PEER_NAME];
	char address[TF_PEER_IP];
	char subnet[TF_PEER_CIDR];
};

struct node_peers {
	size_t n;
	struct node_peer peer[TF_PEERS_MAX];
};

static bool
hosts_same(const struct node_peer *a, const struct node_peer *b)
{
	return strcmp(a->node, b->node) == 0 &&
	    strcmp(a->address, b->address) == 0 &&
	    strcmp(a->subnet, b->subnet) == 0;
}

static bool
hosts_listed(const struct node_peers *set, const struct node_peer *p)
{
	for (size_t i = 0; i < set->n; i++)
		if (hosts_same(&set->peer[i], p))
			return true;
	return false;
}

/* Makes the device's entries match n->peers_want. */
static void
hosts_apply(struct node *n)
{
	struct node_peers *have = n->peers_have, *want = n->peers_want;
	struct node_peers *next;
	tf_err err;

	if (!n->overlay_up || want == NULL)
		return;
	next = tf_calloc(1, sizeof *next);
	for (size_t i = 0; i < have->n; i++) {
		const struct node_peer *p = &have->peer[i];

		if (hosts_listed(want, p)) {
			next->peer[next->n++] = *p;
			continue;
		}
		if (net_overlay_peer(n->overlay_dev, p->address, p->subnet,
		    false, &err) != 0)
			tf_warn("withdrawing node %s (%s, %s): %s", p->node,
			    p->address, p->subnet, err.msg);
		else
			tf_info("node %s withdrawn: no route to %s via %s any "
			    "more", p->node, p->subnet, p->address);
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct node_peer *p = &want->peer[i];

		if (hosts_listed(next, p))
			continue;
		if (strcmp(p->subnet, n->subnet) == 0) {
			tf_warn("node %s claims this node's subnet %s: ignored",
			    p->node, p->subnet);
			continue;
		}
		if (net_overlay_peer(n->overlay_dev, p->address, p->subnet,
		    true, &err) != 0) {
			tf_warn("adding node %s (%s, %s): %s", p->node,
			    p->address, p->subnet, err.msg);
			continue;
		}
		tf_info("node %s added: %s via %s", p->node, p->subnet,
		    p->address);
		next->peer[next->n++] = *p;
	}
	free(n->peers_have);
	n->peers_have = next;
}

void
node_hosts_hello(struct node *n, tf_out *hello)
{
	if (n->opt.advertise != NULL)
		tf_hello_pack(&(tf_hello_msg){ .address = n->opt.advertise },
		    hello);
}

void
node_hosts_start(struct node *n)
{
	tf_err err;

	if (n->opt.advertise == NULL || n->overlay_up || !n->net_up)
		return;
	net_overlay_dev_name(n->bridge, n->overlay_dev);
	if (net_overlay_setup(n->overlay_dev, n->bridge, n->opt.advertise,
	    n->subnet, NULL, &err) != 0) {
		tf_warn("no overlay to other nodes: %s", err.msg);
		return;
	}
	if (n->peers_have == NULL)
		n->peers_have = tf_calloc(1, sizeof *n->peers_have);
	n->peers_have->n = 0;
	n->overlay_up = true;
	tf_info("overlay %s up: VXLAN %d from %s port %d", n->overlay_dev,
	    NET_OVERLAY_VNI, n->opt.advertise, NET_OVERLAY_PORT);
	hosts_apply(n);
}

void
node_hosts_stop(struct node *n)
{
	tf_err err;

	if (n->overlay_up && net_overlay_teardown(n->overlay_dev, &err) != 0)
		tf_warn("overlay %s: %s", n->overlay_dev, err.msg);
	n->overlay_up = false;
	free(n->peers_have);
	free(n->peers_want);
	n->peers_have = n->peers_want = NULL;
}

int
node_cmd_peers(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_peers_msg msg;
	struct node_peers *want;

	if (tf_peers_unpack(m->params, &msg, err) != 0)
		return -1;
	if (tf_peers_check(&msg, err) != 0) {
		tf_peers_free(&msg);
		return -1;
	}
	want = tf_calloc(1, sizeof *want);
	for (size_t i = 0; i < msg.n_peers; i++) {
		struct node_peer *p = &want->peer[want->n++];

		snprintf(p->node, sizeof p->node, "%s", msg.peers[i].node);
		snprintf(p->address, sizeof p->address, "%s",
		    msg.peers[i].address);
		snprintf(p->subnet, sizeof p->subnet, "%s",
		    msg.peers[i].subnet);
	}
	tf_peers_free(&msg);
	free(n->peers_want);
	n->peers_want = want;
	hosts_apply(n);
	return node_reply(n, m->id, NULL, NULL, 0);
}

int
node_cmd_ip_gone(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_ip_gone_msg g;
	char ip[TF_PEER_IP];

	if (tf_ip_gone_unpack(m->params, &g, err) != 0)
		return -1;
	if (tf_ip_gone_check(&g, err) != 0) {
		tf_ip_gone_free(&g);
		return -1;
	}
	snprintf(ip, sizeof ip, "%s", g.ip);
	tf_ip_gone_free(&g);
	if (node_net_ip_gone(n, ip) != 0)
		return tf_err_set(err, "a firewall may still let in %s", ip);
	return node_reply(n, m->id, NULL, NULL, 0);
}
