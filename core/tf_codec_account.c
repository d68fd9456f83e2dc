/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_account: the field table of invite, enrol and find
 * (tf_codec_account.h).  A find's name is checked as a container or
 * volume reference by the location (tf_name.h), after unpacking; the
 * length here only bounds it.
 */
#include "tf_codec_account.h"

static const tf_field account_fields[] = {
	TF_F_STR(tf_account_msg, name, 159, TF_FF_OPT),
	TF_F_BOOL(tf_account_msg, admin, TF_FF_OPT),
	TF_F_STR(tf_account_msg, token, TF_TOKEN_MAX - 1, TF_FF_OPT),
	TF_F_INT(tf_account_msg, user, 0, INT64_MAX, TF_FF_OPT),
	TF_F_STR(tf_account_msg, kind, 15, TF_FF_OPT),
	TF_F_OBJ(tf_account_msg, record, TF_FF_OPT),
};
const tf_codec tf_account_codec = TF_CODEC(tf_account_msg, "account",
    account_fields, false);

TF_CODEC_DEFINE(tf_account, tf_account_msg, tf_account_codec)
