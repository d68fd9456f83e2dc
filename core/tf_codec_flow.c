/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_flow: the field table of ack and unsub (tf_codec_flow.h).
 */
#include "tf_codec_flow.h"

static const tf_field flow_fields[] = {
	TF_F_INT(tf_flow_msg, ref, 1, INT64_MAX, TF_FF_REQUIRED),
	TF_F_INT(tf_flow_msg, bytes, 0, INT64_MAX, TF_FF_OPT),
	TF_F_INT(tf_flow_msg, conn, 0, INT64_MAX, TF_FF_HAS),
};
const tf_codec tf_flow_codec = TF_CODEC(tf_flow_msg, "ack", flow_fields, false);

TF_CODEC_DEFINE(tf_flow, tf_flow_msg, tf_flow_codec)
