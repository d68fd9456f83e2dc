/* SPDX-License-Identifier: BSD-2-Clause */
/* tf_json: msgpack <-> JSON (jansson) conversions; see tf_json.h. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tf_json.h"
#include "tf_msg.h"
#include "tf_util.h"

json_t *
tf_json_from_obj(const msgpack_object *o)
{
	json_t *j;

	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return json_null();
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer((json_int_t)o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR:
		return json_stringn(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN: {
		size_t n = sodium_base64_encoded_len(o->via.bin.size,
		    sodium_base64_VARIANT_ORIGINAL);
		char *b = tf_malloc(n);

		sodium_bin2base64(b, n, (const unsigned char *)o->via.bin.ptr,
		    o->via.bin.size, sodium_base64_VARIANT_ORIGINAL);
		j = json_string(b);
		free(b);
		return j;
	}
	case MSGPACK_OBJECT_ARRAY:
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j,
			    tf_json_from_obj(&o->via.array.ptr[i]));
		return j;
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			char key[256];

			if (tf_obj_as_str(&kv->key, key, sizeof key) != 0)
				continue;
			json_object_set_new(j, key, tf_json_from_obj(&kv->val));
		}
		return j;
	default:
		return json_null();
	}
}

void
tf_json_pack(msgpack_packer *pk, const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(j));
		json_object_foreach((json_t *)j, key, v) {
			tf_pack_str(pk, key);
			tf_json_pack(pk, v);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(j));
		json_array_foreach(j, i, v)
			tf_json_pack(pk, v);
		break;
	case JSON_STRING:
		msgpack_pack_str(pk, json_string_length(j));
		msgpack_pack_str_body(pk, json_string_value(j),
		    json_string_length(j));
		break;
	case JSON_INTEGER:
		msgpack_pack_int64(pk, json_integer_value(j));
		break;
	case JSON_REAL:
		msgpack_pack_double(pk, json_real_value(j));
		break;
	case JSON_TRUE:
		msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		msgpack_pack_false(pk);
		break;
	default:
		msgpack_pack_nil(pk);
		break;
	}
}

char *
tf_obj_to_json(const msgpack_object *o, bool pretty)
{
	json_t *j = tf_json_from_obj(o);
	char *s = json_dumps(j, (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
	    JSON_SORT_KEYS | JSON_ENCODE_ANY);

	json_decref(j);
	return s;
}
