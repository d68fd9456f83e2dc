/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The spawn family (docs/PROTOCOL.md, "Client → location" and "Location ↔
 * node"): a client's `spawn`, the location's `spawn` to a node (the same
 * fields plus container, layers, config, user and session) and the answer
 * `^ {container, node}`.  See tf_codec.h for the conventions.
 */
#ifndef TF_CODEC_SPAWN_H
#define TF_CODEC_SPAWN_H

#include "tf_codec.h"

/* Limits on what a spawn may carry (checked when it is unpacked). */
#define TF_SPAWN_MAX_STRV	4096	/* env, command items */
#define TF_SPAWN_MAX_PREBOOT	1024	/* pre-boot files */
#define TF_SPAWN_MAX_VOLUMES	32
#define TF_SPAWN_MAX_LAYERS	500
#define TF_SPAWN_MAX_PATH	1023	/* a mount point or file path */

/* preboot: [path, data] */
typedef struct tf_spawn_file {
	uint64_t has;
	const char *path;
	const uint8_t *data;
	size_t n_data;
} tf_spawn_file;

/* volumes: [volume, mountpoint] */
typedef struct tf_spawn_mount {
	uint64_t has;
	const char *volume;
	const char *mountpoint;
} tf_spawn_mount;

/* limits: {memory_mb, pids, cpu_shares}; 0 is "not limited" */
typedef struct tf_spawn_limits {
	uint64_t has;
	int64_t memory_mb;
	int64_t pids;
	int64_t cpu_shares;
} tf_spawn_limits;

typedef struct tf_spawn_msg {
	uint64_t has;
	const char *image;
	const char *node;
	const char *tag;
	const char *const *env;
	size_t n_env;
	const char *const *command;
	size_t n_command;
	tf_spawn_file *preboot;
	size_t n_preboot;
	bool sleep;
	tf_spawn_mount *volumes;
	size_t n_volumes;
	tf_spawn_limits limits;
	/* Added by the location when it forwards the spawn to a node. */
	const char *container;
	const char *const *layers;		/* sha256 hex, base first */
	size_t n_layers;
	const msgpack_object *config;	/* the image's config, as stored */
	int64_t user;
	const char *session;
} tf_spawn_msg;

/* `^ {container, node}` */
typedef struct tf_spawn_reply {
	uint64_t has;
	const char *container;
	const char *node;
} tf_spawn_reply;

/* `ctr_spec {container}`: what a container was spawned with. */
typedef struct tf_ctr_spec_msg {
	uint64_t has;
	const char *container;
} tf_ctr_spec_msg;

/* A pre-boot file as the spec tells it: [path, size] (not its data). */
typedef struct tf_spec_file {
	uint64_t has;
	const char *path;
	int64_t size;
} tf_spec_file;

/* The answer `^ {container, image, tag, command, env, preboot, volumes,
 * limits, sleep}`: the spawn as the location accepted it, volumes by id. */
typedef struct tf_ctr_spec {
	uint64_t has;
	const char *container;
	const char *image;
	const char *tag;
	const char *const *command;
	size_t n_command;
	const char *const *env;
	size_t n_env;
	tf_spec_file *preboot;
	size_t n_preboot;
	tf_spawn_mount *volumes;
	size_t n_volumes;
	tf_spawn_limits limits;
	bool sleep;
} tf_ctr_spec;

extern const tf_codec tf_spawn_codec;
extern const tf_codec tf_spawn_reply_codec;
extern const tf_codec tf_ctr_spec_msg_codec;
extern const tf_codec tf_ctr_spec_codec;

TF_CODEC_DECLARE(tf_spawn, tf_spawn_msg);
TF_CODEC_DECLARE(tf_spawn_reply, tf_spawn_reply);
TF_CODEC_DECLARE(tf_ctr_spec_msg, tf_ctr_spec_msg);
TF_CODEC_DECLARE(tf_ctr_spec, tf_ctr_spec);

#endif
