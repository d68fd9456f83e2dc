/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key/value family (docs/PROTOCOL.md, `kv_get`, `kv_set`, `kv_del`,
 * `kv_list` and their answers): one struct, each message sends the fields
 * it uses.  See tf_codec.h.
 */
#ifndef TF_CODEC_KV_H
#define TF_CODEC_KV_H

#include "tf_codec.h"

#define TF_KV_KEY_MAX	255		/* bytes in a key */
#define TF_KV_VALUE_MAX	(1u << 20)	/* packed bytes of one value */
#define TF_KV_LIST_MAX	10000000	/* keys in one kv_list answer */

typedef struct tf_kv_msg {
	uint64_t has;
	const char *key;		/* kv_get, kv_del */
	const msgpack_object *pairs;	/* kv_set: {key: value} */
	const char *prefix;		/* kv_list */
	const msgpack_object *value;	/* ^ of kv_get */
	const char *const *keys;	/* ^ of kv_list */
	size_t n_keys;
} tf_kv_msg;

extern const tf_codec tf_kv_codec;
TF_CODEC_DECLARE(tf_kv, tf_kv_msg);

#endif
