/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_push.c: sending to peers, and the events every session of an owner
 * (and every admin session) receives: the resource offer after a welcome,
 * then node, container, tunnel, volume and image changes as they happen.
 *
 * Container events are also where the container records are written to
 * the database (loc_db.c): every change of a record passes through
 * loc_event_container, every removal through a container_gone.  And a
 * container_gone that a session was away for is kept and sent after the
 * offer when it comes back, since the offer alone cannot tell it what
 * ended meanwhile.
 */
#include <errno.h>
#include <string.h>

#include <zmq.h>

#include "location.h"
#include "tf_log.h"

#define LOC_MISSED_MAX 4096

void
loc_send(struct location *loc, const uint8_t *rid, size_t rid_len, tf_out *o,
	 uint64_t id, const void *bulk, size_t len)
{
	if (tf_out_send(o, loc->router, rid, rid_len, id, bulk, len) != 0)
		tf_debug("send %s: %s", o->cmd, zmq_strerror(errno));
}

/* o with the bulk frame of the message it passes on (from, may be NULL),
 * as it came: the frame is shared, not copied (tunnel data, process
 * output and files go through here). */
void
loc_send_fwd(struct location *loc, const uint8_t *rid, size_t rid_len,
	     tf_out *o, uint64_t id, const tf_msg *from)
{
	zmq_msg_t frame;
	int rc;

	if (from != NULL && tf_msg_bulk_ref(from, &frame) == 0)
		rc = tf_out_send_frame(o, loc->router, rid, rid_len, id, &frame);
	else
		rc = tf_out_send(o, loc->router, rid, rid_len, id, NULL, 0);
	if (rc != 0)
		tf_debug("send %s: %s", o->cmd, zmq_strerror(errno));
}

/* A session that went quiet still has its connection: ZeroMQ queues for
 * it, and a stopped client that continues reads everything (stream data,
 * credit) in order.  Only a session with no connection at all (loaded after
 * a restart, or replaced by another hello) is skipped; when the client comes
 * back on a new connection its hello gives the session the new routing id,
 * and what was queued for the old one goes with it. */
void
loc_send_session(struct location *loc, struct loc_session *s, tf_out *o,
		 uint64_t id, const void *bulk, size_t len)
{
	if (s != NULL && !s->dead && s->rid_len > 0)
		loc_send(loc, s->rid, s->rid_len, o, id, bulk, len);
}

void
loc_push_owner(struct location *loc, int64_t owner, tf_out *o)
{
	for (size_t i = 0; i < loc->n_sessions; i++) {
		struct loc_session *s = loc->sessions[i];

		if (loc_may_see(s, owner))
			loc_send_session(loc, s, o, 0, NULL, 0);
	}
}

void
loc_push_all(struct location *loc, tf_out *o)
{
	for (size_t i = 0; i < loc->n_sessions; i++)
		loc_send_session(loc, loc->sessions[i], o, 0, NULL, 0);
}

void
loc_pack_images(struct location *loc, msgpack_packer *pk, int64_t user_id,
		bool all)
{
	sqlite3_stmt *st = loc_db_prepare(loc, all ?
	    "SELECT " LOC_IMAGE_COLUMNS " FROM images ORDER BY created" :
	    "SELECT " LOC_IMAGE_COLUMNS " FROM images WHERE user_id=?1 "
	    "ORDER BY created");
	size_t n = 0;

	if (!all)
		sqlite3_bind_int64(st, 1, user_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_reset(st);
	msgpack_pack_array(pk, n);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_rec r;

		loc_rec_pack(loc_rec_image(&r, st), pk);
	}
	sqlite3_finalize(st);
}

static void
loc_missed_note(struct location *loc, int64_t owner, const char *container)
{
	for (size_t i = 0; i < loc->n_sessions; i++) {
		struct loc_session *s = loc->sessions[i];
		struct loc_missed m;

		if (s->dead || s->connected || !loc_may_see(s, owner))
			continue;
		if (loc->n_missed >= LOC_MISSED_MAX) {
			tf_warn("too many events for absent sessions: session %s "
			    "will not hear that %s is gone", s->id, container);
			continue;
		}
		snprintf(m.session, sizeof m.session, "%s", s->id);
		snprintf(m.container, sizeof m.container, "%s", container);
		LOC_PUSH(missed, m);
	}
}

/* Removes the session's entries, sending each when send is true. */
static void
loc_missed_take(struct location *loc, struct loc_session *s,
		const char *session, bool send)
{
	size_t j = 0;

	for (size_t i = 0; i < loc->n_missed; i++) {
		const struct loc_missed *m = &loc->missed[i];
		tf_out o;

		if (strcmp(m->session, session) != 0) {
			loc->missed[j++] = *m;
			continue;
		}
		if (!send)
			continue;
		tf_rec_gone_init(TF_REC_CONTAINER, m->container, &o);
		loc_send_session(loc, s, &o, 0, NULL, 0);
		tf_out_fini(&o);
	}
	loc->n_missed = j;
}

static void
loc_missed_replay(struct location *loc, struct loc_session *s)
{
	if (s->rid_len > 0)
		loc_missed_take(loc, s, s->id, true);
}

void
loc_missed_drop(struct location *loc, const char *session)
{
	loc_missed_take(loc, NULL, session, false);
}

/* How many records of arr (n of them) the session may see. */
#define LOC_VISIBLE(arr, n, s, out) do { \
	out = 0; \
	for (size_t i_ = 0; i_ < (n); i_++) \
		if (!(arr)[i_]->dead && loc_may_see(s, (arr)[i_]->user_id)) \
			out++; \
} while (0)

void
loc_push_offer(struct location *loc, struct loc_session *s)
{
	struct loc_rec r;
	msgpack_packer *pk;
	size_t n;
	tf_out o;

	tf_out_init(&o, "offer");
	pk = tf_rec_list_start(TF_REC_NODE, loc->n_nodes, &o);
	for (size_t i = 0; i < loc->n_nodes; i++)
		loc_rec_pack(loc_rec_node(&r, loc->nodes[i]), pk);

	LOC_VISIBLE(loc->containers, loc->n_containers, s, n);
	pk = tf_rec_list_start(TF_REC_CONTAINER, n, &o);
	for (size_t i = 0; i < loc->n_containers; i++)
		if (!loc->containers[i]->dead &&
		    loc_may_see(s, loc->containers[i]->user_id))
			loc_rec_pack(loc_rec_container(loc, &r,
			    loc->containers[i]), pk);

	LOC_VISIBLE(loc->tunnels, loc->n_tunnels, s, n);
	pk = tf_rec_list_start(TF_REC_TUNNEL, n, &o);
	for (size_t i = 0; i < loc->n_tunnels; i++)
		if (!loc->tunnels[i]->dead && loc_may_see(s, loc->tunnels[i]->user_id))
			loc_rec_pack(loc_rec_tunnel(loc, &r, loc->tunnels[i]),
			    pk);

	LOC_VISIBLE(loc->volumes, loc->n_volumes, s, n);
	pk = tf_rec_list_start(TF_REC_VOLUME, n, &o);
	for (size_t i = 0; i < loc->n_volumes; i++)
		if (!loc->volumes[i]->dead && loc_may_see(s, loc->volumes[i]->user_id))
			loc_rec_pack(loc_rec_volume(loc, &r, loc->volumes[i]),
			    pk);

	loc_pack_images(loc, tf_out_key(&o, tf_rec_list(TF_REC_IMAGE)),
	    s->user_id, s->admin);
	LOC_VISIBLE(loc->clusters, loc->n_clusters, s, n);
	pk = tf_rec_list_start(TF_REC_ENDPOINT, n, &o);
	for (size_t i = 0; i < loc->n_clusters; i++)
		if (!loc->clusters[i]->dead &&
		    loc_may_see(s, loc->clusters[i]->user_id))
			loc_rec_pack(loc_rec_endpoint(loc, &r,
			    loc->clusters[i]), pk);

	loc_quota_pack(loc, s->user_id, &o);
	loc_send_session(loc, s, &o, 0, NULL, 0);
	tf_out_fini(&o);
	loc_missed_replay(loc, s);
}

void
loc_event_node(struct location *loc, struct loc_node *n)
{
	struct loc_rec r;

	loc_events_node(loc, n);
	loc_rec_push(loc, loc_rec_node(&r, n));
}

void
loc_event_container(struct location *loc, struct loc_container *c)
{
	struct loc_rec r;

	loc_events_container(loc, c);
	if (!c->dead)
		loc_db_container_save(loc, c);
	loc_web_member_changed(loc, c->id);
	loc_rec_push(loc, loc_rec_container(loc, &r, c));
}

void
loc_event_tunnel(struct location *loc, const struct loc_tunnel *t)
{
	struct loc_rec r;

	loc_rec_push(loc, loc_rec_tunnel(loc, &r, t));
}

void
loc_event_volume(struct location *loc, const struct loc_volume *v)
{
	struct loc_rec r;

	loc_rec_push(loc, loc_rec_volume(loc, &r, v));
}

void
loc_event_endpoint(struct location *loc, const struct loc_cluster *k)
{
	struct loc_rec r;

	loc_rec_push(loc, loc_rec_endpoint(loc, &r, k));
}

void
loc_event_gone(struct location *loc, int64_t owner, tf_rec_kind kind,
	       const char *id)
{
	tf_out o;

	tf_rec_gone_init(kind, id, &o);
	if (owner < 0)
		loc_push_all(loc, &o);
	else
		loc_push_owner(loc, owner, &o);
	tf_out_fini(&o);
}

/* A container that has gone is forgotten by the database too, and noted
 * for owner sessions that are away: they get it after their next offer. */
void
loc_event_container_gone(struct location *loc, const struct loc_container *c)
{
	loc_db_container_delete(loc, c->id);
	loc_hosts_ip_gone(loc, c);
	loc_web_member_changed(loc, c->id);
	loc_missed_note(loc, c->user_id, c->id);
	loc_event_gone(loc, c->user_id, TF_REC_CONTAINER, c->id);
}

void
loc_event_image(struct location *loc, int64_t user_id, const char *image_id)
{
	sqlite3_stmt *st = loc_db_prepare(loc,
	    "SELECT " LOC_IMAGE_COLUMNS " FROM images "
	    "WHERE user_id=? AND image_id=?");

	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, image_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		struct loc_rec r;

		loc_rec_push(loc, loc_rec_image(&r, st));
	}
	sqlite3_finalize(st);
}
