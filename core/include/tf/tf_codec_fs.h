/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fs family (docs/PROTOCOL.md, `fs`): single file-system operations
 * inside a container, for the SFTP server (tf_ssh_sftp.c) and any client
 * that needs more than put and fetch.  One request `fs {container, op,
 * path, ...}` names the operation in `op`; a write carries its data as
 * the bulk frame.  Failures are `! {error, errno}` with the Linux errno
 * value, so a client can map them (SFTP status codes) without parsing
 * the text.  See tf_codec.h for the conventions.
 */
#ifndef TF_CODEC_FS_H
#define TF_CODEC_FS_H

#include "tf_codec.h"
#include "tf_codec_file.h"

#define TF_FS_LIST_MAX	256		/* entries in one `list` answer */
#define TF_FS_NAME_MAX	255		/* bytes in a directory entry's name */
#define TF_FS_WRITE_MAX	(1u << 20)	/* bytes in one `write` */

/* open's flags */
#define TF_FS_O_READ	0x01
#define TF_FS_O_WRITE	0x02
#define TF_FS_O_CREATE	0x04
#define TF_FS_O_TRUNC	0x08
#define TF_FS_O_EXCL	0x10

typedef struct tf_fs_msg {
	uint64_t has;
	const char *container;
	/* stat lstat list mkdir rmdir remove rename symlink readlink open
	 * write truncate chmod utimes */
	const char *op;
	const char *path;
	const char *path2;	/* rename: the new path; symlink: the target */
	int64_t offset;		/* write: where; list: first entry's index */
	int64_t length;		/* truncate: the new size */
	int64_t mode;		/* mkdir, open with create, chmod */
	int64_t flags;		/* open: TF_FS_O_* */
	int64_t atime, mtime;	/* utimes, seconds */
} tf_fs_msg;

/* What stat, lstat and each list entry answer. */
typedef struct tf_fs_stat {
	uint64_t has;
	const char *name;	/* list only */
	int64_t mode;		/* st_mode: type and permission bits */
	int64_t size, uid, gid, atime, mtime, nlink;
} tf_fs_stat;

typedef struct tf_fs_reply {
	uint64_t has;
	tf_fs_stat stat;	/* stat, lstat, open (TF_SET) */
	tf_fs_stat *entries;	/* list */
	size_t n_entries;
	bool eof;		/* list: no entries after these */
	const char *target;	/* readlink */
	int64_t written;	/* write (TF_SET) */
} tf_fs_reply;

extern const tf_codec tf_fs_codec;
extern const tf_codec tf_fs_stat_codec;
extern const tf_codec tf_fs_reply_codec;
TF_CODEC_DECLARE(tf_fs, tf_fs_msg);
TF_CODEC_DECLARE(tf_fs_reply, tf_fs_reply);
/* The errno of a `!` answer to fs, 0 when it carries none. */
int tf_fs_error_errno(const msgpack_object *params);
/* True when op names an fs operation. */
bool tf_fs_op_valid(const char *op);

#endif
