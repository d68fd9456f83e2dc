/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net: node networking, the API tf-node calls: one bridge per node, one network
 * namespace per container joined to it by a veth pair, and an nftables
 * firewall inside each container namespace.  All calls block briefly (a
 * few netlink round trips, well under 10 ms) and use no event loop, so the
 * daemon calls them from its loop directly.
 *
 *   host                         container namespace tfc-<bridge>-<id>
 *   bridge <bridge>  <- tfv<id[0..11]> ==== eth0  ip/prefix
 *   gateway .1/prefix                       default via gateway
 *                                           lo up
 *                                           table inet tf_fw (net_fw.h)
 *
 * Traffic between containers of the bridge and between the node and its
 * containers stays on the bridge: no forwarding, no NAT and no host
 * firewall rule is needed, and none is made; host sysctls are not touched.
 * Containers reach other nodes' containers over the overlay of
 * net_overlay.h (tf-node --advertise), which adds the routes and turns on
 * forwarding for the bridge and the VXLAN device only.
 *
 * Names: bridge names are 1 to 15 of [A-Za-z0-9_]; container ids are 1 to
 * 64 of [A-Za-z0-9_.-] (a tf_uuid fits).  A container's namespace is
 * /run/netns/tfc-<bridge>-<id>, which is what runc is given as the
 * container's network namespace path; `ip netns exec` works on it too.
 */
#ifndef NET_NODE_H
#define NET_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "tf_err.h"

#define NET_NS_PREFIX "tfc-"
#define NET_VETH_PREFIX "tfv"
#define NET_BRIDGE_NAME_MAX 15
#define NET_CTR_ID_MAX 64

/* net_bridge.c */

bool net_bridge_name_valid(const char *bridge);
bool net_ctr_id_valid(const char *ctr_id);

/* Creates the bridge (or adopts an existing bridge of that name, e.g. after
 * a restart), gives it the subnet's first address as the containers'
 * gateway, replacing any other IPv4 address it had, and brings it up.
 * Refuses a subnet that overlaps an address of another interface. */
int net_node_setup(const char *bridge, const char *subnet_cidr, tf_err *err);
/* Deletes the bridge (no bridge is not an error).  Containers' veths are
 * released from it, not deleted: destroy containers first, or call
 * net_cleanup_stale(). */
int net_node_teardown(const char *bridge, tf_err *err);
/* For a node (re)starting: removes every container namespace of this
 * bridge and every veth still enslaved to it, whatever made them, except
 * those keep (if not NULL) says to keep (it is given the namespace's or
 * the veth's name): the networks of adopted containers.  Returns how many
 * namespaces went, or -1.  Only for start-up. */
typedef bool (*net_keep_fn)(const char *name, void *arg);
int net_cleanup_stale(const char *bridge, net_keep_fn keep, void *keep_arg,
    tf_err *err);

/* net_container.c */

/* The namespace path of a container, whether or not it exists yet. */
int net_ctr_ns_path(const char *ctr_id, const char *bridge, char *buf,
    size_t size, tf_err *err);
/* The name of the host end of the container's veth pair. */
void net_ctr_veth_name(const char *ctr_id, char *buf, size_t size);
/* Makes the container's namespace with its firewall already in place, then
 * the veth pair, address, default route via gateway and loopback.  The
 * namespace path goes to netns_path_out.  On failure nothing is left. */
int net_ctr_create(const char *ctr_id, const char *bridge, const char *ip,
    int prefixlen, const char *gateway, char *netns_path_out, size_t size,
    tf_err *err);
/* Cuts the container off the bridge at once (its veth goes down) and
 * unnames its namespace; the kernel frees namespace, firewall and veth pair
 * in the background (tens of ms), or, if a process is still inside, when
 * that process exits.  A container with no network is not an error, and the
 * same id may be created again straight away. */
int net_ctr_destroy(const char *ctr_id, const char *bridge, tf_err *err);
/* Lets ip (another container, usually) connect to any port of the
 * container, and ping it; disallow takes that back.  Both are idempotent;
 * connections already open are not cut. */
int net_ctr_allow(const char *ctr_id, const char *bridge, const char *ip,
    tf_err *err);
int net_ctr_disallow(const char *ctr_id, const char *bridge, const char *ip,
    tf_err *err);

/* net_tcp.c */

/* Starts a non-blocking TCP connection to a container for a tunnel and
 * returns its fd (close-on-exec, TCP_NODELAY).  With bridge not NULL the
 * socket is bound to that device, so it can only ever reach the node's own
 * containers.  Wait for POLLOUT, then call net_tcp_connect_finish(). */
int net_tcp_connect_nb(const char *bridge, const char *ip, int port,
    tf_err *err);
/* 0 once connected; -1 with the reason (refused, timed out, ...). */
int net_tcp_connect_finish(int fd, tf_err *err);

#endif
