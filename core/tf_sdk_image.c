/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_image.c: getting images to the location.  A local image (an OCI
 * layout or docker-save archive, read by tf_image) is checked against the
 * location's layer store; missing layers are streamed in 256 KiB chunks
 * with a few in flight (a gzip layer as its stored blob, which the
 * location gunzips to check the digest; any other uncompressed), then the image record (names, layers, runtime
 * config) is stored.  Layers are content-addressed and shared, so the
 * usual case is "No layers need uploading".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tf_codec_image.h"
#include "tf_image.h"
#include "tf_registry.h"
#include "tf_sdk_private.h"

#define UPLOAD_WINDOW 8			/* chunks in flight (2 MiB) */

/* ---- finding a local copy ------------------------------------------------ */

static bool
sdk_path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* A file (an archive), or a directory that holds an image: an OCI layout
 * (index.json) or an unpacked docker save (manifest.json). */
static bool
sdk_path_is_image(const char *p)
{
	struct stat st;
	char *f;
	bool yes;

	if (stat(p, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode))
		return true;
	f = tf_asprintf("%s/index.json", p);
	yes = sdk_path_exists(f);
	free(f);
	if (!yes) {
		f = tf_asprintf("%s/manifest.json", p);
		yes = sdk_path_exists(f);
		free(f);
	}
	return yes;
}

/* A path as given, or a bare name under $TF_IMAGES or ./build/images.  A
 * bare name is a path here only if what it names holds an image: `tf
 * debian` in a directory with a debian/ of sources means the image. */
static char *
sdk_image_local(const char *image)
{
	const char *dir = getenv("TF_IMAGES");
	char *p;

	if (strcmp(image, ".") == 0)
		return NULL;
	if (strchr(image, '/') != NULL || sdk_path_is_image(image)) {
		if (sdk_path_exists(image))
			return tf_strdup(image);
		return NULL;
	}
	if (dir != NULL && dir[0] != '\0') {
		p = tf_asprintf("%s/%s", dir, image);
		if (sdk_path_exists(p))
			return p;
		free(p);
	}
	p = tf_asprintf("build/images/%s", image);
	if (sdk_path_exists(p))
		return p;
	free(p);
	return NULL;
}

/* "nginx" from ".../images/nginx/" or "nginx.tar". */
static char *
sdk_image_basename(const char *path)
{
	char *copy = tf_strdup(path), *base, *dot;
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = strrchr(copy, '/');
	base = tf_strdup(base != NULL ? base + 1 : copy);
	free(copy);
	dot = strstr(base, ".tar");
	if (dot != NULL && dot != base)
		*dot = '\0';
	return base;
}

/* ---- the config the node runs -------------------------------------------- */

static void
sdk_pack_strarray(msgpack_packer *pk, json_t *arr)
{
	size_t i, n = json_is_array(arr) ? json_array_size(arr) : 0;

	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);

		tf_pack_str(pk, json_is_string(v) ? json_string_value(v) : "");
	}
}

static size_t
sdk_config_ports(json_t *exposed, int *ports, size_t max)
{
	const char *key;
	json_t *val;
	size_t n = 0;

	if (!json_is_object(exposed))
		return 0;
	json_object_foreach(exposed, key, val) {
		char *end;
		long p = strtol(key, &end, 10);

		(void)val;
		if (p <= 0 || p > 65535 || (*end != '\0' && strcmp(end, "/tcp")))
			continue;
		if (n < max)
			ports[n] = (int)p;
		n++;
	}
	return n;
}

/* PROTOCOL.md: the node gets {entrypoint, cmd, env, workdir, ports} (plus
 * user and stop_signal) from the image record as pushed here. */
static void
sdk_pack_config(msgpack_packer *pk, const char *json_text)
{
	json_t *j = json_loads(json_text != NULL ? json_text : "{}", 0, NULL);
	int ports[256];
	size_t np;
	json_t *v;

	if (j == NULL)
		j = json_object();
	np = sdk_config_ports(json_object_get(j, "ExposedPorts"), ports,
	    TF_ARRAY_LEN(ports));
	if (np > TF_ARRAY_LEN(ports))
		np = TF_ARRAY_LEN(ports);
	msgpack_pack_map(pk, 7);
	tf_pack_str(pk, "entrypoint");
	sdk_pack_strarray(pk, json_object_get(j, "Entrypoint"));
	tf_pack_str(pk, "cmd");
	sdk_pack_strarray(pk, json_object_get(j, "Cmd"));
	tf_pack_str(pk, "env");
	sdk_pack_strarray(pk, json_object_get(j, "Env"));
	v = json_object_get(j, "WorkingDir");
	tf_pack_kv_str(pk, "workdir", json_is_string(v) ? json_string_value(v) : "");
	tf_pack_str(pk, "ports");
	msgpack_pack_array(pk, np);
	for (size_t i = 0; i < np; i++)
		msgpack_pack_int(pk, ports[i]);
	v = json_object_get(j, "User");
	tf_pack_kv_str(pk, "user", json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(j, "StopSignal");
	tf_pack_kv_str(pk, "stop_signal", json_is_string(v) ?
	    json_string_value(v) : "");
	json_decref(j);
}

/* ---- layer upload ------------------------------------------------------ */

struct sdk_upload {
	tf_location *loc;
	const char *sha;
	const char *compression;	/* "gzip": the stored blob is sent */
	char what[32];
	uint64_t offset, total;
	uint8_t *held;
	size_t held_len;
	int outstanding;
	bool failed;
	char error[TF_ERR_LEN];
	tf_progress_fn progress;
	void *arg;
	struct { SDK_ARRAY(uint64_t, ids); } ids;
};

static void
sdk_upload_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	struct sdk_upload *u = arg;

	if (tf_msg_is_stream(m))
		return;
	u->outstanding--;
	if (!u->failed && sdk_msg_error(m, u->error, sizeof u->error))
		u->failed = true;
}

static bool
sdk_upload_room(void *arg)
{
	const struct sdk_upload *u = arg;

	return u->failed || u->outstanding < UPLOAD_WINDOW;
}

static bool
sdk_upload_drained(void *arg)
{
	return ((const struct sdk_upload *)arg)->outstanding <= 0;
}

static int
sdk_upload_send(struct sdk_upload *u, bool last)
{
	tf_image_msg lp = { 0 };
	tf_err err;
	uint64_t id;
	tf_out o;

	if (sdk_wait_until(u->loc, sdk_upload_room, u, 120000,
	    "the location to take a layer chunk", &err) != 0) {
		if (!u->failed) {
			u->failed = true;
			snprintf(u->error, sizeof u->error, "%s", err.msg);
		}
		return -1;
	}
	if (u->failed)
		return -1;
	lp.sha256 = u->sha;
	lp.offset = (int64_t)u->offset;
	lp.last = last;
	lp.compression = u->compression;
	TF_SET(&tf_image_codec, &lp, offset);
	TF_SET(&tf_image_codec, &lp, last);
	tf_out_init(&o, "layer_put");
	tf_image_msg_pack(&lp, &o);
	id = sdk_request(u->loc, &o, u->held != NULL ? u->held :
	    (const uint8_t *)"", u->held_len, sdk_upload_cb, u);
	if (id == 0) {
		u->failed = true;
		snprintf(u->error, sizeof u->error, "not connected to %s",
		    u->loc->name);
		return -1;
	}
	SDK_PUSH(&u->ids, ids, id);
	u->outstanding++;
	u->offset += u->held_len;
	free(u->held);
	u->held = NULL;
	u->held_len = 0;
	if (u->progress != NULL)
		u->progress(u->what, u->offset, u->total, u->arg);
	return 0;
}

/* The last chunk must say last: each chunk is held until the next one
 * (or the end of the layer) shows whether more follows. */
static int
sdk_upload_chunk(const void *chunk, size_t len, void *arg)
{
	struct sdk_upload *u = arg;

	if (u->held != NULL && sdk_upload_send(u, false) != 0)
		return -1;
	u->held = tf_malloc(len > 0 ? len : 1);
	memcpy(u->held, chunk, len);
	u->held_len = len;
	return 0;
}

static int
sdk_upload_layer(tf_location *loc, tf_image *img, size_t i,
		 tf_progress_fn progress, void *arg, tf_err *err)
{
	struct sdk_upload u;
	int rc;

	memset(&u, 0, sizeof u);
	u.loc = loc;
	u.sha = tf_image_layer_digest(img, i);
	u.total = tf_image_layer_size(img, i);
	u.progress = progress;
	u.arg = arg;
	snprintf(u.what, sizeof u.what, "layer %.12s", u.sha);
	/* A gzip blob (a registry's layer) goes as it is: a third of the
	 * bytes, and the location's gunzip and digest check replace ours. */
	if (tf_image_layer_gzip(img, i)) {
		u.compression = "gzip";
		u.total = 0;
		tf_info("Uploading layer: %.12s (gzip)", u.sha);
		rc = tf_image_layer_read_stored(img, i, sdk_upload_chunk, &u,
		    err);
	} else {
		tf_info("Uploading layer: %.12s", u.sha);
		rc = tf_image_layer_read(img, i, sdk_upload_chunk, &u, err);
	}
	if (rc == 0 && !u.failed)
		rc = sdk_upload_send(&u, true);
	free(u.held);
	if (u.outstanding > 0 && sdk_wait_until(loc, sdk_upload_drained, &u,
	    120000, "the location to store a layer", NULL) != 0) {
		for (size_t k = 0; k < u.ids.n_ids; k++)
			sdk_forget(loc, u.ids.ids[k]);
		if (!u.failed) {
			u.failed = true;
			snprintf(u.error, sizeof u.error, "no answer from the "
			    "location while uploading layer %.12s", u.sha);
		}
	}
	free(u.ids.ids);
	if (u.failed)
		return tf_err_set(err, "uploading layer %.12s: %s", u.sha,
		    u.error);
	if (rc != 0)
		return -1;
	return 0;
}

/* ---- what the location has ---------------------------------------------- */

void
sdk_image_note(tf_location *loc, const msgpack_object *rec)
{
	char id[80];

	if (tf_obj_str(rec, "image", id, sizeof id, true, NULL) != 0 ||
	    sdk_image_known(loc, id))
		return;
	SDK_PUSH(loc, images, tf_strdup(id));
}

bool
sdk_image_known(tf_location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_images; i++)
		if (strcmp(loc->images[i], id) == 0)
			return true;
	return false;
}

/* ---- images from registries -------------------------------------------- */

void
tf_location_set_registry(tf_location *loc, const char *creds,
			 const char *authfile, int tls_verify)
{
	free(loc->reg_creds);
	free(loc->reg_authfile);
	loc->reg_creds = creds != NULL ? tf_strdup(creds) : NULL;
	loc->reg_authfile = authfile != NULL ? tf_strdup(authfile) : NULL;
	loc->reg_tls_verify = tls_verify;
}

/* Pulls ref with skopeo while the loop keeps the connection alive;
 * returns the OCI layout to push from and the image's name in it, or
 * NULL. */
static char *
sdk_image_pull(tf_location *loc, const char *ref, char **name_out,
	       tf_err *err)
{
	tf_registry_opts opts = {
		.creds = loc->reg_creds,
		.authfile = loc->reg_authfile,
		.tls_verify = loc->reg_tls_verify,
		.quiet = tf_log_level() < TF_LOG_INFO,
	};
	tf_registry_pull *pull;
	uint64_t bytes = 0, ms = 0;
	char *layout = NULL;

	tf_info("Pulling %s", ref);
	pull = tf_registry_pull_start(loc->loop, ref, &opts, err);
	if (pull == NULL)
		return NULL;
	/* A pull of a big image takes as long as the network needs. */
	if (sdk_wait_until(loc, tf_registry_pull_done, pull, SDK_NO_TIMEOUT,
	    "skopeo", err) != 0) {
		tf_registry_pull_finish(&pull, NULL, NULL, NULL, NULL, NULL);
		return NULL;
	}
	if (tf_registry_pull_finish(&pull, &layout, name_out, &bytes, &ms,
	    err) != 0)
		return NULL;
	tf_info("Pulled %s: %.1f MB new in %.2f s (%.1f MB/s)", ref,
	    (double)bytes / 1e6, (double)ms / 1e3,
	    ms > 0 ? (double)bytes / 1e3 / (double)ms : 0.0);
	return layout;
}

/* ---- ensure / push ----------------------------------------------------- */

static int
sdk_image_remote(tf_location *loc, const char *image, tf_reply *r,
		 tf_image_msg *rec, tf_err *err)
{
	tf_out o;

	tf_out_init(&o, "image_get");
	tf_image_msg_pack(&(tf_image_msg){ .image = image }, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, r, err) != 0)
		return -1;
	if (tf_image_msg_unpack(r->params, rec, err) != 0) {
		tf_reply_fini(r);
		return -1;
	}
	return 0;
}

static int
sdk_image_push(tf_location *loc, const char *image, bool force,
	       tf_progress_fn progress, void *arg, char *id_out,
	       size_t id_size, tf_err *err)
{
	tf_image_msg req = { 0 }, rep = { 0 };
	const char **names, **digests = NULL;
	char *local, *base = NULL, *inner = NULL;
	msgpack_sbuffer cfg_sb;
	msgpack_packer cfg_pk;
	msgpack_unpacked cfg;
	tf_image *img;
	size_t nlayers, nnames, nmissing = 0;
	tf_reply r;
	tf_out o;
	int rc = -1;

	if (id_out != NULL && id_size > 0)
		id_out[0] = '\0';
	if (sdk_check(loc, err) != 0)
		return -1;
	if (tf_registry_is_ref(image)) {
		local = sdk_image_pull(loc, image, &inner, err);
		if (local == NULL)
			return -1;
		base = tf_registry_name(image);
	} else {
		local = sdk_image_local(image);
	}
	if (local == NULL) {
		tf_image_msg rec;
		tf_err e2;

		if (sdk_image_remote(loc, image, &r, &rec, &e2) != 0) {
			if (strcmp(image, ".") == 0)
				return tf_err_set(err, "%s", e2.msg);
			if (strchr(image, '/') != NULL)
				return tf_err_set(err, "%s: no such image file "
				    "or directory", image);
			return tf_err_set(err, "unknown image '%s': it is not "
			    "at the location and there is no local copy ($TF_"
			    "IMAGES/%s or build/images/%s)", image, image,
			    image);
		}
		tf_info("No layers need uploading for: %s", image);
		if (id_out != NULL)
			snprintf(id_out, id_size, "%s", rec.image);
		tf_image_msg_free(&rec);
		tf_reply_fini(&r);
		return 0;
	}
	img = tf_image_open(local, inner, err);
	free(inner);
	if (img == NULL) {
		free(base);
		free(local);
		return -1;
	}
	nlayers = tf_image_layer_count(img);
	tf_info("Ensuring layers (%zu) are uploaded for: %s", nlayers, image);
	digests = tf_calloc(nlayers + 1, sizeof *digests);
	for (size_t i = 0; i < nlayers; i++)
		digests[i] = tf_image_layer_digest(img, i);
	req.layers = digests;
	req.n_layers = nlayers;
	tf_out_init(&o, "layers_missing");
	tf_image_msg_pack(&req, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		goto out;
	if (tf_image_msg_unpack(r.params, &rep, err) != 0 ||
	    (rep.missing == NULL &&
	    tf_err_set(err, "missing parameter: missing"))) {
		tf_reply_fini(&r);
		goto out;
	}
	nmissing = rep.n_missing;
	if (nmissing == 0) {
		tf_info("No layers need uploading for: %s", image);
	} else {
		tf_info("Layers to upload: %zu of %zu", nmissing, nlayers);
		for (size_t i = 0; i < nlayers; i++) {
			const char *sha = tf_image_layer_digest(img, i);
			bool want = false;

			for (size_t k = 0; k < rep.n_missing; k++) {
				if (strcmp(rep.missing[k], sha) == 0)
					want = true;
			}
			if (want && sdk_upload_layer(loc, img, i, progress, arg,
			    err) != 0) {
				tf_reply_fini(&r);
				goto out;
			}
		}
	}
	tf_reply_fini(&r);
	/* A spawn's check leaves a record the location has alone, so that
	 * "." keeps meaning the last image pushed on purpose. */
	if (!force && nmissing == 0 && sdk_image_known(loc, tf_image_id(img))) {
		rc = 0;
		goto out;
	}
	/* A pulled image is known by its reference, not by the name in the
	 * cache's layout. */
	nnames = base != NULL ? 0 : tf_image_names(img, &names);
	if (nnames == 0) {
		if (base == NULL)
			base = sdk_image_basename(local);
		names = (const char **)&base;
		nnames = 1;
	}
	req.image = tf_image_id(img);
	req.names = names;
	req.n_names = nnames;
	/* Where it came from, for the console's Images view. */
	req.origin = tf_registry_is_ref(image) ? image : local;
	msgpack_sbuffer_init(&cfg_sb);
	msgpack_packer_init(&cfg_pk, &cfg_sb, msgpack_sbuffer_write);
	sdk_pack_config(&cfg_pk, tf_image_config_json(img));
	msgpack_unpacked_init(&cfg);
	if (msgpack_unpack_next(&cfg, cfg_sb.data, cfg_sb.size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS)
		req.config = &cfg.data;
	tf_out_init(&o, "image_put");
	tf_image_msg_pack(&req, &o);
	msgpack_unpacked_destroy(&cfg);
	msgpack_sbuffer_destroy(&cfg_sb);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err) != 0)
		goto out;
	if (progress != NULL)
		progress("image", 1, 1, arg);
	tf_info("Image stored: %.12s (%s)", tf_image_id(img), names[0]);
	rc = 0;
out:
	if (rc == 0 && id_out != NULL)
		snprintf(id_out, id_size, "%s", tf_image_id(img));
	tf_image_msg_free(&rep);
	free(digests);
	free(base);
	free(local);
	tf_image_destroy(&img);
	return rc;
}

int
tf_location_ensure_image_uploaded(tf_location *loc, const char *image,
				  tf_progress_fn progress, void *arg,
				  char *id_out, size_t id_size, tf_err *err)
{
	return sdk_image_push(loc, image, false, progress, arg, id_out,
	    id_size, err);
}

int
tf_location_push_image(tf_location *loc, const char *image,
		       tf_progress_fn progress, void *arg, char *id_out,
		       size_t id_size, tf_err *err)
{
	return sdk_image_push(loc, image, true, progress, arg, id_out,
	    id_size, err);
}

/* Before a spawn: push a local copy once per program run; an image with
 * no local copy is the location's to resolve.  A path (rather than a
 * name) is replaced by the pushed image's id in use_out, since the
 * location knows images by name and id only. */
int
sdk_image_check(tf_location *loc, const char *image, char *use_out,
		size_t use_size, tf_err *err)
{
	char *local, id[80];
	bool is_path;

	if (image == NULL || image[0] == '\0')
		return tf_err_set(err, "no image given");
	/* A reference is replaced by the id, as a path is. */
	is_path = strchr(image, '/') != NULL || tf_registry_is_ref(image);
	snprintf(use_out, use_size, "%s", image);
	if (strcmp(image, ".") == 0)
		return 0;
	for (size_t i = 0; i < loc->n_ensured; i += 2) {
		if (strcmp(loc->ensured[i], image) == 0) {
			if (is_path)
				snprintf(use_out, use_size, "%s",
				    loc->ensured[i + 1]);
			return 0;
		}
	}
	if (!tf_registry_is_ref(image)) {
		local = sdk_image_local(image);
		if (local == NULL)
			return 0;
		is_path = is_path || strcmp(local, image) == 0;
		free(local);
	}
	if (sdk_image_push(loc, image, false, NULL, NULL, id, sizeof id,
	    err) != 0)
		return -1;
	SDK_PUSH(loc, ensured, tf_strdup(image));
	SDK_PUSH(loc, ensured, tf_strdup(id));
	if (is_path)
		snprintf(use_out, use_size, "%s", id);
	return 0;
}

int
tf_location_last_image(tf_location *loc, char *id_out, size_t id_size,
		       tf_err *err)
{
	tf_image_msg rec;
	tf_reply r;
	int rc = 0;

	if (sdk_image_remote(loc, ".", &r, &rec, err) != 0)
		return -1;
	if (rec.image[0] == '\0')
		rc = tf_err_set(err, "missing parameter: image");
	else
		snprintf(id_out, id_size, "%s", rec.image);
	tf_image_msg_free(&rec);
	tf_reply_fini(&r);
	return rc;
}

int
tf_location_image_ports(tf_location *loc, const char *image, int *ports,
			size_t max, tf_err *err)
{
	const msgpack_object *arr;
	tf_image_msg rec;
	size_t n = 0;
	tf_reply r;

	if (sdk_image_remote(loc, image, &r, &rec, err) != 0)
		return -1;
	arr = rec.config != NULL ? tf_obj_get(rec.config, "ports") : NULL;
	if (arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY) {
		for (uint32_t i = 0; i < arr->via.array.size; i++) {
			const msgpack_object *p = &arr->via.array.ptr[i];

			if (p->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
			    p->via.u64 == 0 || p->via.u64 > 65535)
				continue;
			if (n < max)
				ports[n] = (int)p->via.u64;
			n++;
		}
	}
	tf_image_msg_free(&rec);
	tf_reply_fini(&r);
	return (int)(n > max ? max : n);
}
