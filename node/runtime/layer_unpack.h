/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layer_unpack: turns one image layer tarball into a directory that
 * overlayfs can stack as a lower layer.
 */
#ifndef LAYER_UNPACK_H
#define LAYER_UNPACK_H

#include "tf_err.h"

/*
 * Unpacks the layer tar at tar_path (plain, or gzip/xz/zstd/bzip2
 * compressed) into dest_dir, which must not exist yet.  Owners (numeric),
 * modes, times, symlinks, hard links within the layer and xattrs are kept.
 * OCI whiteouts become overlayfs ones: ".wh.<name>" a 0/0 character device
 * <name>, ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its
 * directory.  Entries that would land outside dest_dir (absolute paths,
 * "..", paths or hard links through symlinks) fail the whole layer.
 *
 * The work happens in "<dest_dir>.tmp" (a leftover one from a crash is
 * removed first), which is synced and renamed to dest_dir at the end: after
 * a crash dest_dir is either complete or absent.
 *
 * Needs root (mknod, chown, trusted.* xattrs).  It changes the working
 * directory while it runs (libarchive resolves paths against it) and puts
 * it back before returning, so callers must not rely on the working
 * directory from other threads meanwhile.  It blocks for as long as the
 * layer takes to write; a daemon may run it in a child process.  Two
 * unpacks into the same dest_dir must not run at once (they share the tmp).
 */
int layer_unpack(const char *tar_path, const char *dest_dir, tf_err *err);

/*
 * The sha256 (hex, into hex[65]) of the tar inside the compressed layer
 * file at path: the diff_id a gzip blob kept as it came must match.
 */
int layer_tar_digest(const char *path, char hex[65], tf_err *err);

#endif
