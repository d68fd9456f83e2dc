/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_spawn: the field tables of the spawn family (tf_codec_spawn.h).
 */
#include "tf_codec_spawn.h"

static const tf_field file_fields[] = {
	TF_F_STR(tf_spawn_file, path, TF_SPAWN_MAX_PATH, TF_FF_REQUIRED),
	TF_F_BIN(tf_spawn_file, data, 0, TF_FF_REQUIRED),
};
static const tf_codec file_codec =
	TF_CODEC(tf_spawn_file, "preboot item", file_fields, true);

static const tf_field mount_fields[] = {
	TF_F_STR(tf_spawn_mount, volume, 160, TF_FF_REQUIRED),
	TF_F_STR(tf_spawn_mount, mountpoint, TF_SPAWN_MAX_PATH, TF_FF_REQUIRED),
};
static const tf_codec mount_codec =
	TF_CODEC(tf_spawn_mount, "volumes item", mount_fields, true);

static const tf_field limits_fields[] = {
	TF_F_INT(tf_spawn_limits, memory_mb, 4, 1 << 22, TF_FF_OPT),
	TF_F_INT(tf_spawn_limits, pids, 8, 1 << 22, TF_FF_OPT),
	TF_F_INT(tf_spawn_limits, cpu_shares, 2, 262144, TF_FF_OPT),
};
static const tf_codec limits_codec =
	TF_CODEC(tf_spawn_limits, "limits", limits_fields, false);

static const tf_field spawn_fields[] = {
	TF_F_STR(tf_spawn_msg, image, 127, TF_FF_REQUIRED),
	TF_F_STR(tf_spawn_msg, node, 63, TF_FF_OPT),
	TF_F_STR(tf_spawn_msg, tag, 79, TF_FF_OPT),
	TF_F_STRV(tf_spawn_msg, env, TF_SPAWN_MAX_STRV, 0),
	TF_F_STRV(tf_spawn_msg, command, TF_SPAWN_MAX_STRV, 0),
	TF_F_LIST(tf_spawn_msg, preboot, TF_SPAWN_MAX_PREBOOT, &file_codec,
	    TF_FF_OPT),
	TF_F_BOOL(tf_spawn_msg, sleep, TF_FF_OPT),
	TF_F_LIST(tf_spawn_msg, volumes, TF_SPAWN_MAX_VOLUMES, &mount_codec,
	    TF_FF_OPT),
	TF_F_STRUCT(tf_spawn_msg, limits, &limits_codec, TF_FF_OPT),
	TF_F_STR(tf_spawn_msg, container, 71, TF_FF_OPT),
	TF_F_STRV(tf_spawn_msg, layers, TF_SPAWN_MAX_LAYERS, 0),
	TF_F_MAP(tf_spawn_msg, config, 0),
	TF_F_INT(tf_spawn_msg, user, 0, INT64_MAX, TF_FF_OPT),
	TF_F_STR(tf_spawn_msg, session, 71, TF_FF_OPT),
};
const tf_codec tf_spawn_codec =
	TF_CODEC(tf_spawn_msg, "spawn", spawn_fields, false);

static const tf_field reply_fields[] = {
	TF_F_STR(tf_spawn_reply, container, 63, TF_FF_REQUIRED),
	TF_F_STR(tf_spawn_reply, node, 63, TF_FF_OPT),
};
const tf_codec tf_spawn_reply_codec =
	TF_CODEC(tf_spawn_reply, "spawn reply", reply_fields, false);

static const tf_field spec_msg_fields[] = {
	TF_F_STR(tf_ctr_spec_msg, container, 71, TF_FF_REQUIRED),
};
const tf_codec tf_ctr_spec_msg_codec =
	TF_CODEC(tf_ctr_spec_msg, "ctr_spec", spec_msg_fields, false);

static const tf_field spec_file_fields[] = {
	TF_F_STR(tf_spec_file, path, TF_SPAWN_MAX_PATH, TF_FF_REQUIRED),
	TF_F_INT(tf_spec_file, size, 0, INT64_MAX, TF_FF_REQUIRED),
};
static const tf_codec spec_file_codec =
	TF_CODEC(tf_spec_file, "preboot item", spec_file_fields, true);

static const tf_field spec_fields[] = {
	TF_F_STR(tf_ctr_spec, container, 71, TF_FF_REQUIRED),
	TF_F_STR(tf_ctr_spec, image, 127, TF_FF_OPT),
	TF_F_STR(tf_ctr_spec, tag, 79, TF_FF_OPT),
	TF_F_STRV(tf_ctr_spec, command, TF_SPAWN_MAX_STRV, 0),
	TF_F_STRV(tf_ctr_spec, env, TF_SPAWN_MAX_STRV, 0),
	TF_F_LIST(tf_ctr_spec, preboot, TF_SPAWN_MAX_PREBOOT, &spec_file_codec,
	    TF_FF_OPT),
	TF_F_LIST(tf_ctr_spec, volumes, TF_SPAWN_MAX_VOLUMES, &mount_codec,
	    TF_FF_OPT),
	TF_F_STRUCT(tf_ctr_spec, limits, &limits_codec, TF_FF_OPT),
	TF_F_BOOL(tf_ctr_spec, sleep, TF_FF_OPT),
};
const tf_codec tf_ctr_spec_codec =
	TF_CODEC(tf_ctr_spec, "ctr_spec reply", spec_fields, false);

TF_CODEC_DEFINE(tf_spawn, tf_spawn_msg, tf_spawn_codec)
TF_CODEC_DEFINE(tf_spawn_reply, tf_spawn_reply, tf_spawn_reply_codec)
TF_CODEC_DEFINE(tf_ctr_spec_msg, tf_ctr_spec_msg, tf_ctr_spec_msg_codec)
TF_CODEC_DEFINE(tf_ctr_spec, tf_ctr_spec, tf_ctr_spec_codec)
