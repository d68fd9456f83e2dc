/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The web family (docs/PROTOCOL.md, "Web endpoints"): domains a user
 * holds (`domain_prepare`, `domain_claim`, `domain_global`,
 * `domain_private`, `domain_release`), clusters of containers published
 * at a name through the location's HAProxy (`web_publish`,
 * `web_unpublish`, `web_add`, `web_remove`) and the listing `web_list`.
 * See tf_codec.h.
 */
#ifndef TF_CODEC_WEB_H
#define TF_CODEC_WEB_H

#include "tf_codec.h"

#define TF_WEB_MEMBERS_MAX 256		/* containers in one cluster */
#define TF_WEB_CERT_MAX (64 * 1024)	/* a PEM certificate chain + key */

typedef struct tf_domain_msg {
	uint64_t has;
	const char *domain;
	const char *token;	/* domain_prepare's answer */
	const char *owner;	/* in a listing: the holder's name */
	bool global;		/* in a listing: anyone may publish under it */
	bool mine;		/* in a listing: held by the asker */
} tf_domain_msg;

typedef struct tf_web_msg {
	uint64_t has;
	const char *cluster;	/* the id (publish's answer; all others) */
	const char *fqdn;	/* web_publish: the name served */
	const char *rewrite;	/* web_publish: Host header sent upstream */
	int64_t port;		/* web_publish: the containers' port (80) */
	const char *const *containers;	/* web_publish: members */
	size_t n_containers;
	const char *container;	/* web_add, web_remove */
	const uint8_t *cert;	/* web_publish: PEM chain and key (HTTPS) */
	size_t n_cert;
	const char *state;	/* in a listing: "serving", or why not */
} tf_web_msg;

/* web_list's answer. */
typedef struct tf_web_list_msg {
	uint64_t has;
	tf_domain_msg *domains;
	size_t n_domains;
	tf_web_msg *clusters;
	size_t n_clusters;
	int64_t http_port;	/* the balancer's ports, 0 when off */
	int64_t https_port;
} tf_web_list_msg;

extern const tf_codec tf_domain_codec;
extern const tf_codec tf_web_codec;
extern const tf_codec tf_web_list_codec;
TF_CODEC_DECLARE(tf_domain, tf_domain_msg);
TF_CODEC_DECLARE(tf_web, tf_web_msg);
TF_CODEC_DECLARE(tf_web_list, tf_web_list_msg);

#endif
