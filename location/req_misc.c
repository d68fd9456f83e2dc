/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * req_misc.c: the smaller requests the location serves itself: the per-user
 * key/value store, invites, tag lookup, tunnel records and volumes (whose
 * data lives on a node; the location keeps the catalogue).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_codec_account.h"
#include "tf_codec_kv.h"
#include "tf_codec_tunnel.h"
#include "tf_codec_vol.h"
#include "tf_log.h"
#include "tf_name.h"

#define KV_KEY_MAX (TF_KV_KEY_MAX + 1)
#define KV_VALUE_MAX TF_KV_VALUE_MAX

static void
req_reply_empty(struct location *loc, struct loc_session *s, uint64_t id)
{
	tf_out o;

	tf_out_init(&o, TF_REPLY);
	loc_send_session(loc, s, &o, id, NULL, 0);
	tf_out_fini(&o);
}

/* kv_set: all pairs or none. */
static int
kv_set(struct location *loc, struct loc_session *s, const tf_kv_msg *req,
       tf_err *err)
{
	const msgpack_object *pairs = req->pairs;
	char key[KV_KEY_MAX];
	sqlite3_stmt *st;

	int64_t entries, bytes;

	if (pairs == NULL)
		return tf_err_set(err, "missing parameter: pairs");
	loc_db_exec(loc, "BEGIN");
	loc_quota_kv_use(loc, s->user_id, &entries, &bytes);
	for (uint32_t i = 0; i < pairs->via.map.size; i++) {
		const msgpack_object_kv *kv = &pairs->via.map.ptr[i];
		msgpack_sbuffer sb;
		msgpack_packer pk;

		if (tf_obj_as_str(&kv->key, key, sizeof key) != 0) {
			loc_db_exec(loc, "ROLLBACK");
			return tf_err_set(err, "parameter pairs: keys must be "
			    "strings of 1 to %d bytes", KV_KEY_MAX - 1);
		}
		if (tf_name_key("pairs", key, err) != 0) {
			loc_db_exec(loc, "ROLLBACK");
			return -1;
		}
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_object(&pk, kv->val);
		if (sb.size > KV_VALUE_MAX) {
			msgpack_sbuffer_destroy(&sb);
			loc_db_exec(loc, "ROLLBACK");
			return tf_err_set(err, "value of %s is over 1 MiB", key);
		}
		st = loc_db_prepare(loc, "INSERT OR REPLACE INTO kv(user_id,"
		    " key, value) VALUES(?,?,?)");
		sqlite3_bind_int64(st, 1, s->user_id);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 3, sb.data, (int)sb.size, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
		msgpack_sbuffer_destroy(&sb);
	}
	if (loc_quota_check_kv(loc, s->user_id, entries, bytes, err) != 0) {
		loc_db_exec(loc, "ROLLBACK");
		return -1;
	}
	loc_db_exec(loc, "COMMIT");
	return 0;
}

/* kv_list: ^ {keys} starting with the prefix, in order. */
static void
kv_list(struct location *loc, struct loc_session *s, uint64_t id,
	const tf_kv_msg *req)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT key FROM kv WHERE "
	    "user_id=? AND substr(key, 1, length(?2)) = ?2 ORDER BY key");
	tf_kv_msg rep = { 0 };
	char **keys = NULL;
	size_t cap = 0;
	tf_out o;

	sqlite3_bind_int64(st, 1, s->user_id);
	sqlite3_bind_text(st, 2, req->prefix, -1, SQLITE_TRANSIENT);
	keys = tf_calloc(1, sizeof *keys);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (rep.n_keys + 1 >= cap) {
			cap = cap * 2 + 16;
			keys = tf_realloc(keys, cap * sizeof *keys);
		}
		keys[rep.n_keys++] = tf_strdup((const char *)
		    sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	rep.keys = (const char *const *)keys;
	tf_out_init(&o, TF_REPLY);
	tf_kv_pack(&rep, &o);
	loc_send_session(loc, s, &o, id, NULL, 0);
	tf_out_fini(&o);
	for (size_t i = 0; i < rep.n_keys; i++)
		free(keys[i]);
	free(keys);
}

int
req_kv(struct location *loc, struct loc_session *s, struct loc_node *node,
       const tf_msg *m, tf_err *err)
{
	sqlite3_stmt *st;
	tf_kv_msg req;
	int rc = -1;

	if (tf_kv_unpack(m->params, &req, err) != 0)
		return -1;
	if (strcmp(m->cmd, "kv_set") == 0) {
		rc = kv_set(loc, s, &req, err);
		if (rc == 0)
			req_reply_empty(loc, s, m->id);
		goto out;
	}
	if (strcmp(m->cmd, "kv_list") == 0) {
		/* An empty prefix lists every key: it selects, never acts. */
		if (req.prefix[0] != '\0' &&
		    tf_name_key("prefix", req.prefix, err) != 0)
			goto out;
		kv_list(loc, s, m->id, &req);
		rc = 0;
		goto out;
	}
	if (!TF_HAS(&tf_kv_codec, &req, key)) {
		tf_err_set(err, "missing parameter: key");
		goto out;
	}
	if (tf_name_key("key", req.key, err) != 0)
		goto out;
	if (strcmp(m->cmd, "kv_del") == 0) {
		st = loc_db_prepare(loc, "DELETE FROM kv WHERE user_id=? AND key=?");
		sqlite3_bind_int64(st, 1, s->user_id);
		sqlite3_bind_text(st, 2, req.key, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
		if (sqlite3_changes(loc->db) == 0) {
			tf_err_set(err, "no such key: %s", req.key);
			goto out;
		}
		req_reply_empty(loc, s, m->id);
		rc = 0;
		goto out;
	}
	st = loc_db_prepare(loc, "SELECT value FROM kv WHERE user_id=? AND key=?");
	sqlite3_bind_int64(st, 1, s->user_id);
	sqlite3_bind_text(st, 2, req.key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		tf_err_set(err, "no such key: %s", req.key);
	} else {
		tf_kv_msg rep = { 0 };
		msgpack_unpacked u;
		tf_out o;

		tf_out_init(&o, TF_REPLY);
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), NULL) ==
		    MSGPACK_UNPACK_SUCCESS)
			rep.value = &u.data;
		tf_kv_pack(&rep, &o);
		msgpack_unpacked_destroy(&u);
		loc_send_session(loc, s, &o, m->id, NULL, 0);
		tf_out_fini(&o);
		rc = 0;
	}
	sqlite3_finalize(st);
out:
	tf_kv_free(&req);
	return rc;
}

int
req_invite(struct location *loc, struct loc_session *s, struct loc_node *node,
	   const tf_msg *m, tf_err *err)
{
	char token[TF_TOKEN_MAX];
	uint8_t secret[TF_TOKEN_SECRET_LEN];
	tf_account_msg req;
	tf_out o;
	int rc = -1;

	(void)node;
	if (tf_account_unpack(m->params, &req, err) != 0)
		return -1;
	if (req.name[0] == '\0' || strlen(req.name) > TF_ACCOUNT_NAME_MAX) {
		tf_err_set(err, "parameter name: an account name of 1 to %d "
		    "bytes is needed", TF_ACCOUNT_NAME_MAX);
		goto out;
	}
	tf_token_make(loc->keys.pk, secret, token, sizeof token);
	if (loc_db_invite_add(loc, secret, req.name, req.admin, err) != 0)
		goto out;
	tf_out_init(&o, TF_REPLY);
	tf_account_pack(&(tf_account_msg){ .token = token }, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	rc = 0;
out:
	tf_account_free(&req);
	return rc;
}

static struct loc_volume *
req_volume_lookup(struct location *loc, struct loc_session *s, const char *name)
{
	for (size_t i = 0; i < loc->n_volumes; i++) {
		struct loc_volume *v = loc->volumes[i];
		char both[LOC_ID_LEN + 90];

		if (v->dead || !loc_may_see(s, v->user_id))
			continue;
		snprintf(both, sizeof both, "%s:%s", v->id, v->tag);
		if (strcmp(v->id, name) == 0 || (v->tag[0] && strcmp(v->tag, name) == 0) ||
		    strcmp(both, name) == 0)
			return v;
	}
	return NULL;
}

int
req_find(struct location *loc, struct loc_session *s, struct loc_node *node,
	 const tf_msg *m, tf_err *err)
{
	struct loc_container *c = NULL;
	struct loc_volume *v = NULL;
	msgpack_sbuffer buf;
	msgpack_packer pk;
	msgpack_unpacked rec;
	tf_account_msg req;
	struct loc_rec r;
	tf_out o;
	int rc = -1;

	(void)node;
	if (tf_account_unpack(m->params, &req, err) != 0)
		return -1;
	if (tf_name_container("name", req.name, err) != 0)
		goto out;
	c = loc_container_lookup(loc, s->user_id, s->admin, req.name);
	v = c == NULL ? req_volume_lookup(loc, s, req.name) : NULL;
	if (c == NULL && v == NULL) {
		tf_err_set(err, "nothing is tagged or named '%s'", req.name);
		goto out;
	}
	/* The record is packed by the offer's codec, then carried through
	 * this one as a value: a find is rare, the copy costs nothing. */
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	loc_rec_pack(c != NULL ? loc_rec_container(loc, &r, c) :
	    loc_rec_volume(loc, &r, v), &pk);
	msgpack_unpacked_init(&rec);
	if (msgpack_unpack_next(&rec, buf.data, buf.size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS) {
		tf_out_init(&o, TF_REPLY);
		tf_account_pack(&(tf_account_msg){
		    .kind = c != NULL ? "container" : "volume",
		    .record = &rec.data }, &o);
		loc_send_session(loc, s, &o, m->id, NULL, 0);
		tf_out_fini(&o);
		rc = 0;
	} else {
		tf_err_set(err, "internal error: a record did not pack");
	}
	msgpack_unpacked_destroy(&rec);
	msgpack_sbuffer_destroy(&buf);
out:
	tf_account_free(&req);
	return rc;
}

/* tunnel_close {tunnel}: the location answers; the node is told. */
static int
tunnel_close(struct location *loc, struct loc_session *s, const tf_msg *m,
	     const char *id, tf_err *err)
{
	struct loc_tunnel *t = loc_tunnel_find(loc, id);
	struct loc_container *c;
	tf_out o;

	if (t == NULL || !loc_may_see(s, t->user_id))
		return tf_err_set(err, "no such tunnel: %s", id);
	c = loc_container_find(loc, t->container);
	tf_out_init(&o, "tunnel_close");
	tf_tunnel_pack(&(tf_tunnel_msg){ .tunnel = t->id,
	    .container = t->container }, &o);
	if (c != NULL)
		loc_node_command(loc, loc_node_find(loc, c->node_id), &o, NULL);
	tf_out_fini(&o);
	t->dead = true;
	loc_event_gone(loc, t->user_id, TF_REC_TUNNEL, t->id);
	req_reply_empty(loc, s, m->id);
	return 0;
}

/* tunnel {tunnel, container, port, localport}: recorded, then asked of the
 * container's node. */
static int
tunnel_open(struct location *loc, struct loc_session *s, const tf_msg *m,
	    const tf_tunnel_msg *req, tf_err *err)
{
	struct loc_container *c;
	struct loc_tunnel *t;
	struct loc_fwd *f;
	struct loc_node *n;
	tf_tunnel_msg fwd;
	tf_out o;

	if (loc_tunnel_find(loc, req->tunnel) != NULL)
		return tf_err_set(err, "tunnel %s exists already", req->tunnel);
	if (!TF_HAS(&tf_tunnel_codec, req, container))
		return tf_err_set(err, "missing parameter: container");
	if (tf_name_container("container", req->container, err) != 0)
		return -1;
	if (req->port < 1)
		return tf_err_set(err, "missing parameter: port");
	c = loc_container_lookup(loc, s->user_id, s->admin, req->container);
	if (c == NULL)
		return tf_err_set(err, "no such container: %s", req->container);
	n = loc_node_find(loc, c->node_id);
	if (n == NULL || !n->up)
		return tf_err_set(err, "the node of container %s is down", c->id);
	if (loc_quota_check(loc, s->user_id, LOC_QUOTA_TUNNELS, 1, err) != 0)
		return -1;
	loc_tconns_purge(loc);
	t = tf_calloc(1, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", req->tunnel);
	snprintf(t->container, sizeof t->container, "%s", c->id);
	snprintf(t->session, sizeof t->session, "%s", s->id);
	t->user_id = s->user_id;
	t->port = req->port;
	t->localport = req->localport;
	LOC_PUSH(tunnels, t);
	fwd = (tf_tunnel_msg){ .tunnel = t->id, .container = c->id,
	    .port = t->port };
	tf_out_init(&o, "tunnel");
	tf_tunnel_pack(&fwd, &o);
	tf_out_int(&o, "user", s->user_id);
	tf_out_str(&o, "session", s->id);
	f = loc_fwd_to_node(loc, n, s, m, &o, t->id);
	if (f != NULL)
		t->fwd_id = f->id;
	tf_out_fini(&o);
	loc_event_tunnel(loc, t);
	return 0;
}

int
req_tunnel(struct location *loc, struct loc_session *s, struct loc_node *node,
	   const tf_msg *m, tf_err *err)
{
	tf_tunnel_msg req;
	int rc;

	if (tf_tunnel_unpack(m->params, &req, err) != 0)
		return -1;
	if (!TF_HAS(&tf_tunnel_codec, &req, tunnel))
		rc = tf_err_set(err, "missing parameter: tunnel");
	else if (tf_name_uuid("tunnel", req.tunnel, err) != 0)
		rc = -1;
	else if (strcmp(m->cmd, "tunnel_close") == 0)
		rc = tunnel_close(loc, s, m, req.tunnel, err);
	else
		rc = tunnel_open(loc, s, m, &req, err);
	tf_tunnel_free(&req);
	return rc;
}

static void
volume_done(struct location *loc, struct loc_fwd *f, const tf_msg *m)
{
	struct loc_volume *v = loc_volume_find(loc, f->object);
	sqlite3_stmt *st;
	bool ok = tf_msg_is_reply(m);

	if (v == NULL)
		return;
	if (strcmp(f->cmd, "vol_create") == 0) {
		if (!ok) {
			v->dead = true;
			return;
		}
		st = loc_db_prepare(loc, "INSERT OR REPLACE INTO volumes(id, user_id,"
		    " node_id, tag, snapshot, created, size) "
		    "VALUES(?,?,?,?,0,?,?)");
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, v->user_id);
		sqlite3_bind_int64(st, 3, v->node_id);
		sqlite3_bind_text(st, 4, v->tag, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 5, tf_wall_time());
		sqlite3_bind_int64(st, 6, v->size);
		sqlite3_step(st);
		sqlite3_finalize(st);
		loc_event_volume(loc, v);
		loc_events_add(loc, "volume_created", v->user_id, NULL,
		    loc_node_find(loc, v->node_id) != NULL ?
		    loc_node_find(loc, v->node_id)->name : "", v->id,
		    "volume %s%s%s created", v->id, v->tag[0] ? ":" : "",
		    v->tag);
	} else if (strcmp(f->cmd, "vol_destroy") == 0 && ok) {
		st = loc_db_prepare(loc, "DELETE FROM volumes WHERE id=?");
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
		v->dead = true;
		loc_event_gone(loc, v->user_id, TF_REC_VOLUME, v->id);
		loc_events_add(loc, "volume_destroyed", v->user_id, NULL,
		    loc_node_find(loc, v->node_id) != NULL ?
		    loc_node_find(loc, v->node_id)->name : "", v->id,
		    "volume %s%s%s destroyed", v->id, v->tag[0] ? ":" : "",
		    v->tag);
	} else if (strcmp(f->cmd, "vol_snapshot") == 0 && ok) {
		v->snapshot = true;
		st = loc_db_prepare(loc, "UPDATE volumes SET snapshot=1 WHERE id=?");
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
		loc_event_volume(loc, v);
	}
}

int
req_volume(struct location *loc, struct loc_session *s, struct loc_node *node,
	   const tf_msg *m, tf_err *err)
{
	tf_vol_msg req, fwd = { 0 };
	struct loc_container *c;
	struct loc_volume *v;
	struct loc_node *n;
	struct loc_fwd *f;
	tf_out o;
	int rc = -1;

	if (tf_vol_unpack(m->params, &req, err) != 0)
		return -1;
	if (strcmp(m->cmd, "vol_create") == 0) {
		int64_t size;
		tf_uuid u;

		if ((TF_HAS(&tf_vol_codec, &req, tag) &&
		    tf_name_tag("tag", req.tag, err) != 0) ||
		    (TF_HAS(&tf_vol_codec, &req, node) &&
		    tf_name_node("node", req.node, err) != 0))
			goto out;
		if (req.tag[0] && loc_tag_taken(loc, s->user_id, req.tag)) {
			tf_err_set(err, "the tag '%s' is already in use", req.tag);
			goto out;
		}
		size = req.size > 0 ? req.size : loc->opt.volume_size;
		if (loc_quota_check(loc, s->user_id, LOC_QUOTA_VOLUMES, 1,
		    err) != 0 || loc_quota_check(loc, s->user_id,
		    LOC_QUOTA_VOLUME_BYTES, size, err) != 0)
			goto out;
		n = req.node[0] ? loc_node_by_name(loc, req.node) :
		    loc_node_best(loc);
		if (n == NULL || !n->up) {
			tf_err_set(err, req.node[0] ? "node %s is not up" :
			    "no node is up%s", req.node);
			goto out;
		}
		v = tf_calloc(1, sizeof *v);
		tf_uuid_make(&u);
		snprintf(v->id, sizeof v->id, "%s", u.s);
		snprintf(v->tag, sizeof v->tag, "%s", req.tag);
		v->user_id = s->user_id;
		v->node_id = n->id;
		v->size = size;
		LOC_PUSH(volumes, v);
	} else {
		if (!TF_HAS(&tf_vol_codec, &req, volume)) {
			tf_err_set(err, "missing parameter: volume");
			goto out;
		}
		if (tf_name_volume("volume", req.volume, err) != 0)
			goto out;
		v = req_volume_lookup(loc, s, req.volume);
		if (v == NULL) {
			tf_err_set(err, "no such volume: %s", req.volume);
			goto out;
		}
		/* Said here and not only by the node: its node may be down,
		 * and the location's answer names the container just the same. */
		if (strcmp(m->cmd, "vol_destroy") == 0 &&
		    (c = loc_volume_mounted_by(loc, v->id)) != NULL) {
			tf_err_set(err, "volume %s is mounted by container %s",
			    v->id, c->id);
			goto out;
		}
		n = loc_node_find(loc, v->node_id);
		if (n == NULL || !n->up) {
			tf_err_set(err, "the node of volume %s is down", v->id);
			goto out;
		}
	}
	fwd.volume = v->id;
	fwd.tag = v->tag;
	fwd.user = v->user_id;
	fwd.size = strcmp(m->cmd, "vol_create") == 0 ? v->size : 0;
	TF_SET(&tf_vol_codec, &fwd, user);
	tf_out_init(&o, m->cmd);
	tf_vol_pack(&fwd, &o);
	f = loc_fwd_to_node(loc, n, s, m, &o, v->id);
	if (f != NULL)
		f->done_fn = volume_done;
	tf_out_fini(&o);
	rc = 0;
out:
	tf_vol_free(&req);
	return rc;
}

int
req_images(struct location *loc, struct loc_session *s, struct loc_node *node,
	   const tf_msg *m, tf_err *err)
{
	tf_out o;

	tf_out_init(&o, TF_REPLY);
	loc_pack_images(loc, tf_out_key(&o, "images"), s->user_id, false);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	return 0;
}

/* Volumes are catalogued in the database: load them at start. */
int loc_volumes_load(struct location *loc);
int
loc_volumes_load(struct location *loc)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "SELECT id, user_id, node_id, tag, snapshot, size FROM volumes");

	while (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_volume *v = tf_calloc(1, sizeof *v);

		snprintf(v->id, sizeof v->id, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		v->user_id = sqlite3_column_int64(st, 1);
		v->node_id = sqlite3_column_int64(st, 2);
		snprintf(v->tag, sizeof v->tag, "%s",
		    (const char *)sqlite3_column_text(st, 3));
		v->snapshot = sqlite3_column_int(st, 4) != 0;
		v->size = sqlite3_column_int64(st, 5);
		LOC_PUSH(volumes, v);
	}
	sqlite3_finalize(st);
	return 0;
}

/* A fresh resource offer on demand (tfresources, a console refresh). */
int
req_offer(struct location *loc, struct loc_session *s, struct loc_node *node,
	  const tf_msg *m, tf_err *err)
{
	loc_push_offer(loc, s);
	req_reply_empty(loc, s, m->id);
	return 0;
}
