/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_stream: the field table of stream items (tf_codec_stream.h).
 * Ranges are what a reader can act on: an fd it can route, a signal
 * number a shell can add to 128.
 */
#include "tf_codec_stream.h"

static const tf_field item_fields[] = {
	TF_F_STR(tf_item_msg, event, 31, TF_FF_OPT),
	TF_F_INT(tf_item_msg, pid, 0, INT32_MAX, TF_FF_OPT),
	TF_F_INT(tf_item_msg, fd, 0, 2, TF_FF_OPT),
	TF_F_INT(tf_item_msg, at, 0, INT64_MAX, TF_FF_HAS),
	TF_F_INT(tf_item_msg, dropped, 0, INT64_MAX, TF_FF_OPT),
	TF_F_INT(tf_item_msg, exit_code, INT32_MIN, INT32_MAX, TF_FF_HAS),
	TF_F_INT(tf_item_msg, signal, 0, 128, TF_FF_OPT),
};
const tf_codec tf_item_codec = TF_CODEC(tf_item_msg, "stream item",
    item_fields, false);

TF_CODEC_DEFINE(tf_item, tf_item_msg, tf_item_codec)
