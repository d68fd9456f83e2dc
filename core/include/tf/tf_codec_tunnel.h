/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tunnel family (docs/PROTOCOL.md, "Streams in detail", `tunnel`):
 * `tunnel`, `tcp_open`, `tcp_data`, `tcp_close`, `tunnel_close`, the
 * stream items `~ {conn, event, ...}` and `tunnel_gone`, in one struct;
 * each message sends the fields it uses.  Tunnel data is the bulk frame,
 * never re-encoded.  See tf_codec.h.
 */
#ifndef TF_CODEC_TUNNEL_H
#define TF_CODEC_TUNNEL_H

#include "tf_codec.h"

typedef struct tf_tunnel_msg {
	uint64_t has;
	const char *tunnel;
	const char *container;	/* tunnel */
	int64_t port;		/* tunnel: the container's port */
	int64_t localport;	/* tunnel: the client's, for the record */
	int64_t conn;		/* tcp_*, stream items (TF_SET: 0 is one) */
	const char *event;	/* stream items: ready, open, data, close,
				 * ack, error */
	const char *error;	/* event error, tunnel_gone */
	int64_t bytes;		/* event ack (TF_SET) */
	bool both;		/* tcp_close, event close (TF_SET) */
} tf_tunnel_msg;

extern const tf_codec tf_tunnel_codec;
TF_CODEC_DECLARE(tf_tunnel, tf_tunnel_msg);

#endif
