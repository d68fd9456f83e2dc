/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_web: clusters and domains (tf.h, "Web endpoints"; docs/WEB.md).
 * A cluster is a client-side list of containers until it is published;
 * from then on each add or remove is sent to the location, which rewrites
 * its HAProxy's configuration.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec_web.h"
#include "tf_sdk_private.h"

#define WEB_PEM_MAX TF_WEB_CERT_MAX

struct tf_cluster {
	tf_location *loc;
	char id[TF_MODEL_ID];
	char fqdn[254];
	char rewrite[254];
	SDK_ARRAY(tf_container *, members);
};

tf_cluster *
tf_cluster_new(tf_location *loc, const char *rewrite)
{
	tf_cluster *k = tf_calloc(1, sizeof *k);

	k->loc = loc;
	snprintf(k->rewrite, sizeof k->rewrite, "%s", rewrite ? rewrite : "");
	return k;
}

void
tf_cluster_destroy(tf_cluster **kp)
{
	tf_cluster *k = kp != NULL ? *kp : NULL;

	if (k == NULL)
		return;
	free(k->members);
	free(k);
	*kp = NULL;
}

const char *
tf_cluster_id(const tf_cluster *k)
{
	return k->id;
}

const char *
tf_cluster_fqdn(const tf_cluster *k)
{
	return k->fqdn;
}

static int
web_member_call(tf_cluster *k, const char *cmd, const char *ctr, tf_err *err)
{
	tf_web_msg req = { .cluster = k->id, .container = ctr };
	tf_out o;

	tf_out_init(&o, cmd);
	tf_web_pack(&req, &o);
	return sdk_call(k->loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err);
}

int
tf_cluster_add(tf_cluster *k, tf_container *c, tf_err *err)
{
	const char *id;

	if (tf_container_wait_ready(c, 0, err) != 0)
		return -1;
	id = tf_container_id(c);
	for (size_t i = 0; i < k->n_members; i++)
		if (k->members[i] == c)
			return 0;
	if (k->id[0] != '\0' && web_member_call(k, "web_add", id, err) != 0)
		return -1;
	SDK_PUSH(k, members, c);
	return 0;
}

int
tf_cluster_remove(tf_cluster *k, tf_container *c, tf_err *err)
{
	for (size_t i = 0; i < k->n_members; i++) {
		if (k->members[i] != c)
			continue;
		if (k->id[0] != '\0' && web_member_call(k, "web_remove",
		    tf_container_id(c), err) != 0)
			return -1;
		k->members[i] = k->members[--k->n_members];
		return 0;
	}
	return 0;
}

/* The PEM files joined, as the original SDK did. */
static uint8_t *
web_pem_read(const char *const *files, size_t *len, tf_err *err)
{
	struct sdk_buf b = { 0 };

	for (size_t i = 0; files[i] != NULL; i++) {
		size_t n;
		char *text = tf_read_file(files[i], &n, WEB_PEM_MAX);

		if (text == NULL) {
			sdk_buf_free(&b);
			tf_err_errno(err, "cannot read %s", files[i]);
			return NULL;
		}
		sdk_buf_add(&b, text, n);
		if (n > 0 && text[n - 1] != '\n')
			sdk_buf_add(&b, "\n", 1);
		free(text);
	}
	if (b.len > WEB_PEM_MAX) {
		sdk_buf_free(&b);
		tf_err_set(err, "the certificate files are over %d bytes",
		    WEB_PEM_MAX);
		return NULL;
	}
	return sdk_buf_take(&b, len);
}

int
tf_cluster_publish(tf_cluster *k, const char *fqdn, int port,
		   const char *const *pem_files, tf_err *err)
{
	const char **ids = tf_calloc(k->n_members + 1, sizeof *ids);
	tf_web_msg req = { .cluster = k->id, .fqdn = fqdn,
	    .rewrite = k->rewrite, .port = port, .containers = ids }, rep;
	uint8_t *pem = NULL;
	tf_reply r;
	tf_out o;
	int rc;

	/* Members that ended are left out (a cluster outlives them). */
	for (size_t i = 0; i < k->n_members; i++) {
		tf_model_ctr_state st = tf_container_state(k->members[i]);

		if (st != TF_CTR_DESTROYED && st != TF_CTR_EXITED &&
		    st != TF_CTR_FAILED)
			ids[req.n_containers++] = tf_container_id(k->members[i]);
	}

	if (pem_files != NULL && pem_files[0] != NULL) {
		pem = web_pem_read(pem_files, &req.n_cert, err);
		if (pem == NULL) {
			free(ids);
			return -1;
		}
		req.cert = pem;
	}
	tf_out_init(&o, "web_publish");
	tf_web_pack(&req, &o);
	free(pem);
	free(ids);
	if (sdk_call(k->loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		return -1;
	rc = tf_web_unpack(r.params, &rep, err);
	if (rc == 0 && !tf_uuid_valid(rep.cluster))
		rc = tf_err_set(err, "the location answered no cluster id");
	if (rc == 0) {
		snprintf(k->id, sizeof k->id, "%s", rep.cluster);
		snprintf(k->fqdn, sizeof k->fqdn, "%s", fqdn);
		tf_info("Published (%s) at: %s", k->id, fqdn);
	}
	tf_web_free(&rep);
	tf_reply_fini(&r);
	return rc;
}

int
tf_cluster_unpublish(tf_cluster *k, tf_err *err)
{
	tf_web_msg req = { .cluster = k->id };
	tf_out o;

	if (k->id[0] == '\0')
		return 0;
	tf_out_init(&o, "web_unpublish");
	tf_web_pack(&req, &o);
	if (sdk_call(k->loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err) != 0)
		return -1;
	k->id[0] = '\0';
	return 0;
}

/* The location's address, from the account's endpoint (tcp://HOST:PORT). */
static int
web_location_addr(tf_location *loc, int port, struct sockaddr_in *sa,
		  tf_err *err)
{
	const char *ep = loc->acct.endpoint, *start = strstr(ep, "://");
	const char *colon = strrchr(ep, ':');
	struct addrinfo hints = { .ai_family = AF_INET }, *res = NULL;
	char host[256];

	start = start != NULL ? start + 3 : ep;
	if (colon == NULL || colon < start ||
	    (size_t)(colon - start) >= sizeof host)
		return tf_err_set(err, "cannot tell the location's address "
		    "from %s", ep);
	snprintf(host, sizeof host, "%.*s", (int)(colon - start), start);
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
		return tf_err_set(err, "cannot resolve %s", host);
	memcpy(sa, res->ai_addr, sizeof *sa);
	sa->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

int
tf_cluster_wait_http_200(tf_cluster *k, int timeout_ms, tf_err *err)
{
	uint64_t end = tf_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms :
	    SDK_READY_TIMEOUT_MS);
	tf_web_list_msg l;
	struct sockaddr_in sa;
	int status = 0, port;

	if (k->id[0] == '\0')
		return tf_err_set(err, "the cluster is not published");
	if (tf_location_web_list(k->loc, &l, err) != 0)
		return -1;
	port = (int)l.http_port;
	tf_web_list_free(&l);
	if (port == 0)
		return tf_err_set(err, "the location serves no HTTP");
	if (web_location_addr(k->loc, port, &sa, err) != 0)
		return -1;
	tf_info("Waiting on http 200: %s", k->fqdn);
	for (;;) {
		status = sdk_http_get(k->loc, &sa, k->fqdn, "/");
		if (status == 200)
			return 0;
		if (tf_now_ms() >= end || k->loc->complete)
			return tf_err_set(err, "Could not connect to: http://%s "
			    "(%s %d)", k->fqdn, status ? "the last answer was" :
			    "no answer", status);
		tf_location_sleep(k->loc, 500);
	}
}

static int
web_domain_call(tf_location *loc, const char *cmd, const char *domain,
		char *token, size_t size, tf_err *err)
{
	tf_domain_msg req = { .domain = domain }, rep;
	tf_reply r;
	tf_out o;

	tf_out_init(&o, cmd);
	tf_domain_pack(&req, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		return -1;
	if (token != NULL) {
		if (tf_domain_unpack(r.params, &rep, err) != 0) {
			tf_reply_fini(&r);
			return -1;
		}
		snprintf(token, size, "%s", rep.token);
		tf_domain_free(&rep);
	}
	tf_reply_fini(&r);
	return 0;
}

int
tf_domain_prepare(tf_location *loc, const char *domain, char *token,
		  size_t size, tf_err *err)
{
	return web_domain_call(loc, "domain_prepare", domain, token, size, err);
}

int
tf_domain_claim(tf_location *loc, const char *domain, tf_err *err)
{
	return web_domain_call(loc, "domain_claim", domain, NULL, 0, err);
}

int
tf_domain_global(tf_location *loc, const char *domain, tf_err *err)
{
	return web_domain_call(loc, "domain_global", domain, NULL, 0, err);
}

int
tf_domain_private(tf_location *loc, const char *domain, tf_err *err)
{
	return web_domain_call(loc, "domain_private", domain, NULL, 0, err);
}

int
tf_domain_release(tf_location *loc, const char *domain, tf_err *err)
{
	return web_domain_call(loc, "domain_release", domain, NULL, 0, err);
}

int
tf_location_web_list(tf_location *loc, struct tf_web_list_msg *out,
		     tf_err *err)
{
	tf_reply r;
	tf_out o;
	int rc;

	memset(out, 0, sizeof *out);
	tf_out_init(&o, "web_list");
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		return -1;
	rc = tf_web_list_unpack(r.params, out, err);
	tf_reply_fini(&r);
	return rc;
}
