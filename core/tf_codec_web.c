/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_web: the field tables of the web family (tf_codec_web.h).
 */
#include "tf_codec_web.h"

static const tf_field domain_fields[] = {
	TF_F_STR(tf_domain_msg, domain, 253, TF_FF_REQUIRED),
	TF_F_STR(tf_domain_msg, token, 64, TF_FF_OPT),
	TF_F_STR(tf_domain_msg, owner, 63, TF_FF_OPT),
	TF_F_BOOL(tf_domain_msg, global, TF_FF_OPT),
	TF_F_BOOL(tf_domain_msg, mine, TF_FF_OPT),
};
const tf_codec tf_domain_codec = TF_CODEC(tf_domain_msg, "domain",
    domain_fields, false);

static const tf_field web_fields[] = {
	TF_F_STR(tf_web_msg, cluster, 22, TF_FF_OPT),
	TF_F_STR(tf_web_msg, fqdn, 253, TF_FF_OPT),
	TF_F_STR(tf_web_msg, rewrite, 253, TF_FF_OPT),
	TF_F_INT(tf_web_msg, port, 0, 65535, TF_FF_OPT),
	TF_F_STRV(tf_web_msg, containers, TF_WEB_MEMBERS_MAX, TF_FF_OPT),
	TF_F_STR(tf_web_msg, container, 87, TF_FF_OPT),
	TF_F_BIN(tf_web_msg, cert, TF_WEB_CERT_MAX, TF_FF_OPT),
	TF_F_STR(tf_web_msg, state, 255, TF_FF_OPT),
};
const tf_codec tf_web_codec = TF_CODEC(tf_web_msg, "web", web_fields, false);

static const tf_field web_list_fields[] = {
	TF_F_LIST(tf_web_list_msg, domains, 4096, &tf_domain_codec, 0),
	TF_F_LIST(tf_web_list_msg, clusters, 4096, &tf_web_codec, 0),
	TF_F_INT(tf_web_list_msg, http_port, 0, 65535, 0),
	TF_F_INT(tf_web_list_msg, https_port, 0, 65535, 0),
};
const tf_codec tf_web_list_codec = TF_CODEC(tf_web_list_msg, "web_list",
    web_list_fields, false);

TF_CODEC_DEFINE(tf_domain, tf_domain_msg, tf_domain_codec)
TF_CODEC_DEFINE(tf_web, tf_web_msg, tf_web_codec)
TF_CODEC_DEFINE(tf_web_list, tf_web_list_msg, tf_web_list_codec)
