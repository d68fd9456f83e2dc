/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_model.c: lookups over the location's in-memory model (sessions,
 * nodes, containers, tunnels, volumes), ownership checks, and the
 * before-sleep reaper that frees what handlers only marked dead (their
 * records for the wire are in loc_rec.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_log.h"

struct loc_session *
loc_session_find(struct location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_sessions; i++)
		if (!loc->sessions[i]->dead && strcmp(loc->sessions[i]->id, id) == 0)
			return loc->sessions[i];
	return NULL;
}

struct loc_session *
loc_session_by_rid(struct location *loc, const uint8_t *rid, size_t len)
{
	for (size_t i = 0; i < loc->n_sessions; i++) {
		struct loc_session *s = loc->sessions[i];

		if (!s->dead && s->rid_len == len &&
		    memcmp(s->rid, rid, len) == 0)
			return s;
	}
	return NULL;
}

struct loc_node *
loc_node_find(struct location *loc, int64_t id)
{
	for (size_t i = 0; i < loc->n_nodes; i++)
		if (loc->nodes[i]->id == id)
			return loc->nodes[i];
	return NULL;
}

struct loc_node *
loc_node_by_name(struct location *loc, const char *name)
{
	char *end;
	long long id = strtoll(name, &end, 10);

	for (size_t i = 0; i < loc->n_nodes; i++) {
		struct loc_node *n = loc->nodes[i];

		if (strcmp(n->name, name) == 0 || (*end == '\0' && n->id == id))
			return n;
	}
	return NULL;
}

/* The node with the most free memory per running container wins, as the
 * original ranked nodes by free resources. */
struct loc_node *
loc_node_best(struct location *loc)
{
	struct loc_node *best = NULL;
	double best_score = -1;

	for (size_t i = 0; i < loc->n_nodes; i++) {
		struct loc_node *n = loc->nodes[i];
		double score;

		if (!n->up)
			continue;
		score = (double)n->mem_free_mb * (100.0 - (double)n->cpu_pct) /
		    (double)(n->containers + 1);
		if (score > best_score) {
			best = n;
			best_score = score;
		}
	}
	return best;
}

struct loc_container *
loc_container_find(struct location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_containers; i++)
		if (!loc->containers[i]->dead &&
		    strcmp(loc->containers[i]->id, id) == 0)
			return loc->containers[i];
	return NULL;
}

bool
loc_may_see(const struct loc_session *s, int64_t owner)
{
	return s != NULL && (s->admin || s->user_id == owner);
}

/* Resolves a uuid, a tag, or "uuid:tag" among what the user may see.
 * Names are checked by tf_name_container where the request comes in; an
 * empty part is refused here all the same, since an empty key would match
 * every container (docs/PROTOCOL.md "Names"). */
struct loc_container *
loc_container_lookup(struct location *loc, int64_t user_id, bool admin,
		     const char *name)
{
	char uuid[LOC_ID_LEN] = "", tag[80] = "";
	const char *colon = strchr(name, ':');

	if (colon != NULL) {
		size_t n = (size_t)(colon - name);

		if (n >= sizeof uuid)
			return NULL;
		memcpy(uuid, name, n);
		uuid[n] = '\0';
		snprintf(tag, sizeof tag, "%s", colon + 1);
	} else if (tf_uuid_valid(name)) {
		snprintf(uuid, sizeof uuid, "%s", name);
	} else {
		snprintf(tag, sizeof tag, "%s", name);
	}
	if (colon != NULL ? uuid[0] == '\0' || tag[0] == '\0' :
	    uuid[0] == '\0' && tag[0] == '\0')
		return NULL;
	/* The user's own containers first: an admin naming a tag means
	 * theirs, and only then anyone's. */
	for (int pass = 0; pass < (admin ? 2 : 1); pass++) {
		for (size_t i = 0; i < loc->n_containers; i++) {
			struct loc_container *c = loc->containers[i];

			if (c->dead || (pass == 0 && c->user_id != user_id))
				continue;
			if (uuid[0] != '\0' && strcmp(c->id, uuid) != 0)
				continue;
			if (tag[0] != '\0' && strcmp(c->tag, tag) != 0)
				continue;
			return c;
		}
	}
	return NULL;
}

struct loc_tunnel *
loc_tunnel_find(struct location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_tunnels; i++)
		if (!loc->tunnels[i]->dead && strcmp(loc->tunnels[i]->id, id) == 0)
			return loc->tunnels[i];
	return NULL;
}

struct loc_volume *
loc_volume_find(struct location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_volumes; i++)
		if (!loc->volumes[i]->dead && strcmp(loc->volumes[i]->id, id) == 0)
			return loc->volumes[i];
	return NULL;
}

bool
loc_tag_taken(struct location *loc, int64_t user_id, const char *tag)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		const struct loc_container *c = loc->containers[i];

		if (!c->dead && c->user_id == user_id && strcmp(c->tag, tag) == 0)
			return true;
	}
	for (size_t i = 0; i < loc->n_volumes; i++) {
		const struct loc_volume *v = loc->volumes[i];

		if (!v->dead && v->user_id == user_id && strcmp(v->tag, tag) == 0)
			return true;
	}
	return false;
}

/* A container's end changes the mounts of its volumes, and there are many
 * ways to end (destroy, a failed spawn, its node gone or no longer listing
 * it, its session collected); every one of them marks it dead and the
 * reaper sees each exactly once, so the volume events are sent here, just
 * before the record is freed.  Two ends in one pass may send a volume
 * twice, with the same content. */
static void
loc_reap_mounts(struct location *loc)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		const struct loc_container *c = loc->containers[i];

		if (!c->dead)
			continue;
		for (size_t k = 0; k < c->n_volumes; k++) {
			const struct loc_volume *v = loc_volume_find(loc,
			    c->volumes[k]);

			if (v != NULL)
				loc_event_volume(loc, v);
		}
	}
}

void
loc_container_free(struct loc_container *c)
{
	if (c != NULL)
		free(c->spec);
	free(c);
}

#define REAP(arr, fn) do { \
	size_t j = 0; \
	for (size_t i = 0; i < loc->n_##arr; i++) { \
		if (loc->arr[i]->dead) \
			fn(loc->arr[i]); \
		else \
			loc->arr[j++] = loc->arr[i]; \
	} \
	loc->n_##arr = j; \
} while (0)

/* Before sleep: free what handlers marked dead during the pass. */
void
loc_reap(tf_loop *loop, void *arg)
{
	struct location *loc = arg;

	loc_reap_mounts(loc);
	REAP(sessions, free);
	REAP(containers, loc_container_free);
	REAP(tunnels, free);
	REAP(volumes, free);
	REAP(fwds, free);
}
