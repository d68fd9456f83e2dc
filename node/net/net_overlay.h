/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_overlay: container traffic between nodes, over a VXLAN device in the
 * kernel (docs/MULTIHOST.md says why VXLAN).  Each node has one device;
 * for each other node (a "peer": its underlay address and container
 * subnet, as the location tells) it holds three entries:
 *
 *   route  <peer subnet> via <peer subnet's network address> dev tfx.. onlink
 *   neigh  <peer subnet's network address> lladdr <peer MAC> permanent
 *   fdb    <peer MAC> dst <peer underlay address> permanent
 *
 * A node's VXLAN MAC is derived from its subnet (0e:74:a:b:c:d for
 * a.b.c.d/n), so the location hands out no MACs and nothing is learnt from
 * traffic.  Packets keep the containers' own addresses end to end (no
 * NAT), which is what lets each container's firewall allow or refuse a
 * container of another node exactly as one of its own node.  The node
 * forwards between its bridge and the device (per-device forwarding, no
 * global switch).
 */
#ifndef NET_OVERLAY_H
#define NET_OVERLAY_H

#include <net/if.h>
#include <stdbool.h>

#include "tf_err.h"

#define NET_OVERLAY_VNI 4220
#define NET_OVERLAY_PORT 4789		/* the IANA VXLAN port */
#define NET_OVERLAY_PREFIX "tfx"

/* The device name for a node whose bridge is bridge. */
void net_overlay_dev_name(const char *bridge, char out[IFNAMSIZ]);

/* (Re)creates the device with no peers, sending from local (an address of
 * this host: the node's --advertise), and lets the host forward between
 * it and bridge.  subnet is the node's own container subnet.  The
 * location's host joins with no bridge (NULL: it forwards nothing) and
 * own, the address of its end (own/32 on the device; NULL: none). */
int net_overlay_setup(const char *dev, const char *bridge, const char *local,
    const char *subnet, const char *own, tf_err *err);
/* Deletes the device and with it every peer entry (no device: not an
 * error). */
int net_overlay_teardown(const char *dev, tf_err *err);
/* Adds (add) or withdraws (!add) the entries for one peer. */
int net_overlay_peer(const char *dev, const char *address,
    const char *subnet, bool add, tf_err *err);

#endif
