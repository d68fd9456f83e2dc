/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Monitoring: container metrics and the location's events.
 *
 * Container metrics (docs/PROTOCOL.md, "Metrics"): a node samples each
 * container's cgroups and host-side veth about once a second and sends
 * `metrics` with the containers whose figures changed enough to show; the
 * location keeps the latest figures and forwards them, filtered by owner,
 * to the sessions that sent `metrics_sub {on: true}`.  See tf_codec.h for
 * the conventions.
 */
#ifndef TF_CODEC_METRICS_H
#define TF_CODEC_METRICS_H

#include "tf_codec.h"

/* Items of one `metrics` message at most: a node with more changed
 * containers sends the rest in the next interval (the bound on a node's
 * rate is one message of at most this many items a second). */
#define TF_METRICS_MAX_ITEMS 1000
#define TF_METRICS_INTERVAL_MS 1000

/* One container's figures.  Rates are per second over the last interval;
 * cpu_pct is of one core (a container busy on two cores shows 200). */
typedef struct tf_ctr_metrics {
	uint64_t has;
	const char *container;
	const char *node;	/* location -> client only: the node's id */
	double cpu_pct;
	int64_t mem_rss;	/* bytes: anonymous memory (rss + swap) */
	int64_t mem_cache;	/* bytes: page cache charged to it */
	int64_t mem_limit;	/* bytes; 0: no limit of its own */
	int64_t pids;
	int64_t oom_kills;	/* times the kernel's OOM killer struck it */
	int64_t net_rx;		/* bytes/s into the container */
	int64_t net_tx;		/* bytes/s out of it */
	int64_t io_read;	/* block I/O bytes/s */
	int64_t io_write;
} tf_ctr_metrics;

/* metrics {containers: [tf_ctr_metrics]} */
typedef struct tf_metrics_msg {
	uint64_t has;
	tf_ctr_metrics *containers;
	size_t n_containers;
} tf_metrics_msg;

/* metrics_sub {on} */
typedef struct tf_metrics_sub_msg {
	uint64_t has;
	bool on;
} tf_metrics_sub_msg;

/* One event of the location's ring (docs/PROTOCOL.md, "Events"); also the
 * params of an `event` push.  kind is one of spawned, running, exited,
 * failed, oom_killed, destroyed, rebooted, lost, node_up, node_down,
 * volume_created, volume_destroyed. */
typedef struct tf_event_rec {
	uint64_t has;
	int64_t seq;		/* grows by one an event */
	double time;		/* wall clock seconds */
	const char *kind;
	const char *container;	/* "" when none */
	const char *tag;
	const char *node;	/* node name */
	const char *volume;
	const char *user;	/* the owner's name; "" for node events */
	const char *text;	/* for people: "exited with status 137" */
} tf_event_rec;

/* events_sub's answer {events: [tf_event_rec]}, oldest first. */
typedef struct tf_events_msg {
	uint64_t has;
	tf_event_rec *events;
	size_t n_events;
} tf_events_msg;

#define TF_EVENTS_MAX 1000	/* the location's ring */

extern const tf_codec tf_ctr_metrics_codec;
extern const tf_codec tf_event_codec;
extern const tf_codec tf_events_codec;
extern const tf_codec tf_events_sub_codec;
extern const tf_codec tf_metrics_codec;
extern const tf_codec tf_metrics_sub_codec;

TF_CODEC_DECLARE(tf_metrics, tf_metrics_msg);
TF_CODEC_DECLARE(tf_metrics_sub, tf_metrics_sub_msg);
TF_CODEC_DECLARE(tf_event, tf_event_rec);
TF_CODEC_DECLARE(tf_events, tf_events_msg);
/* events_sub {on}: the same struct as metrics_sub. */
TF_CODEC_DECLARE(tf_events_sub, tf_metrics_sub_msg);

#endif
