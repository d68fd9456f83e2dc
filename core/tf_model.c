/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_model: the client-side store of the resource offer (see tf_model.h).
 *
 * Each kind lives in a table: a dense vector of entries (so views iterate
 * without hashing) plus an open-addressing index by id with backward-shift
 * deletion, so 10,000 containers cost O(1) per push.  A removal swaps the
 * last entry into the hole and fixes its index slot.  Records are read with
 * the offer codecs (tf_codec_offer.h), which are tolerant in the way a
 * console must be: absent fields keep their value, a field of the wrong
 * type is ignored, but a record without a valid id is rejected.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_codec_metrics.h"
#include "tf_codec_offer.h"
#include "tf_codec_quota.h"
#include "tf_log.h"
#include "tf_model.h"
#include "tf_msg.h"
#include "tf_util.h"
#include "tf_selftest.h"

#define MODEL_LISTENERS 16
#define MODEL_TAG 0x7f6d0de1	/* tf_model handles; 0xdeadbeef once freed */
#define MODEL_OFFER_MAX 200000	/* records of one kind in an offer */

struct model_entry {
	size_t idx;		/* position in table->items */
	uint64_t hash;
	union {
		char id[TF_MODEL_ID];	/* every record starts with its id */
		tf_model_node node;
		tf_model_container container;
		tf_model_tunnel tunnel;
		tf_model_volume volume;
		tf_model_image image;
		tf_model_endpoint endpoint;
		tf_model_proc proc;
		tf_model_event event;
	} rec;
};

struct model_table {
	struct model_entry **items;
	size_t n, cap;
	struct model_entry **slots;	/* index by id; NULL is empty */
	size_t nslots;			/* power of two */
};

struct model_listener {
	tf_model_fn fn;
	void *arg;
};

struct tf_model {
	uint32_t tag;
	struct model_table tables[TF_MODEL_KIND_LAST];
	struct model_listener listeners[MODEL_LISTENERS];
	int nlisteners;
	uint64_t generation;
	bool quiet;		/* an offer is being applied: one RESET at the end */
	/* The account's quotas as of the last offer (docs/SECURITY.md). */
	struct model_quota {
		char kind[TF_QUOTA_KIND_MAX + 1];
		int64_t limit, used;
	} quota[TF_QUOTA_MAX_KINDS];
	size_t n_quota;
};

static const char *const model_kind_names[TF_MODEL_KIND_LAST] = {
	[TF_MODEL_NODE] = "node",
	[TF_MODEL_CONTAINER] = "container",
	[TF_MODEL_TUNNEL] = "tunnel",
	[TF_MODEL_VOLUME] = "volume",
	[TF_MODEL_IMAGE] = "image",
	[TF_MODEL_ENDPOINT] = "endpoint",
	[TF_MODEL_PROC] = "process",
	[TF_MODEL_EVENT] = "event",
};

static const char *const model_ctr_state_names[TF_CTR_STATE_LAST] = {
	[TF_CTR_UNKNOWN] = "unknown",
	[TF_CTR_SPAWNING] = "spawning",
	[TF_CTR_SLEEPING] = "sleeping",
	[TF_CTR_RUNNING] = "running",
	[TF_CTR_EXITED] = "exited",
	[TF_CTR_FAILED] = "failed",
	[TF_CTR_DESTROYED] = "destroyed",
	[TF_CTR_LOST] = "lost",
};

/* FNV-1a: ids are short and already random. */
static uint64_t
model_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static void
model_table_index(struct model_table *t, struct model_entry *e)
{
	size_t mask = t->nslots - 1, i = e->hash & mask;

	while (t->slots[i] != NULL)
		i = (i + 1) & mask;
	t->slots[i] = e;
}

static void
model_table_grow(struct model_table *t)
{
	size_t i;

	if (t->n + 1 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->items = tf_realloc(t->items, t->cap * sizeof *t->items);
	}
	if ((t->n + 1) * 2 <= t->nslots)
		return;
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 32;
	t->slots = tf_calloc(t->nslots, sizeof *t->slots);
	for (i = 0; i < t->n; i++)
		model_table_index(t, t->items[i]);
}

static size_t
model_table_slot(const struct model_table *t, const char *id, uint64_t h)
{
	size_t mask, i;

	if (t->nslots == 0)
		return SIZE_MAX;
	mask = t->nslots - 1;
	for (i = h & mask; t->slots[i] != NULL; i = (i + 1) & mask) {
		if (t->slots[i]->hash == h && strcmp(t->slots[i]->rec.id, id) == 0)
			return i;
	}
	return SIZE_MAX;
}

static struct model_entry *
model_table_find(const struct model_table *t, const char *id)
{
	size_t i = model_table_slot(t, id, model_hash(id));

	return i == SIZE_MAX ? NULL : t->slots[i];
}

/* Returns the entry for id, creating a zeroed one (*created set). */
static struct model_entry *
model_table_get(struct model_table *t, const char *id, bool *created)
{
	struct model_entry *e = model_table_find(t, id);

	*created = false;
	if (e != NULL)
		return e;
	model_table_grow(t);
	e = tf_calloc(1, sizeof *e);
	snprintf(e->rec.id, sizeof e->rec.id, "%s", id);
	e->hash = model_hash(id);
	e->idx = t->n;
	t->items[t->n++] = e;
	model_table_index(t, e);
	*created = true;
	return e;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static bool
model_table_remove(struct model_table *t, const char *id)
{
	size_t i = model_table_slot(t, id, model_hash(id)), j, k, mask;
	struct model_entry *e, *last;

	if (i == SIZE_MAX)
		return false;
	e = t->slots[i];
	mask = t->nslots - 1;
	t->slots[i] = NULL;
	for (j = (i + 1) & mask; t->slots[j] != NULL; j = (j + 1) & mask) {
		k = t->slots[j]->hash & mask;
		/* Move slot j back into the hole unless its home lies
		 * cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = NULL;
		i = j;
	}
	last = t->items[--t->n];
	t->items[e->idx] = last;
	last->idx = e->idx;
	free(e);
	return true;
}

static void
model_table_clear(struct model_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i]);
	t->n = 0;
	if (t->slots != NULL)
		memset(t->slots, 0, t->nslots * sizeof *t->slots);
}

static void
model_notify(tf_model *m, tf_model_kind kind, tf_model_op op, const char *id)
{
	int i;

	m->generation++;
	if (m->quiet)
		return;
	for (i = 0; i < m->nlisteners; i++)
		m->listeners[i].fn(m, kind, op, id, m->listeners[i].arg);
}

tf_model *
tf_model_new(void)
{
	tf_model *m = tf_calloc(1, sizeof(tf_model));

	m->tag = MODEL_TAG;
	return m;
}

void
tf_model_destroy(tf_model **self_p)
{
	tf_model *m;
	int k;

	assert(self_p != NULL);
	if ((m = *self_p) == NULL)
		return;
	assert(m->tag == MODEL_TAG);
	m->tag = 0xdeadbeef;
	for (k = 0; k < TF_MODEL_KIND_LAST; k++) {
		model_table_clear(&m->tables[k]);
		free(m->tables[k].items);
		free(m->tables[k].slots);
	}
	free(m);
	*self_p = NULL;
}

int
tf_model_listen(tf_model *m, tf_model_fn fn, void *arg)
{
	assert(m->tag == MODEL_TAG);
	if (m->nlisteners == MODEL_LISTENERS)
		return -1;
	m->listeners[m->nlisteners].fn = fn;
	m->listeners[m->nlisteners].arg = arg;
	m->nlisteners++;
	return 0;
}

void
tf_model_unlisten(tf_model *m, tf_model_fn fn, void *arg)
{
	int i;

	for (i = 0; i < m->nlisteners; i++) {
		if (m->listeners[i].fn == fn && m->listeners[i].arg == arg) {
			memmove(&m->listeners[i], &m->listeners[i + 1],
			    (m->nlisteners - i - 1) * sizeof m->listeners[0]);
			m->nlisteners--;
			return;
		}
	}
}

/* ---- records, from the offer codec (tf_codec_offer.h) ------------------ */

_Static_assert((int)TF_MODEL_NODE == (int)TF_REC_NODE &&
    (int)TF_MODEL_CONTAINER == (int)TF_REC_CONTAINER &&
    (int)TF_MODEL_TUNNEL == (int)TF_REC_TUNNEL &&
    (int)TF_MODEL_VOLUME == (int)TF_REC_VOLUME &&
    (int)TF_MODEL_IMAGE == (int)TF_REC_IMAGE &&
    (int)TF_MODEL_ENDPOINT == (int)TF_REC_ENDPOINT,
    "tf_model_kind starts with the kinds of tf_rec_kind");

/* One record as unpacked: the codecs are lenient, so a field of the wrong
 * type is left out and the record's other fields still count. */
union model_wire {
	tf_node_rec node;
	tf_ctr_rec container;
	tf_tunnel_rec tunnel;
	tf_vol_rec volume;
	tf_image_rec image;
	tf_endpoint_rec endpoint;
};

/* Copies a record's string into a fixed field, cut to fit.  A display
 * string must not carry control characters. */
static void
rec_copy(char *buf, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (; len > 0; len--) {
		if ((unsigned char)buf[len - 1] < 0x20 || buf[len - 1] == 0x7f)
			buf[len - 1] = '?';
	}
}

/* A field that came replaces what the model had; one that did not keeps
 * it, so a partial record never blanks a column. */
#define REC_STR(c, r, f, dst) do { \
	if (TF_HAS(c, r, f)) \
		rec_copy(dst, sizeof(dst), (r)->f); \
} while (0)
#define REC_VAL(c, r, f, dst) do { \
	if (TF_HAS(c, r, f)) \
		(dst) = (r)->f; \
} while (0)

/* Unpacks a record of a kind; its id (the first field) must be a
 * non-empty string without blanks or control characters that fits. */
static int
rec_unpack(tf_model_kind kind, const msgpack_object *o, union model_wire *w,
	   char *id, tf_err *err)
{
	const tf_codec *c = tf_rec_codec((tf_rec_kind)kind);
	const char *s;
	size_t i;

	if (tf_codec_unpack(c, o, w, err) != 0)
		return -1;
	s = *(const char *const *)(const void *)((const char *)w +
	    c->fields[0].off);
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			break;
	}
	if (s[0] == '\0' || s[i] != '\0' || i >= TF_MODEL_ID) {
		tf_codec_free(c, w);
		return tf_err_set(err, "%s record with a bad '%s'",
		    c->fields[0].name, c->fields[0].name);
	}
	memcpy(id, s, i + 1);
	return 0;
}

static void
model_set_node(tf_model_node *n, const tf_node_rec *r)
{
	const tf_codec *c = &tf_node_rec_codec;

	REC_STR(c, r, name, n->name);
	if (n->name[0] == '\0')
		snprintf(n->name, sizeof n->name, "%.*s", 12, n->id);
	if (TF_HAS(c, r, state) && r->state[0] != '\0')
		n->up = strcmp(r->state, "up") == 0;
	REC_VAL(c, r, cpus, n->cpus);
	REC_VAL(c, r, cpu_pct, n->cpu_pct);
	REC_VAL(c, r, mem_total_mb, n->mem_total_mb);
	REC_VAL(c, r, mem_free_mb, n->mem_free_mb);
	REC_VAL(c, r, paging, n->paging);
	REC_VAL(c, r, containers, n->containers);
	REC_VAL(c, r, load1, n->load1);
	REC_STR(c, r, subnet, n->subnet);
	REC_STR(c, r, address, n->address);
}

static void
model_set_container(tf_model_container *m, const tf_ctr_rec *r)
{
	const tf_codec *c = &tf_ctr_rec_codec;

	REC_STR(c, r, node, m->node);
	REC_STR(c, r, tag, m->tag);
	REC_STR(c, r, image, m->image);
	REC_STR(c, r, ip, m->ip);
	if (TF_HAS(c, r, state) && r->state[0] != '\0')
		m->state = tf_model_ctr_state_parse(r->state);
	REC_VAL(c, r, exit_code, m->exit_code);
	REC_STR(c, r, error, m->error);
	REC_STR(c, r, session, m->session);
	REC_STR(c, r, session_name, m->session_name);
	/* "user" is the owner's numeric id; people read names. */
	REC_STR(c, r, user_name, m->user);
	REC_VAL(c, r, created, m->created);
	REC_VAL(c, r, started, m->started);
	REC_VAL(c, r, startup_ms, m->startup_ms);
}

static void
model_set_tunnel(tf_model_tunnel *t, const tf_tunnel_rec *r)
{
	const tf_codec *c = &tf_tunnel_rec_codec;

	REC_STR(c, r, container, t->container);
	REC_VAL(c, r, port, t->port);
	REC_VAL(c, r, localport, t->localport);
	REC_STR(c, r, session, t->session);
	REC_STR(c, r, session_name, t->session_name);
	REC_STR(c, r, user_name, t->user);
	REC_VAL(c, r, conns, t->conns);
	REC_VAL(c, r, bytes_in, t->bytes_in);
	REC_VAL(c, r, bytes_out, t->bytes_out);
}

static void
model_set_volume(tf_model_volume *v, const tf_vol_rec *r)
{
	const tf_codec *c = &tf_vol_rec_codec;

	REC_STR(c, r, tag, v->tag);
	REC_STR(c, r, node, v->node);
	REC_STR(c, r, user_name, v->user);
	REC_VAL(c, r, snapshot, v->snapshot);
	if (!TF_HAS(c, r, mounts))
		return;
	/* nmounts counts them all; the first TF_MODEL_MOUNTS are kept. */
	v->nmounts = 0;
	for (size_t i = 0; i < r->n_mounts; i++) {
		if (v->nmounts < TF_MODEL_MOUNTS) {
			if (strlen(r->mounts[i]) >= TF_MODEL_ID)
				continue;
			rec_copy(v->mounts[v->nmounts], TF_MODEL_ID,
			    r->mounts[i]);
		}
		v->nmounts++;
	}
}

static void
model_set_endpoint(tf_model_endpoint *ep, const tf_endpoint_rec *r)
{
	const tf_codec *c = &tf_endpoint_rec_codec;

	REC_STR(c, r, fqdn, ep->fqdn);
	REC_STR(c, r, domain, ep->domain);
	REC_STR(c, r, rewrite, ep->rewrite);
	REC_STR(c, r, user_name, ep->user);
	REC_VAL(c, r, port, ep->port);
	REC_VAL(c, r, tls, ep->tls);
	REC_VAL(c, r, rate, ep->rate);
	if (TF_HAS(c, r, members)) {
		ep->nmembers = (int)r->n_members;
		for (size_t i = 0; i < r->n_members && i < TF_MODEL_MEMBERS;
		    i++)
			rec_copy(ep->members[i], sizeof ep->members[i],
			    r->members[i]);
	}
	if (TF_HAS(c, r, members) || TF_HAS(c, r, up))
		for (int i = 0; i < ep->nmembers && i < TF_MODEL_MEMBERS;
		    i++) {
			ep->up[i] = false;
			for (size_t k = 0; TF_HAS(c, r, up) && k < r->n_up; k++)
				if (strcmp(r->up[k], ep->members[i]) == 0)
					ep->up[i] = true;
		}
}

static void
model_set_image(tf_model_image *im, const tf_image_rec *r)
{
	const tf_codec *c = &tf_image_rec_codec;
	size_t used = 0;

	if (TF_HAS(c, r, names)) {
		im->names[0] = '\0';
		im->name[0] = '\0';
		for (size_t i = 0; i < r->n_names; i++) {
			const char *one = r->names[i];

			if (strlen(one) >= TF_MODEL_TEXT)
				continue;
			if (im->name[0] == '\0')
				rec_copy(im->name, sizeof im->name, one);
			if (used + strlen(one) + 3 < sizeof im->names) {
				used += (size_t)snprintf(im->names + used,
				    sizeof im->names - used, "%s%s",
				    used ? ", " : "", one);
			}
		}
	}
	if (im->name[0] == '\0')
		snprintf(im->name, sizeof im->name, "%.12s", im->id);
	if (TF_HAS(c, r, layers))
		im->layers = (int64_t)r->n_layers;
	REC_VAL(c, r, size, im->size);
	REC_VAL(c, r, created, im->created);
	REC_STR(c, r, origin, im->origin);
}

/* Applies one record of a kind. */
static int
model_apply_record(tf_model *m, tf_model_kind kind, const msgpack_object *o,
		   tf_err *err)
{
	struct model_table *t = &m->tables[kind];
	union model_wire w;
	char id[TF_MODEL_ID];
	struct model_entry *e;
	bool created;

	if (rec_unpack(kind, o, &w, id, err) != 0)
		return -1;
	e = model_table_get(t, id, &created);
	/* A node in the offer is up unless it says otherwise. */
	if (created && kind == TF_MODEL_NODE)
		e->rec.node.up = true;
	switch (kind) {
	case TF_MODEL_NODE:
		model_set_node(&e->rec.node, &w.node);
		break;
	case TF_MODEL_CONTAINER:
		model_set_container(&e->rec.container, &w.container);
		break;
	case TF_MODEL_TUNNEL:
		model_set_tunnel(&e->rec.tunnel, &w.tunnel);
		break;
	case TF_MODEL_VOLUME:
		model_set_volume(&e->rec.volume, &w.volume);
		break;
	case TF_MODEL_IMAGE:
		model_set_image(&e->rec.image, &w.image);
		break;
	case TF_MODEL_ENDPOINT:
		model_set_endpoint(&e->rec.endpoint, &w.endpoint);
		break;
	default:
		tf_panic("model_apply_record: kind %d", kind);
	}
	tf_codec_free(tf_rec_codec((tf_rec_kind)kind), &w);
	model_notify(m, kind, created ? TF_MODEL_ADDED : TF_MODEL_CHANGED, id);
	return 0;
}

static void
model_remove_procs_of(tf_model *m, const char *container)
{
	struct model_table *t = &m->tables[TF_MODEL_PROC];
	char id[TF_MODEL_ID];
	size_t i = 0;

	while (i < t->n) {
		if (strcmp(t->items[i]->rec.proc.container, container) != 0) {
			i++;
			continue;
		}
		snprintf(id, sizeof id, "%s", t->items[i]->rec.id);
		model_table_remove(t, id);
		model_notify(m, TF_MODEL_PROC, TF_MODEL_REMOVED, id);
	}
}

static int
model_apply_gone(tf_model *m, tf_model_kind kind, const msgpack_object *o,
		 tf_err *err)
{
	union model_wire w;
	char id[TF_MODEL_ID];

	if (rec_unpack(kind, o, &w, id, err) != 0)
		return -1;
	tf_codec_free(tf_rec_codec((tf_rec_kind)kind), &w);
	if (model_table_remove(&m->tables[kind], id))
		model_notify(m, kind, TF_MODEL_REMOVED, id);
	if (kind == TF_MODEL_CONTAINER)
		model_remove_procs_of(m, id);
	return 0;
}

/* The offer's quota list; an offer without one (an older location)
 * leaves none. */
static void
model_apply_quota(tf_model *m, const msgpack_object *o)
{
	tf_quota_msg q;

	m->n_quota = 0;
	if (tf_quota_unpack(o, &q, NULL) != 0)
		return;
	for (size_t i = 0; i < q.n_quota && i < TF_QUOTA_MAX_KINDS; i++) {
		struct model_quota *mq = &m->quota[m->n_quota++];

		snprintf(mq->kind, sizeof mq->kind, "%s", q.quota[i].kind);
		mq->limit = q.quota[i].limit;
		mq->used = q.quota[i].used;
	}
	tf_quota_free(&q);
}

int64_t
tf_model_quota(const tf_model *m, const char *kind, int64_t *used)
{
	for (size_t i = 0; i < m->n_quota; i++) {
		if (strcmp(m->quota[i].kind, kind) == 0) {
			if (used != NULL)
				*used = m->quota[i].used;
			return m->quota[i].limit;
		}
	}
	return -1;
}

static int
model_apply_offer(tf_model *m, const msgpack_object *o, tf_err *err)
{
	const msgpack_object *arr;
	struct model_table *procs = &m->tables[TF_MODEL_PROC];
	tf_err one;
	size_t i;
	int rc = 0, bad = 0;

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP)
		return tf_err_set(err, "offer is not a map");
	m->quiet = true;
	for (int k = 0; k < TF_REC_KINDS; k++) {
		const char *key = tf_rec_list((tf_rec_kind)k);

		model_table_clear(&m->tables[k]);
		arr = tf_obj_get(o, key);
		if (arr == NULL || arr->type != MSGPACK_OBJECT_ARRAY)
			continue;
		if (arr->via.array.size > MODEL_OFFER_MAX) {
			rc = tf_err_set(err, "offer: too many %s", key);
			continue;
		}
		for (i = 0; i < arr->via.array.size; i++) {
			if (model_apply_record(m, (tf_model_kind)k,
			    &arr->via.array.ptr[i], &one) != 0) {
				if (bad++ == 0)
					tf_err_set(err, "offer: %s", one.msg);
				rc = -1;
			}
		}
	}
	/* Processes survive a fresh offer only while their container does. */
	i = 0;
	while (i < procs->n) {
		if (model_table_find(&m->tables[TF_MODEL_CONTAINER],
		    procs->items[i]->rec.proc.container) == NULL)
			model_table_remove(procs, procs->items[i]->rec.id);
		else
			i++;
	}
	model_apply_quota(m, o);
	m->quiet = false;
	model_notify(m, TF_MODEL_KIND_LAST, TF_MODEL_RESET, "");
	return rc;
}

/* metrics {containers}: figures of containers we know; others (not yet
 * offered, or gone) are dropped. */
static int
model_apply_metrics(tf_model *m, const msgpack_object *o, tf_err *err)
{
	struct model_table *t = &m->tables[TF_MODEL_CONTAINER];
	double now = tf_wall_time();
	tf_metrics_msg msg;
	size_t i;

	if (tf_metrics_unpack(o, &msg, err) != 0)
		return -1;
	for (i = 0; i < msg.n_containers; i++) {
		const tf_ctr_metrics *it = &msg.containers[i];
		struct model_entry *e = model_table_find(t, it->container);
		tf_model_metrics *mm;

		if (e == NULL)
			continue;
		mm = &e->rec.container.metrics;
		mm->at = now;
		mm->cpu_pct = it->cpu_pct;
		mm->mem_rss = it->mem_rss;
		mm->mem_cache = it->mem_cache;
		mm->mem_limit = it->mem_limit;
		mm->pids = it->pids;
		mm->oom_kills = it->oom_kills;
		mm->net_rx = it->net_rx;
		mm->net_tx = it->net_tx;
		mm->io_read = it->io_read;
		mm->io_write = it->io_write;
		model_notify(m, TF_MODEL_CONTAINER, TF_MODEL_CHANGED,
		    it->container);
	}
	tf_metrics_free(&msg);
	return 0;
}

/* One event into the table; the oldest goes when it is full. */
static void
model_add_event(tf_model *m, const tf_event_rec *r)
{
	struct model_table *t = &m->tables[TF_MODEL_EVENT];
	struct model_entry *e;
	tf_model_event *ev;
	char id[TF_MODEL_ID];
	bool created;

	snprintf(id, sizeof id, "%lld", (long long)r->seq);
	e = model_table_get(t, id, &created);
	ev = &e->rec.event;
	ev->seq = r->seq;
	ev->time = r->time;
	snprintf(ev->kind, sizeof ev->kind, "%s", r->kind);
	snprintf(ev->container, sizeof ev->container, "%s", r->container);
	snprintf(ev->tag, sizeof ev->tag, "%s", r->tag);
	snprintf(ev->node, sizeof ev->node, "%s", r->node);
	snprintf(ev->volume, sizeof ev->volume, "%s", r->volume);
	snprintf(ev->user, sizeof ev->user, "%s", r->user);
	snprintf(ev->text, sizeof ev->text, "%s", r->text);
	model_notify(m, TF_MODEL_EVENT, created ? TF_MODEL_ADDED :
	    TF_MODEL_CHANGED, id);
	if (t->n > TF_MODEL_EVENTS_MAX) {
		size_t oldest = 0;

		for (size_t i = 1; i < t->n; i++)
			if (t->items[i]->rec.event.seq <
			    t->items[oldest]->rec.event.seq)
				oldest = i;
		snprintf(id, sizeof id, "%s", t->items[oldest]->rec.id);
		model_table_remove(t, id);
		model_notify(m, TF_MODEL_EVENT, TF_MODEL_REMOVED, id);
	}
}

/* event (a push) or events (events_sub's answer: a list). */
static int
model_apply_events(tf_model *m, bool list, const msgpack_object *o,
		   tf_err *err)
{
	if (!list) {
		tf_event_rec r;

		if (tf_event_unpack(o, &r, err) != 0)
			return -1;
		model_add_event(m, &r);
		tf_event_free(&r);
	} else {
		tf_events_msg msg;

		if (tf_events_unpack(o, &msg, err) != 0)
			return -1;
		for (size_t i = 0; i < msg.n_events; i++)
			model_add_event(m, &msg.events[i]);
		tf_events_free(&msg);
	}
	return 0;
}

void
tf_model_node_metrics(const tf_model *m, const char *node,
		      tf_model_metrics *out)
{
	const struct model_table *t = &m->tables[TF_MODEL_CONTAINER];
	const tf_model_node *n = tf_model_node_lookup(m, node);

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < t->n; i++) {
		const tf_model_container *c = &t->items[i]->rec.container;
		const tf_model_metrics *mm = &c->metrics;

		if (mm->at == 0 || (strcmp(c->node, node) != 0 &&
		    (n == NULL || (strcmp(c->node, n->name) != 0 &&
		    strcmp(c->node, n->id) != 0))))
			continue;
		if (mm->at > out->at)
			out->at = mm->at;
		out->cpu_pct += mm->cpu_pct;
		out->mem_rss += mm->mem_rss;
		out->mem_cache += mm->mem_cache;
		out->mem_limit += mm->mem_limit;
		out->pids += mm->pids;
		out->oom_kills += mm->oom_kills;
		out->net_rx += mm->net_rx;
		out->net_tx += mm->net_tx;
		out->io_read += mm->io_read;
		out->io_write += mm->io_write;
	}
}

int
tf_model_apply(tf_model *m, const char *cmd, const msgpack_object *params,
	       tf_err *err)
{
	tf_rec_kind kind;
	bool gone;

	assert(m->tag == MODEL_TAG);
	if (strcmp(cmd, "offer") == 0)
		return model_apply_offer(m, params, err) == 0 ? 1 : -1;
	if (strcmp(cmd, "metrics") == 0)
		return model_apply_metrics(m, params, err) == 0 ? 1 : -1;
	if (strcmp(cmd, "event") == 0 || strcmp(cmd, "events") == 0)
		return model_apply_events(m, cmd[5] == 's', params, err) == 0 ?
		    1 : -1;
	kind = tf_rec_event(cmd, &gone);
	if (kind == TF_REC_KINDS)
		return 0;
	if (gone)
		return model_apply_gone(m, (tf_model_kind)kind, params,
		    err) == 0 ? 1 : -1;
	return model_apply_record(m, (tf_model_kind)kind, params, err) == 0 ?
	    1 : -1;
}

void
tf_model_clear(tf_model *m)
{
	int k;

	for (k = 0; k < TF_MODEL_KIND_LAST; k++)
		model_table_clear(&m->tables[k]);
	model_notify(m, TF_MODEL_KIND_LAST, TF_MODEL_RESET, "");
}

size_t
tf_model_count(const tf_model *m, tf_model_kind kind)
{
	assert(kind < TF_MODEL_KIND_LAST);
	return m->tables[kind].n;
}

const void *
tf_model_at(const tf_model *m, tf_model_kind kind, size_t i)
{
	assert(kind < TF_MODEL_KIND_LAST);
	if (i >= m->tables[kind].n)
		return NULL;
	return &m->tables[kind].items[i]->rec;
}

const void *
tf_model_find(const tf_model *m, tf_model_kind kind, const char *id)
{
	struct model_entry *e;

	assert(kind < TF_MODEL_KIND_LAST);
	if (id == NULL || *id == '\0')
		return NULL;
	e = model_table_find(&m->tables[kind], id);
	return e == NULL ? NULL : &e->rec;
}

uint64_t
tf_model_generation(const tf_model *m)
{
	return m->generation;
}

const tf_model_node *
tf_model_node_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_NODE, id);
}

const tf_model_container *
tf_model_container_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_CONTAINER, id);
}

const tf_model_tunnel *
tf_model_tunnel_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_TUNNEL, id);
}

const tf_model_volume *
tf_model_volume_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_VOLUME, id);
}

const tf_model_image *
tf_model_image_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_IMAGE, id);
}

const tf_model_endpoint *
tf_model_endpoint_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_ENDPOINT, id);
}

const tf_model_proc *
tf_model_proc_find(const tf_model *m, const char *id)
{
	return tf_model_find(m, TF_MODEL_PROC, id);
}

/*
 * Name lookup shared by containers and volumes (both have id and tag):
 * exact id, then "id:tag", then tag, then a unique id prefix.
 */
static const void *
model_lookup_tagged(const tf_model *m, tf_model_kind kind, const char *name,
		    size_t tag_off)
{
	const struct model_table *t = &m->tables[kind];
	const struct model_entry *e, *found = NULL;
	const char *colon, *tag;
	size_t i, len = strlen(name);
	int hits = 0;

	if (len == 0)
		return NULL;
	if ((e = model_table_find(t, name)) != NULL)
		return &e->rec;
	colon = strchr(name, ':');
	for (i = 0; i < t->n; i++) {
		e = t->items[i];
		tag = (const char *)&e->rec + tag_off;
		if (colon != NULL &&
		    strncmp(e->rec.id, name, (size_t)(colon - name)) == 0 &&
		    e->rec.id[colon - name] == '\0' && strcmp(tag, colon + 1) == 0)
			return &e->rec;
		if (*tag != '\0' && strcmp(tag, name) == 0)
			return &e->rec;
	}
	if (len < 4)
		return NULL;
	for (i = 0; i < t->n; i++) {
		if (strncmp(t->items[i]->rec.id, name, len) == 0) {
			found = t->items[i];
			hits++;
		}
	}
	return hits == 1 ? &found->rec : NULL;
}

const tf_model_container *
tf_model_container_lookup(const tf_model *m, const char *name)
{
	return model_lookup_tagged(m, TF_MODEL_CONTAINER, name,
	    offsetof(tf_model_container, tag));
}

const tf_model_volume *
tf_model_volume_lookup(const tf_model *m, const char *name)
{
	return model_lookup_tagged(m, TF_MODEL_VOLUME, name,
	    offsetof(tf_model_volume, tag));
}

const tf_model_node *
tf_model_node_lookup(const tf_model *m, const char *name)
{
	const struct model_table *t = &m->tables[TF_MODEL_NODE];
	const tf_model_node *n = tf_model_node_find(m, name);
	size_t i;

	if (n != NULL)
		return n;
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->items[i]->rec.node.name, name) == 0)
			return &t->items[i]->rec.node;
	}
	return NULL;
}

/* "busybox" matches a name "busybox" or "busybox:<anything>". */
static bool
model_image_name_matches(const char *names, const char *want)
{
	size_t wl = strlen(want);
	const char *p = names;

	while (*p != '\0') {
		if (strncmp(p, want, wl) == 0 &&
		    (p[wl] == '\0' || p[wl] == ',' || p[wl] == ':'))
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p += 2;		/* ", " */
	}
	return false;
}

const tf_model_image *
tf_model_image_lookup(const tf_model *m, const char *name)
{
	const struct model_table *t = &m->tables[TF_MODEL_IMAGE];
	const tf_model_image *im = tf_model_image_find(m, name), *found = NULL;
	size_t i, len = strlen(name);
	int hits = 0;

	if (im != NULL || len == 0)
		return im;
	for (i = 0; i < t->n; i++) {
		if (model_image_name_matches(t->items[i]->rec.image.names, name))
			return &t->items[i]->rec.image;
	}
	if (len < 4)
		return NULL;
	for (i = 0; i < t->n; i++) {
		if (strncmp(t->items[i]->rec.id, name, len) == 0) {
			found = &t->items[i]->rec.image;
			hits++;
		}
	}
	return hits == 1 ? found : NULL;
}

const tf_model_node *
tf_model_best_node(const tf_model *m)
{
	const struct model_table *t = &m->tables[TF_MODEL_NODE];
	const tf_model_node *n, *best = NULL;
	double score, best_score = -1;
	size_t i;

	for (i = 0; i < t->n; i++) {
		n = &t->items[i]->rec.node;
		if (!n->up)
			continue;
		/* Free memory, discounted by how busy the cpus are. */
		score = (double)(n->mem_free_mb + 1) *
		    (1.0 - (n->cpu_pct > 99 ? 0.99 : n->cpu_pct / 100.0));
		if (score > best_score ||
		    (score == best_score && strcmp(n->name, best->name) < 0)) {
			best = n;
			best_score = score;
		}
	}
	return best;
}

void
tf_model_proc_set(tf_model *m, const tf_model_proc *p)
{
	struct model_entry *e;
	bool created;

	if (p->id[0] == '\0')
		return;
	e = model_table_get(&m->tables[TF_MODEL_PROC], p->id, &created);
	e->rec.proc = *p;
	model_notify(m, TF_MODEL_PROC, created ? TF_MODEL_ADDED :
	    TF_MODEL_CHANGED, p->id);
}

void
tf_model_proc_remove(tf_model *m, const char *id)
{
	char copy[TF_MODEL_ID];

	snprintf(copy, sizeof copy, "%s", id);
	if (model_table_remove(&m->tables[TF_MODEL_PROC], copy))
		model_notify(m, TF_MODEL_PROC, TF_MODEL_REMOVED, copy);
}

const char *
tf_model_ctr_state_name(tf_model_ctr_state st)
{
	return st < TF_CTR_STATE_LAST ? model_ctr_state_names[st] : "unknown";
}

tf_model_ctr_state
tf_model_ctr_state_parse(const char *s)
{
	int i;

	for (i = 0; i < TF_CTR_STATE_LAST; i++) {
		if (strcmp(s, model_ctr_state_names[i]) == 0)
			return (tf_model_ctr_state)i;
	}
	return TF_CTR_UNKNOWN;
}

const char *
tf_model_proc_state_name(tf_model_proc_state st)
{
	switch (st) {
	case TF_PROC_STARTING: return "starting";
	case TF_PROC_RUNNING:  return "running";
	case TF_PROC_EXITED:   return "exited";
	case TF_PROC_FAILED:   return "failed";
	}
	return "unknown";
}

const char *
tf_model_kind_name(tf_model_kind kind)
{
	return kind < TF_MODEL_KIND_LAST ? model_kind_names[kind] : "all";
}

/* ---- self-test --------------------------------------------------------- */

struct model_test_count {
	int added, changed, removed, reset;
};

static void
model_test_cb(tf_model *m, tf_model_kind kind, tf_model_op op, const char *id,
	      void *arg)
{
	struct model_test_count *c = arg;

	TF_UNUSED(m);
	TF_UNUSED(kind);
	TF_UNUSED(id);
	switch (op) {
	case TF_MODEL_ADDED: c->added++; break;
	case TF_MODEL_CHANGED: c->changed++; break;
	case TF_MODEL_REMOVED: c->removed++; break;
	case TF_MODEL_RESET: c->reset++; break;
	}
}

/* Packs a container record {container: id, tag, state, node}. */
static void
model_test_pack_ctr(msgpack_packer *pk, const char *id, const char *tag,
		    const char *state)
{
	msgpack_pack_map(pk, 4);
	tf_pack_kv_str(pk, "container", id);
	tf_pack_kv_str(pk, "tag", tag);
	tf_pack_kv_str(pk, "state", state);
	tf_pack_kv_str(pk, "node", "n1");
}

static void
model_test_apply(tf_model *m, const char *cmd, msgpack_sbuffer *sb, int want)
{
	msgpack_unpacked unp;
	tf_err err;
	int rc;

	msgpack_unpacked_init(&unp);
	rc = msgpack_unpack_next(&unp, sb->data, sb->size, NULL);
	TF_TEST_CHECK(rc == MSGPACK_UNPACK_SUCCESS);
	rc = tf_model_apply(m, cmd, &unp.data, &err);
	TF_TEST_CHECK(rc == want);
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_clear(sb);
}

/* Owners are named by "user_name" ("user" is their numeric id); a volume
 * lists the containers that mount it, and an empty list clears it. */
static void
model_test_owners(tf_model *m, msgpack_packer *pk, msgpack_sbuffer *sb)
{
	const tf_model_container *c;
	const tf_model_tunnel *t;
	const tf_model_volume *v;

	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "container", "AAAAbbbbCCCCddddEEEEff");
	tf_pack_kv_int(pk, "user", 7);
	tf_pack_kv_str(pk, "user_name", "alice");
	model_test_apply(m, "container", sb, 1);
	c = tf_model_container_find(m, "AAAAbbbbCCCCddddEEEEff");
	TF_TEST_CHECK(strcmp(c->user, "alice") == 0 && strcmp(c->tag, "web") == 0);

	msgpack_pack_map(pk, 5);
	tf_pack_kv_str(pk, "tunnel", "T1");
	tf_pack_kv_str(pk, "session", "S1");
	tf_pack_kv_str(pk, "session_name", "vis_owner");
	tf_pack_kv_int(pk, "user", 7);
	tf_pack_kv_str(pk, "user_name", "alice");
	model_test_apply(m, "tunnel", sb, 1);
	t = tf_model_tunnel_find(m, "T1");
	TF_TEST_CHECK(strcmp(t->user, "alice") == 0 &&
	    strcmp(t->session_name, "vis_owner") == 0);

	msgpack_pack_map(pk, 4);
	tf_pack_kv_str(pk, "volume", "V1");
	tf_pack_kv_int(pk, "user", 7);
	tf_pack_kv_str(pk, "user_name", "alice");
	tf_pack_str(pk, "mounts");
	msgpack_pack_array(pk, 2);
	tf_pack_str(pk, "AAAAbbbbCCCCddddEEEEff");
	tf_pack_str(pk, "c2");
	model_test_apply(m, "volume", sb, 1);
	v = tf_model_volume_find(m, "V1");
	TF_TEST_CHECK(strcmp(v->user, "alice") == 0 && v->nmounts == 2 &&
	    strcmp(v->mounts[1], "c2") == 0);
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "volume", "V1");
	tf_pack_str(pk, "mounts");
	msgpack_pack_array(pk, 0);
	model_test_apply(m, "volume", sb, 1);
	v = tf_model_volume_find(m, "V1");
	TF_TEST_CHECK(v->nmounts == 0 && strcmp(v->user, "alice") == 0);

	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "tunnel", "T1");
	model_test_apply(m, "tunnel_gone", sb, 1);
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "volume", "V1");
	model_test_apply(m, "volume_gone", sb, 1);
}

void
tf_model_test(bool verbose)
{
	struct model_test_count count = { 0 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	tf_model *m = tf_model_new();
	const tf_model_container *c;
	tf_model_proc p;
	char id[32];
	int i;

	if (verbose)
		printf(" * tf_model: ");
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	TF_TEST_CHECK(tf_model_listen(m, model_test_cb, &count) == 0);

	/* An offer with two nodes, one container and an image. */
	msgpack_pack_map(&pk, 3);
	tf_pack_str(&pk, "nodes");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 4);
	tf_pack_kv_str(&pk, "node", "n1");
	tf_pack_kv_str(&pk, "name", "alpha");
	tf_pack_kv_int(&pk, "mem_free_mb", 100);
	tf_pack_kv_str(&pk, "state", "up");
	msgpack_pack_map(&pk, 4);
	tf_pack_kv_str(&pk, "node", "n2");
	tf_pack_kv_str(&pk, "name", "beta");
	tf_pack_kv_int(&pk, "mem_free_mb", 5000);
	tf_pack_kv_str(&pk, "state", "up");
	tf_pack_str(&pk, "containers");
	msgpack_pack_array(&pk, 1);
	model_test_pack_ctr(&pk, "AAAAbbbbCCCCddddEEEEff", "web", "running");
	tf_pack_str(&pk, "images");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	tf_pack_kv_str(&pk, "image", "sha256abcdef");
	tf_pack_str(&pk, "names");
	msgpack_pack_array(&pk, 2);
	tf_pack_str(&pk, "busybox:latest");
	tf_pack_str(&pk, "bb");
	model_test_apply(m, "offer", &sb, 1);
	TF_TEST_CHECK(count.reset == 1 && count.added == 0);
	TF_TEST_CHECK(tf_model_count(m, TF_MODEL_NODE) == 2);
	TF_TEST_CHECK(tf_model_count(m, TF_MODEL_CONTAINER) == 1);
	TF_TEST_CHECK(strcmp(tf_model_best_node(m)->name, "beta") == 0);
	TF_TEST_CHECK(tf_model_image_lookup(m, "busybox") != NULL);
	TF_TEST_CHECK(tf_model_image_lookup(m, "bb") != NULL);
	TF_TEST_CHECK(tf_model_image_lookup(m, "nginx") == NULL);
	c = tf_model_container_lookup(m, "web");
	TF_TEST_CHECK(c != NULL && c->state == TF_CTR_RUNNING);
	TF_TEST_CHECK(tf_model_container_lookup(m, "AAAAbbbb") == c);
	TF_TEST_CHECK(tf_model_container_lookup(m, "AAAAbbbbCCCCddddEEEEff:web") == c);

	/* A partial update keeps the other fields. */
	msgpack_pack_map(&pk, 2);
	tf_pack_kv_str(&pk, "container", "AAAAbbbbCCCCddddEEEEff");
	tf_pack_kv_str(&pk, "state", "exited");
	model_test_apply(m, "container", &sb, 1);
	c = tf_model_container_find(m, "AAAAbbbbCCCCddddEEEEff");
	TF_TEST_CHECK(c->state == TF_CTR_EXITED && strcmp(c->tag, "web") == 0);
	TF_TEST_CHECK(count.changed == 1);
	model_test_owners(m, &pk, &sb);

	/* Malformed: no id, wrong type; not a model event. */
	msgpack_pack_map(&pk, 1);
	tf_pack_kv_str(&pk, "tag", "x");
	model_test_apply(m, "container", &sb, -1);
	msgpack_pack_array(&pk, 0);
	model_test_apply(m, "node", &sb, -1);
	msgpack_pack_map(&pk, 0);
	model_test_apply(m, "log", &sb, 0);

	/* Many containers, then remove them all in a scattered order. */
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "c%05d", i);
		model_test_pack_ctr(&pk, id, "t", "running");
		model_test_apply(m, "container", &sb, 1);
	}
	TF_TEST_CHECK(tf_model_count(m, TF_MODEL_CONTAINER) == 5001);
	memset(&p, 0, sizeof p);
	snprintf(p.id, sizeof p.id, "p1");
	snprintf(p.container, sizeof p.container, "c00007");
	tf_model_proc_set(m, &p);
	TF_TEST_CHECK(tf_model_proc_find(m, "p1") != NULL);
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "c%05d", (i * 7919) % 5000);
		msgpack_pack_map(&pk, 1);
		tf_pack_kv_str(&pk, "container", id);
		model_test_apply(m, "container_gone", &sb, 1);
		if (i % 500 == 0) {
			snprintf(id, sizeof id, "c%05d", ((i + 1) * 7919) % 5000);
			TF_TEST_CHECK(tf_model_container_find(m, id) != NULL);
		}
	}
	TF_TEST_CHECK(tf_model_count(m, TF_MODEL_CONTAINER) == 1);
	TF_TEST_CHECK(tf_model_proc_find(m, "p1") == NULL);
	TF_TEST_CHECK(tf_model_container_find(m, "AAAAbbbbCCCCddddEEEEff") != NULL);

	tf_model_unlisten(m, model_test_cb, &count);
	msgpack_sbuffer_destroy(&sb);
	tf_model_destroy(&m);
	TF_TEST_CHECK(m == NULL);
	if (verbose)
		printf("OK\n");
}
