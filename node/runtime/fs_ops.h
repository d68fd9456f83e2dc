/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fs_ops: single file-system operations inside a container for the `fs`
 * request (docs/PROTOCOL.md), confined as put and fetch are (fs_path.h):
 * the path is cleaned lexically ("../" above the root is refused), every
 * directory on the way is resolved from the container's root with
 * RESOLVE_IN_ROOT, and the last component is acted on relative to its
 * parent's fd without following it (lstat, remove, rename, symlink,
 * readlink, mkdir, rmdir) or opened in the root (stat, open, write,
 * truncate; chmod and utimes through the opened fd), so no symlink,
 * absolute or relative, reaches the host.
 *
 * Each returns 0, or an errno value (> 0) with err set for a person.
 */
#ifndef FS_OPS_H
#define FS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tf_err.h"

struct fs_entry {
	char name[256];
	struct stat st;
};

int fs_op_stat(int rootfd, const char *path, bool follow, struct stat *st,
	       tf_err *err);
/* Entries from index first on (".", ".." included, in readdir order), at
 * most max; *n the count, *eof when the directory has no more. */
int fs_op_list(int rootfd, const char *path, uint64_t first,
	       struct fs_entry *out, size_t max, size_t *n, bool *eof,
	       tf_err *err);
int fs_op_mkdir(int rootfd, const char *path, mode_t mode, tf_err *err);
int fs_op_rmdir(int rootfd, const char *path, tf_err *err);
int fs_op_remove(int rootfd, const char *path, tf_err *err);
/* Refuses to replace an existing `to` (SFTP v3's rename). */
int fs_op_rename(int rootfd, const char *from, const char *to, tf_err *err);
int fs_op_symlink(int rootfd, const char *path, const char *target,
		  tf_err *err);
int fs_op_readlink(int rootfd, const char *path, char *buf, size_t size,
		   tf_err *err);
/* flags: TF_FS_O_* (tf_codec_fs.h); the file must be a regular one. */
int fs_op_open(int rootfd, const char *path, int flags, mode_t mode,
	       struct stat *st, tf_err *err);
int fs_op_write(int rootfd, const char *path, uint64_t offset,
		const void *data, size_t len, tf_err *err);
int fs_op_truncate(int rootfd, const char *path, uint64_t length,
		   tf_err *err);
int fs_op_chmod(int rootfd, const char *path, mode_t mode, tf_err *err);
int fs_op_utimes(int rootfd, const char *path, int64_t atime, int64_t mtime,
		 tf_err *err);

#endif
