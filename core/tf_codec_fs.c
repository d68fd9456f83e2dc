/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_fs: the field tables of the fs family (tf_codec_fs.h).
 */
#include <string.h>

#include "tf_codec_fs.h"

static const tf_field fs_fields[] = {
	TF_F_STR(tf_fs_msg, container, 160, TF_FF_REQUIRED),
	TF_F_STR(tf_fs_msg, op, 16, TF_FF_REQUIRED),
	TF_F_STR(tf_fs_msg, path, TF_FILE_PATH_MAX, TF_FF_REQUIRED),
	TF_F_STR(tf_fs_msg, path2, TF_FILE_PATH_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, offset, 0, INT64_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, length, 0, INT64_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, mode, 0, 07777, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, flags, 0, 0x1f, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, atime, 0, INT64_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_msg, mtime, 0, INT64_MAX, TF_FF_OPT),
};
const tf_codec tf_fs_codec = TF_CODEC(tf_fs_msg, "fs", fs_fields, false);

static const tf_field stat_fields[] = {
	TF_F_STR(tf_fs_stat, name, TF_FS_NAME_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_stat, mode, 0, UINT32_MAX, 0),
	TF_F_INT(tf_fs_stat, size, 0, INT64_MAX, 0),
	TF_F_INT(tf_fs_stat, uid, 0, UINT32_MAX, 0),
	TF_F_INT(tf_fs_stat, gid, 0, UINT32_MAX, 0),
	TF_F_INT(tf_fs_stat, atime, 0, INT64_MAX, 0),
	TF_F_INT(tf_fs_stat, mtime, 0, INT64_MAX, 0),
	TF_F_INT(tf_fs_stat, nlink, 0, INT64_MAX, 0),
};
const tf_codec tf_fs_stat_codec =
	TF_CODEC(tf_fs_stat, "fs entry", stat_fields, false);

static const tf_field reply_fields[] = {
	TF_F_STRUCT(tf_fs_reply, stat, &tf_fs_stat_codec, TF_FF_HAS),
	TF_F_LIST(tf_fs_reply, entries, TF_FS_LIST_MAX, &tf_fs_stat_codec,
	    TF_FF_OPT),
	TF_F_BOOL(tf_fs_reply, eof, TF_FF_OPT),
	TF_F_STR(tf_fs_reply, target, TF_FILE_PATH_MAX, TF_FF_OPT),
	TF_F_INT(tf_fs_reply, written, 0, INT64_MAX, TF_FF_HAS),
};
const tf_codec tf_fs_reply_codec =
	TF_CODEC(tf_fs_reply, "fs answer", reply_fields, false);

TF_CODEC_DEFINE(tf_fs, tf_fs_msg, tf_fs_codec)
TF_CODEC_DEFINE(tf_fs_reply, tf_fs_reply, tf_fs_reply_codec)

int
tf_fs_error_errno(const msgpack_object *params)
{
	int64_t e = 0;

	if (params == NULL ||
	    tf_obj_int(params, "errno", &e, 0, 4095, false, NULL) != 0)
		return 0;
	return (int)e;
}

bool
tf_fs_op_valid(const char *op)
{
	static const char *const ops[] = { "stat", "lstat", "list", "mkdir",
	    "rmdir", "remove", "rename", "symlink", "readlink", "open",
	    "write", "truncate", "chmod", "utimes", NULL };

	for (size_t i = 0; ops[i] != NULL; i++)
		if (strcmp(ops[i], op) == 0)
			return true;
	return false;
}
