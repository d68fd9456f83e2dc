/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_session: the field tables of hello and welcome
 * (tf_codec_session.h).
 */
#include "tf_codec_session.h"

/* The bounds are the receivers' buffers: what does not fit is left out
 * (the codecs are lenient), as tf_obj_str refused it before. */

static const tf_field hello_fields[] = {
	TF_F_STR(tf_hello_msg, role, 15, 0),
	TF_F_STR(tf_hello_msg, name, 127, 0),
	TF_F_INT(tf_hello_msg, pid, 0, INT32_MAX, TF_FF_OPT),
	TF_F_STR(tf_hello_msg, session, 31, TF_FF_OPT),
	TF_F_STR(tf_hello_msg, address, 15, TF_FF_OPT),
};
const tf_codec tf_hello_codec =
	TF_CODEC_LENIENT(tf_hello_msg, "hello", hello_fields);

static const tf_field welcome_fields[] = {
	TF_F_STR(tf_welcome_msg, node, 63, TF_FF_OPT),
	TF_F_INT(tf_welcome_msg, node_id, INT64_MIN, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_welcome_msg, session, 63, 0),
	TF_F_INT(tf_welcome_msg, user, INT64_MIN, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_welcome_msg, user_name, 63, TF_FF_OPT),
	TF_F_BOOL(tf_welcome_msg, admin, TF_FF_HAS),
	TF_F_STR(tf_welcome_msg, subnet, 31, TF_FF_OPT),
	TF_F_STR(tf_welcome_msg, gateway, 31, TF_FF_OPT),
	TF_F_BOOL(tf_welcome_msg, resumed, 0),
	TF_F_INT(tf_welcome_msg, heartbeat_ms, 0, INT64_MAX, 0),
	TF_F_INT(tf_welcome_msg, boot, 0, INT64_MAX, TF_FF_OPT),
};
const tf_codec tf_welcome_codec =
	TF_CODEC_LENIENT(tf_welcome_msg, "welcome", welcome_fields);

TF_CODEC_DEFINE(tf_hello, tf_hello_msg, tf_hello_codec)
TF_CODEC_DEFINE(tf_welcome, tf_welcome_msg, tf_welcome_codec)
