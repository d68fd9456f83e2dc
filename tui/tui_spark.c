/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_spark: metric history for the detail pane.  A tui_ring keeps the last
 * samples of one figure; tui_spark_render draws them as a sparkline of the
 * eight block characters; a tui_hist keeps four rings (cpu, memory,
 * network, block I/O) per container, sampled once a second from the model.
 *
 * Memory is bounded whatever the fleet: at most TUI_HIST_MAX containers
 * have a history (about 5 KiB each).  While there is room every container
 * with figures gets one; beyond that a container gets one when the detail
 * pane shows it, taking the place of the one looked at least recently.
 */
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

void
tui_ring_init(struct tui_ring *r, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->cap = cap;
	r->v = tf_calloc(cap, sizeof *r->v);
}

void
tui_ring_fini(struct tui_ring *r)
{
	free(r->v);
	memset(r, 0, sizeof *r);
}

void
tui_ring_push(struct tui_ring *r, float v)
{
	if (r->cap == 0)
		return;
	r->v[(r->head + r->n) % r->cap] = v;
	if (r->n < r->cap)
		r->n++;
	else
		r->head = (r->head + 1) % r->cap;
}

/* The i-th sample, oldest first. */
float
tui_ring_at(const struct tui_ring *r, size_t i)
{
	return i < r->n ? r->v[(r->head + i) % r->cap] : 0;
}

float
tui_ring_max(const struct tui_ring *r)
{
	float m = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i] > m)
			m = r->v[i];
	return m;
}

/* The newest `width` samples as UTF-8 blocks (or, without UTF-8, eight
 * ASCII characters of growing weight), scaled so that max is a full
 * block (max <= 0: the largest sample shown); a sample of 0 is a space
 * and anything above 0 at least the lowest block, so activity shows.
 * Missing history (fewer samples than width) is left blank on the left.
 * Returns the number of cells written. */
int
tui_spark_render(const struct tui_ring *r, int width, double max, bool utf8,
		 char *buf, size_t size)
{
	static const char *const utf8_blocks[] = { "\u2581", "\u2582",
	    "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char *const ascii_blocks[] = { "_", ".", "-", ":", "=",
	    "+", "*", "#" };
	const char *const *blocks = utf8 ? utf8_blocks : ascii_blocks;
	size_t n = r->n < (size_t)width ? r->n : (size_t)width;
	size_t first = r->n - n, used = 0;
	int cells = 0, pad;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (max <= 0)
		for (size_t i = first; i < r->n; i++)
			if (tui_ring_at(r, i) > max)
				max = tui_ring_at(r, i);
	for (pad = width - (int)n; pad > 0 && used + 1 < size; pad--) {
		buf[used++] = ' ';
		cells++;
	}
	for (size_t i = first; i < r->n; i++) {
		double v = tui_ring_at(r, i);
		const char *s = " ";
		int k;

		if (v > 0 && max > 0) {
			k = (int)(v / max * 8.0 + 0.5) - 1;
			s = blocks[k < 0 ? 0 : k > 7 ? 7 : k];
		}
		if (used + strlen(s) + 1 > size)
			break;
		memcpy(buf + used, s, strlen(s));
		used += strlen(s);
		cells++;
	}
	buf[used] = '\0';
	return cells;
}

/* ---- per-container history ------------------------------------------- */

static uint64_t
hist_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

void
tui_hist_init(struct tui_hist *h, size_t max, size_t samples)
{
	memset(h, 0, sizeof *h);
	h->max = max;
	h->samples = samples;
}

static void
hist_entry_free(struct tui_hist_entry *e)
{
	for (int k = 0; k < TUI_HIST_SERIES; k++)
		tui_ring_fini(&e->ring[k]);
	free(e);
}

void
tui_hist_fini(struct tui_hist *h)
{
	for (size_t i = 0; i < TUI_HIST_BUCKETS; i++) {
		struct tui_hist_entry *e = h->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			hist_entry_free(e);
		}
	}
	memset(h, 0, sizeof *h);
}

struct tui_hist_entry *
tui_hist_find(const struct tui_hist *h, const char *id)
{
	struct tui_hist_entry *e = h->buckets[hist_hash(id) % TUI_HIST_BUCKETS];

	for (; e != NULL; e = e->next)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

static void
hist_unlink(struct tui_hist *h, struct tui_hist_entry *victim)
{
	struct tui_hist_entry **pp =
	    &h->buckets[hist_hash(victim->id) % TUI_HIST_BUCKETS];

	while (*pp != victim)
		pp = &(*pp)->next;
	*pp = victim->next;
	h->n--;
}

/* The entry of id, made if missing.  When full, force takes the place of
 * the entry used least recently; without force NULL. */
struct tui_hist_entry *
tui_hist_get(struct tui_hist *h, const char *id, bool force, uint64_t now)
{
	struct tui_hist_entry *e = tui_hist_find(h, id), *old = NULL;
	size_t b;

	if (e != NULL) {
		if (force)
			e->used = now;
		return e;
	}
	if (h->n >= h->max) {
		if (!force)
			return NULL;
		for (b = 0; b < TUI_HIST_BUCKETS; b++)
			for (e = h->buckets[b]; e != NULL; e = e->next)
				if (old == NULL || e->used < old->used)
					old = e;
		if (old == NULL)
			return NULL;
		hist_unlink(h, old);
		hist_entry_free(old);
	}
	e = tf_calloc(1, sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", id);
	for (int k = 0; k < TUI_HIST_SERIES; k++)
		tui_ring_init(&e->ring[k], h->samples);
	e->used = now;
	b = hist_hash(id) % TUI_HIST_BUCKETS;
	e->next = h->buckets[b];
	h->buckets[b] = e;
	h->n++;
	return e;
}

/* Drops the entries whose container fn says is gone. */
void
tui_hist_prune(struct tui_hist *h, bool (*keep)(const char *id, void *arg),
	       void *arg)
{
	for (size_t b = 0; b < TUI_HIST_BUCKETS; b++) {
		struct tui_hist_entry **pp = &h->buckets[b];

		while (*pp != NULL) {
			struct tui_hist_entry *e = *pp;

			if (keep(e->id, arg)) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			h->n--;
			hist_entry_free(e);
		}
	}
}

void
tui_hist_sample(struct tui_hist_entry *e, const tf_model_metrics *m)
{
	tui_ring_push(&e->ring[TUI_HIST_CPU], m != NULL ? (float)m->cpu_pct : 0);
	tui_ring_push(&e->ring[TUI_HIST_MEM], m != NULL ? (float)m->mem_rss : 0);
	tui_ring_push(&e->ring[TUI_HIST_NET], m != NULL ?
	    (float)(m->net_rx + m->net_tx) : 0);
	tui_ring_push(&e->ring[TUI_HIST_IO], m != NULL ?
	    (float)(m->io_read + m->io_write) : 0);
}
