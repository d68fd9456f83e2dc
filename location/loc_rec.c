/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_rec.c: the location's nodes, containers, tunnels, volumes and images
 * as the records of the offer and its events (core/tf_codec_offer.c holds
 * their fields; docs/PROTOCOL.md "Push events").  A struct loc_rec holds
 * one record and the storage its strings point into; a loc_rec_<kind>
 * fills it, and loc_rec_pack (an item of the offer, a reply's record) or
 * loc_rec_push (the event) sends it and releases it:
 *	loc_rec_push(loc, loc_rec_tunnel(loc, &r, t));
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "location.h"
#include "tf_log.h"

/* The owner's account name for a record: from a session of theirs when
 * one is here (no query), else from the database, so that a record still
 * names its owner when no session of theirs is (an admin's view of a
 * volume, a container whose session is down). */
static const char *
loc_rec_owner(struct location *loc, struct loc_rec *r, int64_t user_id)
{
	bool admin;

	for (size_t i = 0; i < loc->n_sessions; i++) {
		const struct loc_session *s = loc->sessions[i];

		if (!s->dead && s->user_id == user_id) {
			snprintf(r->owner, sizeof r->owner, "%s", s->user_name);
			return r->owner;
		}
	}
	if (loc_db_user_get(loc, user_id, r->owner, sizeof r->owner,
	    &admin) != 0)
		r->owner[0] = '\0';
	return r->owner;
}

static const char *
loc_rec_session_name(struct location *loc, const char *session)
{
	const struct loc_session *s = loc_session_find(loc, session);

	return s != NULL ? s->name : "";
}

static const char *
loc_rec_node_name(struct location *loc, int64_t node_id)
{
	const struct loc_node *n = loc_node_find(loc, node_id);

	return n != NULL ? n->name : "?";
}

struct loc_rec *
loc_rec_node(struct loc_rec *r, const struct loc_node *n)
{
	memset(r, 0, sizeof *r);
	r->kind = TF_REC_NODE;
	r->owner_id = -1;	/* every session hears of nodes */
	r->u.node = (tf_node_rec){
		.node = n->name, .address = n->address, .id = n->id,
		.state = n->up ? "up" : "down", .cpus = n->cpus,
		.cpu_pct = (double)n->cpu_pct, .mem_total_mb = n->mem_total_mb,
		.mem_free_mb = n->mem_free_mb, .paging = (double)n->paging,
		.containers = n->containers, .subnet = n->subnet,
		.load1 = n->load1,
	};
	TF_SET(&tf_node_rec_codec, &r->u.node, id);
	return r;
}

struct loc_rec *
loc_rec_container(struct location *loc, struct loc_rec *r,
		  const struct loc_container *c)
{
	memset(r, 0, sizeof *r);
	r->kind = TF_REC_CONTAINER;
	r->owner_id = c->user_id;
	r->u.ctr = (tf_ctr_rec){
		.container = c->id, .node = loc_rec_node_name(loc, c->node_id),
		.tag = c->tag, .image = c->image, .ip = c->ip,
		.state = c->state, .exit_code = c->exit_code, .error = c->error,
		.session = c->session,
		.session_name = loc_rec_session_name(loc, c->session),
		.user = c->user_id,
		.user_name = loc_rec_owner(loc, r, c->user_id),
		.created = c->created, .started = c->started,
		.startup_ms = c->startup_ms,
	};
	return r;
}

struct loc_rec *
loc_rec_tunnel(struct location *loc, struct loc_rec *r,
	       const struct loc_tunnel *t)
{
	memset(r, 0, sizeof *r);
	r->kind = TF_REC_TUNNEL;
	r->owner_id = t->user_id;
	r->u.tunnel = (tf_tunnel_rec){
		.tunnel = t->id, .container = t->container, .port = t->port,
		.session = t->session,
		.session_name = loc_rec_session_name(loc, t->session),
		.user = t->user_id,
		.user_name = loc_rec_owner(loc, r, t->user_id),
		.localport = t->localport, .conns = t->conns,
		.bytes_in = t->bytes_in, .bytes_out = t->bytes_out,
	};
	return r;
}

static bool
loc_container_mounts(const struct loc_container *c, const char *volume)
{
	for (size_t i = 0; i < c->n_volumes; i++)
		if (strcmp(c->volumes[i], volume) == 0)
			return true;
	return false;
}

/* The first live container that mounts the volume, or NULL. */
struct loc_container *
loc_volume_mounted_by(struct location *loc, const char *volume)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		struct loc_container *c = loc->containers[i];

		if (!c->dead && loc_container_mounts(c, volume))
			return c;
	}
	return NULL;
}

struct loc_rec *
loc_rec_volume(struct location *loc, struct loc_rec *r,
	       const struct loc_volume *v)
{
	size_t n = 0;

	memset(r, 0, sizeof *r);
	r->kind = TF_REC_VOLUME;
	r->owner_id = v->user_id;
	r->strv[0] = tf_calloc(loc->n_containers + 1, sizeof *r->strv[0]);
	for (size_t i = 0; i < loc->n_containers; i++)
		if (!loc->containers[i]->dead &&
		    loc_container_mounts(loc->containers[i], v->id))
			r->strv[0][n++] = loc->containers[i]->id;
	r->u.vol = (tf_vol_rec){
		.volume = v->id, .node = loc_rec_node_name(loc, v->node_id),
		.tag = v->tag, .node_id = v->node_id,
		.mounts = r->strv[0], .n_mounts = n, .snapshot = v->snapshot,
		.user = v->user_id,
		.user_name = loc_rec_owner(loc, r, v->user_id),
		.size = v->size,
	};
	TF_SET(&tf_vol_rec_codec, &r->u.vol, node_id);
	return r;
}

/* A list of strings kept as JSON text in the database (an image's names
 * and layers); NULL, or what is not a list of strings, reads as []. */
static const char **
loc_rec_json_strv(const char *text, size_t *n)
{
	json_t *j = json_loads(text != NULL ? text : "[]", 0, NULL);
	const char **v;
	size_t k = 0;

	v = tf_calloc(json_is_array(j) ? json_array_size(j) + 1 : 1, sizeof *v);
	for (size_t i = 0; json_is_array(j) && i < json_array_size(j); i++) {
		const char *s = json_string_value(json_array_get(j, i));

		if (s != NULL)
			v[k++] = tf_strdup(s);
	}
	json_decref(j);
	*n = k;
	return v;
}

static const char *
loc_rec_column(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

struct loc_rec *
loc_rec_image(struct loc_rec *r, sqlite3_stmt *st)
{
	size_t n_names, n_layers;

	memset(r, 0, sizeof *r);
	r->kind = TF_REC_IMAGE;
	r->owner_id = sqlite3_column_int64(st, 5);
	r->strv[0] = loc_rec_json_strv(loc_rec_column(st, 1), &n_names);
	r->strv[1] = loc_rec_json_strv(loc_rec_column(st, 2), &n_layers);
	r->owned = true;
	r->dup[0] = tf_strdup(loc_rec_column(st, 0));
	r->dup[1] = tf_strdup(loc_rec_column(st, 6));
	r->u.image = (tf_image_rec){
		.image = r->dup[0],
		.names = r->strv[0], .n_names = n_names,
		.layers = r->strv[1], .n_layers = n_layers,
		.size = sqlite3_column_int64(st, 3),
		.created = sqlite3_column_double(st, 4),
		.user = r->owner_id, .origin = r->dup[1],
	};
	TF_SET(&tf_image_rec_codec, &r->u.image, user);
	return r;
}

void
loc_rec_fini(struct loc_rec *r)
{
	for (size_t i = 0; i < TF_ARRAY_LEN(r->strv); i++) {
		for (size_t k = 0; r->owned && r->strv[i] != NULL &&
		    r->strv[i][k] != NULL; k++)
			free((void *)(uintptr_t)r->strv[i][k]);
		free(r->strv[i]);
		r->strv[i] = NULL;
	}
	for (size_t i = 0; i < TF_ARRAY_LEN(r->dup); i++) {
		free(r->dup[i]);
		r->dup[i] = NULL;
	}
}

void
loc_rec_pack(struct loc_rec *r, msgpack_packer *pk)
{
	tf_rec_pack_value(r->kind, &r->u, pk);
	loc_rec_fini(r);
}

void
loc_rec_push(struct location *loc, struct loc_rec *r)
{
	tf_out o;

	tf_rec_event_init(r->kind, &r->u, &o);
	if (r->owner_id < 0)
		loc_push_all(loc, &o);
	else
		loc_push_owner(loc, r->owner_id, &o);
	tf_out_fini(&o);
	loc_rec_fini(r);
}
