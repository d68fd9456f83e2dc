/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_kv: the field table of the key/value family (tf_codec_kv.h).
 * The keys inside kv_set's pairs are checked by the location as it
 * stores them (their number and sizes depend on the account's limits).
 */
#include "tf_codec_kv.h"

static const tf_field kv_fields[] = {
	TF_F_STR(tf_kv_msg, key, TF_KV_KEY_MAX, 0),
	TF_F_MAP(tf_kv_msg, pairs, 0),
	TF_F_STR(tf_kv_msg, prefix, TF_KV_KEY_MAX, 0),
	TF_F_OBJ(tf_kv_msg, value, 0),
	TF_F_STRV(tf_kv_msg, keys, TF_KV_LIST_MAX, 0),
};
const tf_codec tf_kv_codec = TF_CODEC(tf_kv_msg, "kv", kv_fields, false);

TF_CODEC_DEFINE(tf_kv, tf_kv_msg, tf_kv_codec)
