/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_tunnel: the field table of the tunnel family
 * (tf_codec_tunnel.h).
 */
#include "tf_codec_tunnel.h"

static const tf_field tunnel_fields[] = {
	TF_F_STR(tf_tunnel_msg, tunnel, 71, TF_FF_OPT),
	TF_F_STR(tf_tunnel_msg, container, 160, TF_FF_OPT),
	TF_F_INT(tf_tunnel_msg, port, 0, 65535, TF_FF_OPT),
	TF_F_INT(tf_tunnel_msg, localport, 0, 65535, TF_FF_HAS),
	TF_F_INT(tf_tunnel_msg, conn, 0, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_tunnel_msg, event, 15, TF_FF_OPT),
	TF_F_STR(tf_tunnel_msg, error, 4095, TF_FF_HAS),
	TF_F_INT(tf_tunnel_msg, bytes, 0, INT64_MAX, TF_FF_HAS),
	TF_F_BOOL(tf_tunnel_msg, both, TF_FF_HAS),
};
const tf_codec tf_tunnel_codec =
	TF_CODEC(tf_tunnel_msg, "tunnel", tunnel_fields, false);

TF_CODEC_DEFINE(tf_tunnel, tf_tunnel_msg, tf_tunnel_codec)
