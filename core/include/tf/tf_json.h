/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_json: conversions between decoded msgpack objects and jansson values,
 * for image configs (JSON on disk, msgpack on the wire) and for tools that
 * print JSON (tfresources).
 */
#ifndef TF_JSON_H
#define TF_JSON_H

#include <jansson.h>
#include <msgpack.h>

/* New reference; bin becomes a base64 string. */
json_t *tf_json_from_obj(const msgpack_object *o);
/* Packs any JSON value as msgpack. */
void tf_json_pack(msgpack_packer *pk, const json_t *j);

#endif
