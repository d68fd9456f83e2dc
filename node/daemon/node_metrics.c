/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_metrics: each running container's figures, sampled once a second
 * from its cgroups (v1 controllers, or the unified v2 hierarchy) and the
 * host end of its veth, and sent to the location as `metrics` only when
 * they changed enough for a person to see (docs/PROTOCOL.md, "Metrics").
 *
 * Why the host end of the veth: its counters are in sysfs, so reading them
 * needs no setns() into the container's namespace.  What the host end
 * receives is what the container sent, and the other way round.
 *
 * The bound on what a node sends: one message an interval, at most
 * TF_METRICS_MAX_ITEMS containers in it; a container that changed but did
 * not fit waits for the next interval, oldest first, so none starves.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "node.h"
#include "tf_codec_metrics.h"
#include "tf_log.h"

/* Limits at or above this are "no limit" (cgroup v1 writes a page-rounded
 * INT64_MAX). */
#define METRICS_NO_LIMIT ((int64_t)1 << 60)

/* Reads a small file into buf (NUL-terminated); -1 if it cannot. */
static int
metrics_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

static int64_t
metrics_read_int(const char *dir, const char *file)
{
	char path[512], buf[64];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (metrics_read(path, buf, sizeof buf) != 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0)
		return METRICS_NO_LIMIT;
	return strtoll(buf, NULL, 10);
}

/* The value after "key " on a line of a "key value" file, 0 if none. */
static int64_t
metrics_key(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
		p += len;
	}
	return 0;
}

/* Finds the container's cgroup directories from /proc/PID/cgroup. */
static void
metrics_find_cgroups(struct node_ctr_metrics *m, pid_t pid)
{
	char path[64], buf[4096], *line, *save = NULL;
	static const char *const ctrls[] = { "cpuacct", "memory", "pids",
	    "blkio" };
	char *dirs[] = { m->cg_cpu, m->cg_mem, m->cg_pids, m->cg_io };

	m->cg_cpu[0] = m->cg_mem[0] = m->cg_pids[0] = m->cg_io[0] = '\0';
	m->cg_v2 = false;
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	if (metrics_read(path, buf, sizeof buf) != 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *list = strchr(line, ':'), *cg;

		if (list == NULL || (cg = strchr(++list, ':')) == NULL)
			continue;
		*cg++ = '\0';
		if (*list == '\0') {
			/* The unified hierarchy: used when no v1 controller
			 * is (a v2-only host). */
			if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 &&
			    m->cg_cpu[0] == '\0') {
				snprintf(m->cg_cpu, sizeof m->cg_cpu,
				    "/sys/fs/cgroup%s", cg);
				m->cg_v2 = true;
			}
			continue;
		}
		for (size_t i = 0; i < TF_ARRAY_LEN(ctrls); i++) {
			char *tok, *s2 = NULL, copy[128];

			snprintf(copy, sizeof copy, "%s", list);
			for (tok = strtok_r(copy, ",", &s2); tok != NULL;
			    tok = strtok_r(NULL, ",", &s2)) {
				if (strcmp(tok, ctrls[i]) != 0)
					continue;
				snprintf(dirs[i], sizeof m->cg_cpu,
				    "/sys/fs/cgroup/%s%s", ctrls[i], cg);
				if (i == 0)
					m->cg_v2 = false;
			}
		}
	}
	if (m->cg_v2) {
		snprintf(m->cg_mem, sizeof m->cg_mem, "%s", m->cg_cpu);
		snprintf(m->cg_pids, sizeof m->cg_pids, "%s", m->cg_cpu);
		snprintf(m->cg_io, sizeof m->cg_io, "%s", m->cg_cpu);
	}
	m->cg_pid = pid;
}

/* Block I/O bytes read and written, from blkio (v1) or io.stat (v2). */
static void
metrics_io(const struct node_ctr_metrics *m, uint64_t *rd, uint64_t *wr)
{
	char path[512], buf[8192], *p;

	*rd = *wr = 0;
	if (m->cg_v2) {
		snprintf(path, sizeof path, "%s/io.stat", m->cg_io);
		if (metrics_read(path, buf, sizeof buf) != 0)
			return;
		for (p = buf; (p = strstr(p, "rbytes=")) != NULL; p += 7)
			*rd += strtoull(p + 7, NULL, 10);
		for (p = buf; (p = strstr(p, "wbytes=")) != NULL; p += 7)
			*wr += strtoull(p + 7, NULL, 10);
		return;
	}
	if (m->cg_io[0] == '\0')
		return;
	snprintf(path, sizeof path, "%s/blkio.throttle.io_service_bytes",
	    m->cg_io);
	if (metrics_read(path, buf, sizeof buf) != 0)
		return;
	/* "8:0 Read 4096" per device, then "Total N". */
	for (p = buf; (p = strstr(p, " Read ")) != NULL; p += 6)
		*rd += strtoull(p + 6, NULL, 10);
	for (p = buf; (p = strstr(p, " Write ")) != NULL; p += 7)
		*wr += strtoull(p + 7, NULL, 10);
}

static void
metrics_memory(const struct node_ctr_metrics *m, struct node_figures *f)
{
	char path[512], buf[8192];
	int64_t limit;

	snprintf(path, sizeof path, "%s/memory.stat", m->cg_mem);
	if (m->cg_mem[0] != '\0' && metrics_read(path, buf, sizeof buf) == 0) {
		if (m->cg_v2) {
			f->mem_rss = metrics_key(buf, "anon");
			f->mem_cache = metrics_key(buf, "file");
		} else {
			f->mem_rss = metrics_key(buf, "total_rss") +
			    metrics_key(buf, "total_swap");
			f->mem_cache = metrics_key(buf, "total_cache");
		}
	}
	limit = metrics_read_int(m->cg_mem, m->cg_v2 ? "memory.max" :
	    "memory.limit_in_bytes");
	f->mem_limit = limit > 0 && limit < METRICS_NO_LIMIT ? limit : 0;
	snprintf(path, sizeof path, "%s/%s", m->cg_mem, m->cg_v2 ?
	    "memory.events" : "memory.oom_control");
	if (metrics_read(path, buf, sizeof buf) == 0)
		f->oom_kills = metrics_key(buf, "oom_kill");
}

/* A per-second rate from two counter readings. */
static int64_t
metrics_rate(uint64_t now, uint64_t before, uint64_t ms)
{
	if (ms == 0 || now < before)
		return 0;
	return (int64_t)((now - before) * 1000 / ms);
}

static uint64_t
metrics_net_counter(const char *veth, const char *which)
{
	char dir[64];
	int64_t v;

	snprintf(dir, sizeof dir, "/sys/class/net/%s/statistics", veth);
	v = metrics_read_int(dir, which);
	return v > 0 ? (uint64_t)v : 0;
}

/* Samples one running container; its figures go to m->cur. */
static void
metrics_sample(struct node *n, ctr *c, struct node_ctr *nc, uint64_t now)
{
	struct node_ctr_metrics *m = &nc->metrics;
	struct node_figures f = { 0 };
	pid_t pid = ctr_init_pid(c);
	uint64_t cpu_ns, rx = 0, tx = 0, rd, wr, ms;
	int64_t v;

	if (pid != m->cg_pid)
		metrics_find_cgroups(m, pid);
	if (m->cg_v2) {
		char path[512], buf[1024];

		snprintf(path, sizeof path, "%s/cpu.stat", m->cg_cpu);
		cpu_ns = metrics_read(path, buf, sizeof buf) == 0 ?
		    (uint64_t)metrics_key(buf, "usage_usec") * 1000 : 0;
	} else {
		v = metrics_read_int(m->cg_cpu, "cpuacct.usage");
		cpu_ns = v > 0 ? (uint64_t)v : 0;
	}
	metrics_memory(m, &f);
	v = metrics_read_int(m->cg_pids, "pids.current");
	f.pids = v > 0 ? v : 0;
	metrics_io(m, &rd, &wr);
	if (n->net_up) {
		char veth[IFNAMSIZ];

		net_ctr_veth_name(nc->id, veth, sizeof veth);
		/* The host end receives what the container sends. */
		tx = metrics_net_counter(veth, "rx_bytes");
		rx = metrics_net_counter(veth, "tx_bytes");
	}
	ms = m->at_ms != 0 ? now - m->at_ms : 0;
	if (ms > 0) {
		f.cpu_pct = cpu_ns >= m->cpu_ns ?
		    (double)(cpu_ns - m->cpu_ns) / 1e4 / (double)ms : 0;
		f.net_rx = metrics_rate(rx, m->net_rx, ms);
		f.net_tx = metrics_rate(tx, m->net_tx, ms);
		f.io_read = metrics_rate(rd, m->io_read, ms);
		f.io_write = metrics_rate(wr, m->io_write, ms);
	}
	m->cpu_ns = cpu_ns;
	m->net_rx = rx;
	m->net_tx = tx;
	m->io_read = rd;
	m->io_write = wr;
	m->at_ms = now;
	m->cur = f;
}

static bool
metrics_moved(int64_t now, int64_t before, int64_t floor, int pct)
{
	int64_t d = now > before ? now - before : before - now;
	int64_t big = before > now ? before : now;

	return d > 0 && (d >= floor || d * 100 >= big * pct) &&
	    (d >= floor / 16 || before == 0 || now == 0);
}

/* Worth showing: a person would see the column change. */
bool
node_metrics_changed(const struct node_figures *now,
		     const struct node_figures *sent)
{
	double dc = now->cpu_pct - sent->cpu_pct;

	return dc >= 1.0 || dc <= -1.0 ||
	    (now->cpu_pct == 0) != (sent->cpu_pct == 0) ||
	    now->pids != sent->pids || now->mem_limit != sent->mem_limit ||
	    now->oom_kills != sent->oom_kills ||
	    metrics_moved(now->mem_rss, sent->mem_rss, 1 << 20, 2) ||
	    metrics_moved(now->mem_cache, sent->mem_cache, 1 << 20, 2) ||
	    metrics_moved(now->net_rx, sent->net_rx, 4096, 10) ||
	    metrics_moved(now->net_tx, sent->net_tx, 4096, 10) ||
	    metrics_moved(now->io_read, sent->io_read, 4096, 10) ||
	    metrics_moved(now->io_write, sent->io_write, 4096, 10);
}

struct metrics_pass {
	struct node *n;
	uint64_t now;
	struct node_ctr **pending;
	size_t npending, cap;
};

static void
metrics_each(ctr *c, void *arg)
{
	struct metrics_pass *p = arg;
	struct node_ctr *nc = node_ctr_of(c);
	struct node_ctr_metrics *m;

	if (nc == NULL)
		return;
	m = &nc->metrics;
	if (ctr_get_state(c) == CTR_RUNNING && ctr_init_pid(c) > 0) {
		metrics_sample(p->n, c, nc, p->now);
	} else {
		/* Not running: nothing uses anything; the next start
		 * begins a new series. */
		memset(&m->cur, 0, sizeof m->cur);
		m->cur.oom_kills = m->sent.oom_kills;
		m->at_ms = 0;
		m->cg_pid = 0;
	}
	if (!m->pending && node_metrics_changed(&m->cur, &m->sent)) {
		m->pending = true;
		m->pending_since = p->now;
	}
	if (!m->pending)
		return;
	if (p->npending == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->pending = tf_realloc(p->pending, p->cap * sizeof *p->pending);
	}
	p->pending[p->npending++] = nc;
}

static int
metrics_cmp_age(const void *a, const void *b)
{
	const struct node_ctr *x = *(struct node_ctr *const *)a;
	const struct node_ctr *y = *(struct node_ctr *const *)b;

	return x->metrics.pending_since < y->metrics.pending_since ? -1 :
	    x->metrics.pending_since > y->metrics.pending_since;
}

void
node_metrics_send(struct node *n)
{
	struct metrics_pass p = { .n = n, .now = tf_now_ms() };
	tf_metrics_msg msg = { 0 };
	tf_ctr_metrics *items;
	size_t i, count;
	tf_out o;

	if (n->conn == NULL || tf_conn_get_state(n->conn) != TF_CONN_UP)
		return;
	ctr_table_foreach(n->ctrs, metrics_each, &p);
	if (p.npending == 0) {
		free(p.pending);
		return;
	}
	count = p.npending;
	if (count > TF_METRICS_MAX_ITEMS) {
		qsort(p.pending, count, sizeof *p.pending, metrics_cmp_age);
		count = TF_METRICS_MAX_ITEMS;
	}
	items = tf_calloc(count, sizeof *items);
	for (i = 0; i < count; i++) {
		struct node_ctr_metrics *m = &p.pending[i]->metrics;
		const struct node_figures *f = &m->cur;

		items[i].container = p.pending[i]->id;
		items[i].cpu_pct = f->cpu_pct;
		items[i].mem_rss = f->mem_rss;
		items[i].mem_cache = f->mem_cache;
		items[i].mem_limit = f->mem_limit;
		items[i].pids = f->pids;
		items[i].oom_kills = f->oom_kills;
		items[i].net_rx = f->net_rx;
		items[i].net_tx = f->net_tx;
		items[i].io_read = f->io_read;
		items[i].io_write = f->io_write;
		m->sent = m->cur;
		m->pending = false;
	}
	msg.containers = items;
	msg.n_containers = count;
	tf_out_init(&o, "metrics");
	tf_metrics_pack(&msg, &o);
	tf_conn_send(n->conn, &o, NULL, 0);
	free(items);
	free(p.pending);
}

int
node_metrics_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	(void)loop;
	(void)id;
	node_metrics_send(arg);
	return 0;
}
