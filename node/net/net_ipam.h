/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_ipam: the container addresses of one node's subnet (the location
 * gives each node a subnet such as 10.220.3.0/24).  The network address is
 * never handed out, .1 is the gateway (the node's bridge), the broadcast
 * address is never handed out; everything between is for containers.
 *
 * Allocation is next-fit: a released address is handed out again only after
 * every other free one, so a container's old address does not reappear at
 * once on a new container that other containers' firewalls may still list,
 * or that a stale ARP entry still points at.
 *
 * Persistence: the node's container records, which carry each container's
 * address, are the truth; on start the node calls net_ipam_reserve() for
 * each.  net_ipam_save()/net_ipam_load() keep the same set (and the
 * next-fit cursor) in a small text file for a node that prefers that.
 */
#ifndef NET_IPAM_H
#define NET_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>

#include "tf_err.h"

/* "255.255.255.255" and its NUL. */
#define NET_IP_LEN 16

/* Dotted-quad IPv4 only (no hostnames, no shorthand such as "10.1"). */
int net_ip_parse(const char *s, struct in_addr *out, tf_err *err);
/* "a.b.c.d/n" whose host bits are zero. */
int net_cidr_parse(const char *s, struct in_addr *network, int *prefixlen,
    tf_err *err);

struct net_ipam;

/* subnet_cidr: prefix length 16 to 30. */
struct net_ipam *net_ipam_new(const char *subnet_cidr, tf_err *err);
void net_ipam_destroy(struct net_ipam **ipam);

/* "10.220.3.0/24", as given to net_ipam_new. */
const char *net_ipam_subnet(const struct net_ipam *ipam);
int net_ipam_prefixlen(const struct net_ipam *ipam);
void net_ipam_gateway(const struct net_ipam *ipam, char out[NET_IP_LEN]);
/* Addresses handed out, and how many there can be. */
unsigned int net_ipam_count(const struct net_ipam *ipam);
unsigned int net_ipam_capacity(const struct net_ipam *ipam);

/* Hands out a free address into out; -1 when the subnet is full. */
int net_ipam_alloc(struct net_ipam *ipam, char out[NET_IP_LEN], tf_err *err);
/* Marks a given address as taken (restoring state); -1 if it is not a
 * container address of this subnet or is taken already. */
int net_ipam_reserve(struct net_ipam *ipam, const char *ip, tf_err *err);
/* Gives an address back; -1 if it was not handed out. */
int net_ipam_release(struct net_ipam *ipam, const char *ip);
bool net_ipam_in_use(const struct net_ipam *ipam, const char *ip);

int net_ipam_save(const struct net_ipam *ipam, const char *path,
    tf_err *err);
/* Reserves the addresses saved in path.  A missing file, or one saved for
 * another subnet, loads nothing and is not an error. */
int net_ipam_load(struct net_ipam *ipam, const char *path, tf_err *err);

#endif
