/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_offer: the field tables of the offer's records and their events
 * (tf_codec_offer.h).  The order of each table is the order on the wire.
 */
#include <stdio.h>
#include <string.h>

#include "tf_codec_offer.h"

#define REC_ID		255	/* uuids, node names, "sha256:" + 64 hex */
#define REC_TEXT	4095	/* error texts, image names */
#define REC_ITEMS	100000	/* mounts, names, layers */

static const tf_field node_fields[] = {
	TF_F_STR(tf_node_rec, node, REC_ID, TF_FF_REQUIRED),
	TF_F_STR(tf_node_rec, name, REC_ID, TF_FF_OPT),
	TF_F_STR(tf_node_rec, address, REC_ID, 0),
	TF_F_INT(tf_node_rec, id, INT64_MIN, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_node_rec, state, REC_ID, 0),
	TF_F_INT(tf_node_rec, cpus, INT64_MIN, INT64_MAX, 0),
	TF_F_NUM(tf_node_rec, cpu_pct, 0),
	TF_F_INT(tf_node_rec, mem_total_mb, INT64_MIN, INT64_MAX, 0),
	TF_F_INT(tf_node_rec, mem_free_mb, INT64_MIN, INT64_MAX, 0),
	TF_F_NUM(tf_node_rec, paging, 0),
	TF_F_INT(tf_node_rec, containers, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_node_rec, subnet, REC_ID, 0),
	TF_F_DOUBLE(tf_node_rec, load1, 0),
};
const tf_codec tf_node_rec_codec =
	TF_CODEC_LENIENT(tf_node_rec, "node record", node_fields);

static const tf_field ctr_fields[] = {
	TF_F_STR(tf_ctr_rec, container, REC_ID, TF_FF_REQUIRED),
	TF_F_STR(tf_ctr_rec, node, REC_ID, 0),
	TF_F_STR(tf_ctr_rec, tag, REC_ID, 0),
	TF_F_STR(tf_ctr_rec, image, REC_TEXT, 0),
	TF_F_STR(tf_ctr_rec, ip, REC_ID, 0),
	TF_F_STR(tf_ctr_rec, state, REC_ID, 0),
	TF_F_INT(tf_ctr_rec, exit_code, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_ctr_rec, error, REC_TEXT, 0),
	TF_F_STR(tf_ctr_rec, session, REC_ID, 0),
	TF_F_STR(tf_ctr_rec, session_name, REC_ID, 0),
	TF_F_INT(tf_ctr_rec, user, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_ctr_rec, user_name, REC_ID, 0),
	TF_F_DOUBLE(tf_ctr_rec, created, 0),
	TF_F_DOUBLE(tf_ctr_rec, started, 0),
	TF_F_INT(tf_ctr_rec, startup_ms, INT64_MIN, INT64_MAX, 0),
};
const tf_codec tf_ctr_rec_codec =
	TF_CODEC_LENIENT(tf_ctr_rec, "container record", ctr_fields);

static const tf_field tunnel_fields[] = {
	TF_F_STR(tf_tunnel_rec, tunnel, REC_ID, TF_FF_REQUIRED),
	TF_F_STR(tf_tunnel_rec, container, REC_ID, 0),
	TF_F_INT(tf_tunnel_rec, port, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_tunnel_rec, session, REC_ID, 0),
	TF_F_STR(tf_tunnel_rec, session_name, REC_ID, 0),
	TF_F_INT(tf_tunnel_rec, user, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_tunnel_rec, user_name, REC_ID, 0),
	TF_F_INT(tf_tunnel_rec, localport, INT64_MIN, INT64_MAX, 0),
	TF_F_INT(tf_tunnel_rec, conns, INT64_MIN, INT64_MAX, 0),
	TF_F_INT(tf_tunnel_rec, bytes_in, INT64_MIN, INT64_MAX, 0),
	TF_F_INT(tf_tunnel_rec, bytes_out, INT64_MIN, INT64_MAX, 0),
};
const tf_codec tf_tunnel_rec_codec =
	TF_CODEC_LENIENT(tf_tunnel_rec, "tunnel record", tunnel_fields);

static const tf_field vol_fields[] = {
	TF_F_STR(tf_vol_rec, volume, REC_ID, TF_FF_REQUIRED),
	TF_F_STR(tf_vol_rec, node, REC_ID, 0),
	TF_F_STR(tf_vol_rec, tag, REC_ID, 0),
	TF_F_INT(tf_vol_rec, node_id, INT64_MIN, INT64_MAX, TF_FF_HAS),
	TF_F_STRV(tf_vol_rec, mounts, REC_ITEMS, 0),
	TF_F_BOOL(tf_vol_rec, snapshot, 0),
	TF_F_INT(tf_vol_rec, user, INT64_MIN, INT64_MAX, 0),
	TF_F_STR(tf_vol_rec, user_name, REC_ID, 0),
	TF_F_INT(tf_vol_rec, size, 0, INT64_MAX, TF_FF_OPT),
};
const tf_codec tf_vol_rec_codec =
	TF_CODEC_LENIENT(tf_vol_rec, "volume record", vol_fields);

static const tf_field image_fields[] = {
	TF_F_STR(tf_image_rec, image, REC_ID, TF_FF_REQUIRED),
	TF_F_STRV(tf_image_rec, names, REC_ITEMS, 0),
	TF_F_STRV(tf_image_rec, layers, REC_ITEMS, 0),
	TF_F_INT(tf_image_rec, size, INT64_MIN, INT64_MAX, 0),
	TF_F_DOUBLE(tf_image_rec, created, 0),
	TF_F_INT(tf_image_rec, user, INT64_MIN, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_image_rec, origin, REC_TEXT, 0),
};
const tf_codec tf_image_rec_codec =
	TF_CODEC_LENIENT(tf_image_rec, "image record", image_fields);

/* In the order of tf_rec_kind. */
static const tf_field offer_fields[] = {
	TF_F_LIST(tf_offer_msg, nodes, REC_ITEMS, &tf_node_rec_codec, 0),
	TF_F_LIST(tf_offer_msg, containers, REC_ITEMS, &tf_ctr_rec_codec, 0),
	TF_F_LIST(tf_offer_msg, tunnels, REC_ITEMS, &tf_tunnel_rec_codec, 0),
	TF_F_LIST(tf_offer_msg, volumes, REC_ITEMS, &tf_vol_rec_codec, 0),
	TF_F_LIST(tf_offer_msg, images, REC_ITEMS, &tf_image_rec_codec, 0),
};
const tf_codec tf_offer_codec =
	TF_CODEC(tf_offer_msg, "offer", offer_fields, false);

TF_CODEC_DEFINE(tf_offer, tf_offer_msg, tf_offer_codec)

const tf_codec *
tf_rec_codec(tf_rec_kind kind)
{
	return kind < TF_REC_KINDS ? offer_fields[kind].sub : NULL;
}

const char *
tf_rec_name(tf_rec_kind kind)
{
	return kind < TF_REC_KINDS ? offer_fields[kind].sub->fields[0].name :
	    "";
}

const char *
tf_rec_list(tf_rec_kind kind)
{
	return kind < TF_REC_KINDS ? offer_fields[kind].name : "";
}

tf_rec_kind
tf_rec_event(const char *cmd, bool *gone)
{
	for (int k = 0; k < TF_REC_KINDS; k++) {
		const char *name = tf_rec_name((tf_rec_kind)k);
		size_t n = strlen(name);

		if (strncmp(cmd, name, n) != 0)
			continue;
		if (cmd[n] == '\0' || strcmp(cmd + n, "_gone") == 0) {
			*gone = cmd[n] != '\0';
			return (tf_rec_kind)k;
		}
	}
	*gone = false;
	return TF_REC_KINDS;
}

void
tf_rec_pack_value(tf_rec_kind kind, const void *rec, msgpack_packer *pk)
{
	tf_codec_pack_value(tf_rec_codec(kind), rec, pk);
}

msgpack_packer *
tf_rec_list_start(tf_rec_kind kind, size_t n, tf_out *o)
{
	msgpack_packer *pk = tf_out_key(o, tf_rec_list(kind));

	msgpack_pack_array(pk, n);
	return pk;
}

void
tf_rec_event_init(tf_rec_kind kind, const void *rec, tf_out *o)
{
	tf_out_init(o, tf_rec_name(kind));
	tf_codec_pack(tf_rec_codec(kind), rec, o);
}

void
tf_rec_gone_init(tf_rec_kind kind, const char *id, tf_out *o)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "%s_gone", tf_rec_name(kind));
	tf_out_init(o, cmd);
	tf_out_str(o, tf_rec_name(kind), id);
}
