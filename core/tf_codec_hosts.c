/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_hosts: the field tables of the hosts family and the checks of
 * its addresses (tf_codec_hosts.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec_hosts.h"

static const tf_field peer_fields[] = {
	TF_F_STR(tf_peer, node, TF_PEER_NAME - 1, TF_FF_REQUIRED),
	TF_F_STR(tf_peer, address, TF_PEER_IP - 1, TF_FF_REQUIRED),
	TF_F_STR(tf_peer, subnet, TF_PEER_CIDR - 1, TF_FF_REQUIRED),
};
static const tf_codec peer_codec =
	TF_CODEC(tf_peer, "peers item", peer_fields, false);

/* Not required: an empty list (the last other node went) is the message
 * that withdraws everything, and it is sent as []. */
static const tf_field peers_fields[] = {
	TF_F_LIST(tf_peers_msg, peers, TF_PEERS_MAX, &peer_codec, 0),
};
const tf_codec tf_peers_codec =
	TF_CODEC(tf_peers_msg, "peers", peers_fields, false);

static const tf_field ip_gone_fields[] = {
	TF_F_STR(tf_ip_gone_msg, ip, TF_PEER_IP - 1, TF_FF_REQUIRED),
};
const tf_codec tf_ip_gone_codec =
	TF_CODEC(tf_ip_gone_msg, "ip_gone", ip_gone_fields, false);

TF_CODEC_DEFINE(tf_peers, tf_peers_msg, tf_peers_codec)
TF_CODEC_DEFINE(tf_ip_gone, tf_ip_gone_msg, tf_ip_gone_codec)

bool
tf_codec_ipv4_valid(const char *s)
{
	struct in_addr a;

	return s != NULL && inet_pton(AF_INET, s, &a) == 1;
}

bool
tf_codec_cidr_valid(const char *s)
{
	char ip[TF_PEER_IP], *end;
	const char *slash = s != NULL ? strchr(s, '/') : NULL;
	struct in_addr a;
	long plen;
	uint32_t host;

	if (slash == NULL || (size_t)(slash - s) >= sizeof ip)
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1 || slash[1] < '0' ||
	    slash[1] > '9')
		return false;
	plen = strtol(slash + 1, &end, 10);
	if (*end != '\0' || plen < 8 || plen > 30)
		return false;
	host = (1u << (32 - plen)) - 1;
	return (ntohl(a.s_addr) & host) == 0;
}

int
tf_peers_check(const tf_peers_msg *m, tf_err *err)
{
	for (size_t i = 0; i < m->n_peers; i++) {
		const tf_peer *p = &m->peers[i];

		if (p->node[0] == '\0')
			return tf_err_set(err, "peers[%zu]: no node name", i);
		if (!tf_codec_ipv4_valid(p->address))
			return tf_err_set(err, "peers[%zu]: bad address \"%s\"",
			    i, p->address);
		if (!tf_codec_cidr_valid(p->subnet))
			return tf_err_set(err, "peers[%zu]: bad subnet \"%s\"",
			    i, p->subnet);
	}
	return 0;
}

int
tf_ip_gone_check(const tf_ip_gone_msg *m, tf_err *err)
{
	if (!tf_codec_ipv4_valid(m->ip))
		return tf_err_set(err, "ip_gone: bad address \"%s\"", m->ip);
	return 0;
}
