/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_vol: the field table of the volume family (tf_codec_vol.h).
 */
#include "tf_codec_vol.h"

static const tf_field vol_fields[] = {
	TF_F_STR(tf_vol_msg, volume, 159, TF_FF_OPT),
	TF_F_STR(tf_vol_msg, node, 63, TF_FF_OPT),
	TF_F_STR(tf_vol_msg, tag, 79, 0),
	TF_F_INT(tf_vol_msg, user, 0, INT64_MAX, TF_FF_HAS),
	TF_F_INT(tf_vol_msg, size, 0, INT64_MAX, TF_FF_OPT),
};
const tf_codec tf_vol_codec = TF_CODEC(tf_vol_msg, "volume", vol_fields, false);

TF_CODEC_DEFINE(tf_vol, tf_vol_msg, tf_vol_codec)
