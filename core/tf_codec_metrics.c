/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_metrics: the field tables of container metrics and of the
 * subscription to them (tf_codec_metrics.h).
 */
#include "tf_codec_metrics.h"

#define METRICS_BIG ((int64_t)1 << 60)

static const tf_field item_fields[] = {
	TF_F_STR(tf_ctr_metrics, container, 71, TF_FF_REQUIRED),
	TF_F_STR(tf_ctr_metrics, node, 95, TF_FF_OPT),
	TF_F_DOUBLE(tf_ctr_metrics, cpu_pct, 0),
	TF_F_INT(tf_ctr_metrics, mem_rss, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, mem_cache, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, mem_limit, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, pids, 0, 1 << 30, 0),
	TF_F_INT(tf_ctr_metrics, oom_kills, 0, METRICS_BIG, TF_FF_OPT),
	TF_F_INT(tf_ctr_metrics, net_rx, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, net_tx, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, io_read, 0, METRICS_BIG, 0),
	TF_F_INT(tf_ctr_metrics, io_write, 0, METRICS_BIG, 0),
};
const tf_codec tf_ctr_metrics_codec =
	TF_CODEC(tf_ctr_metrics, "metrics item", item_fields, false);

static const tf_field metrics_fields[] = {
	TF_F_LIST(tf_metrics_msg, containers, TF_METRICS_MAX_ITEMS * 100,
	    &tf_ctr_metrics_codec, 0),
};
const tf_codec tf_metrics_codec =
	TF_CODEC(tf_metrics_msg, "metrics", metrics_fields, false);

static const tf_field sub_fields[] = {
	TF_F_BOOL(tf_metrics_sub_msg, on, TF_FF_REQUIRED),
};
const tf_codec tf_metrics_sub_codec =
	TF_CODEC(tf_metrics_sub_msg, "metrics_sub", sub_fields, false);

const tf_codec tf_events_sub_codec =
	TF_CODEC(tf_metrics_sub_msg, "events_sub", sub_fields, false);

static const tf_field event_fields[] = {
	TF_F_INT(tf_event_rec, seq, 0, INT64_MAX, TF_FF_REQUIRED),
	TF_F_DOUBLE(tf_event_rec, time, 0),
	TF_F_STR(tf_event_rec, kind, 23, TF_FF_REQUIRED),
	TF_F_STR(tf_event_rec, container, 71, TF_FF_OPT),
	TF_F_STR(tf_event_rec, tag, 79, TF_FF_OPT),
	TF_F_STR(tf_event_rec, node, 95, TF_FF_OPT),
	TF_F_STR(tf_event_rec, volume, 71, TF_FF_OPT),
	TF_F_STR(tf_event_rec, user, 95, TF_FF_OPT),
	TF_F_STR(tf_event_rec, text, 255, 0),
};
const tf_codec tf_event_codec =
	TF_CODEC(tf_event_rec, "event", event_fields, false);

static const tf_field events_fields[] = {
	TF_F_LIST(tf_events_msg, events, TF_EVENTS_MAX, &tf_event_codec, 0),
};
const tf_codec tf_events_codec =
	TF_CODEC(tf_events_msg, "events", events_fields, false);

TF_CODEC_DEFINE(tf_metrics, tf_metrics_msg, tf_metrics_codec)
TF_CODEC_DEFINE(tf_event, tf_event_rec, tf_event_codec)
TF_CODEC_DEFINE(tf_events, tf_events_msg, tf_events_codec)
TF_CODEC_DEFINE(tf_events_sub, tf_metrics_sub_msg, tf_events_sub_codec)
TF_CODEC_DEFINE(tf_metrics_sub, tf_metrics_sub_msg, tf_metrics_sub_codec)
