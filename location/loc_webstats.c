/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_webstats: what HAProxy knows of each published cluster, for the
 * endpoint records (tf_endpoint_rec: the members whose health checks
 * pass, requests a second).  Once a housekeeping pass the location asks
 * the running worker `show stat` on <state>/web/admin.sock (a local
 * socket, a short answer: the timeouts only guard against a wedged
 * worker) and pushes the records that changed.  The rate is the change
 * of the backend's req_tot between two polls; a reload starts a worker
 * with its counters at zero, which is one poll without a rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "location.h"
#include "tf_log.h"

#define STATS_MAX (4u << 20)	/* 256 clusters of 256 members fit */

/* The whole answer, malloc'd, or NULL. */
static char *
webstats_read(struct location *loc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	char *path = loc_web_dir(loc, "admin.sock"), *buf;
	size_t len = 0, cap = 65536;
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	free(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, "show stat\n", 10) != 10) {
		close(fd);
		return NULL;
	}
	buf = tf_malloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= STATS_MAX)
				break;
			cap *= 2;
			buf = tf_realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Splits a CSV line (no quoting in HAProxy's stats) in place. */
static size_t
webstats_split(char *line, char **col, size_t max)
{
	size_t n = 0;

	while (n < max) {
		col[n++] = line;
		line = strchr(line, ',');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

struct webstats_cols {
	int pxname, svname, status, rate, req_tot;
};

static void
webstats_header(char *line, struct webstats_cols *c)
{
	char *col[128];
	size_t n = webstats_split(line, col, 128);

	*c = (struct webstats_cols){ -1, -1, -1, -1, -1 };
	for (size_t i = 0; i < n; i++) {
		const char *name = col[i];

		if (i == 0 && strncmp(name, "# ", 2) == 0)
			name += 2;
		if (strcmp(name, "pxname") == 0) c->pxname = (int)i;
		else if (strcmp(name, "svname") == 0) c->svname = (int)i;
		else if (strcmp(name, "status") == 0) c->status = (int)i;
		else if (strcmp(name, "rate") == 0) c->rate = (int)i;
		else if (strcmp(name, "req_tot") == 0) c->req_tot = (int)i;
	}
}

static struct loc_cluster *
webstats_cluster(struct location *loc, const char *pxname)
{
	if (strncmp(pxname, "c_", 2) != 0)
		return NULL;
	return loc_cluster_find(loc, pxname + 2);
}

/* One row: a member's state, or the backend's counters. */
static void
webstats_row(struct location *loc, const struct webstats_cols *c,
    char **col, size_t n, bool *up, int64_t *rate, uint64_t now)
{
	struct loc_cluster *k;
	size_t ci;

	if ((size_t)c->pxname >= n || (size_t)c->svname >= n ||
	    (k = webstats_cluster(loc, col[c->pxname])) == NULL)
		return;
	for (ci = 0; ci < loc->n_clusters && loc->clusters[ci] != k; ci++)
		;
	if (strcmp(col[c->svname], "BACKEND") == 0) {
		uint64_t tot;

		if (c->req_tot >= 0 && (size_t)c->req_tot < n &&
		    col[c->req_tot][0] != '\0') {
			tot = strtoull(col[c->req_tot], NULL, 10);
			if (k->req_at_ms != 0 && tot >= k->req_tot &&
			    now > k->req_at_ms)
				rate[ci] = (int64_t)((tot - k->req_tot) * 1000 +
				    (now - k->req_at_ms) / 2) /
				    (int64_t)(now - k->req_at_ms);
			k->req_tot = tot;
			k->req_at_ms = now;
		} else if (c->rate >= 0 && (size_t)c->rate < n) {
			rate[ci] = strtoll(col[c->rate], NULL, 10);
		}
		return;
	}
	if (c->status < 0 || (size_t)c->status >= n)
		return;
	for (size_t j = 0; j < k->n_members; j++)
		if (strcmp(k->members[j], col[c->svname]) == 0)
			up[ci * LOC_CLUSTER_MAX + j] =
			    strncmp(col[c->status], "UP", 2) == 0;
}

void
loc_webstats_poll(struct location *loc)
{
	struct webstats_cols c = { -1, -1, -1, -1, -1 };
	uint64_t now = tf_now_ms();
	char *text, *line, *next;
	bool *up;
	int64_t *rate;

	if (loc->haproxy.pid <= 0 || loc->n_clusters == 0)
		return;
	text = webstats_read(loc);
	if (text == NULL)
		return;
	up = tf_calloc(loc->n_clusters * LOC_CLUSTER_MAX, sizeof *up);
	rate = tf_calloc(loc->n_clusters, sizeof *rate);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		char *col[128];
		size_t n;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] == '#') {
			webstats_header(line, &c);
			continue;
		}
		if (c.pxname < 0)
			continue;
		n = webstats_split(line, col, 128);
		webstats_row(loc, &c, col, n, up, rate, now);
	}
	for (size_t i = 0; i < loc->n_clusters; i++) {
		struct loc_cluster *k = loc->clusters[i];
		bool changed = k->rate != rate[i];

		for (size_t j = 0; j < k->n_members; j++) {
			changed |= k->up[j] != up[i * LOC_CLUSTER_MAX + j];
			k->up[j] = up[i * LOC_CLUSTER_MAX + j];
		}
		k->rate = rate[i];
		if (changed)
			loc_event_endpoint(loc, k);
	}
	free(up);
	free(rate);
	free(text);
}
