/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hosts family (docs/PROTOCOL.md, "Many hosts"): what makes a location
 * of many hosts, packed by the location and unpacked by the node.  See
 * tf_codec.h for the conventions.
 *
 *   peers   {peers: [{node, address, subnet}]}   location -> node, id 0
 *           the full set of the other up nodes that advertise an underlay
 *           address; a node makes its overlay match it exactly.
 *   ip_gone {ip}                                 location -> node, id 0
 *           a container address that has gone on another node: no
 *           firewall may let it in any more.
 *
 * The tables check types and sizes; tf_peers_check / tf_ip_gone_check
 * check what a table cannot say: an address is a dotted IPv4 address, a
 * subnet a.b.c.d/n (8..30) with its host bits zero.
 */
#ifndef TF_CODEC_HOSTS_H
#define TF_CODEC_HOSTS_H

#include "tf_codec.h"

#define TF_PEERS_MAX 250	/* the location hands out 250 subnets */
#define TF_PEER_NAME 64		/* node names: at most 63 bytes */
#define TF_PEER_IP 16		/* "255.255.255.255" and its NUL */
#define TF_PEER_CIDR 32		/* "255.255.255.255/32", with room */

typedef struct tf_peer {
	uint64_t has;
	const char *node;
	const char *address;		/* underlay address (--advertise) */
	const char *subnet;		/* its containers' subnet */
} tf_peer;

typedef struct tf_peers_msg {
	uint64_t has;
	tf_peer *peers;
	size_t n_peers;
} tf_peers_msg;

typedef struct tf_ip_gone_msg {
	uint64_t has;
	const char *ip;
} tf_ip_gone_msg;

extern const tf_codec tf_peers_codec;
extern const tf_codec tf_ip_gone_codec;

TF_CODEC_DECLARE(tf_peers, tf_peers_msg);
TF_CODEC_DECLARE(tf_ip_gone, tf_ip_gone_msg);

/* 0, or -1 with err naming the bad field. */
int tf_peers_check(const tf_peers_msg *m, tf_err *err);
int tf_ip_gone_check(const tf_ip_gone_msg *m, tf_err *err);

/* The checks, for callers that take the same fields elsewhere (the
 * node's --advertise, the address in a node's hello). */
bool tf_codec_ipv4_valid(const char *s);
bool tf_codec_cidr_valid(const char *s);

#endif
