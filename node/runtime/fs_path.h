/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fs_path: paths inside a container, resolved so that they cannot leave it.
 *
 * Two layers of defence.  First the path is cleaned lexically: a relative
 * path is taken from the container's working directory, "." and empty
 * components go, and a ".." that would climb above "/" is an error ("path
 * escapes the container") rather than being silently clamped, because a
 * client that asks for ../x has a bug worth hearing about.  Then every open
 * goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from a
 * directory fd of the container's root, so a symlink inside the container,
 * absolute or relative, resolves as it would inside the container and never
 * reaches the host; the kernel also guards against rename races.
 */
#ifndef FS_PATH_H
#define FS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tf_err.h"

#define FS_PATH_MAX 4096

/* Cleans path into out (absolute, no ".", ".." or empty components, "/" for
 * the root).  base is the directory for relative paths (NULL: "/"). */
int fs_path_clean(const char *base, const char *path, char *out, size_t size,
		  tf_err *err);

/* openat2 of a cleaned path below rootfd; returns an fd or -1 with errno. */
int fs_path_open(int rootfd, const char *clean, int flags, mode_t mode);

/* Opens the parent directory of a cleaned path (O_PATH), creating missing
 * directories (0755) when mkdirs.  *name points into clean at the last
 * component.  Errors name the path for a person. */
int fs_path_open_parent(int rootfd, const char *clean, bool mkdirs,
			const char **name, tf_err *err);

/* Writes a whole small file at path below rootfd (parents created), via a
 * temporary file and rename.  Used for pre-boot files. */
int fs_path_write_file(int rootfd, const char *path, const void *data,
		       size_t len, mode_t mode, tf_err *err);

/* A human message for errno from an open of path. */
int fs_path_errno(tf_err *err, int e, const char *what, const char *path);

#endif
