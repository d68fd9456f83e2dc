/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_file: the field tables of the file family (tf_codec_file.h).
 */
#include "tf_codec_file.h"

static const tf_field file_fields[] = {
	TF_F_STR(tf_file_msg, container, 160, TF_FF_REQUIRED),
	TF_F_STR(tf_file_msg, path, TF_FILE_PATH_MAX, TF_FF_REQUIRED),
	TF_F_INT(tf_file_msg, offset, 0, INT64_MAX, 0),
	TF_F_BOOL(tf_file_msg, last, TF_FF_HAS),
	TF_F_INT(tf_file_msg, mode, 0, 07777, TF_FF_OPT),
	TF_F_INT(tf_file_msg, length, 0, TF_FETCH_MAX, TF_FF_HAS),
};
const tf_codec tf_file_codec =
	TF_CODEC(tf_file_msg, "put/fetch", file_fields, false);

static const tf_field reply_fields[] = {
	TF_F_INT(tf_file_reply, written, 0, INT64_MAX, TF_FF_HAS),
	TF_F_INT(tf_file_reply, size, 0, INT64_MAX, TF_FF_HAS),
	TF_F_BOOL(tf_file_reply, eof, TF_FF_HAS),
};
const tf_codec tf_file_reply_codec =
	TF_CODEC(tf_file_reply, "put/fetch answer", reply_fields, false);

TF_CODEC_DEFINE(tf_file, tf_file_msg, tf_file_codec)
TF_CODEC_DEFINE(tf_file_reply, tf_file_reply, tf_file_reply_codec)
