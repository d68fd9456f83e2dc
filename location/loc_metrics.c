/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_metrics.c: container metrics from nodes to the sessions that watch
 * them (docs/PROTOCOL.md, "Metrics").
 *
 * A node's `metrics` carries only the containers whose figures changed
 * enough to show; the location keeps the latest figures in each container
 * record and relays each message, cut down to what the session may see, to
 * the sessions that subscribed with `metrics_sub {on: true}`.  A session
 * that never subscribes (every `tf` program) receives nothing, and one that
 * subscribes is first sent the figures of everything it may see, so it
 * need not wait for the next change.
 */
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_codec_metrics.h"
#include "tf_log.h"

/* Items of one message to a client: well under the header limit. */
#define LOC_METRICS_CHUNK 2000

static void
metrics_item(struct location *loc, const struct loc_container *c,
	     tf_ctr_metrics *it)
{
	const struct loc_node *n = loc_node_find(loc, c->node_id);
	const struct loc_metrics *m = &c->metrics;

	memset(it, 0, sizeof *it);
	it->container = c->id;
	it->node = n != NULL ? n->name : "";
	it->cpu_pct = m->cpu_pct;
	it->mem_rss = m->mem_rss;
	it->mem_cache = m->mem_cache;
	it->mem_limit = m->mem_limit;
	it->pids = m->pids;
	it->oom_kills = m->oom_kills;
	it->net_rx = m->net_rx;
	it->net_tx = m->net_tx;
	it->io_read = m->io_read;
	it->io_write = m->io_write;
}

static void
metrics_send(struct location *loc, struct loc_session *s, tf_ctr_metrics *items,
	     size_t n)
{
	tf_metrics_msg msg = { .containers = items, .n_containers = n };
	tf_out o;

	tf_out_init(&o, "metrics");
	tf_metrics_pack(&msg, &o);
	loc_send_session(loc, s, &o, 0, NULL, 0);
	tf_out_fini(&o);
}

/* Sends s the figures of the given containers it may see, in chunks. */
static void
metrics_relay(struct location *loc, struct loc_session *s,
	      struct loc_container *const *ctrs, size_t nctrs)
{
	tf_ctr_metrics *items;
	size_t i, n = 0;

	if (nctrs == 0)
		return;
	items = tf_calloc(nctrs < LOC_METRICS_CHUNK ? nctrs : LOC_METRICS_CHUNK,
	    sizeof *items);
	for (i = 0; i < nctrs; i++) {
		const struct loc_container *c = ctrs[i];

		if (c->dead || !c->metrics.have || !loc_may_see(s, c->user_id))
			continue;
		metrics_item(loc, c, &items[n++]);
		if (n == LOC_METRICS_CHUNK) {
			metrics_send(loc, s, items, n);
			n = 0;
		}
	}
	if (n > 0)
		metrics_send(loc, s, items, n);
	free(items);
}

/* metrics (node push): keep the figures, relay them to subscribers. */
int
req_metrics(struct location *loc, struct loc_session *s, struct loc_node *n,
	    const tf_msg *m, tf_err *err)
{
	struct loc_container **changed;
	tf_metrics_msg msg;
	size_t i, nchanged = 0;

	TF_UNUSED(s);
	if (tf_metrics_unpack(m->params, &msg, err) != 0)
		return -1;
	changed = tf_calloc(msg.n_containers + 1, sizeof *changed);
	for (i = 0; i < msg.n_containers; i++) {
		const tf_ctr_metrics *it = &msg.containers[i];
		struct loc_container *c = loc_container_find(loc, it->container);
		struct loc_metrics *lm;

		if (c == NULL || c->dead || c->node_id != n->id)
			continue;	/* not (or no longer) that node's */
		lm = &c->metrics;
		if (it->oom_kills > lm->oom_kills && lm->have)
			loc_events_add(loc, "oom_killed", c->user_id, c, NULL,
			    NULL, "out of memory: the kernel killed a process "
			    "(%lld kills, memory %lld MiB of %lld MiB)",
			    (long long)it->oom_kills,
			    (long long)(it->mem_rss >> 20),
			    (long long)(it->mem_limit >> 20));
		lm->have = true;
		lm->cpu_pct = it->cpu_pct;
		lm->mem_rss = it->mem_rss;
		lm->mem_cache = it->mem_cache;
		lm->mem_limit = it->mem_limit;
		lm->pids = it->pids;
		lm->oom_kills = it->oom_kills;
		lm->net_rx = it->net_rx;
		lm->net_tx = it->net_tx;
		lm->io_read = it->io_read;
		lm->io_write = it->io_write;
		changed[nchanged++] = c;
	}
	tf_metrics_free(&msg);
	for (i = 0; i < loc->n_sessions && nchanged > 0; i++) {
		struct loc_session *ss = loc->sessions[i];

		if (ss->metrics && !ss->dead && ss->rid_len > 0)
			metrics_relay(loc, ss, changed, nchanged);
	}
	free(changed);
	return 0;
}

/* metrics_sub {on}: a session starts or stops watching metrics. */
int
req_metrics_sub(struct location *loc, struct loc_session *s,
		struct loc_node *n, const tf_msg *m, tf_err *err)
{
	tf_metrics_sub_msg sub;
	tf_out o;

	TF_UNUSED(n);
	if (tf_metrics_sub_unpack(m->params, &sub, err) != 0)
		return -1;
	s->metrics = sub.on;
	tf_metrics_sub_free(&sub);
	tf_out_init(&o, TF_REPLY);
	loc_send_session(loc, s, &o, m->id, NULL, 0);
	tf_out_fini(&o);
	if (s->metrics)
		metrics_relay(loc, s, loc->containers, loc->n_containers);
	return 0;
}
