/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_web.c: the model behind the web balancer (docs/WEB.md): domains
 * (who may publish under which name), clusters (containers published at
 * an FQDN) and the HAProxy configuration written from them.
 *
 * Nothing a client wrote reaches the configuration without having been
 * validated: FQDNs and rewrites by tf_name_domain (lower-case letters,
 * digits, '-' and '.'), cluster and container ids are our own uuids,
 * addresses are formatted back from binary and ports are integers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "location.h"
#include "tf_log.h"
#include "tf_name.h"

struct loc_cluster *
loc_cluster_find(struct location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_clusters; i++)
		if (!loc->clusters[i]->dead &&
		    strcmp(loc->clusters[i]->id, id) == 0)
			return loc->clusters[i];
	return NULL;
}

void
loc_cluster_save(struct location *loc, const struct loc_cluster *k)
{
	sqlite3_stmt *st;
	char *members = tf_calloc(k->n_members + 1, LOC_ID_LEN);

	for (size_t i = 0; i < k->n_members; i++) {
		if (i > 0)
			strcat(members, " ");
		strcat(members, k->members[i]);
	}
	if (k->dead) {
		st = loc_db_prepare(loc, "DELETE FROM clusters WHERE id=?");
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_TRANSIENT);
	} else {
		st = loc_db_prepare(loc, "INSERT OR REPLACE INTO clusters(id,"
		    " user_id, session, fqdn, rewrite, port, tls, members)"
		    " VALUES(?,?,?,?,?,?,?,?)");
		sqlite3_bind_text(st, 1, k->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, k->user_id);
		sqlite3_bind_text(st, 3, k->session, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, k->fqdn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, k->rewrite, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 6, k->port);
		sqlite3_bind_int(st, 7, k->tls);
		sqlite3_bind_text(st, 8, members, -1, SQLITE_TRANSIENT);
	}
	if (st != NULL) {
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	free(members);
}

/* A restarted location serves what it served (the sessions are loaded
 * first: a cluster whose session is gone is collected with it). */
int
loc_clusters_load(struct location *loc)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT id, user_id, session,"
	    " fqdn, rewrite, port, tls, members FROM clusters");
	tf_err err;

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_cluster *k = tf_calloc(1, sizeof *k);
		const char *members = (const char *)sqlite3_column_text(st, 7);
		char *copy, *tok, *save = NULL;

		snprintf(k->id, sizeof k->id, "%s", sqlite3_column_text(st, 0));
		k->user_id = sqlite3_column_int64(st, 1);
		snprintf(k->session, sizeof k->session, "%s",
		    sqlite3_column_text(st, 2));
		snprintf(k->fqdn, sizeof k->fqdn, "%s", sqlite3_column_text(st, 3));
		snprintf(k->rewrite, sizeof k->rewrite, "%s",
		    sqlite3_column_text(st, 4));
		k->port = sqlite3_column_int(st, 5);
		k->tls = sqlite3_column_int(st, 6) != 0;
		copy = tf_strdup(members != NULL ? members : "");
		for (tok = strtok_r(copy, " ", &save); tok != NULL &&
		    k->n_members < LOC_CLUSTER_MAX; tok = strtok_r(NULL, " ", &save))
			if (tf_uuid_valid(tok))
				snprintf(k->members[k->n_members++], LOC_ID_LEN,
				    "%s", tok);
		free(copy);
		/* Checked again: the file could have been edited. */
		if (!tf_uuid_valid(k->id) ||
		    tf_name_domain("fqdn", k->fqdn, &err) != 0 ||
		    (k->rewrite[0] != '\0' &&
		    tf_name_domain("rewrite", k->rewrite, &err) != 0) ||
		    k->port < 1 || k->port > 65535) {
			tf_warn("cluster %s: bad record, dropped", k->id);
			free(k);
			continue;
		}
		LOC_PUSH(clusters, k);
	}
	sqlite3_finalize(st);
	return 0;
}

static void
web_cluster_drop(struct location *loc, struct loc_cluster *k, const char *why)
{
	char *pem;

	tf_info("cluster %s (%s) unpublished: %s", k->id, k->fqdn, why);
	k->dead = true;
	loc_cluster_save(loc, k);
	if (k->tls) {
		char name[64];

		snprintf(name, sizeof name, "certs/%s.pem", k->id);
		pem = loc_web_dir(loc, name);
		unlink(pem);
		free(pem);
	}
	for (size_t i = 0; i < loc->n_clusters; i++)
		if (loc->clusters[i] == k) {
			loc->clusters[i] = loc->clusters[--loc->n_clusters];
			break;
		}
	for (size_t i = 0; i < k->n_members; i++)
		loc_web_member_left(loc, k->members[i]);
	loc_event_gone(loc, k->user_id, TF_REC_ENDPOINT, k->id);
	free(k);
	loc->haproxy.dirty = true;
}

void
loc_web_unpublish(struct location *loc, struct loc_cluster *k, const char *why)
{
	web_cluster_drop(loc, k, why);
}

void
loc_web_session_gone(struct location *loc, const char *session)
{
	for (size_t i = 0; i < loc->n_clusters;) {
		struct loc_cluster *k = loc->clusters[i];

		if (strcmp(k->session, session) == 0)
			web_cluster_drop(loc, k, "its session was collected");
		else
			i++;
	}
}

/* A container left a cluster: when it is in no other, the balancer's
 * allowance into it goes (loc_overlay.c). */
void
loc_web_member_left(struct location *loc, const char *container)
{
	struct loc_container *c = loc_container_find(loc, container);

	if (c == NULL || c->dead)
		return;
	for (size_t i = 0; i < loc->n_clusters; i++) {
		const struct loc_cluster *k = loc->clusters[i];

		for (size_t j = 0; j < k->n_members; j++)
			if (strcmp(k->members[j], container) == 0)
				return;
	}
	loc_overlay_allow(loc, c, false);
}

/* A member started, stopped or went: the backend's servers change. */
void
loc_web_member_changed(struct location *loc, const char *container)
{
	for (size_t i = 0; i < loc->n_clusters; i++) {
		struct loc_cluster *k = loc->clusters[i];

		for (size_t j = 0; j < k->n_members; j++)
			if (strcmp(k->members[j], container) == 0) {
				loc->haproxy.dirty = true;
				return;
			}
	}
}

static int domain_find(struct location *, const char *, int64_t *, bool *,
    char *, size_t);

/* The holder of the closest domain that fqdn lies under (the name itself
 * or a parent): 0 and *user, *global; -1 when no domain covers it. */
int
loc_domain_holder(struct location *loc, const char *fqdn, int64_t *user,
		  bool *global)
{
	return domain_find(loc, fqdn, user, global, NULL, 0);
}

/* That domain's name (for the endpoint records), "" when none. */
int
loc_domain_of(struct location *loc, const char *fqdn, char *out, size_t size)
{
	int64_t user;
	bool global;

	out[0] = '\0';
	return domain_find(loc, fqdn, &user, &global, out, size);
}

static int
domain_find(struct location *loc, const char *fqdn, int64_t *user,
    bool *global, char *out, size_t size)
{
	for (const char *d = fqdn; d != NULL; d = strchr(d, '.')) {
		sqlite3_stmt *st;
		int rc = -1;

		if (*d == '.')
			d++;
		st = loc_db_prepare(loc, "SELECT user_id, global FROM domains"
		    " WHERE domain=?");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, d, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*user = sqlite3_column_int64(st, 0);
			*global = sqlite3_column_int(st, 1) != 0;
			if (out != NULL)
				snprintf(out, size, "%s", d);
			rc = 0;
		}
		sqlite3_finalize(st);
		if (rc == 0)
			return 0;
	}
	return -1;
}

/* tf-location domain-add DOMAIN USER: an administrator hands out a domain
 * without a DNS proof. */
int
loc_domain_add(struct location *loc, const char *domain, const char *user,
	       tf_err *err)
{
	sqlite3_stmt *st;
	int64_t uid = 0;
	int n = 0;

	if (tf_name_domain("domain", domain, err) != 0)
		return -1;
	st = loc_db_prepare(loc, "SELECT id FROM users WHERE name=?");
	if (st == NULL)
		return tf_err_set(err, "database: cannot read users");
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uid = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (n == 0)
		return tf_err_set(err, "no account is called '%s'", user);
	if (n > 1)
		return tf_err_set(err, "%d accounts are called '%s'", n, user);
	st = loc_db_prepare(loc, "INSERT OR REPLACE INTO domains(domain,"
	    " user_id, global, created) VALUES(?,?,0,?)");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_double(st, 3, tf_wall_time());
	n = sqlite3_step(st);
	sqlite3_finalize(st);
	return n == SQLITE_DONE ? 0 :
	    tf_err_set(err, "database: cannot record the domain");
}

/* The servers of a cluster: running members with an address. */
static void
web_config_backend(struct location *loc, FILE *f, const struct loc_cluster *k)
{
	fprintf(f, "\nbackend c_%s\n", k->id);
	fprintf(f, "\tbalance roundrobin\n");
	if (k->rewrite[0] != '\0')
		fprintf(f, "\thttp-request set-header Host %s\n", k->rewrite);
	for (size_t i = 0; i < k->n_members; i++) {
		struct loc_container *c = loc_container_find(loc, k->members[i]);
		struct in_addr a;
		char ip[INET_ADDRSTRLEN];

		if (c == NULL || c->dead || strcmp(c->state, "running") != 0 ||
		    c->user_id != k->user_id ||
		    inet_pton(AF_INET, c->ip, &a) != 1)
			continue;
		inet_ntop(AF_INET, &a, ip, sizeof ip);
		/* Idempotent: a member that restarted or whose node came
		 * back is let in again. */
		loc_overlay_allow(loc, c, true);
		fprintf(f, "\tserver %s %s:%d check inter 1s fall 2 rise 1\n",
		    c->id, ip, k->port);
	}
}

static int
web_write(const char *path, const char *data, size_t len, tf_err *err)
{
	if (tf_write_file(path, data, len, 0600) != 0)
		return tf_err_errno(err, "web balancer: cannot write %s", path);
	return 0;
}

/* Writes haproxy.cfg (at path, or its place in <state>/web), hosts.map
 * (FQDN -> backend) and certs.list (certificate -> SNI name). */
int
loc_web_config(struct location *loc, const char *path, tf_err *err)
{
	char *cfg = path != NULL ? tf_strdup(path) : loc_web_dir(loc, "haproxy.cfg");
	char *admin = loc_web_dir(loc, "admin.sock");
	char *map = loc_web_dir(loc, "hosts.map");
	char *list = loc_web_dir(loc, "certs.list");
	char *text = NULL, *mtext = NULL, *ltext = NULL, addr[64];
	size_t len = 0, mlen = 0, llen = 0;
	FILE *f = open_memstream(&text, &len);
	FILE *mf = open_memstream(&mtext, &mlen);
	FILE *lf = open_memstream(&ltext, &llen);
	int port, rc = -1, ncerts = 0;

	fprintf(f,
	    "# Written by tf-location: every change is overwritten.\n"
	    "global\n"
	    "\tnode tf-%llu\n"
	    "\tstats socket %s mode 600 level admin expose-fd listeners\n"
	    "\n"
	    "defaults\n"
	    "\tmode http\n"
	    "\ttimeout connect 3s\n"
	    "\ttimeout client 60s\n"
	    "\ttimeout server 60s\n"
	    "\ttimeout http-request 10s\n"
	    "\ttimeout http-keep-alive 10s\n"
	    /* A member that refuses (it just went) costs a retry on
	     * another, not a failed request. */
	    "\tretries 3\n"
	    "\toption redispatch 1\n"
	    "\toption forwardfor\n",
	    (unsigned long long)++loc->haproxy.gen_written, admin);
	for (size_t i = 0; i < loc->n_clusters; i++) {
		const struct loc_cluster *k = loc->clusters[i];

		fprintf(mf, "%s c_%s\n", k->fqdn, k->id);
		if (k->tls) {
			char name[64], *pem;

			snprintf(name, sizeof name, "certs/%s.pem", k->id);
			pem = loc_web_dir(loc, name);
			fprintf(lf, "%s %s\n", pem, k->fqdn);
			free(pem);
			ncerts++;
		}
	}
	if (loc->opt.http != NULL &&
	    loc_web_parse_bind(loc->opt.http, addr, sizeof addr, &port) == 0)
		fprintf(f, "\nfrontend tf_http\n"
		    "\tbind %s:%d\n"
		    "\thttp-request set-var(txn.host) req.hdr(host),field(1,:),lower\n"
		    "\tuse_backend %%[var(txn.host),map(%s)]\n"
		    "\tdefault_backend tf_none\n", addr, port, map);
	/* HTTPS needs a certificate to bind with: until one is published the
	 * port stays closed. */
	if (loc->opt.https != NULL && ncerts > 0 &&
	    loc_web_parse_bind(loc->opt.https, addr, sizeof addr, &port) == 0)
		fprintf(f, "\nfrontend tf_https\n"
		    "\tbind %s:%d ssl crt-list %s\n"
		    "\thttp-request set-var(txn.host) ssl_fc_sni,lower\n"
		    "\tuse_backend %%[var(txn.host),map(%s)]\n"
		    "\tdefault_backend tf_none\n", addr, port, list, map);
	fprintf(f, "\nbackend tf_none\n"
	    "\thttp-request return status 404 content-type text/plain "
	    "string \"nothing is published at this name\\n\"\n");
	for (size_t i = 0; i < loc->n_clusters; i++)
		web_config_backend(loc, f, loc->clusters[i]);
	fclose(f);
	fclose(mf);
	fclose(lf);
	/* The map and list first: the configuration names them. */
	if (web_write(map, mtext, mlen, err) == 0 &&
	    web_write(list, ltext, llen, err) == 0 &&
	    web_write(cfg, text, len, err) == 0)
		rc = 0;
	free(text);
	free(mtext);
	free(ltext);
	free(cfg);
	free(admin);
	free(map);
	free(list);
	return rc;
}
