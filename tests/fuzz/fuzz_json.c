/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_json: JSON bodies: text the console turns into messages
 * (con_json_to_msgpack: demo feeds, canned offers), and JSON that the
 * location stores and hands on as msgpack (tf_json_pack, then back with
 * tf_json_from_obj, as image configs travel).
 */
#include <stdlib.h>
#include <string.h>

#include "con_backend.h"
#include "fuzz.h"
#include "tf_json.h"
#include "tf_log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
	json_t *j, *back;
	tf_err err;
	char *text;

	tf_log_setup(TF_LOG_ERROR, "fuzz_json", NULL);
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	msgpack_sbuffer_init(&sb);
	con_json_to_msgpack(text, &sb, &err);
	msgpack_sbuffer_destroy(&sb);
	free(text);

	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return 0;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	tf_json_pack(&pk, j);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, sb.data, sb.size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS) {
		back = tf_json_from_obj(&u.data);
		json_decref(back);
	}
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
	json_decref(j);
	return 0;
}
