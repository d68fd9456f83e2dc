/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_stats: what the node tells the location about itself every couple
 * of seconds (`stats`): cpus, cpu use since the last report, memory, paging
 * (swap pages in+out per second), load and container count, all from /proc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "tf_codec_report.h"
#include "tf_log.h"

static void
read_cpu(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[10] = { 0 };
	char *s = tf_read_file("/proc/stat", NULL, 1 << 20);
	int i, n;

	*busy = *total = 0;
	if (s == NULL)
		return;
	n = sscanf(s, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
	    &v[9]);
	free(s);
	/* user nice system idle iowait irq softirq steal (guest time is
	 * already counted in user). */
	for (i = 0; i < n && i < 8; i++)
		*total += v[i];
	*busy = *total - v[3] - (n > 4 ? v[4] : 0);
}

static long long
meminfo(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p != NULL ? strtoll(p + strlen(key), NULL, 10) : 0;
}

static uint64_t
read_pswp(void)
{
	char *s = tf_read_file("/proc/vmstat", NULL, 1 << 20);
	uint64_t v = 0;
	const char *p;

	if (s == NULL)
		return 0;
	if ((p = strstr(s, "\npswpin ")) != NULL)
		v += strtoull(p + 8, NULL, 10);
	if ((p = strstr(s, "\npswpout ")) != NULL)
		v += strtoull(p + 9, NULL, 10);
	free(s);
	return v;
}

void
node_stats_send(struct node *n)
{
	uint64_t busy, total, pswp, now = tf_now_ms();
	long long mem_total = 0, mem_avail = 0;
	double load1 = 0;
	int64_t cpu_pct = 0, paging = 0;
	tf_node_stats_msg st = { 0 };
	char *s;
	tf_out o;

	if (n->conn == NULL || tf_conn_get_state(n->conn) != TF_CONN_UP)
		return;
	read_cpu(&busy, &total);
	if (n->cpu_total != 0 && total > n->cpu_total)
		cpu_pct = (int64_t)((busy - n->cpu_busy) * 100 /
		    (total - n->cpu_total));
	n->cpu_busy = busy;
	n->cpu_total = total;
	pswp = read_pswp();
	if (n->stats_at_ms != 0 && now > n->stats_at_ms)
		paging = (int64_t)((pswp - n->pswp) * 1000 /
		    (now - n->stats_at_ms));
	n->pswp = pswp;
	n->stats_at_ms = now;
	s = tf_read_file("/proc/meminfo", NULL, 1 << 20);
	if (s != NULL) {
		mem_total = meminfo(s, "MemTotal:");
		mem_avail = meminfo(s, "MemAvailable:");
		free(s);
	}
	s = tf_read_file("/proc/loadavg", NULL, 4096);
	if (s != NULL) {
		load1 = strtod(s, NULL);
		free(s);
	}

	st.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	st.cpu_pct = cpu_pct;
	st.mem_total_mb = mem_total / 1024;
	st.mem_free_mb = mem_avail / 1024;
	st.paging = paging;
	st.containers = (int64_t)ctr_table_count(n->ctrs);
	st.load1 = load1;
	tf_out_init(&o, "stats");
	tf_node_stats_pack(&st, &o);
	tf_conn_send(n->conn, &o, NULL, 0);
}

int
node_stats_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	(void)loop;
	(void)id;
	node_stats_send(arg);
	return 0;
}
