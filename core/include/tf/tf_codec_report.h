/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A node's reports to the location (docs/PROTOCOL.md, "Location ↔ node"):
 * `ctr_status` when a container changes state, `stats` every few seconds,
 * and what its `hello` lists (the containers it has).  See tf_codec.h for
 * the conventions.
 */
#ifndef TF_CODEC_REPORT_H
#define TF_CODEC_REPORT_H

#include "tf_codec.h"

/* ctr_status {container, state, ip?, exit_code?, error?, startup_ms?};
 * ip, exit_code and startup_ms are sent only when marked with TF_SET. */
typedef struct tf_ctr_status_msg {
	uint64_t has;
	const char *container;
	const char *state;
	const char *ip;
	int64_t exit_code;
	const char *error;
	int64_t startup_ms;
} tf_ctr_status_msg;

/* stats {cpus, cpu_pct, mem_total_mb, mem_free_mb, paging, containers,
 * load1} */
typedef struct tf_node_stats_msg {
	uint64_t has;
	int64_t cpus;
	int64_t cpu_pct;
	int64_t mem_total_mb;
	int64_t mem_free_mb;
	int64_t paging;
	int64_t containers;
	double load1;
} tf_node_stats_msg;

/* One container a node lists in its hello.  ip, exit_code, error,
 * created, started, startup_ms and node are sent only when marked with
 * TF_SET (a spawn still waiting for its layers has none of them). */
typedef struct tf_node_ctr_rec {
	uint64_t has;
	const char *container;
	int64_t user;
	const char *session;
	const char *tag;
	const char *image;
	const char *state;
	const char *ip;
	int64_t exit_code;
	const char *error;
	double created;
	double started;
	int64_t startup_ms;
	const char *node;
} tf_node_ctr_rec;

/* The node's part of its hello {containers, volumes}. */
typedef struct tf_node_hello_msg {
	uint64_t has;
	tf_node_ctr_rec *containers;
	size_t n_containers;
	const char *const *volumes;
	size_t n_volumes;
} tf_node_hello_msg;

#define TF_NODE_MAX_CONTAINERS 100000

extern const tf_codec tf_ctr_status_codec;
extern const tf_codec tf_node_ctr_rec_codec;
extern const tf_codec tf_node_hello_codec;
extern const tf_codec tf_node_stats_codec;

TF_CODEC_DECLARE(tf_ctr_status, tf_ctr_status_msg);
TF_CODEC_DECLARE(tf_node_stats, tf_node_stats_msg);
TF_CODEC_DECLARE(tf_node_hello, tf_node_hello_msg);

#endif
