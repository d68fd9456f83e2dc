/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The image family (docs/PROTOCOL.md: `layers_missing`, `layer_put`,
 * `image_put`, `image_get` from a client, `layer_get` from a node, and
 * their answers) in one struct; each message sends the fields it uses.
 * Layer data is the bulk frame, never re-encoded.  See tf_codec.h.
 */
#ifndef TF_CODEC_IMAGE_H
#define TF_CODEC_IMAGE_H

#include "tf_codec.h"

#define TF_IMAGE_MAX_LAYERS 4096	/* layers_missing, missing */
#define TF_IMAGE_MAX_NAMES  64

typedef struct tf_image_msg {
	uint64_t has;
	const char *image;		/* image_put: id; image_get: name, id
					 * or "."; the answer's id */
	const char *const *names;	/* image_put */
	size_t n_names;
	const char *const *layers;	/* layers_missing, image_put */
	size_t n_layers;
	const msgpack_object *config;	/* image_put, image_get's answer */
	const char *const *missing;	/* ^ of layers_missing */
	size_t n_missing;
	const char *sha256;		/* layer_put, layer_get */
	int64_t offset;			/* layer_put, layer_get (TF_SET) */
	bool last;			/* layer_put (TF_SET) */
	int64_t received;		/* ^ of layer_put (TF_SET) */
	bool complete;			/* ^ of layer_put (TF_SET) */
	int64_t size;			/* ^ of layer_get, image record */
	bool eof;			/* ^ of layer_get (TF_SET) */
	const char *origin;		/* image_put: where it came from */
	const char *compression;	/* layer_put: "gzip" when the bytes
					 * are the gzip blob, else absent */
} tf_image_msg;

extern const tf_codec tf_image_codec;
TF_CODEC_DECLARE(tf_image_msg, tf_image_msg);

#endif
