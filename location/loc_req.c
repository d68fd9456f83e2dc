/* SPDX-License-Identifier: BSD-2-Clause */
/* loc_req.c: the table of requests the location serves itself. */
#include <stddef.h>

#include "location.h"

const struct loc_req loc_req_table[] = {
	{ "spawn",          LOC_REQ_USER, req_spawn },
	{ "images",         LOC_REQ_USER, req_images },
	{ "offer",          LOC_REQ_USER, req_offer },
	{ "layers_missing", LOC_REQ_USER, req_layers_missing },
	{ "layer_put",      LOC_REQ_USER, req_layer_put },
	{ "image_put",      LOC_REQ_USER, req_image_put },
	{ "image_get",      LOC_REQ_USER, req_image_get },
	{ "kv_get",         LOC_REQ_USER, req_kv },
	{ "kv_set",         LOC_REQ_USER, req_kv },
	{ "kv_del",         LOC_REQ_USER, req_kv },
	{ "kv_list",        LOC_REQ_USER, req_kv },
	{ "invite",         LOC_REQ_USER | LOC_REQ_ADMIN, req_invite },
	{ "find",           LOC_REQ_USER, req_find },
	{ "tunnel",         LOC_REQ_USER, req_tunnel },
	{ "tunnel_close",   LOC_REQ_USER, req_tunnel },
	{ "vol_create",     LOC_REQ_USER, req_volume },
	{ "vol_destroy",    LOC_REQ_USER, req_volume },
	{ "vol_snapshot",   LOC_REQ_USER, req_volume },
	{ "vol_rollback",   LOC_REQ_USER, req_volume },
	{ "domain_prepare", LOC_REQ_USER, req_domain },
	{ "domain_claim",   LOC_REQ_USER, req_domain },
	{ "domain_global",  LOC_REQ_USER, req_domain },
	{ "domain_private", LOC_REQ_USER, req_domain },
	{ "domain_release", LOC_REQ_USER, req_domain },
	{ "web_publish",    LOC_REQ_USER, req_web },
	{ "web_unpublish",  LOC_REQ_USER, req_web },
	{ "web_add",        LOC_REQ_USER, req_web },
	{ "web_remove",     LOC_REQ_USER, req_web },
	{ "web_list",       LOC_REQ_USER, req_web },
	{ "metrics_sub",    LOC_REQ_USER, req_metrics_sub },
	{ "events_sub",     LOC_REQ_USER, req_events_sub },
	{ "layer_get",      LOC_REQ_NODE, req_layer_get },
	{ "metrics",        LOC_REQ_NODE, req_metrics },
	{ "stats",          LOC_REQ_NODE, req_node_push },
	{ "ctr_status",     LOC_REQ_NODE, req_node_push },
	{ NULL, 0, NULL },
};
