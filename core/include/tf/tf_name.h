/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_name: one validator per kind of name a request carries, applied once
 * where the request enters (the location's handlers) and before any
 * lookup, so that no lookup ever sees an empty or malformed name.  Each
 * validator names the field in its error ("parameter container: ...").
 *
 *   container, volume  a uuid, a tag, or uuid:tag (both parts non-empty)
 *   tag                1..64 of [0-9a-z-_.], not shaped like a uuid
 *   uuid               22 characters of the shortuuid alphabet (tunnels)
 *   node               1..63 of [A-Za-z0-9-_.], or a node's numeric id
 *   domain             a DNS name: labels of 1..63 [a-z0-9-] (no leading
 *                      or trailing '-'), at most 253 bytes in all
 *   key                a KV key: 1..255 bytes of UTF-8, no control
 *                      characters
 * Every kind is valid UTF-8 without control characters.
 */
#ifndef TF_NAME_H
#define TF_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "tf_err.h"
#include "tf_msg.h"

#define TF_NAME_TAG_MAX 64
#define TF_NAME_REF_MAX (22 + 1 + TF_NAME_TAG_MAX)
#define TF_NAME_NODE_MAX 63
#define TF_NAME_DOMAIN_MAX 253
#define TF_NAME_KEY_MAX 255

/* Each returns 0, or fills err naming field and returns -1. */
typedef int tf_name_fn(const char *field, const char *s, tf_err *err);
tf_name_fn tf_name_container;
tf_name_fn tf_name_volume;
tf_name_fn tf_name_tag;
tf_name_fn tf_name_uuid;
tf_name_fn tf_name_node;
tf_name_fn tf_name_domain;
tf_name_fn tf_name_key;

/* True when the len bytes at s are well-formed UTF-8 (no overlong forms,
 * surrogates or code points past U+10FFFF). */
bool tf_utf8_valid(const char *s, size_t len);

/* Reads the string param field of m into buf and checks it with check:
 * 0 when present and valid, 1 when absent and not required, -1 with err
 * naming the field otherwise. */
int tf_msg_name(const tf_msg *m, const char *field, tf_name_fn *check,
		char *buf, size_t size, bool required, tf_err *err);

void tf_name_test(bool verbose);

#endif
