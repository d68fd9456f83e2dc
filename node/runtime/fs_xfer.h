/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fs_xfer: put and fetch of single files in a container, in chunks, never
 * holding a whole file in memory (docs/PROTOCOL.md `put` / `fetch`).
 *
 * put: the chunk at offset 0 opens a transfer: missing parent directories
 * are made, and the data goes to a hidden temporary file next to the target
 * (".<name>.tf-put-<n>").  Later chunks must continue at the byte count
 * written so far.  The chunk marked last renames the temporary file over
 * the target, so a reader in the container never sees half a file and an
 * abandoned transfer never damages the old one.  An existing target keeps
 * its permission bits; a new one gets 0644.  Idle transfers are dropped by
 * fs_xfer_expire().
 *
 * fetch is stateless: each chunk opens the file again, checks that it is a
 * regular file (a FIFO or device is refused without being opened for
 * reading, so it cannot block the node) and preads.
 */
#ifndef FS_XFER_H
#define FS_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tf_err.h"

typedef struct fs_xfer fs_xfer;

fs_xfer *fs_xfer_new(void);
/* Cancels every transfer (temporary files removed). */
void fs_xfer_destroy(fs_xfer **self_p);
void fs_xfer_cancel_all(fs_xfer *x);
/* Cancels transfers idle for more than idle_ms. */
void fs_xfer_expire(fs_xfer *x, uint64_t idle_ms);
size_t fs_xfer_count(const fs_xfer *x);

/* One chunk of a put.  rootfd is the container's root directory, base its
 * working directory (for relative paths).  mode (permission bits, taken
 * from the first chunk) is -1 to keep an existing file's or use 0644.
 * Returns the number of bytes of the file written so far, or -1 with err
 * set. */
int64_t fs_put(fs_xfer *x, int rootfd, const char *base, const char *path,
	       uint64_t offset, const void *data, size_t len, bool last,
	       int mode, tf_err *err);

/* Reads up to len bytes at offset into buf.  Returns the count (0 at or
 * past the end) and the file's size in *size, or -1 with err set. */
ssize_t fs_fetch(int rootfd, const char *base, const char *path,
		 uint64_t offset, void *buf, size_t len, uint64_t *size,
		 tf_err *err);

#endif
