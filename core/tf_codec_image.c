/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_image: the field table of the image family (tf_codec_image.h).
 */
#include "tf_codec_image.h"

static const tf_field image_fields[] = {
	TF_F_STR(tf_image_msg, image, 127, TF_FF_OPT),
	TF_F_STRV(tf_image_msg, names, TF_IMAGE_MAX_NAMES, 0),
	TF_F_STRV(tf_image_msg, layers, TF_IMAGE_MAX_LAYERS, 0),
	TF_F_MAP(tf_image_msg, config, 0),
	TF_F_STRV(tf_image_msg, missing, TF_IMAGE_MAX_LAYERS, 0),
	TF_F_STR(tf_image_msg, sha256, 71, TF_FF_OPT),
	TF_F_INT(tf_image_msg, offset, 0, INT64_MAX, TF_FF_HAS),
	TF_F_BOOL(tf_image_msg, last, TF_FF_HAS),
	TF_F_INT(tf_image_msg, received, 0, INT64_MAX, TF_FF_HAS),
	TF_F_BOOL(tf_image_msg, complete, TF_FF_HAS),
	TF_F_INT(tf_image_msg, size, 0, INT64_MAX, TF_FF_HAS),
	TF_F_BOOL(tf_image_msg, eof, TF_FF_HAS),
	TF_F_STR(tf_image_msg, origin, 511, TF_FF_OPT),
	TF_F_STR(tf_image_msg, compression, 15, TF_FF_OPT),
};
const tf_codec tf_image_codec =
	TF_CODEC(tf_image_msg, "image", image_fields, false);

TF_CODEC_DEFINE(tf_image_msg, tf_image_msg, tf_image_codec)
