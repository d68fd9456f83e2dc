/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The file family (docs/PROTOCOL.md, `put` / `fetch`): a chunk of a file
 * into or out of a container, and the answers `^ {written}` and `^ {size,
 * eof}`.  The data itself is the bulk frame, never re-encoded.  See
 * tf_codec.h.
 */
#ifndef TF_CODEC_FILE_H
#define TF_CODEC_FILE_H

#include "tf_codec.h"

#define TF_FILE_PATH_MAX  4095		/* bytes in a path */
#define TF_FETCH_MAX	  (1u << 20)	/* length of one fetch */

typedef struct tf_file_msg {
	uint64_t has;
	const char *container;
	const char *path;
	int64_t offset;
	bool last;		/* put: the last chunk (TF_SET) */
	int64_t mode;		/* put: permissions, 0 for the default */
	int64_t length;		/* fetch: at most this many bytes (TF_SET) */
} tf_file_msg;

typedef struct tf_file_reply {
	uint64_t has;
	int64_t written;	/* put (TF_SET) */
	int64_t size;		/* fetch: the file's size (TF_SET) */
	bool eof;		/* fetch: this chunk ends the file (TF_SET) */
} tf_file_reply;

extern const tf_codec tf_file_codec;
extern const tf_codec tf_file_reply_codec;
TF_CODEC_DECLARE(tf_file, tf_file_msg);
TF_CODEC_DECLARE(tf_file_reply, tf_file_reply);

#endif
