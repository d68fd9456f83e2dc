/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * req_spawn.c: spawning containers (image resolved per user, node chosen,
 * record created in state "spawning", request forwarded) and the node's
 * reports that move containers through their states and refresh node
 * statistics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "location.h"
#include "tf_codec_report.h"
#include "tf_codec_spawn.h"
#include "tf_json.h"
#include "tf_log.h"
#include "tf_name.h"

static void
spawn_done(struct location *loc, struct loc_fwd *f, const tf_msg *m)
{
	struct loc_container *c = loc_container_find(loc, f->object);

	if (c == NULL || !tf_msg_is_error(m))
		return;
	snprintf(c->state, sizeof c->state, "failed");
	tf_msg_str(m, "error", c->error, sizeof c->error, false, NULL);
	loc_event_container(loc, c);
	c->dead = true;
	loc_event_container_gone(loc, c);
}

struct spawn_mount {
	char volume[LOC_ID_LEN];
	char path[TF_SPAWN_MAX_PATH + 1];
};

/* Normalises an absolute mount point in place: no "." or ".." parts, no
 * repeated or trailing slashes.  -1 for a relative path, a ".." or "/". */
static int
spawn_mount_clean(char *path)
{
	char out[TF_SPAWN_MAX_PATH + 1];
	size_t n = 0;
	char *save = NULL, *part;

	if (path[0] != '/')
		return -1;
	for (part = strtok_r(path, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0)
			return -1;
		if (n + strlen(part) + 2 > sizeof out)
			return -1;
		out[n++] = '/';
		memcpy(out + n, part, strlen(part));
		n += strlen(part);
	}
	if (n == 0)
		return -1;	/* the container's root itself */
	out[n] = '\0';
	memcpy(path, out, n + 1);
	return 0;
}

/* true when one (clean) mount point is the other or lies beneath it */
static bool
spawn_nested(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *shorter = la <= lb ? a : b, *longer = la <= lb ? b : a;
	size_t n = la <= lb ? la : lb;

	if (strncmp(shorter, longer, n) != 0)
		return false;
	return longer[n] == '\0' || longer[n] == '/';
}

/* Checks the (volume, mountpoint) pairs, resolves tags to volume ids (the
 * node knows only ids) and picks the node the volumes live on. */
static int
spawn_volumes(struct location *loc, struct loc_session *s,
	      const tf_spawn_msg *sm, struct loc_node **node,
	      struct spawn_mount *mounts, size_t *nmounts, tf_err *err)
{
	*nmounts = 0;
	for (size_t i = 0; i < sm->n_volumes; i++) {
		const char *id = sm->volumes[i].volume;
		char mnt[TF_SPAWN_MAX_PATH + 1];
		struct loc_volume *v = NULL;
		struct loc_node *vn;

		snprintf(mnt, sizeof mnt, "%s", sm->volumes[i].mountpoint);
		for (size_t k = 0; k < loc->n_volumes; k++) {
			struct loc_volume *cand = loc->volumes[k];
			char both[LOC_ID_LEN + 90];

			if (cand->dead || !loc_may_see(s, cand->user_id))
				continue;
			snprintf(both, sizeof both, "%s:%s", cand->id, cand->tag);
			if (strcmp(cand->id, id) == 0 ||
			    (cand->tag[0] && strcmp(cand->tag, id) == 0) ||
			    strcmp(both, id) == 0)
				v = cand;
		}
		if (v == NULL)
			return tf_err_set(err, "no such volume: %s", id);
		if (spawn_mount_clean(mnt) != 0)
			return tf_err_set(err, "mount point %s must be an absolute "
			    "path below / without '..'", mnt);
		for (size_t k = 0; k < *nmounts; k++) {
			if (spawn_nested(mounts[k].path, mnt))
				return tf_err_set(err, "mount points %s and %s are "
				    "nested", mounts[k].path, mnt);
			if (strcmp(mounts[k].volume, v->id) == 0)
				return tf_err_set(err, "volume %s is mounted twice",
				    v->id);
		}
		snprintf(mounts[*nmounts].volume, sizeof mounts->volume, "%s", v->id);
		snprintf(mounts[*nmounts].path, sizeof mounts->path, "%s", mnt);
		(*nmounts)++;
		vn = loc_node_find(loc, v->node_id);
		if (*node != NULL && vn != *node)
			return tf_err_set(err, "volume %s lives on node %s, not %s",
			    v->id, vn ? vn->name : "?", (*node)->name);
		*node = vn;
	}
	return 0;
}

/* A new container record that remembers the volumes it mounts (see
 * struct loc_container). */
static struct loc_container *
spawn_record(const struct spawn_mount *mounts, size_t nmounts)
{
	struct loc_container *c = tf_calloc(1, sizeof *c +
	    nmounts * sizeof c->volumes[0]);

	for (size_t i = 0; i < nmounts; i++)
		memcpy(c->volumes[i], mounts[i].volume, sizeof c->volumes[i]);
	c->n_volumes = nmounts;
	return c;
}

/* Keeps what the container was spawned with, packed as the answer to
 * `ctr_spec` (pre-boot files by path and size, not their data; volumes by
 * id). */
static void
spawn_spec_keep(struct loc_container *c, const tf_spawn_msg *sm,
		tf_spawn_mount *mounts, size_t nmounts)
{
	tf_spec_file files[TF_SPAWN_MAX_PREBOOT];
	tf_ctr_spec spec = {
		.container = c->id,
		.image = c->image,
		.tag = sm->tag,
		.command = sm->command,
		.n_command = sm->n_command,
		.env = sm->env,
		.n_env = sm->n_env,
		.preboot = files,
		.n_preboot = sm->n_preboot,
		.volumes = mounts,
		.n_volumes = nmounts,
		.limits = sm->limits,
		.sleep = sm->sleep,
	};
	msgpack_sbuffer sb;
	msgpack_packer pk;

	for (size_t i = 0; i < sm->n_preboot && i < TF_SPAWN_MAX_PREBOOT; i++) {
		files[i].has = 0;
		files[i].path = sm->preboot[i].path;
		files[i].size = (int64_t)sm->preboot[i].n_data;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	tf_codec_pack_value(&tf_ctr_spec_codec, &spec, &pk);
	c->spec = (uint8_t *)sb.data;	/* malloc'd by msgpack: free() */
	c->spec_len = sb.size;
}

/* ctr_spec: what a container the session may see was spawned with. */
int
req_ctr_spec(struct location *loc, struct loc_session *s,
	     struct loc_node *unused, const tf_msg *m, tf_err *err)
{
	const struct loc_container *c;
	tf_ctr_spec_msg req;
	msgpack_unpacked keep;
	tf_ctr_spec spec;
	tf_out o;
	int rc = -1;

	TF_UNUSED(unused);
	if (tf_ctr_spec_msg_unpack(m->params, &req, err) != 0)
		return -1;
	c = loc_container_find(loc, req.container);
	if (c == NULL || !loc_may_see(s, c->user_id)) {
		tf_err_set(err, "no such container: %s", req.container);
		goto out;
	}
	if (c->spec == NULL) {
		tf_err_set(err, "the location has no spec of %s (it was not "
		    "spawned through this run of the location)", c->id);
		goto out;
	}
	msgpack_unpacked_init(&keep);
	if (tf_codec_unpack_buf(&tf_ctr_spec_codec, c->spec, c->spec_len,
	    &keep, &spec, err) == 0) {
		tf_out_init(&o, TF_REPLY);
		tf_ctr_spec_pack(&spec, &o);
		loc_send_session(loc, s, &o, m->id, NULL, 0);
		tf_out_fini(&o);
		tf_ctr_spec_free(&spec);
		rc = 0;
	}
	msgpack_unpacked_destroy(&keep);
out:
	tf_ctr_spec_msg_free(&req);
	return rc;
}

/* Every session that sees a volume hears that one more container mounts
 * it (the reaper tells them when it ends). */
static void
spawn_volume_events(struct location *loc, const struct loc_container *c)
{
	for (size_t i = 0; i < c->n_volumes; i++) {
		const struct loc_volume *v = loc_volume_find(loc, c->volumes[i]);

		if (v != NULL)
			loc_event_volume(loc, v);
	}
}

/* The image's config and layers as stored, for the node.  *blob, *u and
 * *layers hold what s borrows (msgpack borrows strings from the bytes). */
static int
spawn_image(struct location *loc, int64_t user, const char *image_id,
	    tf_spawn_msg *s, char **blob, msgpack_unpacked *u, char ***layers,
	    tf_err *err)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT config, layers FROM "
	    "images WHERE user_id=? AND image_id=?");
	size_t k, len;
	json_t *j, *l;

	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_text(st, 2, image_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return tf_err_set(err, "image %s vanished", image_id);
	}
	len = (size_t)sqlite3_column_bytes(st, 0);
	*blob = tf_malloc(len + 1);
	if (len > 0)
		memcpy(*blob, sqlite3_column_blob(st, 0), len);
	if (msgpack_unpack_next(u, *blob, len, NULL) == MSGPACK_UNPACK_SUCCESS)
		s->config = &u->data;
	j = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
	*layers = tf_calloc(json_array_size(j) + 1, sizeof **layers);
	json_array_foreach(j, k, l)
		(*layers)[s->n_layers++] = tf_strdup(json_is_string(l) ?
		    json_string_value(l) : "");
	s->layers = (const char *const *)*layers;
	json_decref(j);
	sqlite3_finalize(st);
	return 0;
}

static void
spawn_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Every name the spawn carries, checked before anything is looked up:
 * a node or tag that is there must be a valid one (an empty one is not
 * "none"), and so must every volume's. */
static int
spawn_names(const tf_spawn_msg *sm, tf_err *err)
{
	if (TF_HAS(&tf_spawn_codec, sm, node) &&
	    tf_name_node("node", sm->node, err) != 0)
		return -1;
	if (TF_HAS(&tf_spawn_codec, sm, tag) &&
	    tf_name_tag("tag", sm->tag, err) != 0)
		return -1;
	for (size_t i = 0; i < sm->n_volumes; i++)
		if (tf_name_volume("volumes", sm->volumes[i].volume, err) != 0)
			return -1;
	return 0;
}

int
req_spawn(struct location *loc, struct loc_session *s, struct loc_node *unused,
	  const tf_msg *m, tf_err *err)
{
	struct spawn_mount mounts[TF_SPAWN_MAX_VOLUMES];
	tf_spawn_mount fwd_mounts[TF_SPAWN_MAX_VOLUMES];
	size_t nmounts = 0;
	char image_id[80];
	struct loc_node *node = NULL;
	struct loc_container *c;
	tf_spawn_msg sm, fwd;
	msgpack_unpacked u;
	char **layers = NULL, *blob = NULL;
	struct loc_fwd *f;
	tf_uuid uuid;
	tf_out o;
	bool found;
	int rc = -1;

	if (tf_spawn_unpack(m->params, &sm, err) != 0)
		return -1;
	if (spawn_names(&sm, err) != 0)
		goto out;
	if (loc_quota_check(loc, s->user_id, LOC_QUOTA_CONTAINERS, 1, err) != 0)
		goto out;
	if (sm.tag[0] != '\0' && loc_tag_taken(loc, s->user_id, sm.tag)) {
		tf_err_set(err, "the tag '%s' is already in use", sm.tag);
		goto out;
	}
	if (loc_image_resolve(loc, s->user_id, sm.image, image_id,
	    sizeof image_id, err) != 0)
		goto out;
	if (sm.node[0] != '\0') {
		node = loc_node_by_name(loc, sm.node);
		if (node == NULL) {
			tf_err_set(err, "no such node: %s", sm.node);
			goto out;
		}
	}
	if (spawn_volumes(loc, s, &sm, &node, mounts, &nmounts, err) != 0)
		goto out;
	if (node == NULL)
		node = loc_node_best(loc);
	if (node == NULL) {
		tf_err_set(err, "no node is up at this location");
		goto out;
	}
	if (!node->up) {
		tf_err_set(err, "node %s is down", node->name);
		goto out;
	}

	/* What the node gets: the client's request with the volumes resolved
	 * to ids, and what only the location knows added. */
	tf_uuid_make(&uuid);
	fwd = sm;
	fwd.node = NULL;
	fwd.container = uuid.s;
	for (size_t i = 0; i < nmounts; i++) {
		fwd_mounts[i].volume = mounts[i].volume;
		fwd_mounts[i].mountpoint = mounts[i].path;
	}
	fwd.volumes = fwd_mounts;
	fwd.n_volumes = nmounts;
	fwd.image = strcmp(sm.image, ".") == 0 ? image_id : sm.image;
	fwd.user = s->user_id;
	fwd.session = s->id;
	fwd.config = NULL;
	fwd.layers = NULL;
	fwd.n_layers = 0;
	msgpack_unpacked_init(&u);
	found = spawn_image(loc, s->user_id, image_id, &fwd, &blob, &u,
	    &layers, err) == 0;
	if (found) {
		tf_out_init(&o, "spawn");
		tf_spawn_pack(&fwd, &o);
	}
	msgpack_unpacked_destroy(&u);
	spawn_strv_free(layers);
	free(blob);
	if (!found)
		goto out;

	c = spawn_record(mounts, nmounts);
	snprintf(c->id, sizeof c->id, "%s", uuid.s);
	c->node_id = node->id;
	c->user_id = s->user_id;
	snprintf(c->session, sizeof c->session, "%s", s->id);
	snprintf(c->tag, sizeof c->tag, "%s", sm.tag);
	snprintf(c->image, sizeof c->image, "%s", fwd.image);
	snprintf(c->state, sizeof c->state, "spawning");
	c->created = tf_wall_time();
	spawn_spec_keep(c, &sm, fwd_mounts, nmounts);
	LOC_PUSH(containers, c);
	node->containers++;
	loc_event_container(loc, c);
	spawn_volume_events(loc, c);

	f = loc_fwd_to_node(loc, node, s, m, &o, c->id);
	if (f != NULL)
		f->done_fn = spawn_done;
	tf_out_fini(&o);
	tf_info("spawning %s (%s) on %s for %s", c->id, c->image, node->name,
	    s->user_name);
	rc = 0;
out:
	tf_spawn_free(&sm);
	return rc;
}

/* ctr_status: a container moved on at its node. */
static int
spawn_status(struct location *loc, struct loc_node *n, const tf_msg *m,
	     tf_err *err)
{
	const tf_codec *codec = &tf_ctr_status_codec;
	struct loc_container *c;
	tf_ctr_status_msg st;

	if (tf_ctr_status_unpack(m->params, &st, err) != 0)
		return -1;
	c = loc_container_find(loc, st.container);
	if (c == NULL || c->node_id != n->id) {
		tf_ctr_status_free(&st);
		return 0;	/* already forgotten */
	}
	snprintf(c->state, sizeof c->state, "%s", st.state);
	if (TF_HAS(codec, &st, ip))
		snprintf(c->ip, sizeof c->ip, "%s", st.ip);
	if (TF_HAS(codec, &st, exit_code))
		c->exit_code = st.exit_code;
	if (TF_HAS(codec, &st, error))
		snprintf(c->error, sizeof c->error, "%s", st.error);
	if (TF_HAS(codec, &st, startup_ms))
		c->startup_ms = st.startup_ms;
	if (strcmp(st.state, "running") == 0)
		c->started = tf_wall_time();
	loc_event_container(loc, c);
	if (strcmp(st.state, "destroyed") == 0) {
		c->dead = true;
		loc_event_container_gone(loc, c);
		for (size_t i = 0; i < loc->n_tunnels; i++) {
			struct loc_tunnel *t = loc->tunnels[i];

			if (!t->dead && strcmp(t->container, c->id) == 0) {
				t->dead = true;
				loc_event_gone(loc, t->user_id,
				    TF_REC_TUNNEL, t->id);
			}
		}
	}
	tf_ctr_status_free(&st);
	return 0;
}

int
req_node_push(struct location *loc, struct loc_session *s, struct loc_node *n,
	      const tf_msg *m, tf_err *err)
{
	if (strcmp(m->cmd, "stats") == 0) {
		tf_node_stats_msg st;

		if (tf_node_stats_unpack(m->params, &st, err) != 0)
			return -1;
		n->cpus = st.cpus;
		n->cpu_pct = st.cpu_pct;
		n->mem_total_mb = st.mem_total_mb;
		n->mem_free_mb = st.mem_free_mb;
		n->paging = st.paging;
		n->containers = st.containers;
		n->load1 = st.load1;
		tf_node_stats_free(&st);
		loc_event_node(loc, n);
		return 0;
	}
	if (strcmp(m->cmd, "ctr_status") == 0)
		return spawn_status(loc, n, m, err);
	return tf_err_set(err, "unknown report %s", m->cmd);
}
