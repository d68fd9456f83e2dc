/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stream flow control (docs/PROTOCOL.md, "Framing"): `ack {ref, bytes,
 * conn?}` gives credit back to a stream, `unsub {ref}` ends one.  See
 * tf_codec.h.
 */
#ifndef TF_CODEC_FLOW_H
#define TF_CODEC_FLOW_H

#include "tf_codec.h"

typedef struct tf_flow_msg {
	uint64_t has;
	int64_t ref;		/* the stream's request id */
	int64_t bytes;		/* ack */
	int64_t conn;		/* ack of a tunnel's connection (TF_SET) */
} tf_flow_msg;

extern const tf_codec tf_flow_codec;
TF_CODEC_DECLARE(tf_flow, tf_flow_msg);

#endif
