/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_hosts: the location's part in a location of many hosts.  Each node
 * that advertises an underlay address (tf-node --advertise) is told the
 * other up nodes' addresses and subnets (`peers`, the full set each time,
 * so a node that missed one message is right again after the next), and
 * every node hears of a container address that has gone on another node
 * (`ip_gone`), so that an allowance dies with its container across nodes
 * exactly as on one.  The codec is core/tf_codec_hosts.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_codec_hosts.h"
#include "tf_log.h"

static bool
hosts_is_peer(const struct loc_node *n)
{
	return n->up && n->address[0] != '\0' && n->subnet[0] != '\0';
}

void
loc_hosts_push_peers(struct location *loc)
{
	tf_peer *all = tf_calloc(TF_PEERS_MAX, sizeof *all);
	tf_peer *mine = tf_calloc(TF_PEERS_MAX, sizeof *mine);
	size_t nall = 0;

	for (size_t i = 0; i < loc->n_nodes && nall < TF_PEERS_MAX; i++) {
		const struct loc_node *n = loc->nodes[i];

		if (!hosts_is_peer(n))
			continue;
		all[nall++] = (tf_peer){ .node = n->name,
		    .address = n->address, .subnet = n->subnet };
	}
	/* The location's host, when it joined (loc_overlay.c). */
	if (nall < TF_PEERS_MAX && loc_overlay_peer(loc, &all[nall]))
		nall++;
	loc_overlay_sync(loc);
	/* Each node gets everyone but itself. */
	for (size_t i = 0; i < loc->n_nodes; i++) {
		const struct loc_node *n = loc->nodes[i];
		tf_peers_msg p = { .peers = mine };
		tf_out o;

		if (!hosts_is_peer(n))
			continue;
		for (size_t k = 0; k < nall; k++)
			if (strcmp(all[k].node, n->name) != 0)
				mine[p.n_peers++] = all[k];
		tf_out_init(&o, "peers");
		tf_peers_pack(&p, &o);
		loc_send(loc, n->rid, n->rid_len, &o, 0, NULL, 0);
		tf_out_fini(&o);
	}
	free(mine);
	free(all);
}

void
loc_hosts_ip_gone(struct location *loc, const struct loc_container *c)
{
	tf_ip_gone_msg g = { .ip = c->ip };

	if (c->ip[0] == '\0' || !tf_codec_ipv4_valid(c->ip))
		return;
	for (size_t i = 0; i < loc->n_nodes; i++) {
		const struct loc_node *n = loc->nodes[i];
		tf_out o;

		/* Its own node takes it out of its firewalls itself. */
		if (!n->up || n->id == c->node_id)
			continue;
		tf_out_init(&o, "ip_gone");
		tf_ip_gone_pack(&g, &o);
		loc_send(loc, n->rid, n->rid_len, &o, 0, NULL, 0);
		tf_out_fini(&o);
	}
}
