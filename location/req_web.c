/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * req_web.c: the requests of the web family (docs/PROTOCOL.md, "Web
 * endpoints"): domains (prepare, claim, global, private, release) and
 * clusters (publish, unpublish, add, remove, list).  Every name is
 * validated here, where it enters, before it is looked up or stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "location.h"
#include "tf_codec_web.h"
#include "tf_log.h"
#include "tf_name.h"

#define WEB_TOKEN_TTL_S (6 * 3600.0)

static void
web_reply(struct location *loc, struct loc_session *s, uint64_t id,
	  const tf_domain_msg *d, const tf_web_msg *w)
{
	tf_out o;

	tf_out_init(&o, TF_REPLY);
	if (d != NULL)
		tf_domain_pack(d, &o);
	if (w != NULL)
		tf_web_pack(w, &o);
	loc_send_session(loc, s, &o, id, NULL, 0);
	tf_out_fini(&o);
}

/* ---- domains ------------------------------------------------------------ */

static int
domain_prepare(struct location *loc, struct loc_session *s, const tf_msg *m,
	       const char *domain, tf_err *err)
{
	uint8_t raw[16];
	char token[33];
	tf_domain_msg rep = { .domain = domain, .token = token };
	sqlite3_stmt *st;
	int64_t holder;
	bool global;

	if (loc_domain_holder(loc, domain, &holder, &global) == 0 &&
	    holder != s->user_id)
		return tf_err_set(err, "%s is held by another account", domain);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, sizeof token, raw, sizeof raw);
	st = loc_db_prepare(loc, "INSERT OR REPLACE INTO domain_tokens(domain,"
	    " user_id, token, expires) VALUES(?,?,?,?)");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, tf_wall_time() + WEB_TOKEN_TTL_S);
	sqlite3_step(st);
	sqlite3_finalize(st);
	web_reply(loc, s, m->id, &rep, NULL);
	return 0;
}

static int
domain_claim(struct location *loc, struct loc_session *s, const tf_msg *m,
	     const char *domain, tf_err *err)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT token FROM domain_tokens"
	    " WHERE domain=? AND user_id=? AND expires>?");
	char token[65] = "";
	int64_t holder;
	bool global;

	if (loc_domain_holder(loc, domain, &holder, &global) == 0 &&
	    holder != s->user_id)
		return tf_err_set(err, "%s is held by another account", domain);
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_double(st, 3, tf_wall_time());
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(token, sizeof token, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (token[0] == '\0')
		return tf_err_set(err, "no token for %s: run 'tfdomains prepare "
		    "%s' first (a token lasts six hours)", domain, domain);
	/* Answered when the DNS answers (loc_dns.c). */
	return loc_dns_claim(loc, s, m->id, domain, token, err);
}

/* Only its holder changes a domain (or an administrator). */
static int
domain_held(struct location *loc, struct loc_session *s, const char *domain,
	    tf_err *err)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT user_id FROM domains"
	    " WHERE domain=?");
	int64_t holder = -1;

	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		holder = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (holder < 0)
		return tf_err_set(err, "nobody holds %s", domain);
	if (holder != s->user_id && !s->admin)
		return tf_err_set(err, "%s is held by another account", domain);
	return 0;
}

int
req_domain(struct location *loc, struct loc_session *s, struct loc_node *node,
	   const tf_msg *m, tf_err *err)
{
	tf_domain_msg req;
	sqlite3_stmt *st;
	int rc = -1;

	(void)node;
	if (tf_domain_unpack(m->params, &req, err) != 0)
		return -1;
	if (tf_name_domain("domain", req.domain, err) != 0)
		goto out;
	if (strcmp(m->cmd, "domain_prepare") == 0) {
		rc = domain_prepare(loc, s, m, req.domain, err);
		goto out;
	}
	if (strcmp(m->cmd, "domain_claim") == 0) {
		rc = domain_claim(loc, s, m, req.domain, err);
		goto out;
	}
	if (domain_held(loc, s, req.domain, err) != 0)
		goto out;
	if (strcmp(m->cmd, "domain_release") == 0) {
		for (size_t i = 0; i < loc->n_clusters;) {
			struct loc_cluster *k = loc->clusters[i];
			size_t fl = strlen(k->fqdn), dl = strlen(req.domain);

			if (fl >= dl && strcmp(k->fqdn + fl - dl, req.domain) == 0 &&
			    (fl == dl || k->fqdn[fl - dl - 1] == '.'))
				loc_web_unpublish(loc, k, "its domain was released");
			else
				i++;
		}
		st = loc_db_prepare(loc, "DELETE FROM domains WHERE domain=?");
		sqlite3_bind_text(st, 1, req.domain, -1, SQLITE_TRANSIENT);
	} else {
		st = loc_db_prepare(loc, "UPDATE domains SET global=? WHERE domain=?");
		sqlite3_bind_int(st, 1, strcmp(m->cmd, "domain_global") == 0);
		sqlite3_bind_text(st, 2, req.domain, -1, SQLITE_TRANSIENT);
	}
	sqlite3_step(st);
	sqlite3_finalize(st);
	tf_info("%s: %s by %s", m->cmd, req.domain, s->user_name);
	web_reply(loc, s, m->id, &req, NULL);
	rc = 0;
out:
	tf_domain_free(&req);
	return rc;
}

/* ---- clusters ----------------------------------------------------------- */

/* May this session publish at fqdn? */
static int
web_may_publish(struct location *loc, struct loc_session *s, const char *fqdn,
		tf_err *err)
{
	int64_t holder;
	bool global;

	if (loc_domain_holder(loc, fqdn, &holder, &global) != 0)
		return tf_err_set(err, "no domain covers %s: claim one first "
		    "(tfdomains prepare/claim) or ask an administrator "
		    "(tf-location domain-add)", fqdn);
	if (holder != s->user_id && !global)
		return tf_err_set(err, "%s lies under a domain held by another "
		    "account", fqdn);
	return 0;
}

/* A member must be one of the caller's own containers. */
static struct loc_container *
web_member(struct location *loc, struct loc_session *s, const char *name,
	   tf_err *err)
{
	struct loc_container *c;

	if (tf_name_container("container", name, err) != 0)
		return NULL;
	c = loc_container_lookup(loc, s->user_id, false, name);
	if (c == NULL)
		tf_err_set(err, "no container %s", name);
	return c;
}

static int
web_cert_store(struct location *loc, struct loc_cluster *k,
	       const tf_web_msg *req, tf_err *err)
{
	char name[64], *path, *text;
	int rc;

	text = tf_strndup((const char *)req->cert, req->n_cert);
	if (strlen(text) != req->n_cert ||
	    strstr(text, "-----BEGIN CERTIFICATE-----") == NULL ||
	    strstr(text, "PRIVATE KEY-----") == NULL) {
		free(text);
		return tf_err_set(err, "parameter cert: not a PEM certificate "
		    "followed by its private key");
	}
	/* Tried under a name of its own, then put in place: a refused
	 * certificate never replaces the one a cluster serves with. */
	snprintf(name, sizeof name, "certs/%s.new.pem", k->id);
	path = loc_web_dir(loc, name);
	rc = tf_write_file(path, text, req->n_cert, 0600);
	free(text);
	if (rc != 0) {
		tf_err_errno(err, "cannot write %s", path);
		free(path);
		return -1;
	}
	rc = loc_haproxy_check_cert(loc, path, err);
	if (rc == 0) {
		char *final;

		snprintf(name, sizeof name, "certs/%s.pem", k->id);
		final = loc_web_dir(loc, name);
		if (rename(path, final) != 0)
			rc = tf_err_errno(err, "cannot write %s", final);
		free(final);
	}
	unlink(path);
	free(path);
	return rc;
}

static int
web_publish(struct location *loc, struct loc_session *s, const tf_msg *m,
	    const tf_web_msg *req, tf_err *err)
{
	struct loc_cluster *k = NULL, *fresh;
	tf_web_msg rep = { 0 };

	if (tf_name_domain("fqdn", req->fqdn, err) != 0 ||
	    (req->rewrite[0] != '\0' &&
	    tf_name_domain("rewrite", req->rewrite, err) != 0))
		return -1;
	if (web_may_publish(loc, s, req->fqdn, err) != 0)
		return -1;
	if (req->n_cert > 0 && loc->opt.https == NULL)
		return tf_err_set(err, "this location serves no HTTPS "
		    "(tf-location --https)");
	if (req->cluster[0] != '\0') {
		k = loc_cluster_find(loc, req->cluster);
		if (k == NULL || k->user_id != s->user_id)
			return tf_err_set(err, "no cluster %s", req->cluster);
	}
	for (size_t i = 0; i < loc->n_clusters; i++)
		if (loc->clusters[i] != k &&
		    strcmp(loc->clusters[i]->fqdn, req->fqdn) == 0)
			return tf_err_set(err, "%s is already published%s",
			    req->fqdn, loc->clusters[i]->user_id == s->user_id ?
			    " (unpublish it first, or publish its cluster "
			    "again)" : " by another account");
	fresh = tf_calloc(1, sizeof *fresh);
	for (size_t i = 0; i < req->n_containers; i++) {
		struct loc_container *c = web_member(loc, s,
		    req->containers[i], err);
		bool dup = false;

		if (c == NULL) {
			free(fresh);
			return -1;
		}
		for (size_t j = 0; j < fresh->n_members; j++)
			dup |= strcmp(fresh->members[j], c->id) == 0;
		if (!dup)
			snprintf(fresh->members[fresh->n_members++],
			    LOC_ID_LEN, "%s", c->id);
	}
	if (k != NULL) {
		snprintf(fresh->id, sizeof fresh->id, "%s", k->id);
	} else {
		tf_uuid u;

		tf_uuid_make(&u);
		snprintf(fresh->id, sizeof fresh->id, "%s", u.s);
	}
	fresh->user_id = s->user_id;
	snprintf(fresh->session, sizeof fresh->session, "%s", s->id);
	snprintf(fresh->fqdn, sizeof fresh->fqdn, "%s", req->fqdn);
	snprintf(fresh->rewrite, sizeof fresh->rewrite, "%s", req->rewrite);
	fresh->port = req->port > 0 ? (int)req->port : 80;
	if (req->n_cert > 0) {
		if (web_cert_store(loc, fresh, req, err) != 0) {
			free(fresh);
			return -1;
		}
		fresh->tls = true;
	}
	if (k != NULL) {
		/* Updated in place: the old record goes, the new one stays. */
		if (k->tls && !fresh->tls)
			fresh->tls = true;	/* keep the certificate */
		memcpy(k, fresh, sizeof *k);
		free(fresh);
	} else {
		k = fresh;
		LOC_PUSH(clusters, k);
	}
	loc_cluster_save(loc, k);
	loc->haproxy.dirty = true;
	loc_event_endpoint(loc, k);
	tf_info("cluster %s published at %s by %s (%zu members)", k->id,
	    k->fqdn, s->user_name, k->n_members);
	rep.cluster = k->id;
	rep.fqdn = k->fqdn;
	web_reply(loc, s, m->id, NULL, &rep);
	return 0;
}

static int
web_member_op(struct location *loc, struct loc_session *s, const tf_msg *m,
	      struct loc_cluster *k, const tf_web_msg *req, tf_err *err)
{
	struct loc_container *c = web_member(loc, s, req->container, err);
	bool add = strcmp(m->cmd, "web_add") == 0;

	if (c == NULL)
		return -1;
	for (size_t i = 0; i < k->n_members; i++)
		if (strcmp(k->members[i], c->id) == 0) {
			if (!add)
				memmove(k->members[i], k->members[i + 1],
				    (k->n_members - i - 1) * LOC_ID_LEN);
			k->n_members -= !add;
			goto done;
		}
	if (add) {
		if (k->n_members == LOC_CLUSTER_MAX)
			return tf_err_set(err, "a cluster holds at most %d "
			    "containers", LOC_CLUSTER_MAX);
		snprintf(k->members[k->n_members++], LOC_ID_LEN, "%s", c->id);
	}
done:
	loc_cluster_save(loc, k);
	if (!add)
		loc_web_member_left(loc, c->id);
	loc->haproxy.dirty = true;
	loc_event_endpoint(loc, k);
	web_reply(loc, s, m->id, NULL, req);
	return 0;
}

/* What a cluster's members look like, for listings. */
static void
web_cluster_state(struct location *loc, const struct loc_cluster *k,
		  char *buf, size_t size)
{
	size_t up = 0;

	for (size_t i = 0; i < k->n_members; i++) {
		struct loc_container *c = loc_container_find(loc, k->members[i]);

		up += c != NULL && !c->dead && strcmp(c->state, "running") == 0;
	}
	snprintf(buf, size, "%zu of %zu members running", up, k->n_members);
}

static int
web_list(struct location *loc, struct loc_session *s, const tf_msg *m)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT d.domain, d.global,"
	    " d.user_id, u.name FROM domains d LEFT JOIN users u ON"
	    " u.id = d.user_id WHERE d.user_id=? OR d.global=1 OR ?"
	    " ORDER BY d.domain");
	tf_web_list_msg rep = { 0 };
	size_t cap = 16;
	char addr[64];
	int port;
	tf_out o;

	rep.domains = tf_calloc(cap, sizeof *rep.domains);
	sqlite3_bind_int64(st, 1, s->user_id);
	sqlite3_bind_int(st, 2, s->admin);
	while (sqlite3_step(st) == SQLITE_ROW && rep.n_domains < 4096) {
		tf_domain_msg *d;

		if (rep.n_domains == cap) {
			cap *= 2;
			rep.domains = tf_realloc(rep.domains, cap * sizeof *rep.domains);
		}
		d = &rep.domains[rep.n_domains++];
		memset(d, 0, sizeof *d);
		d->domain = tf_strdup((const char *)sqlite3_column_text(st, 0));
		d->global = sqlite3_column_int(st, 1) != 0;
		d->mine = sqlite3_column_int64(st, 2) == s->user_id;
		d->owner = tf_strdup(sqlite3_column_text(st, 3) != NULL ?
		    (const char *)sqlite3_column_text(st, 3) : "");
	}
	sqlite3_finalize(st);
	rep.clusters = tf_calloc(loc->n_clusters + 1, sizeof *rep.clusters);
	for (size_t i = 0; i < loc->n_clusters; i++) {
		const struct loc_cluster *k = loc->clusters[i];
		tf_web_msg *w;
		char state[128];
		const char **members;

		if (!loc_may_see(s, k->user_id))
			continue;
		w = &rep.clusters[rep.n_clusters++];
		web_cluster_state(loc, k, state, sizeof state);
		members = tf_calloc(k->n_members + 1, sizeof *members);
		for (size_t j = 0; j < k->n_members; j++)
			members[j] = k->members[j];
		w->cluster = k->id;
		w->fqdn = k->fqdn;
		w->rewrite = k->rewrite;
		w->port = k->port;
		w->containers = members;
		w->n_containers = k->n_members;
		w->state = tf_strdup(state);
	}
	if (loc->opt.http != NULL &&
	    loc_web_parse_bind(loc->opt.http, addr, sizeof addr, &port) == 0)
		rep.http_port = port;
	if (loc->opt.https != NULL &&
	    loc_web_parse_bind(loc->opt.https, addr, sizeof addr, &port) == 0)
		rep.https_port = port;
	tf_out_init(&o, TF_REPLY);
	tf_web_list_pack(&rep, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	for (size_t i = 0; i < rep.n_domains; i++) {
		free((char *)rep.domains[i].domain);
		free((char *)rep.domains[i].owner);
	}
	for (size_t i = 0; i < rep.n_clusters; i++) {
		free((void *)rep.clusters[i].containers);
		free((char *)rep.clusters[i].state);
	}
	free(rep.domains);
	free(rep.clusters);
	return 0;
}

int
req_web(struct location *loc, struct loc_session *s, struct loc_node *node,
	const tf_msg *m, tf_err *err)
{
	struct loc_cluster *k;
	tf_web_msg req;
	int rc = -1;

	(void)node;
	if (strcmp(m->cmd, "web_list") == 0)
		return web_list(loc, s, m);
	if (loc->opt.http == NULL && loc->opt.https == NULL)
		return tf_err_set(err, "this location runs no web balancer "
		    "(tf-location --http PORT)");
	if (tf_web_unpack(m->params, &req, err) != 0)
		return -1;
	if (strcmp(m->cmd, "web_publish") == 0) {
		rc = web_publish(loc, s, m, &req, err);
		goto out;
	}
	if (req.cluster[0] == '\0' || !tf_uuid_valid(req.cluster)) {
		tf_err_set(err, "parameter cluster: a cluster id");
		goto out;
	}
	k = loc_cluster_find(loc, req.cluster);
	if (k == NULL || !loc_may_see(s, k->user_id)) {
		tf_err_set(err, "no cluster %s", req.cluster);
		goto out;
	}
	if (strcmp(m->cmd, "web_unpublish") == 0) {
		loc_web_unpublish(loc, k, "by its owner");
		web_reply(loc, s, m->id, NULL, &req);
		rc = 0;
	} else {
		rc = web_member_op(loc, s, m, k, &req, err);
	}
out:
	tf_web_free(&req);
	return rc;
}
