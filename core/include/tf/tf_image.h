/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_image: reads container images from disk for pushing them to a location
 * (`tfcache`, `tf push`): OCI image layouts (a directory or a tarball of
 * one) and `docker save` archives (the old form with <id>/layer.tar and the
 * newer form with blobs/sha256/..., as a tarball or extracted into a
 * directory).  Nothing is unpacked to disk; layers are streamed from the
 * file, decompressed on the fly and checked against their digests.
 */
#ifndef TF_IMAGE_H
#define TF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

typedef struct tf_image tf_image;

/* Chunks handed to a layer reader are at most this long: the protocol's
 * streaming chunk, so each can go out as one bulk frame. */
#define TF_IMAGE_CHUNK (256 * 1024)

/*
 * Opens the image `name` in `path`.  With several images in one file, name
 * picks one: a name as listed by tf_image_names (also without ":latest",
 * and without a "docker.io/library/" prefix), or an image id (config
 * sha256, at least 4 hex digits, "sha256:" allowed).  A NULL name takes the
 * only (or the first) image.  Everything but the layer contents is read and
 * checked here, so a broken archive fails now, not half-way through a push.
 */
tf_image *tf_image_open(const char *path, const char *name, tf_err *err);
void tf_image_destroy(tf_image **self_p);

/* sha256 hex of the config blob, like docker's image id. */
const char *tf_image_id(const tf_image *self);
/* Ref names (OCI annotations) or RepoTags (docker); may be none.  The
 * array and strings belong to the image. */
size_t tf_image_names(const tf_image *self, const char ***names);

/* The layers, bottom first, with consecutive duplicates removed as the
 * original SDK did. */
size_t tf_image_layer_count(const tf_image *self);
/* sha256 hex of the uncompressed layer tar (the diff_id). */
const char *tf_image_layer_digest(const tf_image *self, size_t i);
/* Uncompressed size when known: when the file holds the layer
 * uncompressed, or after one complete tf_image_layer_read; else 0. */
uint64_t tf_image_layer_size(const tf_image *self, size_t i);

/*
 * Streams the uncompressed tar of layer i to fn in chunks of at most
 * TF_IMAGE_CHUNK bytes, never holding the whole layer in memory.  fn returns
 * 0 to go on, anything else to stop (then -1 is returned; err keeps any
 * message fn put there itself).  The digest is verified at the end: on a
 * mismatch -1 is returned and everything fn received must be thrown away.
 */
int tf_image_layer_read(tf_image *self, size_t i,
    int (*fn)(const void *chunk, size_t len, void *arg), void *arg,
    tf_err *err);

/* True when layer i is stored gzip-compressed (a registry's usual blob). */
bool tf_image_layer_gzip(tf_image *self, size_t i);

/*
 * Streams layer i's stored bytes as they are (the gzip blob of a registry
 * image; no decompression, no digest check: whoever unpacks them checks
 * the diff_id) to fn in chunks of at most TF_IMAGE_CHUNK bytes.  Returns
 * 0, or -1 with err set (or left as fn set it).
 */
int tf_image_layer_read_stored(tf_image *self, size_t i,
    int (*fn)(const void *chunk, size_t len, void *arg), void *arg,
    tf_err *err);

/* The runtime config as compact JSON text: {"Entrypoint":[..],"Cmd":[..],
 * "Env":[..],"WorkingDir":"","ExposedPorts":{..},"User":"",
 * "StopSignal":""}; absent fields are empty.  Owned by the image. */
const char *tf_image_config_json(const tf_image *self);

/* Self test: builds tiny images (OCI layout directory and tarball, docker
 * save archive) in a temporary directory with libarchive and reads them
 * back; panics on failure. */
void tf_image_test(bool verbose);

#endif
