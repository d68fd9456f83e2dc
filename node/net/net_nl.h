/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_nl: the little rtnetlink we need (links, IPv4 addresses, the default
 * route), spoken directly over a libmnl socket instead of forking `ip`.
 *
 * A socket belongs to the network namespace its creating thread was in, and
 * keeps it: net_nl_open() inside a container's namespace (see net_ns.h)
 * yields a socket that configures that namespace from anywhere.
 *
 * Requests are queued into a batch and sent in one datagram; the kernel
 * handles them in order and acknowledges each, and net_nl_batch_send()
 * reports the first failure with the text of the step that failed (and the
 * kernel's extended ack message when it gives one).  Links are named either
 * by index or, with index 0, by name.
 */
#ifndef NET_NL_H
#define NET_NL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

struct mnl_socket;

struct net_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

/* What a link dump or lookup tells us about one interface. */
struct net_nl_link {
	int index;
	int master;			/* 0: not enslaved */
	unsigned int flags;		/* IFF_* */
	char name[IFNAMSIZ];
	char kind[16];			/* "bridge", "veth", "" */
};

/* One IPv4 address of a dump. */
struct net_nl_addr {
	int index;
	int prefixlen;
	struct in_addr addr;
};

#define NET_NL_BATCH_MAX 8
#define NET_NL_BATCH_BYTES 4096

struct net_nl_batch {
	char buf[NET_NL_BATCH_BYTES];
	size_t len;
	int count;
	uint32_t first_seq;
	bool overflow;
	const char *what[NET_NL_BATCH_MAX];	/* names the step in errors */
	bool optional[NET_NL_BATCH_MAX];	/* failure is not an error */
};

int net_nl_open(struct net_nl *nl, tf_err *err);
void net_nl_close(struct net_nl *nl);

/* 0 and *out filled; 1 when there is no such link; -1 on error. */
int net_nl_link_get(struct net_nl *nl, const char *name,
    struct net_nl_link *out, tf_err *err);

typedef void (*net_nl_link_fn)(const struct net_nl_link *link, void *arg);
typedef void (*net_nl_addr_fn)(const struct net_nl_addr *addr, void *arg);
/* Calls fn for every link, or every IPv4 address. */
int net_nl_link_dump(struct net_nl *nl, net_nl_link_fn fn, void *arg,
    tf_err *err);
int net_nl_addr_dump(struct net_nl *nl, net_nl_addr_fn fn, void *arg,
    tf_err *err);

void net_nl_batch_init(struct net_nl_batch *b);
/* A new link of the given kind ("bridge"), created down, with the given
 * MAC address (6 bytes) or, with mac NULL, one the kernel picks. */
void net_nl_batch_link_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, const char *kind, const uint8_t *mac,
    const char *what);
/* A veth pair, both ends down: name stays in the socket's namespace,
 * enslaved to master if master > 0; the peer is created directly in the
 * namespace peer_ns_fd under peer_name, with MAC peer_mac (6 bytes) or a
 * random one if that is NULL. */
void net_nl_batch_veth_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, int master, const char *peer_name, int peer_ns_fd,
    const uint8_t *peer_mac, const char *what);
void net_nl_batch_link_up(struct net_nl *nl, struct net_nl_batch *b,
    int index, const char *name, const char *what);
void net_nl_batch_link_down(struct net_nl *nl, struct net_nl_batch *b,
    int index, const char *name, const char *what);
/* No IPv6 link-local address (so no DAD, router or MLD chatter): must come
 * before the link first goes up.  Optional: a kernel without IPv6 is fine. */
void net_nl_batch_link_no_ipv6ll(struct net_nl *nl, struct net_nl_batch *b,
    int index, const char *name, const char *what);
void net_nl_batch_link_del(struct net_nl *nl, struct net_nl_batch *b,
    int index, const char *name, const char *what);
/* Adds addr/prefixlen to the link, or keeps it if it is there. */
void net_nl_batch_addr_add(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr addr, int prefixlen, const char *what);
void net_nl_batch_addr_del(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr addr, int prefixlen, const char *what);
void net_nl_batch_route_default(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr gateway, const char *what);

/* The overlay (net_overlay.c).  A VXLAN device with id vni, sending from
 * local on UDP port over the link lower (0: the kernel picks), learning
 * nothing from traffic, created down. */
void net_nl_batch_vxlan_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, uint32_t vni, struct in_addr local, int lower,
    uint16_t port, const uint8_t *mac, const char *what);
/* dst/prefixlen via gateway on link index (onlink: the gateway need not be
 * in a subnet of the link), added or replaced; deleting a route that is
 * not there is not an error. */
void net_nl_batch_route_add(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr dst, int prefixlen, struct in_addr gateway,
    const char *what);
void net_nl_batch_route_del(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr dst, int prefixlen, const char *what);
/* A permanent ARP entry ip -> mac on link index (added or replaced). */
void net_nl_batch_neigh_add(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr ip, const uint8_t *mac, const char *what);
void net_nl_batch_neigh_del(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr ip, const char *what);
/* A permanent FDB entry of a VXLAN device: frames for mac go to the
 * endpoint dst. */
void net_nl_batch_fdb_add(struct net_nl *nl, struct net_nl_batch *b,
    int index, const uint8_t *mac, struct in_addr dst, const char *what);
void net_nl_batch_fdb_del(struct net_nl *nl, struct net_nl_batch *b,
    int index, const uint8_t *mac, struct in_addr dst, const char *what);

/* Sends the batch and waits for every acknowledgement.  Returns 0, or -1
 * with err naming the first step that failed and errno set to its error. */
int net_nl_batch_send(struct net_nl *nl, struct net_nl_batch *b,
    tf_err *err);

#endif
