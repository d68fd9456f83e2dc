/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_json: converts JSON (demo feed files, canned offers) into msgpack so
 * that demo pushes take the same path as real ones.  JSON integers become
 * msgpack integers, reals floats, strings str; nothing else is special.
 */
#include <jansson.h>
#include <string.h>

#include "con_demo.h"

#define CON_JSON_DEPTH 32

static int
con_json_pack(msgpack_packer *pk, json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i, len;

	if (depth > CON_JSON_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(j));
		json_object_foreach(j, key, v) {
			len = strlen(key);
			msgpack_pack_str(pk, len);
			msgpack_pack_str_body(pk, key, len);
			if (con_json_pack(pk, v, depth + 1) != 0)
				return -1;
		}
		return 0;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(j));
		json_array_foreach(j, i, v) {
			if (con_json_pack(pk, v, depth + 1) != 0)
				return -1;
		}
		return 0;
	case JSON_STRING:
		len = json_string_length(j);
		msgpack_pack_str(pk, len);
		msgpack_pack_str_body(pk, json_string_value(j), len);
		return 0;
	case JSON_INTEGER:
		msgpack_pack_int64(pk, json_integer_value(j));
		return 0;
	case JSON_REAL:
		msgpack_pack_double(pk, json_real_value(j));
		return 0;
	case JSON_TRUE:
		msgpack_pack_true(pk);
		return 0;
	case JSON_FALSE:
		msgpack_pack_false(pk);
		return 0;
	case JSON_NULL:
		msgpack_pack_nil(pk);
		return 0;
	}
	return -1;
}

int
con_json_to_msgpack(const char *text, msgpack_sbuffer *sb, tf_err *err)
{
	json_error_t jerr;
	msgpack_packer pk;
	json_t *j;
	int rc;

	j = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (j == NULL)
		return tf_err_set(err, "line %d: %s", jerr.line, jerr.text);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	rc = con_json_pack(&pk, j, 0);
	json_decref(j);
	if (rc != 0)
		return tf_err_set(err, "JSON nested too deeply");
	return 0;
}
