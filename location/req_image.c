/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * req_image.c: the image and layer store.  Layers are addressed by the
 * sha256 of their uncompressed tar, shared by all users and uploaded once
 * (in chunks, verified as they arrive with loc_layer_in.c; a gzip blob is
 * kept as it came and checked once whole by loc_layer_check.c); image
 * records (names, layer stack, runtime config) are kept per user.  Nodes fetch layers by digest with
 * layer_get.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "location.h"
#include "tf_codec_image.h"
#include "tf_json.h"
#include "tf_log.h"

#define LAYER_MAX_BYTES (64ull << 30)

static bool
req_sha_valid(const char *sha)
{
	if (strlen(sha) != 64)
		return false;
	for (const char *p = sha; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

char *
loc_layer_path(struct location *loc, const char *sha)
{
	return tf_asprintf("%s/layers/%s", loc->opt.state_dir, sha);
}

static bool
req_layer_present(struct location *loc, const char *sha)
{
	char *path = loc_layer_path(loc, sha);
	bool ok = access(path, R_OK) == 0;

	free(path);
	/* A gzip layer still being checked counts: see loc_layer_check.c. */
	return ok || loc_layer_checking(loc, sha);
}

int
req_layers_missing(struct location *loc, struct loc_session *s,
		   struct loc_node *node, const tf_msg *m, tf_err *err)
{
	tf_image_msg req, rep = { 0 };
	const char **missing;
	tf_out o;
	int rc = -1;

	if (tf_image_msg_unpack(m->params, &req, err) != 0)
		return -1;
	missing = tf_calloc(req.n_layers + 1, sizeof *missing);
	rep.missing = missing;
	if (req.layers == NULL) {
		tf_err_set(err, "missing parameter: layers");
		goto out;
	}
	for (size_t i = 0; i < req.n_layers; i++) {
		if (!req_sha_valid(req.layers[i])) {
			tf_err_set(err, "layers must be sha256 hex strings");
			goto out;
		}
		if (!req_layer_present(loc, req.layers[i]))
			missing[rep.n_missing++] = req.layers[i];
	}
	tf_out_init(&o, TF_REPLY);
	tf_image_msg_pack(&rep, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	rc = 0;
out:
	free(missing);
	tf_image_msg_free(&req);
	return rc;
}

static struct loc_upload *
req_upload_find(struct location *loc, const char *sha)
{
	for (size_t i = 0; i < loc->n_uploads; i++)
		if (strcmp(loc->uploads[i]->sha, sha) == 0)
			return loc->uploads[i];
	return NULL;
}

static void
req_upload_drop(struct location *loc, struct loc_upload *u, bool remove_part)
{
	for (size_t i = 0; i < loc->n_uploads; i++) {
		if (loc->uploads[i] != u)
			continue;
		if (remove_part) {
			char *path = loc_layer_path(loc, u->sha);
			char part[4200];

			snprintf(part, sizeof part, "%s.part", path);
			unlink(part);
			free(path);
		}
		close(u->fd);
		loc_layer_in_free(u->in);
		free(u);
		loc->uploads[i] = loc->uploads[--loc->n_uploads];
		return;
	}
}

/* Chunks must arrive in order: the digest is computed as they come, so a
 * 10 GB layer is never read twice nor held in memory. */
/* A layer_put or layer_get: its sha256 (checked, into sha[65]), offset
 * (required) and last. */
static int
req_layer_named(const tf_msg *m, char *sha, int64_t *offset, bool *last,
		bool *gzip, tf_err *err)
{
	tf_image_msg req;
	int rc = 0;

	if (tf_image_msg_unpack(m->params, &req, err) != 0)
		return -1;
	if (!TF_HAS(&tf_image_codec, &req, sha256))
		rc = tf_err_set(err, "missing parameter: sha256");
	else if (!TF_HAS(&tf_image_codec, &req, offset))
		rc = tf_err_set(err, "missing parameter: offset");
	else if (!req_sha_valid(req.sha256))
		rc = tf_err_set(err, "sha256 must be 64 hex digits");
	else if (req.compression != NULL && req.compression[0] != '\0' &&
	    strcmp(req.compression, "gzip") != 0)
		rc = tf_err_set(err, "compression must be gzip or absent");
	snprintf(sha, 65, "%.64s", req.sha256);
	if (gzip != NULL)
		*gzip = req.compression != NULL && req.compression[0] != '\0';
	*offset = req.offset;
	if (last != NULL)
		*last = req.last;
	tf_image_msg_free(&req);
	return rc;
}

/* ^ {received, complete} */
static void
req_layer_received(struct location *loc, struct loc_session *s,
		   const tf_msg *m, int64_t offset, bool complete)
{
	tf_image_msg rep = { .received = offset + (int64_t)m->bulk_len,
	    .complete = complete };
	tf_out o;

	TF_SET(&tf_image_codec, &rep, received);
	TF_SET(&tf_image_codec, &rep, complete);
	tf_out_init(&o, TF_REPLY);
	tf_image_msg_pack(&rep, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
}

int
req_layer_put(struct location *loc, struct loc_session *s,
	      struct loc_node *node, const tf_msg *m, tf_err *err)
{
	char sha[65], *path, part[4200];
	int64_t offset;
	bool last, gzip;
	struct loc_upload *u;
	tf_err e;

	if (req_layer_named(m, sha, &offset, &last, &gzip, err) != 0)
		return -1;
	if (offset > (int64_t)LAYER_MAX_BYTES)
		return tf_err_set(err, "parameter offset must be between 0 and "
		    "%lld", (long long)LAYER_MAX_BYTES);
	if (req_layer_present(loc, sha)) {
		req_layer_received(loc, s, m, offset, true);
		return 0;
	}
	path = loc_layer_path(loc, sha);
	snprintf(part, sizeof part, "%s.part", path);
	u = req_upload_find(loc, sha);
	if (offset == 0) {
		if (u != NULL)
			req_upload_drop(loc, u, false);
		u = tf_calloc(1, sizeof *u);
		snprintf(u->sha, sizeof u->sha, "%s", sha);
		u->fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (u->fd < 0) {
			free(u);
			free(path);
			return tf_err_errno(err, "cannot store layer");
		}
		/* A gzip blob is checked once whole, off the loop. */
		u->in = gzip ? NULL : loc_layer_in_new(false);
		LOC_PUSH(uploads, u);
	}
	if (u == NULL || u->offset != offset) {
		int64_t want = u != NULL ? u->offset : 0;

		free(path);
		return tf_err_set(err, "layer %.12s: expected a chunk at offset "
		    "%lld, got %lld", sha, (long long)want, (long long)offset);
	}
	if (m->bulk_len > 0) {
		const uint8_t *p = m->bulk;
		size_t left = m->bulk_len;

		while (left > 0) {
			ssize_t w = write(u->fd, p, left);

			if (w < 0) {
				req_upload_drop(loc, u, true);
				free(path);
				return tf_err_errno(err, "cannot store layer");
			}
			p += w;
			left -= (size_t)w;
		}
		if (u->in != NULL &&
		    loc_layer_in_update(u->in, m->bulk, m->bulk_len, &e)) {
			req_upload_drop(loc, u, true);
			free(path);
			return tf_err_set(err, "layer %.12s: %s; upload refused",
			    sha, e.msg);
		}
		u->offset += (int64_t)m->bulk_len;
	}
	u->last_ms = tf_now_ms();
	if (last && u->in == NULL) {
		char pending[4300];

		snprintf(pending, sizeof pending, "%s.check", path);
		if (fsync(u->fd) != 0 || rename(part, pending) != 0) {
			req_upload_drop(loc, u, true);
			free(path);
			return tf_err_errno(err, "cannot store layer");
		}
		req_upload_drop(loc, u, false);
		if (loc_layer_check_start(loc, sha) != 0) {
			unlink(pending);
			free(path);
			return tf_err_errno(err, "cannot check layer %.12s", sha);
		}
		tf_info("layer %.12s received (%lld bytes of gzip), checking",
		    sha, (long long)(offset + (int64_t)m->bulk_len));
	} else if (last) {
		char hex[65];
		sqlite3_stmt *st;
		int64_t size;

		if (loc_layer_in_final(u->in, hex, &size, &e) != 0) {
			req_upload_drop(loc, u, true);
			free(path);
			return tf_err_set(err, "layer %.12s: %s; upload refused",
			    sha, e.msg);
		}
		if (strcmp(hex, sha) != 0) {
			req_upload_drop(loc, u, true);
			free(path);
			return tf_err_set(err, "layer %.12s: the data's digest is "
			    "%.12s; upload refused", sha, hex);
		}
		if (fsync(u->fd) != 0 || rename(part, path) != 0) {
			req_upload_drop(loc, u, true);
			free(path);
			return tf_err_errno(err, "cannot store layer");
		}
		req_upload_drop(loc, u, false);
		st = loc_db_prepare(loc,
		    "INSERT OR REPLACE INTO layers(sha, size) VALUES(?, ?)");
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, size);
		sqlite3_step(st);
		sqlite3_finalize(st);
		tf_info("layer %.12s received (%lld bytes)", sha,
		    (long long)size);
	}
	free(path);
	req_layer_received(loc, s, m, offset, last);
	return 0;
}

int
req_layer_get(struct location *loc, struct loc_session *s,
	      struct loc_node *node, const tf_msg *m, tf_err *err)
{
	char sha[65], *path;
	tf_image_msg rep = { 0 };
	int64_t offset;
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;
	tf_out o;

	if (req_layer_named(m, sha, &offset, NULL, NULL, err) != 0)
		return -1;
	path = loc_layer_path(loc, sha);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Still being checked: the node checks the tar itself.  The
		 * check may rename it between the two opens: then the first
		 * path holds it. */
		char pending[4300];

		snprintf(pending, sizeof pending, "%s.check", path);
		fd = open(pending, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	free(path);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return tf_err_set(err, "layer %.12s is not at this location", sha);
	}
	buf = tf_malloc(TF_CHUNK);
	n = pread(fd, buf, TF_CHUNK, offset);
	close(fd);
	if (n < 0) {
		free(buf);
		return tf_err_errno(err, "cannot read layer");
	}
	rep.size = st.st_size;
	rep.eof = offset + n >= st.st_size;
	TF_SET(&tf_image_codec, &rep, size);
	TF_SET(&tf_image_codec, &rep, eof);
	tf_out_init(&o, TF_REPLY);
	tf_image_msg_pack(&rep, &o);
	loc_send(loc, node->rid, node->rid_len, &o, m->id, buf, (size_t)n);
	tf_out_fini(&o);
	free(buf);
	return 0;
}

/* A list of strings as JSON text, as the images table keeps it. */
static char *
req_strv_json(const char *const *v, size_t n)
{
	json_t *j = json_array();
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(j, json_string(v[i]));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

static void
req_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The JSON text of a list of strings as a vector (freed with
 * req_strv_free); NULL when it is not one. */
static char **
req_json_strv(const char *text, size_t *n)
{
	json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
	char **v = NULL;
	json_t *one;
	size_t k;

	*n = 0;
	if (json_is_array(j)) {
		v = tf_calloc(json_array_size(j) + 1, sizeof *v);
		json_array_foreach(j, k, one)
			if (json_is_string(one))
				v[(*n)++] = tf_strdup(json_string_value(one));
	}
	json_decref(j);
	return v;
}

static int
req_image_check(struct location *loc, const tf_image_msg *req, int64_t *size,
		tf_err *err)
{
	sqlite3_stmt *st;

	if (!TF_HAS(&tf_image_codec, req, image) || strlen(req->image) >= 80)
		return tf_err_set(err, "missing parameter: image");
	if (req->names == NULL)
		return tf_err_set(err, "missing parameter: names");
	if (req->layers == NULL)
		return tf_err_set(err, "missing parameter: layers");
	if (req->n_layers > 512)
		return tf_err_set(err, "parameter layers has %zu items, at most "
		    "512 allowed", req->n_layers);
	if (req->config == NULL)
		return tf_err_set(err, "missing parameter: config");
	for (size_t i = 0; i < req->n_layers; i++) {
		const char *sha = req->layers[i];

		if (!req_sha_valid(sha))
			return tf_err_set(err, "layers must be sha256 hex strings");
		if (!req_layer_present(loc, sha))
			return tf_err_set(err, "layer %.12s has not been uploaded", sha);
		st = loc_db_prepare(loc, "SELECT size FROM layers WHERE sha=?");
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			*size += sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	for (size_t i = 0; i < req->n_names; i++) {
		if (strlen(req->names[i]) >= 128)
			return tf_err_set(err, "image names must be strings");
	}
	return 0;
}

int
req_image_put(struct location *loc, struct loc_session *s,
	      struct loc_node *node, const tf_msg *m, tf_err *err)
{
	char *names_text, *layers_text;
	tf_image_msg req;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	sqlite3_stmt *st;
	int64_t size = 0;
	tf_out o;

	if (tf_image_msg_unpack(m->params, &req, err) != 0)
		return -1;
	if (req_image_check(loc, &req, &size, err) != 0) {
		tf_image_msg_free(&req);
		return -1;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *req.config);
	names_text = req_strv_json(req.names, req.n_names);
	layers_text = req_strv_json(req.layers, req.n_layers);
	st = loc_db_prepare(loc, "INSERT OR REPLACE INTO images(user_id, image_id,"
	    " names, layers, config, size, created, origin) "
	    "VALUES(?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(st, 1, s->user_id);
	sqlite3_bind_text(st, 2, req.image, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, names_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, layers_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 5, sb.data, (int)sb.size, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, size);
	sqlite3_bind_double(st, 7, tf_wall_time());
	sqlite3_bind_text(st, 8, req.origin, -1, SQLITE_TRANSIENT);
	sqlite3_step(st);
	sqlite3_finalize(st);
	free(names_text);
	free(layers_text);
	msgpack_sbuffer_destroy(&sb);
	tf_info("image %.12s stored for %s", req.image, s->user_name);
	loc_event_image(loc, s->user_id, req.image);
	tf_out_init(&o, TF_REPLY);
	tf_image_msg_pack(&(tf_image_msg){ .image = req.image }, &o);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	tf_image_msg_free(&req);
	return 0;
}

/* name: "." (the last pushed), an image id (or a 12+ digit prefix), or one
 * of the image's names, with or without ":latest". */
int
loc_image_resolve(struct location *loc, int64_t user_id, const char *name,
		  char *image_id, size_t size, tf_err *err)
{
	sqlite3_stmt *st;
	char quoted[300], latest[300];
	int rc = -1;

	if (strcmp(name, ".") == 0) {
		st = loc_db_prepare(loc, "SELECT image_id FROM images WHERE "
		    "user_id=? ORDER BY created DESC LIMIT 1");
		sqlite3_bind_int64(st, 1, user_id);
	} else {
		snprintf(quoted, sizeof quoted, "%%\"%s\"%%", name);
		snprintf(latest, sizeof latest, "%%\"%s:latest\"%%", name);
		st = loc_db_prepare(loc, "SELECT image_id FROM images WHERE "
		    "user_id=?1 AND (image_id=?2 OR (length(?2) >= 12 AND "
		    "image_id LIKE ?2 || '%') OR names LIKE ?3 OR names LIKE ?4) "
		    "ORDER BY created DESC LIMIT 1");
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, quoted, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, latest, -1, SQLITE_TRANSIENT);
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(image_id, size, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else if (strcmp(name, ".") == 0) {
		tf_err_set(err, "you have not pushed any image yet");
	} else {
		tf_err_set(err, "unknown image '%s': push it with 'tfcache %s'",
		    name, name);
	}
	sqlite3_finalize(st);
	return rc;
}

int
req_image_get(struct location *loc, struct loc_session *s,
	      struct loc_node *node, const tf_msg *m, tf_err *err)
{
	tf_image_msg req, rep = { 0 };
	char **layers, **names, id[80];
	sqlite3_stmt *st;
	msgpack_unpacked u;
	tf_out o;
	int rc;

	if (tf_image_msg_unpack(m->params, &req, err) != 0)
		return -1;
	rc = !TF_HAS(&tf_image_codec, &req, image) ?
	    tf_err_set(err, "missing parameter: image") :
	    loc_image_resolve(loc, s->user_id, req.image, id, sizeof id, err);
	tf_image_msg_free(&req);
	if (rc != 0)
		return -1;
	st = loc_db_prepare(loc, "SELECT config, layers, names FROM images "
	    "WHERE user_id=? AND image_id=?");
	sqlite3_bind_int64(st, 1, s->user_id);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return tf_err_set(err, "image vanished");
	}
	rep.image = id;
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), NULL) == MSGPACK_UNPACK_SUCCESS)
		rep.config = &u.data;
	layers = req_json_strv((const char *)sqlite3_column_text(st, 1),
	    &rep.n_layers);
	names = req_json_strv((const char *)sqlite3_column_text(st, 2),
	    &rep.n_names);
	rep.layers = (const char *const *)layers;
	rep.names = (const char *const *)names;
	tf_out_init(&o, TF_REPLY);
	tf_image_msg_pack(&rep, &o);
	msgpack_unpacked_destroy(&u);
	sqlite3_finalize(st);
	req_strv_free(layers);
	req_strv_free(names);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	return 0;
}
