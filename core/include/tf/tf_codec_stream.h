/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The items of a `logs` or `proc` stream and the answer that ends a `proc`
 * (docs/PROTOCOL.md, "Streams in detail"): one struct, each item sends
 * the fields it uses.  The bytes themselves travel as the item's bulk.
 * See tf_codec.h.
 */
#ifndef TF_CODEC_STREAM_H
#define TF_CODEC_STREAM_H

#include "tf_codec.h"

typedef struct tf_item_msg {
	uint64_t has;
	const char *event;	/* proc: "started" */
	int64_t pid;		/* proc "started": pid inside the container */
	int64_t fd;		/* 1 stdout, 2 stderr (0: none) */
	int64_t at;		/* logs: offset of the bulk's first byte (TF_SET) */
	int64_t dropped;	/* logs: bytes lost since the last item */
	int64_t exit_code;	/* proc's final answer (TF_SET) */
	int64_t signal;		/* proc's final answer: 0 unless killed */
} tf_item_msg;

extern const tf_codec tf_item_codec;
TF_CODEC_DECLARE(tf_item, tf_item_msg);

#endif
