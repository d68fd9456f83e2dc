/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The volume family (docs/PROTOCOL.md, `vol_create`, `vol_destroy`,
 * `vol_snapshot`, `vol_rollback`, from a client to the location and from
 * the location to a node, and the answer `^ {volume}`).  See tf_codec.h.
 */
#ifndef TF_CODEC_VOL_H
#define TF_CODEC_VOL_H

#include "tf_codec.h"

typedef struct tf_vol_msg {
	uint64_t has;
	const char *volume;	/* uuid, tag or uuid:tag from a client; the
				 * id to a node and in the answer */
	const char *node;	/* vol_create from a client: where */
	const char *tag;	/* vol_create */
	int64_t user;		/* to a node: the owner */
	int64_t size;		/* vol_create: bytes it may hold (from a
				 * client, 0: the location's default; to a
				 * node, 0: not limited) */
} tf_vol_msg;

extern const tf_codec tf_vol_codec;
TF_CODEC_DECLARE(tf_vol, tf_vol_msg);

#endif
