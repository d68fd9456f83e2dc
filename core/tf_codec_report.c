/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_report: the field tables of a node's reports
 * (tf_codec_report.h).
 */
#include "tf_codec_report.h"

static const tf_field status_fields[] = {
	TF_F_STR(tf_ctr_status_msg, container, 71, TF_FF_REQUIRED),
	TF_F_STR(tf_ctr_status_msg, state, 15, TF_FF_REQUIRED),
	TF_F_STR(tf_ctr_status_msg, ip, 47, TF_FF_HAS),
	TF_F_INT(tf_ctr_status_msg, exit_code, INT32_MIN, INT32_MAX, TF_FF_HAS),
	TF_F_STR(tf_ctr_status_msg, error, 4095, TF_FF_OPT),
	TF_F_INT(tf_ctr_status_msg, startup_ms, 0, INT64_MAX, TF_FF_HAS),
};
const tf_codec tf_ctr_status_codec =
	TF_CODEC(tf_ctr_status_msg, "ctr_status", status_fields, false);

static const tf_field stats_fields[] = {
	TF_F_INT(tf_node_stats_msg, cpus, 0, 1 << 20, 0),
	TF_F_INT(tf_node_stats_msg, cpu_pct, 0, 100000, 0),
	TF_F_INT(tf_node_stats_msg, mem_total_mb, 0, INT64_MAX, 0),
	TF_F_INT(tf_node_stats_msg, mem_free_mb, 0, INT64_MAX, 0),
	TF_F_INT(tf_node_stats_msg, paging, 0, INT64_MAX, 0),
	TF_F_INT(tf_node_stats_msg, containers, 0, INT64_MAX, 0),
	TF_F_DOUBLE(tf_node_stats_msg, load1, 0),
};
const tf_codec tf_node_stats_codec =
	TF_CODEC(tf_node_stats_msg, "stats", stats_fields, false);

static const tf_field rec_fields[] = {
	TF_F_STR(tf_node_ctr_rec, container, 71, TF_FF_REQUIRED),
	TF_F_INT(tf_node_ctr_rec, user, 0, INT64_MAX, 0),
	TF_F_STR(tf_node_ctr_rec, session, 71, 0),
	TF_F_STR(tf_node_ctr_rec, tag, 79, 0),
	TF_F_STR(tf_node_ctr_rec, image, 159, 0),
	TF_F_STR(tf_node_ctr_rec, state, 15, 0),
	TF_F_STR(tf_node_ctr_rec, ip, 47, TF_FF_HAS),
	TF_F_INT(tf_node_ctr_rec, exit_code, INT32_MIN, INT32_MAX, TF_FF_HAS),
	TF_F_STR(tf_node_ctr_rec, error, 4095, TF_FF_HAS),
	TF_F_DOUBLE(tf_node_ctr_rec, created, TF_FF_HAS),
	TF_F_DOUBLE(tf_node_ctr_rec, started, TF_FF_HAS),
	TF_F_INT(tf_node_ctr_rec, startup_ms, 0, INT64_MAX, TF_FF_HAS),
	TF_F_STR(tf_node_ctr_rec, node, 255, TF_FF_HAS),
};
const tf_codec tf_node_ctr_rec_codec =
	TF_CODEC(tf_node_ctr_rec, "hello container", rec_fields, false);

static const tf_field hello_fields[] = {
	TF_F_LIST(tf_node_hello_msg, containers, TF_NODE_MAX_CONTAINERS,
	    &tf_node_ctr_rec_codec, 0),
	TF_F_STRV(tf_node_hello_msg, volumes, TF_NODE_MAX_CONTAINERS, 0),
};
const tf_codec tf_node_hello_codec =
	TF_CODEC(tf_node_hello_msg, "hello", hello_fields, false);

TF_CODEC_DEFINE(tf_ctr_status, tf_ctr_status_msg, tf_ctr_status_codec)
TF_CODEC_DEFINE(tf_node_stats, tf_node_stats_msg, tf_node_stats_codec)
TF_CODEC_DEFINE(tf_node_hello, tf_node_hello_msg, tf_node_hello_codec)
