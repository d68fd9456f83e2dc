/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_msg: a message header as every program reads it from the wire
 * (tf_msg_decode: msgpack [cmd, id, params]), then the typed accessors
 * the location's handlers use on its params, the name validators, the
 * message codecs (core/tf_codec_*.c: unpacked, and what unpacks packed
 * again), and the msgpack → JSON conversion (tf_json_from_obj) the SDK
 * applies to replies.
 */
#include <string.h>

#include "fuzz.h"
#include "tf_codec_spawn.h"
#include "tf_json.h"
#include "tf_log.h"
#include "tf_msg.h"
#include "tf_name.h"

static const char *const keys[] = { "container", "name", "key", "tag",
    "node", "volume", "tunnel", "image", "prefix", "error", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tf_msg m;
	tf_err err;
	char buf[256];
	int64_t i;
	double d;
	bool b;
	const uint8_t *p;
	size_t n;
	const msgpack_object_array *arr;
	const msgpack_object *map;
	json_t *j;

	memset(&m, 0, sizeof m);
	tf_log_setup(TF_LOG_ERROR, "fuzz_msg", NULL);
	if (tf_msg_decode(&m, data, size, &err) != 0) {
		tf_msg_fini(&m);
		return 0;
	}
	for (size_t k = 0; keys[k] != NULL; k++) {
		tf_msg_name(&m, keys[k], tf_name_container, buf, sizeof buf,
		    false, &err);
		tf_msg_name(&m, keys[k], tf_name_key, buf, sizeof buf, false,
		    &err);
		tf_msg_name(&m, keys[k], tf_name_node, buf, sizeof buf, false,
		    &err);
		tf_msg_name(&m, keys[k], tf_name_domain, buf, sizeof buf, false,
		    &err);
		tf_msg_int(&m, keys[k], &i, 0, 65535, false, &err);
		tf_obj_double(m.params, keys[k], &d, false, &err);
		tf_obj_bool(m.params, keys[k], &b, false, &err);
		tf_obj_bin(m.params, keys[k], &p, &n, 1u << 20, false, &err);
		tf_obj_array(m.params, keys[k], &arr, 64, false, &err);
		tf_obj_map(m.params, keys[k], &map, false, &err);
	}
	{
		tf_spawn_msg sm;
		tf_spawn_reply sr;
		tf_out o;

		if (tf_spawn_unpack(m.params, &sm, &err) == 0) {
			tf_out_init(&o, "spawn");
			tf_spawn_pack(&sm, &o);
			tf_out_fini(&o);
			tf_spawn_free(&sm);
		}
		if (tf_spawn_reply_unpack(m.params, &sr, &err) == 0)
			tf_spawn_reply_free(&sr);
	}
	j = tf_json_from_obj(m.params);
	json_decref(j);
	tf_msg_fini(&m);
	return 0;
}
