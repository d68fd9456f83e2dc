/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-account quotas (docs/PROTOCOL.md, "offer"; docs/SECURITY.md,
 * "Quotas"): the offer's `quota` list, one `{kind, limit, used}` an
 * account limit, so that `tf --quota`, tfresources and tfcon show the use
 * beside the limit.  See tf_codec.h.
 */
#ifndef TF_CODEC_QUOTA_H
#define TF_CODEC_QUOTA_H

#include "tf_codec.h"

#define TF_QUOTA_MAX_KINDS	16
#define TF_QUOTA_KIND_MAX	31	/* longest kind name */

/* One limit: kind is "containers", "tunnels", "volumes", "sessions",
 * "kv_entries", "kv_bytes" or "volume_bytes"; limit 0 is "not limited". */
typedef struct tf_quota_item {
	uint64_t has;
	const char *kind;
	int64_t limit;
	int64_t used;
} tf_quota_item;

/* The offer's (and a `quota` answer's) `quota: [...]`. */
typedef struct tf_quota_msg {
	uint64_t has;
	tf_quota_item *quota;
	size_t n_quota;
} tf_quota_msg;

extern const tf_codec tf_quota_codec;
TF_CODEC_DECLARE(tf_quota, tf_quota_msg);

#endif
