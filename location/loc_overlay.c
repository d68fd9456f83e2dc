/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_overlay: the location's host joins the nodes' VXLAN overlay
 * (tf-location --overlay ADDR; docs/WEB.md, docs/MULTIHOST.md), so that
 * the balancer reaches a member container on any node by its own address.
 *
 * The location takes the subnet block nodes never get (block 0:
 * <base>.0.0/<prefix>) and the address <base>.0.1 on its own VXLAN device.
 * To the nodes it is one more peer in `peers` (loc_hosts.c): each holds
 * the usual three entries for it.  The location holds the same three for
 * every node that advertises an address, as a node would, and forwards
 * nothing.  A member container's firewall lets <base>.0.1 in by the
 * ordinary allowance (`allow`, sent whenever the balancer's configuration
 * is written, `disallow` when it leaves its last cluster): the connection
 * keeps its addresses end to end, no NAT.
 */
#include <stdio.h>
#include <string.h>

#include "location.h"
#include "net_overlay.h"
#include "tf_codec_firewall.h"
#include "tf_codec_hosts.h"
#include "tf_log.h"

#define OVERLAY_DEV NET_OVERLAY_PREFIX "loc"

/* The nodes the location's device holds entries for: any node that
 * advertises an address other than the location's own (a node on the
 * location's host is reached through its bridge). */
static bool
overlay_node(const struct location *loc, const struct loc_node *n)
{
	return n->address[0] != '\0' && n->subnet[0] != '\0' &&
	    strcmp(n->address, loc->opt.overlay) != 0;
}

int
loc_overlay_start(struct location *loc, tf_err *err)
{
	struct loc_overlay *o = &loc->overlay;

	if (loc->opt.overlay == NULL)
		return 0;
	if (!tf_codec_ipv4_valid(loc->opt.overlay))
		return tf_err_set(err, "--overlay: \"%s\" is not an IPv4 "
		    "address", loc->opt.overlay);
	snprintf(o->subnet, sizeof o->subnet, "%s.0.0/%d",
	    loc->opt.subnet_base, loc->opt.node_prefix);
	snprintf(o->ip, sizeof o->ip, "%s.0.1", loc->opt.subnet_base);
	if (net_overlay_setup(OVERLAY_DEV, NULL, loc->opt.overlay, o->subnet,
	    o->ip, err) != 0) {
		tf_err_set(err, "--overlay: cannot join the overlay "
		    "(tf-location needs CAP_NET_ADMIN for it): %s", err->msg);
		return -1;
	}
	o->up = true;
	tf_info("joined the overlay as %s (%s) from %s", o->ip, o->subnet,
	    loc->opt.overlay);
	return 0;
}

void
loc_overlay_stop(struct location *loc)
{
	tf_err err;

	if (!loc->overlay.up)
		return;
	if (net_overlay_teardown(OVERLAY_DEV, &err) != 0)
		tf_warn("overlay: %s", err.msg);
	loc->overlay.up = false;
}

/* The location as a peer of the nodes (loc_hosts_push_peers), or false. */
bool
loc_overlay_peer(const struct location *loc, tf_peer *p)
{
	if (!loc->overlay.up)
		return false;
	*p = (tf_peer){ .node = "(location)", .address = loc->opt.overlay,
	    .subnet = loc->overlay.subnet };
	return true;
}

/* Makes the device's entries those of the up nodes: a node down has its
 * entries withdrawn, one (back) up has them added (adding is a replace,
 * so a node's entries are right again after any change). */
void
loc_overlay_sync(struct location *loc)
{
	tf_err err;

	if (!loc->overlay.up)
		return;
	for (size_t i = 0; i < loc->n_nodes; i++) {
		struct loc_node *n = loc->nodes[i];
		bool want = n->up && overlay_node(loc, n);

		if (want == n->overlay_held && !want)
			continue;
		if (net_overlay_peer(OVERLAY_DEV, want ? n->address :
		    n->overlay_addr, n->subnet, want, &err) != 0) {
			tf_warn("overlay: node %s: %s", n->name, err.msg);
			continue;
		}
		n->overlay_held = want;
		snprintf(n->overlay_addr, sizeof n->overlay_addr, "%s",
		    n->address);
	}
}

/* Lets the balancer into container c (allow), or no longer (!allow), when
 * it runs on a node the location reaches over the overlay. */
void
loc_overlay_allow(struct location *loc, const struct loc_container *c,
    bool allow)
{
	struct loc_node *n = loc_node_find(loc, c->node_id);
	tf_allow_msg a = { .container = c->id,
	    .ip = loc->overlay.ip };
	tf_out o;

	if (!loc->overlay.up || n == NULL || !n->up || !overlay_node(loc, n))
		return;
	tf_out_init(&o, allow ? "allow" : "disallow");
	tf_allow_pack(&a, &o);
	loc_node_command(loc, n, &o, NULL);
	tf_out_fini(&o);
}
