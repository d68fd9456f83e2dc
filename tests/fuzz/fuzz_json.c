/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_json: JSON bodies: JSON that the location stores and hands on as
 * msgpack (tf_json_pack, then back with tf_json_from_obj, as image
 * configs travel), and in a build with the demo location (-Ddemo=true)
 * the text it turns into messages (con_json_to_msgpack: demo feeds).
 */
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_HAVE_DEMO
#include "con_demo.h"
#endif
#include "fuzz.h"
#include "tf_err.h"
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
#ifdef FUZZ_HAVE_DEMO
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	msgpack_sbuffer_init(&sb);
	con_json_to_msgpack(text, &sb, &err);
	msgpack_sbuffer_destroy(&sb);
	free(text);
#else
	(void)text;
	(void)err;
#endif

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
