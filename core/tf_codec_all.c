/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_all: the list of every family's codec (tf_codec_all.h).  A new
 * family adds its codecs here.
 */
#include "tf_codec_all.h"
#include "tf_codec_account.h"
#include "tf_codec_file.h"
#include "tf_codec_firewall.h"
#include "tf_codec_flow.h"
#include "tf_codec_fs.h"
#include "tf_codec_image.h"
#include "tf_codec_kv.h"
#include "tf_codec_metrics.h"
#include "tf_codec_offer.h"
#include "tf_codec_proc.h"
#include "tf_codec_quota.h"
#include "tf_codec_report.h"
#include "tf_codec_session.h"
#include "tf_codec_spawn.h"
#include "tf_codec_stream.h"
#include "tf_codec_tunnel.h"
#include "tf_codec_vol.h"
#include "tf_codec_web.h"

const tf_codec *const tf_codec_families[] = {
	&tf_spawn_codec, &tf_spawn_reply_codec,
	&tf_ctr_spec_msg_codec, &tf_ctr_spec_codec,
	&tf_ctr_status_codec, &tf_node_stats_codec, &tf_node_hello_codec,
	&tf_proc_codec,
	&tf_file_codec, &tf_file_reply_codec,
	&tf_fs_codec, &tf_fs_reply_codec,
	&tf_vol_codec,
	&tf_kv_codec,
	&tf_tunnel_codec,
	&tf_flow_codec,
	&tf_image_codec,
	&tf_offer_codec,
	&tf_hello_codec, &tf_welcome_codec,
	&tf_allow_codec,
	&tf_domain_codec, &tf_web_codec, &tf_web_list_codec,
	&tf_metrics_codec, &tf_metrics_sub_codec,
	&tf_event_codec, &tf_events_codec, &tf_events_sub_codec,
	&tf_quota_codec,
	&tf_item_codec,
	&tf_account_codec,
	NULL
};
