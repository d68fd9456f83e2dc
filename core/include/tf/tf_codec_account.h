/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Accounts and lookups (docs/PROTOCOL.md): `invite {name, admin}` answered
 * by `{token}`, `enrol {token}` (on the enrolment socket) answered by
 * `{user, name}`, and `find {name}` answered by `{kind, record}` where
 * record is an offer record (tf_codec_offer.h) passed through.  See
 * tf_codec.h.
 */
#ifndef TF_CODEC_ACCOUNT_H
#define TF_CODEC_ACCOUNT_H

#include "tf_codec.h"
#include "tf_keys.h"

#define TF_ACCOUNT_NAME_MAX	63	/* bytes in an account's name */

typedef struct tf_account_msg {
	uint64_t has;
	const char *name;		/* invite, find, ^ of enrol */
	bool admin;			/* invite */
	const char *token;		/* enrol, ^ of invite */
	int64_t user;			/* ^ of enrol */
	const char *kind;		/* ^ of find: "container", "volume" */
	const msgpack_object *record;	/* ^ of find */
} tf_account_msg;

extern const tf_codec tf_account_codec;
TF_CODEC_DECLARE(tf_account, tf_account_msg);

#endif
