/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_firewall: the field table of allow and disallow
 * (tf_codec_firewall.h).
 */
#include "tf_codec_firewall.h"

static const tf_field allow_fields[] = {
	TF_F_STR(tf_allow_msg, container, 71, TF_FF_REQUIRED),
	TF_F_STR(tf_allow_msg, ip, 63, TF_FF_REQUIRED),
};
const tf_codec tf_allow_codec =
	TF_CODEC(tf_allow_msg, "allow", allow_fields, false);

TF_CODEC_DEFINE(tf_allow, tf_allow_msg, tf_allow_codec)
