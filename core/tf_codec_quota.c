/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_quota: the field tables of the quota list (tf_codec_quota.h).
 */
#include "tf_codec_quota.h"

static const tf_field item_fields[] = {
	TF_F_STR(tf_quota_item, kind, TF_QUOTA_KIND_MAX, TF_FF_REQUIRED),
	TF_F_INT(tf_quota_item, limit, 0, INT64_MAX, 0),
	TF_F_INT(tf_quota_item, used, 0, INT64_MAX, 0),
};
static const tf_codec item_codec =
	TF_CODEC(tf_quota_item, "quota item", item_fields, false);

static const tf_field quota_fields[] = {
	TF_F_LIST(tf_quota_msg, quota, TF_QUOTA_MAX_KINDS, &item_codec, 0),
};
const tf_codec tf_quota_codec =
	TF_CODEC(tf_quota_msg, "quota", quota_fields, false);

TF_CODEC_DEFINE(tf_quota, tf_quota_msg, tf_quota_codec)
