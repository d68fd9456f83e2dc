/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_hosts: pack and unpack "peers" and "ip_gone" (tf_codec_hosts.h),
 * with a round-trip self test.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec_hosts.h"
#include "tf_log.h"
#include "tf_util.h"

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

static bool
codec_name_valid(const char *s)
{
	if (s[0] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

void
tf_codec_peers_pack(tf_out *o, const tf_peers *p)
{
	msgpack_packer *pk = tf_out_key(o, "peers");

	msgpack_pack_array(pk, (uint32_t)p->n);
	for (size_t i = 0; i < p->n; i++) {
		msgpack_pack_map(pk, 3);
		tf_pack_kv_str(pk, "node", p->peer[i].node);
		tf_pack_kv_str(pk, "address", p->peer[i].address);
		tf_pack_kv_str(pk, "subnet", p->peer[i].subnet);
	}
}

int
tf_codec_peers_unpack(const msgpack_object *params, tf_peers *out,
		      tf_err *err)
{
	const msgpack_object_array *list;

	out->n = 0;
	if (tf_obj_array(params, "peers", &list, TF_PEERS_MAX, true, err) != 0)
		return -1;
	for (uint32_t i = 0; i < list->size; i++) {
		const msgpack_object *r = &list->ptr[i];
		tf_peer *p = &out->peer[out->n];

		if (r->type != MSGPACK_OBJECT_MAP)
			return tf_err_set(err, "peers[%u] is not a map", i);
		if (tf_obj_str(r, "node", p->node, sizeof p->node, true,
		    err) != 0 ||
		    tf_obj_str(r, "address", p->address, sizeof p->address,
		    true, err) != 0 ||
		    tf_obj_str(r, "subnet", p->subnet, sizeof p->subnet, true,
		    err) != 0)
			return -1;
		if (!codec_name_valid(p->node))
			return tf_err_set(err, "peers[%u]: bad node name", i);
		if (!tf_codec_ipv4_valid(p->address))
			return tf_err_set(err, "peers[%u]: bad address \"%s\"",
			    i, p->address);
		if (!tf_codec_cidr_valid(p->subnet))
			return tf_err_set(err, "peers[%u]: bad subnet \"%s\"",
			    i, p->subnet);
		out->n++;
	}
	return 0;
}

void
tf_codec_ip_gone_pack(tf_out *o, const char *ip)
{
	tf_out_str(o, "ip", ip);
}

int
tf_codec_ip_gone_unpack(const msgpack_object *params, char ip[TF_PEER_IP],
			tf_err *err)
{
	if (tf_obj_str(params, "ip", ip, TF_PEER_IP, true, err) != 0)
		return -1;
	if (!tf_codec_ipv4_valid(ip))
		return tf_err_set(err, "bad address \"%s\"", ip);
	return 0;
}

/* --- self test ----------------------------------------------------------- */

/* Packs o's header as tf_out_send does and decodes it again, as a
 * receiver would; *hdr backs m until it is destroyed. */
static void
codec_roundtrip(tf_out *o, tf_msg *m, msgpack_sbuffer *hdr)
{
	msgpack_packer pk;
	tf_err err;

	msgpack_sbuffer_init(hdr);
	msgpack_packer_init(&pk, hdr, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	tf_pack_str(&pk, o->cmd);
	msgpack_pack_uint64(&pk, 0);
	msgpack_pack_map(&pk, o->n);
	msgpack_sbuffer_write(hdr, o->params.data, o->params.size);
	memset(m, 0, sizeof *m);
	assert(tf_msg_decode(m, hdr->data, hdr->size, &err) == 0);
}

static void
codec_done(tf_out *o, tf_msg *m, msgpack_sbuffer *hdr)
{
	tf_msg_fini(m);
	tf_out_fini(o);
	msgpack_sbuffer_destroy(hdr);
}

static void
codec_peers_bad(const char *node, const char *address, const char *subnet)
{
	tf_peers *p = tf_calloc(1, sizeof *p), *q = tf_calloc(1, sizeof *q);
	msgpack_sbuffer hdr;
	tf_out o;
	tf_msg m;
	tf_err err;

	p->n = 1;
	snprintf(p->peer[0].node, sizeof p->peer[0].node, "%s", node);
	snprintf(p->peer[0].address, sizeof p->peer[0].address, "%s", address);
	snprintf(p->peer[0].subnet, sizeof p->peer[0].subnet, "%s", subnet);
	tf_out_init(&o, "peers");
	tf_codec_peers_pack(&o, p);
	codec_roundtrip(&o, &m, &hdr);
	assert(tf_codec_peers_unpack(m.params, q, &err) == -1);
	codec_done(&o, &m, &hdr);
	free(p);
	free(q);
}

void
tf_codec_hosts_test(bool verbose)
{
	tf_peers *p = tf_calloc(1, sizeof *p), *q = tf_calloc(1, sizeof *q);
	char ip[TF_PEER_IP];
	msgpack_sbuffer hdr;
	tf_out o;
	tf_msg m;
	tf_err err;

	if (verbose)
		tf_info("tf_codec_hosts_test");
	/* Empty, one, the most: each comes back as it went. */
	for (size_t n = 0; n <= TF_PEERS_MAX; n += n < 2 ? 1 : TF_PEERS_MAX - 2) {
		p->n = n;
		for (size_t i = 0; i < n; i++) {
			snprintf(p->peer[i].node, sizeof p->peer[i].node,
			    "node%zu", i);
			snprintf(p->peer[i].address, sizeof p->peer[i].address,
			    "192.168.%zu.%zu", i / 200, i % 200 + 1);
			snprintf(p->peer[i].subnet, sizeof p->peer[i].subnet,
			    "10.220.%zu.0/24", i);
		}
		tf_out_init(&o, "peers");
		tf_codec_peers_pack(&o, p);
		codec_roundtrip(&o, &m, &hdr);
		assert(strcmp(m.cmd, "peers") == 0);
		assert(tf_codec_peers_unpack(m.params, q, &err) == 0);
		assert(q->n == p->n);
		assert(memcmp(q->peer, p->peer, n * sizeof p->peer[0]) == 0);
		tf_msg_fini(&m);
		tf_out_fini(&o);
	}
	/* Bad fields are refused. */
	codec_peers_bad("", "192.168.1.1", "10.1.1.0/24");
	codec_peers_bad("a b", "192.168.1.1", "10.1.1.0/24");
	codec_peers_bad("n", "192.168.1", "10.1.1.0/24");
	codec_peers_bad("n", "host.example", "10.1.1.0/24");
	codec_peers_bad("n", "192.168.1.1", "10.1.1.1/24");
	codec_peers_bad("n", "192.168.1.1", "10.1.1.0/31");
	codec_peers_bad("n", "192.168.1.1", "10.1.1.0");
	codec_peers_bad("n", "192.168.1.1", "10.1.1.0/x");
	/* A missing list, or one that is not a list of maps. */
	tf_out_init(&o, "peers");
	codec_roundtrip(&o, &m, &hdr);
	assert(tf_codec_peers_unpack(m.params, q, &err) == -1);
	codec_done(&o, &m, &hdr);
	tf_out_init(&o, "peers");
	msgpack_pack_array(tf_out_key(&o, "peers"), 1);
	msgpack_pack_int(&o.pk, 7);
	codec_roundtrip(&o, &m, &hdr);
	assert(tf_codec_peers_unpack(m.params, q, &err) == -1);
	codec_done(&o, &m, &hdr);

	tf_out_init(&o, "ip_gone");
	tf_codec_ip_gone_pack(&o, "10.220.3.7");
	codec_roundtrip(&o, &m, &hdr);
	assert(tf_codec_ip_gone_unpack(m.params, ip, &err) == 0);
	assert(strcmp(ip, "10.220.3.7") == 0);
	codec_done(&o, &m, &hdr);
	tf_out_init(&o, "ip_gone");
	tf_codec_ip_gone_pack(&o, "10.220.3.777");
	codec_roundtrip(&o, &m, &hdr);
	assert(tf_codec_ip_gone_unpack(m.params, ip, &err) == -1);
	codec_done(&o, &m, &hdr);
	free(p);
	free(q);
}
