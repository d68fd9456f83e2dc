/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The firewall family (docs/PROTOCOL.md, "Firewall"): `allow` and
 * `disallow {container, ip}`, client → location → node.  See tf_codec.h.
 */
#ifndef TF_CODEC_FIREWALL_H
#define TF_CODEC_FIREWALL_H

#include "tf_codec.h"

typedef struct tf_allow_msg {
	uint64_t has;
	const char *container;	/* whose firewall */
	const char *ip;		/* the address let in, or no longer */
} tf_allow_msg;

extern const tf_codec tf_allow_codec;
TF_CODEC_DECLARE(tf_allow, tf_allow_msg);

#endif
