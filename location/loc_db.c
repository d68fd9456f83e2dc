/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_db.c: the location's persistent state in SQLite: users, nodes, invite
 * tokens, sessions, images, layers, KV, volumes, containers, domains
 * and published clusters.  The
 * container records let a restarted location offer its clients what they
 * had before their nodes are back; a node's hello then reconciles them
 * with what actually runs (loc_session.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "location.h"
#include "tf_log.h"

static const char loc_db_schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, name TEXT,"
    "  pk BLOB UNIQUE, admin INTEGER, created REAL);"
    "CREATE TABLE IF NOT EXISTS nodes(id INTEGER PRIMARY KEY, name TEXT UNIQUE,"
    "  pk BLOB UNIQUE, created REAL);"
    "CREATE TABLE IF NOT EXISTS invites(secret BLOB PRIMARY KEY, name TEXT,"
    "  admin INTEGER, created REAL, used INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS sessions(id TEXT PRIMARY KEY, user_id INTEGER,"
    "  name TEXT, created REAL);"
    "CREATE TABLE IF NOT EXISTS images(user_id INTEGER, image_id TEXT,"
    "  names TEXT, layers TEXT, config BLOB, size INTEGER, created REAL,"
    "  origin TEXT DEFAULT '', PRIMARY KEY(user_id, image_id));"
    "CREATE TABLE IF NOT EXISTS layers(sha TEXT PRIMARY KEY, size INTEGER);"
    "CREATE TABLE IF NOT EXISTS kv(user_id INTEGER, key TEXT, value BLOB,"
    "  PRIMARY KEY(user_id, key));"
    "CREATE TABLE IF NOT EXISTS volumes(id TEXT PRIMARY KEY, user_id INTEGER,"
    "  node_id INTEGER, tag TEXT, snapshot INTEGER, created REAL,"
    "  size INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS containers(id TEXT PRIMARY KEY,"
    "  node_id INTEGER, user_id INTEGER, session TEXT, tag TEXT, image TEXT,"
    "  ip TEXT, state TEXT, exit_code INTEGER, error TEXT, created REAL,"
    "  started REAL, startup_ms INTEGER, volumes TEXT);"
    "CREATE TABLE IF NOT EXISTS domains(domain TEXT PRIMARY KEY,"
    "  user_id INTEGER, global INTEGER DEFAULT 0, created REAL);"
    "CREATE TABLE IF NOT EXISTS domain_tokens(domain TEXT, user_id INTEGER,"
    "  token TEXT, expires REAL, PRIMARY KEY(domain, user_id));"
    "CREATE TABLE IF NOT EXISTS clusters(id TEXT PRIMARY KEY, user_id INTEGER,"
    "  session TEXT, fqdn TEXT UNIQUE, rewrite TEXT, port INTEGER,"
    "  tls INTEGER, members TEXT);";

int
loc_db_open(struct location *loc, tf_err *err)
{
	char path[4096];
	char *msg = NULL;

	snprintf(path, sizeof path, "%s/location.sqlite3", loc->opt.state_dir);
	if (sqlite3_open(path, &loc->db) != SQLITE_OK)
		return tf_err_set(err, "cannot open %s: %s", path,
		    sqlite3_errmsg(loc->db));
	sqlite3_busy_timeout(loc->db, 2000);
	if (sqlite3_exec(loc->db, loc_db_schema, NULL, NULL, &msg) != SQLITE_OK) {
		tf_err_set(err, "cannot set up %s: %s", path, msg);
		sqlite3_free(msg);
		return -1;
	}
	/* Where an image came from (a path or a registry reference) was
	 * added later: a state dir from before gets the column now; on a
	 * new one this fails harmlessly (it exists). */
	(void)sqlite3_exec(loc->db, "ALTER TABLE images ADD COLUMN origin TEXT "
	    "DEFAULT ''", NULL, NULL, NULL);
	/* So was a volume's size (older volumes count 0 bytes). */
	(void)sqlite3_exec(loc->db, "ALTER TABLE volumes ADD COLUMN size "
	    "INTEGER DEFAULT 0", NULL, NULL, NULL);
	return 0;
}

void
loc_db_close(struct location *loc)
{
	if (loc->db != NULL)
		sqlite3_close(loc->db);
	loc->db = NULL;
}

sqlite3_stmt *
loc_db_prepare(struct location *loc, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(loc->db, sql, -1, &st, NULL) != SQLITE_OK) {
		tf_error("sqlite: %s: %s", sql, sqlite3_errmsg(loc->db));
		return NULL;
	}
	return st;
}

int
loc_db_exec(struct location *loc, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(loc->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tf_error("sqlite: %s: %s", sql, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
loc_db_id_by_pk(struct location *loc, const char *sql, const uint8_t pk[32],
		int64_t *id)
{
	sqlite3_stmt *st = loc_db_prepare(loc, sql);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
loc_db_user_by_pk(struct location *loc, const uint8_t pk[32], int64_t *id)
{
	return loc_db_id_by_pk(loc, "SELECT id FROM users WHERE pk=?", pk, id);
}

int
loc_db_node_by_pk(struct location *loc, const uint8_t pk[32], int64_t *id)
{
	return loc_db_id_by_pk(loc, "SELECT id FROM nodes WHERE pk=?", pk, id);
}

/* The row with this id of a query "SELECT name[, flag] ... WHERE id=?":
 * its name, and its flag when asked.  -1 when there is no such row. */
static int
loc_db_name_by_id(struct location *loc, const char *sql, int64_t id,
		  char *name, size_t size, bool *flag)
{
	sqlite3_stmt *st = loc_db_prepare(loc, sql);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(st, 0);

		snprintf(name, size, "%s", text != NULL ? (const char *)text :
		    "");
		if (flag != NULL)
			*flag = sqlite3_column_int(st, 1) != 0;
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
loc_db_user_get(struct location *loc, int64_t id, char *name, size_t size,
		bool *admin)
{
	return loc_db_name_by_id(loc, "SELECT name, admin FROM users WHERE id=?",
	    id, name, size, admin);
}

int
loc_db_node_name(struct location *loc, int64_t id, char *name, size_t size)
{
	return loc_db_name_by_id(loc, "SELECT name FROM nodes WHERE id=?", id,
	    name, size, NULL);
}

int
loc_db_node_add(struct location *loc, const uint8_t pk[32], const char *name,
		int64_t *id, tf_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (loc_db_node_by_pk(loc, pk, id) == 0)
		return 0;	/* approving twice is harmless */
	st = loc_db_prepare(loc,
	    "INSERT INTO nodes(name, pk, created) VALUES(?, ?, ?)");
	if (st == NULL)
		return tf_err_set(err, "database error");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, tf_wall_time());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tf_err_set(err, "cannot add node %s: %s (is the name taken?)",
		    name, sqlite3_errmsg(loc->db));
	*id = sqlite3_last_insert_rowid(loc->db);
	return 0;
}

/* Invite secrets are stored hashed: a copy of the database does not give
 * away unused tokens. */
static void
loc_db_hash_secret(const uint8_t secret[16], uint8_t out[32])
{
	crypto_hash_sha256(out, secret, 16);
}

int
loc_db_invite_add(struct location *loc, const uint8_t secret[16],
		  const char *name, bool admin, tf_err *err)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "INSERT INTO invites(secret, name, admin, created) VALUES(?,?,?,?)");
	uint8_t h[32];
	int rc;

	if (st == NULL)
		return tf_err_set(err, "database error");
	loc_db_hash_secret(secret, h);
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, admin);
	sqlite3_bind_double(st, 4, tf_wall_time());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tf_err_set(err, "cannot store invite: %s",
		    sqlite3_errmsg(loc->db));
	return 0;
}

int
loc_db_invite_use(struct location *loc, const uint8_t secret[16],
		  const uint8_t pk[32], int64_t *user_id, char *name,
		  size_t size, tf_err *err)
{
	sqlite3_stmt *st;
	uint8_t h[32];
	bool admin;
	int64_t existing;

	loc_db_hash_secret(secret, h);
	st = loc_db_prepare(loc,
	    "SELECT name, admin FROM invites WHERE secret=? AND used=0");
	if (st == NULL)
		return tf_err_set(err, "database error");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return tf_err_set(err, "this token is either incorrect or has "
		    "been used already");
	}
	snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
	admin = sqlite3_column_int(st, 1) != 0;
	sqlite3_finalize(st);
	if (loc_db_user_by_pk(loc, pk, &existing) == 0)
		return tf_err_set(err, "this key already has an account");

	loc_db_exec(loc, "BEGIN");
	st = loc_db_prepare(loc, "UPDATE invites SET used=1 WHERE secret=? AND used=0");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (sqlite3_changes(loc->db) != 1) {
		loc_db_exec(loc, "ROLLBACK");
		return tf_err_set(err, "this token has been used already");
	}
	st = loc_db_prepare(loc,
	    "INSERT INTO users(name, pk, admin, created) VALUES(?,?,?,?)");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, admin);
	sqlite3_bind_double(st, 4, tf_wall_time());
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		loc_db_exec(loc, "ROLLBACK");
		return tf_err_set(err, "cannot create the account: %s",
		    sqlite3_errmsg(loc->db));
	}
	sqlite3_finalize(st);
	*user_id = sqlite3_last_insert_rowid(loc->db);
	loc_db_exec(loc, "COMMIT");
	return 0;
}

int
loc_db_session_save(struct location *loc, const struct loc_session *s)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "INSERT OR REPLACE INTO sessions(id, user_id, name, created) "
	    "VALUES(?,?,?,?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, tf_wall_time());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Runs a statement whose one parameter is an id (a DELETE ... WHERE id=?). */
static int
db_run_with_id(struct location *loc, const char *sql, const char *id)
{
	sqlite3_stmt *st = loc_db_prepare(loc, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int
loc_db_session_delete(struct location *loc, const char *id)
{
	return db_run_with_id(loc, "DELETE FROM sessions WHERE id=?", id);
}

/* After a restart every session is down: its client has the grace period
 * to come back and resume it. */
int
loc_db_sessions_load(struct location *loc)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "SELECT id, user_id, name FROM sessions");
	uint64_t now = tf_now_ms();

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_session *s = tf_calloc(1, sizeof *s);

		snprintf(s->id, sizeof s->id, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		s->user_id = sqlite3_column_int64(st, 1);
		snprintf(s->name, sizeof s->name, "%s",
		    (const char *)sqlite3_column_text(st, 2));
		if (loc_db_user_get(loc, s->user_id, s->user_name,
		    sizeof s->user_name, &s->admin) != 0) {
			free(s);
			continue;
		}
		s->connected = false;
		s->down_since_ms = now;
		LOC_PUSH(sessions, s);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Written on every change of the record (loc_event_container), so what a
 * restarted location loads is what its clients last saw.  The volumes it
 * mounts are one text of space-separated ids. */
int
loc_db_container_save(struct location *loc, const struct loc_container *c)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "INSERT OR REPLACE INTO containers(id, node_id, user_id, session,"
	    " tag, image, ip, state, exit_code, error, created, started,"
	    " startup_ms, volumes) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	char *vols = tf_calloc(c->n_volumes + 1, LOC_ID_LEN + 1);
	size_t len = 0;
	int rc;

	if (st == NULL) {
		free(vols);
		return -1;
	}
	for (size_t i = 0; i < c->n_volumes; i++)
		len += (size_t)sprintf(vols + len, "%s%s", i ? " " : "",
		    c->volumes[i]);
	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->node_id);
	sqlite3_bind_int64(st, 3, c->user_id);
	sqlite3_bind_text(st, 4, c->session, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, c->tag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, c->image, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, c->ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, c->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, c->exit_code);
	sqlite3_bind_text(st, 10, c->error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 11, c->created);
	sqlite3_bind_double(st, 12, c->started);
	sqlite3_bind_int64(st, 13, c->startup_ms);
	sqlite3_bind_text(st, 14, vols, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc != 0)
		tf_error("sqlite: saving container %s: %s", c->id,
		    sqlite3_errmsg(loc->db));
	sqlite3_finalize(st);
	free(vols);
	return rc;
}

int
loc_db_container_delete(struct location *loc, const char *id)
{
	return db_run_with_id(loc, "DELETE FROM containers WHERE id=?", id);
}

static void
loc_db_column_copy(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(st, col);

	snprintf(out, size, "%s", text != NULL ? (const char *)text : "");
}

/* A record with room for the volumes named in text (see struct
 * loc_container: they are its flexible array). */
static struct loc_container *
loc_db_container_new(const unsigned char *text)
{
	char *copy = tf_strdup(text != NULL ? (const char *)text : "");
	char *save = NULL, *id;
	size_t n = 0;
	struct loc_container *c;

	for (const char *p = copy; *p != '\0'; p++)
		n += *p == ' ';
	c = tf_calloc(1, sizeof *c + (n + 1) * sizeof c->volumes[0]);
	for (id = strtok_r(copy, " ", &save); id != NULL;
	    id = strtok_r(NULL, " ", &save))
		snprintf(c->volumes[c->n_volumes++], sizeof c->volumes[0], "%s",
		    id);
	free(copy);
	return c;
}

/* After a restart the containers are as last recorded until their node
 * says hello and reports what really runs. */
int
loc_db_containers_load(struct location *loc)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "SELECT id, node_id, user_id, session, tag, image, ip, state,"
	    " exit_code, error, created, started, startup_ms, volumes"
	    " FROM containers");

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_container *c = loc_db_container_new(
		    sqlite3_column_text(st, 13));

		loc_db_column_copy(st, 0, c->id, sizeof c->id);
		c->node_id = sqlite3_column_int64(st, 1);
		c->user_id = sqlite3_column_int64(st, 2);
		loc_db_column_copy(st, 3, c->session, sizeof c->session);
		loc_db_column_copy(st, 4, c->tag, sizeof c->tag);
		loc_db_column_copy(st, 5, c->image, sizeof c->image);
		loc_db_column_copy(st, 6, c->ip, sizeof c->ip);
		loc_db_column_copy(st, 7, c->state, sizeof c->state);
		c->exit_code = sqlite3_column_int64(st, 8);
		loc_db_column_copy(st, 9, c->error, sizeof c->error);
		c->created = sqlite3_column_double(st, 10);
		c->started = sqlite3_column_double(st, 11);
		c->startup_ms = sqlite3_column_int64(st, 12);
		LOC_PUSH(containers, c);
	}
	sqlite3_finalize(st);
	return 0;
}
