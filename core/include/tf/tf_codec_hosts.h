/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_hosts: the messages that make a location of many hosts (see
 * docs/PROTOCOL.md "Many hosts"), written once for the location (which
 * packs them) and the node (which unpacks them).
 *
 *   peers   {peers: [{node, address, subnet}]}   location -> node, id 0
 *           the full set of the other up nodes that advertise an underlay
 *           address; a node makes its overlay match it exactly.
 *   ip_gone {ip}                                 location -> node, id 0
 *           a container address that has gone on another node: no
 *           firewall may let it in any more.
 *
 * Every field is checked on unpack: an address is a dotted IPv4 address,
 * a subnet a.b.c.d/n (8..30) with its host bits zero, a node name 1..63
 * printable characters.
 */
#ifndef TF_CODEC_HOSTS_H
#define TF_CODEC_HOSTS_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#include "tf_err.h"
#include "tf_msg.h"

#define TF_PEERS_MAX 250	/* the location hands out 250 subnets */
#define TF_PEER_NAME 64
#define TF_PEER_IP 16		/* "255.255.255.255" */
#define TF_PEER_CIDR 32		/* "255.255.255.255/32", with room */

typedef struct tf_peer {
	char node[TF_PEER_NAME];
	char address[TF_PEER_IP];	/* underlay address (--advertise) */
	char subnet[TF_PEER_CIDR];	/* its containers' subnet */
} tf_peer;

typedef struct tf_peers {
	size_t n;
	tf_peer peer[TF_PEERS_MAX];
} tf_peers;

/* Adds the params of a "peers" message to o (after tf_out_init). */
void tf_codec_peers_pack(tf_out *o, const tf_peers *p);
/* 0 with *out filled, or -1 with err naming the bad field. */
int tf_codec_peers_unpack(const msgpack_object *params, tf_peers *out,
			  tf_err *err);

void tf_codec_ip_gone_pack(tf_out *o, const char *ip);
int tf_codec_ip_gone_unpack(const msgpack_object *params,
			    char ip[TF_PEER_IP], tf_err *err);

/* Checks used on unpack, for callers that take the same fields elsewhere
 * (the node's --advertise, the location's hello). */
bool tf_codec_ipv4_valid(const char *s);
bool tf_codec_cidr_valid(const char *s);

void tf_codec_hosts_test(bool verbose);

#endif
