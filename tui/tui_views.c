/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_views: what each resource view shows: its columns, how a cell is
 * written, how a column sorts and which colour tells its state.  The table
 * drawing, sorting and filtering machinery is tui_list.c's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tf_util.h"
#include "tui.h"

#define CELL(fn) static void fn(struct tui *t, const void *rec, char *buf, size_t size)
#define CMP(fn) static int fn(const void *a, const void *b)

static int
views_cmp_double(double x, double y)
{
	return x < y ? -1 : x > y;
}

const char *
tui_node_name(struct tui *t, const char *node_id)
{
	const tf_model_node *n = tf_model_node_find(t->model, node_id);

	return n != NULL ? n->name : node_id;
}

enum tui_color
tui_ctr_state_color(tf_model_ctr_state st)
{
	switch (st) {
	case TF_CTR_RUNNING: return TUI_C_OK;
	case TF_CTR_SPAWNING:
	case TF_CTR_SLEEPING: return TUI_C_WARN;
	case TF_CTR_FAILED:
	case TF_CTR_LOST: return TUI_C_BAD;
	case TF_CTR_EXITED:
	case TF_CTR_DESTROYED: return TUI_C_DIM;
	default: return TUI_C_NORMAL;
	}
}

/* ---- metrics (both views) ------------------------------------------------ */

/* A pair of rates as "in/out" ("-" when there are no figures). */
static void
views_fmt_pair(bool have, int64_t a, int64_t b, char *buf, size_t size)
{
	char x[16], y[16];

	if (!have) {
		snprintf(buf, size, "-");
		return;
	}
	tui_fmt_bytes(a, x, sizeof x);
	tui_fmt_bytes(b, y, sizeof y);
	snprintf(buf, size, "%s/%s", x, y);
}

static const tf_model_metrics *
views_ctr_metrics(const tf_model_container *c)
{
	return c->state == TF_CTR_RUNNING && c->metrics.at > 0 ?
	    &c->metrics : NULL;
}

enum tui_color
tui_cpu_color(double pct)
{
	return pct >= TUI_CPU_BAD ? TUI_C_BAD : pct >= TUI_CPU_WARN ?
	    TUI_C_WARN : TUI_C_NORMAL;
}

enum tui_color
tui_mem_color(int64_t used, int64_t limit)
{
	if (limit <= 0)
		return TUI_C_NORMAL;
	return used * 100 >= limit * TUI_MEM_BAD ? TUI_C_BAD :
	    used * 100 >= limit * TUI_MEM_WARN ? TUI_C_WARN : TUI_C_NORMAL;
}

/* ---- every view ---------------------------------------------------------- */

/* The location of the row: tui_list.c makes it the current one. */
CELL(any_location)
{
	TF_UNUSED(rec);
	snprintf(buf, size, "%s", t->nlocs > 0 ? t->locs[t->cur_loc].name : "");
}
#define LOCATION_COL { "LOCATION", 4, 16, TUI_PRIO_MULTI, false, any_location, NULL, NULL }

/* ---- nodes --------------------------------------------------------------- */

CELL(node_name) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_node *)rec)->name); }
CELL(node_state) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_node *)rec)->up ? "up" : "down"); }
CELL(node_cpus) { TF_UNUSED(t); snprintf(buf, size, "%lld", (long long)((const tf_model_node *)rec)->cpus); }
CELL(node_cpu)
{
	const tf_model_node *n = rec;

	TF_UNUSED(t);
	snprintf(buf, size, n->up ? "%.1f%%" : "-", n->cpu_pct);
}
CELL(node_mem)
{
	const tf_model_node *n = rec;
	char used[16], total[16];

	TF_UNUSED(t);
	if (!n->up) {
		snprintf(buf, size, "-");
		return;
	}
	tui_fmt_bytes((n->mem_total_mb - n->mem_free_mb) << 20, used, sizeof used);
	tui_fmt_bytes(n->mem_total_mb << 20, total, sizeof total);
	snprintf(buf, size, "%s/%s", used, total);
}
CELL(node_paging) { TF_UNUSED(t); snprintf(buf, size, "%.0f/s", ((const tf_model_node *)rec)->paging); }
CELL(node_ctrs) { TF_UNUSED(t); snprintf(buf, size, "%lld", (long long)((const tf_model_node *)rec)->containers); }
CELL(node_load) { TF_UNUSED(t); snprintf(buf, size, "%.2f", ((const tf_model_node *)rec)->load1); }
CELL(node_address) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_node *)rec)->address[0] != '\0' ? ((const tf_model_node *)rec)->address : "-"); }
CELL(node_subnet) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_node *)rec)->subnet); }
CELL(node_id) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_node *)rec)->id); }
CELL(node_net)
{
	const tf_model_node *n = rec;
	tf_model_metrics sum;

	tf_model_node_metrics(t->model, n->id, &sum);
	views_fmt_pair(n->up && sum.at > 0, sum.net_rx, sum.net_tx, buf, size);
}
CELL(node_io)
{
	const tf_model_node *n = rec;
	tf_model_metrics sum;

	tf_model_node_metrics(t->model, n->id, &sum);
	views_fmt_pair(n->up && sum.at > 0, sum.io_read, sum.io_write, buf,
	    size);
}

CMP(node_cmp_cpu) { return views_cmp_double(((const tf_model_node *)a)->cpu_pct, ((const tf_model_node *)b)->cpu_pct); }
CMP(node_cmp_cpus) { return views_cmp_double((double)((const tf_model_node *)a)->cpus, (double)((const tf_model_node *)b)->cpus); }
CMP(node_cmp_mem)
{
	const tf_model_node *x = a, *y = b;

	return views_cmp_double((double)(x->mem_total_mb - x->mem_free_mb),
	    (double)(y->mem_total_mb - y->mem_free_mb));
}
CMP(node_cmp_paging) { return views_cmp_double(((const tf_model_node *)a)->paging, ((const tf_model_node *)b)->paging); }
CMP(node_cmp_ctrs) { return views_cmp_double((double)((const tf_model_node *)a)->containers, (double)((const tf_model_node *)b)->containers); }
CMP(node_cmp_load) { return views_cmp_double(((const tf_model_node *)a)->load1, ((const tf_model_node *)b)->load1); }

static enum tui_color
node_state_color(const void *rec)
{
	return ((const tf_model_node *)rec)->up ? TUI_C_OK : TUI_C_BAD;
}

static enum tui_color
node_cpu_color(const void *rec)
{
	const tf_model_node *n = rec;

	return !n->up ? TUI_C_DIM : n->cpu_pct >= 90 ? TUI_C_BAD :
	    n->cpu_pct >= 60 ? TUI_C_WARN : TUI_C_NORMAL;
}

static enum tui_color
node_mem_color(const void *rec)
{
	const tf_model_node *n = rec;

	if (n->mem_total_mb <= 0 || !n->up)
		return TUI_C_DIM;
	return n->mem_free_mb * 10 < n->mem_total_mb ? TUI_C_BAD :
	    n->mem_free_mb * 4 < n->mem_total_mb ? TUI_C_WARN : TUI_C_NORMAL;
}

static enum tui_color
node_paging_color(const void *rec)
{
	return ((const tf_model_node *)rec)->paging > 0 ? TUI_C_WARN :
	    TUI_C_NORMAL;
}

static const struct tui_column node_cols[] = {
	{ "NAME", 8, 24, 0, false, node_name, NULL, NULL },
	LOCATION_COL,
	{ "STATE", 5, 5, 0, false, node_state, NULL, node_state_color },
	{ "CPU", 6, 6, 0, true, node_cpu, node_cmp_cpu, node_cpu_color },
	{ "CPUS", 4, 4, 1, true, node_cpus, node_cmp_cpus, NULL },
	{ "MEMORY", 12, 13, 0, true, node_mem, node_cmp_mem, node_mem_color },
	{ "PAGING", 7, 8, 0, true, node_paging, node_cmp_paging, node_paging_color },
	/* Sums of the containers' metrics (the node's own traffic is not
	 * counted); sorted by text, since a sum is not in the record. */
	{ "NET", 9, 13, 1, true, node_net, NULL, NULL },
	{ "IO", 9, 13, 1, true, node_io, NULL, NULL },
	{ "CTRS", 4, 5, 0, true, node_ctrs, node_cmp_ctrs, NULL },
	{ "LOAD", 5, 6, 1, true, node_load, node_cmp_load, NULL },
	{ "ADDRESS", 7, 15, 2, false, node_address, NULL, NULL },
	{ "SUBNET", 14, 18, 2, false, node_subnet, NULL, NULL },
	{ "ID", 22, 22, 3, false, node_id, NULL, NULL },
};

/* ---- containers ---------------------------------------------------------- */

CELL(ctr_name)
{
	TF_UNUSED(t);
	tui_describe_container(rec, buf, size);
}
CELL(ctr_image) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_container *)rec)->image); }
CELL(ctr_node) { snprintf(buf, size, "%s", tui_node_name(t, ((const tf_model_container *)rec)->node)); }
CELL(ctr_ip) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_container *)rec)->ip); }
CELL(ctr_state)
{
	const tf_model_container *c = rec;

	TF_UNUSED(t);
	if (c->state == TF_CTR_EXITED || c->state == TF_CTR_FAILED)
		snprintf(buf, size, "%s(%lld)", tf_model_ctr_state_name(c->state),
		    (long long)c->exit_code);
	else
		snprintf(buf, size, "%s", tf_model_ctr_state_name(c->state));
}
CELL(ctr_uptime)
{
	const tf_model_container *c = rec;

	TF_UNUSED(t);
	if (c->state != TF_CTR_RUNNING || c->started <= 0)
		snprintf(buf, size, "-");
	else
		tui_fmt_age(tf_wall_time() - c->started, buf, size);
}
CELL(ctr_session)
{
	const tf_model_container *c = rec;

	TF_UNUSED(t);
	snprintf(buf, size, "%s", c->session_name[0] ? c->session_name :
	    c->session);
}
CELL(ctr_user) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_container *)rec)->user); }
CELL(ctr_startup)
{
	const tf_model_container *c = rec;

	TF_UNUSED(t);
	if (c->startup_ms > 0)
		snprintf(buf, size, "%lldms", (long long)c->startup_ms);
	else
		snprintf(buf, size, "-");
}
CELL(ctr_cpu)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	TF_UNUSED(t);
	if (m == NULL)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.0f%%", m->cpu_pct);
}
CELL(ctr_mem)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);
	char used[16], limit[16];

	TF_UNUSED(t);
	if (m == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	tui_fmt_bytes(m->mem_rss, used, sizeof used);
	if (m->mem_limit > 0) {
		tui_fmt_bytes(m->mem_limit, limit, sizeof limit);
		snprintf(buf, size, "%s/%s", used, limit);
	} else {
		snprintf(buf, size, "%s", used);
	}
}
CELL(ctr_net)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	TF_UNUSED(t);
	views_fmt_pair(m != NULL, m ? m->net_rx : 0, m ? m->net_tx : 0, buf,
	    size);
}
CELL(ctr_io)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	TF_UNUSED(t);
	views_fmt_pair(m != NULL, m ? m->io_read : 0, m ? m->io_write : 0, buf,
	    size);
}
CELL(ctr_error) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_container *)rec)->error); }
CELL(ctr_id) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_container *)rec)->id); }

/* Direct field comparisons: sorting 10,000 rows must not format cells. */
CMP(ctr_cmp_name) { return strcmp(((const tf_model_container *)a)->id, ((const tf_model_container *)b)->id); }
CMP(ctr_cmp_image) { return strcmp(((const tf_model_container *)a)->image, ((const tf_model_container *)b)->image); }
CMP(ctr_cmp_node) { return strcmp(((const tf_model_container *)a)->node, ((const tf_model_container *)b)->node); }
CMP(ctr_cmp_ip) { return strcmp(((const tf_model_container *)a)->ip, ((const tf_model_container *)b)->ip); }
CMP(ctr_cmp_session) { return strcmp(((const tf_model_container *)a)->session_name, ((const tf_model_container *)b)->session_name); }
CMP(ctr_cmp_user) { return strcmp(((const tf_model_container *)a)->user, ((const tf_model_container *)b)->user); }
CMP(ctr_cmp_error) { return strcmp(((const tf_model_container *)a)->error, ((const tf_model_container *)b)->error); }
CMP(ctr_cmp_state) { return (int)((const tf_model_container *)a)->state - (int)((const tf_model_container *)b)->state; }
CMP(ctr_cmp_uptime)
{
	const tf_model_container *x = a, *y = b;
	double ux = x->state == TF_CTR_RUNNING ? -x->started : 1e18;
	double uy = y->state == TF_CTR_RUNNING ? -y->started : 1e18;

	return views_cmp_double(ux, uy);
}
/* Containers without figures sort below every one with figures. */
static double
views_ctr_value(const void *rec, int which)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	if (m == NULL)
		return -1;
	switch (which) {
	case 0: return m->cpu_pct;
	case 1: return (double)m->mem_rss;
	case 2: return (double)(m->net_rx + m->net_tx);
	default: return (double)(m->io_read + m->io_write);
	}
}
CMP(ctr_cmp_cpu) { return views_cmp_double(views_ctr_value(a, 0), views_ctr_value(b, 0)); }
CMP(ctr_cmp_mem) { return views_cmp_double(views_ctr_value(a, 1), views_ctr_value(b, 1)); }
CMP(ctr_cmp_net) { return views_cmp_double(views_ctr_value(a, 2), views_ctr_value(b, 2)); }
CMP(ctr_cmp_io) { return views_cmp_double(views_ctr_value(a, 3), views_ctr_value(b, 3)); }
CMP(ctr_cmp_startup) { return views_cmp_double((double)((const tf_model_container *)a)->startup_ms, (double)((const tf_model_container *)b)->startup_ms); }

static enum tui_color
ctr_state_color(const void *rec)
{
	return tui_ctr_state_color(((const tf_model_container *)rec)->state);
}

static enum tui_color
ctr_cpu_color(const void *rec)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	return m == NULL ? TUI_C_DIM : tui_cpu_color(m->cpu_pct);
}

static enum tui_color
ctr_mem_color(const void *rec)
{
	const tf_model_metrics *m = views_ctr_metrics(rec);

	return m == NULL ? TUI_C_DIM : tui_mem_color(m->mem_rss, m->mem_limit);
}

static enum tui_color
ctr_error_color(const void *rec)
{
	TF_UNUSED(rec);
	return TUI_C_BAD;
}

static const struct tui_column ctr_cols[] = {
	{ "NAME", 12, 34, 0, false, ctr_name, ctr_cmp_name, NULL },
	LOCATION_COL,
	{ "IMAGE", 8, 28, 0, false, ctr_image, ctr_cmp_image, NULL },
	{ "NODE", 6, 16, 0, false, ctr_node, ctr_cmp_node, NULL },
	{ "IP", 10, 15, 1, false, ctr_ip, ctr_cmp_ip, NULL },
	{ "STATE", 9, 12, 0, false, ctr_state, ctr_cmp_state, ctr_state_color },
	{ "UPTIME", 7, 8, 0, true, ctr_uptime, ctr_cmp_uptime, NULL },
	{ "CPU", 4, 5, 1, true, ctr_cpu, ctr_cmp_cpu, ctr_cpu_color },
	{ "MEM", 5, 11, 1, true, ctr_mem, ctr_cmp_mem, ctr_mem_color },
	{ "NET", 7, 11, 2, true, ctr_net, ctr_cmp_net, NULL },
	{ "IO", 7, 11, 2, true, ctr_io, ctr_cmp_io, NULL },
	{ "SESSION", 8, 20, 2, false, ctr_session, ctr_cmp_session, NULL },
	/* An admin sees everyone's containers: whose is each. */
	{ "USER", 4, 16, 2, false, ctr_user, ctr_cmp_user, NULL },
	{ "STARTUP", 7, 8, 4, true, ctr_startup, ctr_cmp_startup, NULL },
	{ "ID", 22, 22, 3, false, ctr_id, NULL, NULL },
	{ "ERROR", 10, 0, 5, false, ctr_error, ctr_cmp_error, ctr_error_color },
};

/* ---- tunnels ------------------------------------------------------------- */

CELL(tun_local) { TF_UNUSED(t); snprintf(buf, size, "localhost:%lld", (long long)((const tf_model_tunnel *)rec)->localport); }
CELL(tun_target)
{
	const tf_model_tunnel *tu = rec;
	const tf_model_container *c = tf_model_container_find(t->model,
	    tu->container);
	char name[96];

	if (c != NULL)
		tui_describe_container(c, name, sizeof name);
	else
		snprintf(name, sizeof name, "%.8s", tu->container);
	snprintf(buf, size, "%s:%lld", name, (long long)tu->port);
}
CELL(tun_conns) { TF_UNUSED(t); snprintf(buf, size, "%lld", (long long)((const tf_model_tunnel *)rec)->conns); }
CELL(tun_in) { TF_UNUSED(t); tui_fmt_bytes(((const tf_model_tunnel *)rec)->bytes_in, buf, size); }
CELL(tun_out) { TF_UNUSED(t); tui_fmt_bytes(((const tf_model_tunnel *)rec)->bytes_out, buf, size); }
CELL(tun_session)
{
	const tf_model_tunnel *tu = rec;

	TF_UNUSED(t);
	if (tu->session_name[0] != '\0')
		snprintf(buf, size, "%s", tu->session_name);
	else
		snprintf(buf, size, "%.8s", tu->session);
}
CELL(tun_user) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_tunnel *)rec)->user); }
CELL(tun_id) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_tunnel *)rec)->id); }
CMP(tun_cmp_local) { return views_cmp_double((double)((const tf_model_tunnel *)a)->localport, (double)((const tf_model_tunnel *)b)->localport); }
CMP(tun_cmp_conns) { return views_cmp_double((double)((const tf_model_tunnel *)a)->conns, (double)((const tf_model_tunnel *)b)->conns); }
CMP(tun_cmp_in) { return views_cmp_double((double)((const tf_model_tunnel *)a)->bytes_in, (double)((const tf_model_tunnel *)b)->bytes_in); }
CMP(tun_cmp_out) { return views_cmp_double((double)((const tf_model_tunnel *)a)->bytes_out, (double)((const tf_model_tunnel *)b)->bytes_out); }

static const struct tui_column tun_cols[] = {
	{ "LOCAL", 15, 16, 0, false, tun_local, tun_cmp_local, NULL },
	LOCATION_COL,
	{ "CONTAINER:PORT", 16, 40, 0, false, tun_target, NULL, NULL },
	{ "CONNS", 5, 6, 0, true, tun_conns, tun_cmp_conns, NULL },
	{ "IN", 7, 8, 0, true, tun_in, tun_cmp_in, NULL },
	{ "OUT", 7, 8, 0, true, tun_out, tun_cmp_out, NULL },
	{ "SESSION", 8, 20, 1, false, tun_session, NULL, NULL },
	{ "USER", 4, 16, 1, false, tun_user, NULL, NULL },
	{ "ID", 22, 22, 2, false, tun_id, NULL, NULL },
};

/* ---- volumes ------------------------------------------------------------- */

CELL(vol_name)
{
	const tf_model_volume *v = rec;

	TF_UNUSED(t);
	if (v->tag[0] != '\0')
		snprintf(buf, size, "%.8s:%s", v->id, v->tag);
	else
		snprintf(buf, size, "%.8s", v->id);
}
CELL(vol_node) { snprintf(buf, size, "%s", tui_node_name(t, ((const tf_model_volume *)rec)->node)); }
CELL(vol_mounts)
{
	const tf_model_volume *v = rec;
	const tf_model_container *c;
	char name[96];
	size_t used = 0;
	int i;

	buf[0] = '\0';
	if (v->nmounts == 0) {
		snprintf(buf, size, "-");
		return;
	}
	for (i = 0; i < v->nmounts && i < TF_MODEL_MOUNTS && used < size; i++) {
		c = tf_model_container_find(t->model, v->mounts[i]);
		if (c != NULL)
			tui_describe_container(c, name, sizeof name);
		else
			snprintf(name, sizeof name, "%.8s", v->mounts[i]);
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		    i ? ", " : "", name);
	}
	if (v->nmounts > TF_MODEL_MOUNTS && used < size)
		snprintf(buf + used, size - used, " +%d",
		    v->nmounts - TF_MODEL_MOUNTS);
}
CELL(vol_snapshot) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_volume *)rec)->snapshot ? "yes" : "no"); }
CELL(vol_user) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_volume *)rec)->user); }
CELL(vol_id) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_volume *)rec)->id); }
CMP(vol_cmp_mounts) { return ((const tf_model_volume *)a)->nmounts - ((const tf_model_volume *)b)->nmounts; }

static enum tui_color
vol_snapshot_color(const void *rec)
{
	return ((const tf_model_volume *)rec)->snapshot ? TUI_C_OK : TUI_C_DIM;
}

static const struct tui_column vol_cols[] = {
	{ "NAME", 12, 34, 0, false, vol_name, NULL, NULL },
	LOCATION_COL,
	{ "NODE", 6, 16, 0, false, vol_node, NULL, NULL },
	{ "MOUNTED BY", 12, 0, 0, false, vol_mounts, vol_cmp_mounts, NULL },
	{ "SNAPSHOT", 8, 8, 0, false, vol_snapshot, NULL, vol_snapshot_color },
	{ "USER", 6, 16, 1, false, vol_user, NULL, NULL },
	{ "ID", 22, 22, 2, false, vol_id, NULL, NULL },
};

/* ---- images -------------------------------------------------------------- */

CELL(img_name) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_image *)rec)->name); }
CELL(img_names) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_image *)rec)->names); }
CELL(img_id)
{
	const char *id = ((const tf_model_image *)rec)->id;

	TF_UNUSED(t);
	if (strncmp(id, "sha256:", 7) == 0)
		id += 7;
	snprintf(buf, size, "%.12s", id);
}
CELL(img_layers) { TF_UNUSED(t); snprintf(buf, size, "%lld", (long long)((const tf_model_image *)rec)->layers); }
CELL(img_size) { TF_UNUSED(t); tui_fmt_bytes(((const tf_model_image *)rec)->size, buf, size); }
CELL(img_age)
{
	const tf_model_image *im = rec;

	TF_UNUSED(t);
	if (im->created <= 0)
		snprintf(buf, size, "-");
	else
		tui_fmt_age(tf_wall_time() - im->created, buf, size);
}
CELL(img_origin) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_image *)rec)->origin); }
CMP(img_cmp_layers) { return views_cmp_double((double)((const tf_model_image *)a)->layers, (double)((const tf_model_image *)b)->layers); }
CMP(img_cmp_size) { return views_cmp_double((double)((const tf_model_image *)a)->size, (double)((const tf_model_image *)b)->size); }
CMP(img_cmp_age) { return views_cmp_double(-((const tf_model_image *)a)->created, -((const tf_model_image *)b)->created); }

static const struct tui_column img_cols[] = {
	{ "NAME", 12, 32, 0, false, img_name, NULL, NULL },
	LOCATION_COL,
	{ "ID", 12, 12, 0, false, img_id, NULL, NULL },
	{ "LAYERS", 6, 6, 0, true, img_layers, img_cmp_layers, NULL },
	{ "SIZE", 7, 8, 0, true, img_size, img_cmp_size, NULL },
	{ "AGE", 7, 8, 0, true, img_age, img_cmp_age, NULL },
	{ "ORIGIN", 12, 40, 2, false, img_origin, NULL, NULL },
	{ "ALL NAMES", 12, 0, 1, false, img_names, NULL, NULL },
};

/* ---- processes ----------------------------------------------------------- */

CELL(proc_id) { TF_UNUSED(t); snprintf(buf, size, "%.8s", ((const tf_model_proc *)rec)->id); }
CELL(proc_ctr)
{
	const tf_model_proc *p = rec;
	const tf_model_container *c = tf_model_container_find(t->model,
	    p->container);

	if (c != NULL)
		tui_describe_container(c, buf, size);
	else
		snprintf(buf, size, "%.8s", p->container);
}
CELL(proc_cmd) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_proc *)rec)->command); }
CELL(proc_state) { TF_UNUSED(t); snprintf(buf, size, "%s", tf_model_proc_state_name(((const tf_model_proc *)rec)->state)); }
CELL(proc_exit)
{
	const tf_model_proc *p = rec;

	TF_UNUSED(t);
	if (p->state == TF_PROC_FAILED)
		snprintf(buf, size, "%s", p->error);
	else if (p->signal > 0)
		snprintf(buf, size, "signal %lld", (long long)p->signal);
	else if (p->state == TF_PROC_EXITED)
		snprintf(buf, size, "%lld", (long long)p->exit_code);
	else
		snprintf(buf, size, "-");
}
CELL(proc_tty) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_proc *)rec)->tty ? "tty" : "-"); }
CELL(proc_age) { TF_UNUSED(t); tui_fmt_age(tf_wall_time() - ((const tf_model_proc *)rec)->started, buf, size); }
CMP(proc_cmp_age) { return views_cmp_double(-((const tf_model_proc *)a)->started, -((const tf_model_proc *)b)->started); }

static enum tui_color
proc_state_color(const void *rec)
{
	switch (((const tf_model_proc *)rec)->state) {
	case TF_PROC_RUNNING: return TUI_C_OK;
	case TF_PROC_STARTING: return TUI_C_WARN;
	case TF_PROC_FAILED: return TUI_C_BAD;
	default: return TUI_C_DIM;
	}
}

static const struct tui_column proc_cols[] = {
	{ "PROCESS", 8, 8, 0, false, proc_id, NULL, NULL },
	LOCATION_COL,
	{ "CONTAINER", 12, 30, 0, false, proc_ctr, NULL, NULL },
	{ "COMMAND", 12, 0, 0, false, proc_cmd, NULL, NULL },
	{ "STATE", 8, 8, 0, false, proc_state, NULL, proc_state_color },
	{ "EXIT", 6, 20, 0, false, proc_exit, NULL, NULL },
	{ "TTY", 3, 3, 1, false, proc_tty, NULL, NULL },
	{ "AGE", 7, 8, 0, true, proc_age, proc_cmp_age, NULL },
};

/* The list draws at most TUI_LIST_MAX_COLS columns of a view. */
/* ---- events -------------------------------------------------------------- */

CELL(ev_time) { TF_UNUSED(t); tui_event_time(((const tf_model_event *)rec)->time, buf, size); }
CELL(ev_kind) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_event *)rec)->kind); }
CELL(ev_object) { TF_UNUSED(t); tui_event_object(rec, buf, size); }
CELL(ev_node) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_event *)rec)->node); }
CELL(ev_user) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_event *)rec)->user); }
CELL(ev_text) { TF_UNUSED(t); snprintf(buf, size, "%s", ((const tf_model_event *)rec)->text); }
CMP(ev_cmp_time) { return views_cmp_double((double)((const tf_model_event *)a)->seq, (double)((const tf_model_event *)b)->seq); }
CMP(ev_cmp_kind) { return strcmp(((const tf_model_event *)a)->kind, ((const tf_model_event *)b)->kind); }

static enum tui_color
ev_kind_color(const void *rec)
{
	return tui_event_color(rec);
}

static const struct tui_column ev_cols[] = {
	{ "TIME", 8, 8, 0, false, ev_time, ev_cmp_time, NULL },
	LOCATION_COL,
	{ "KIND", 8, 16, 0, false, ev_kind, ev_cmp_kind, ev_kind_color },
	{ "OBJECT", 8, 34, 0, false, ev_object, NULL, NULL },
	{ "NODE", 4, 16, 1, false, ev_node, NULL, NULL },
	{ "USER", 4, 16, 2, false, ev_user, NULL, NULL },
	{ "TEXT", 10, 0, 0, false, ev_text, NULL, NULL },
};

#define VIEW(kind_, name_, title_, model_, cols_, sort_, desc_) \
	{ kind_, name_, title_, model_, cols_, (int)TF_ARRAY_LEN(cols_) + \
	  0 * (int)sizeof(char[TF_ARRAY_LEN(cols_) <= TUI_LIST_MAX_COLS ? 1 : -1]), \
	  sort_, desc_ }

static const struct tui_view_def tui_view_defs[TUI_VIEW_LAST] = {
	VIEW(TUI_VIEW_NODES, "nodes", "Nodes", TF_MODEL_NODE, node_cols, 0, false),
	VIEW(TUI_VIEW_CONTAINERS, "containers", "Containers", TF_MODEL_CONTAINER, ctr_cols, 0, false),
	VIEW(TUI_VIEW_TUNNELS, "tunnels", "Tunnels", TF_MODEL_TUNNEL, tun_cols, 0, false),
	VIEW(TUI_VIEW_VOLUMES, "volumes", "Volumes", TF_MODEL_VOLUME, vol_cols, 0, false),
	VIEW(TUI_VIEW_IMAGES, "images", "Images", TF_MODEL_IMAGE, img_cols, 0, false),
	VIEW(TUI_VIEW_PROCS, "procs", "Procs", TF_MODEL_PROC, proc_cols, 7, false),
	VIEW(TUI_VIEW_EVENTS, "events", "Events", TF_MODEL_EVENT, ev_cols, 0, true),
};

const struct tui_view_def *
tui_view_def(enum tui_view_kind v)
{
	return &tui_view_defs[v < TUI_VIEW_LAST ? v : 0];
}

int
tui_view_parse(const char *name)
{
	static const struct {
		const char *alias;
		enum tui_view_kind v;
	} aliases[] = {
		{ "no", TUI_VIEW_NODES }, { "node", TUI_VIEW_NODES },
		{ "co", TUI_VIEW_CONTAINERS }, { "ctr", TUI_VIEW_CONTAINERS },
		{ "ctrs", TUI_VIEW_CONTAINERS }, { "container", TUI_VIEW_CONTAINERS },
		{ "tu", TUI_VIEW_TUNNELS }, { "tunnel", TUI_VIEW_TUNNELS },
		{ "vo", TUI_VIEW_VOLUMES }, { "vol", TUI_VIEW_VOLUMES },
		{ "volume", TUI_VIEW_VOLUMES }, { "im", TUI_VIEW_IMAGES },
		{ "img", TUI_VIEW_IMAGES }, { "image", TUI_VIEW_IMAGES },
		{ "pr", TUI_VIEW_PROCS }, { "proc", TUI_VIEW_PROCS },
		{ "processes", TUI_VIEW_PROCS }, { "ps", TUI_VIEW_PROCS },
		{ "ev", TUI_VIEW_EVENTS }, { "event", TUI_VIEW_EVENTS },
	};
	size_t i;

	for (i = 0; i < TUI_VIEW_LAST; i++) {
		if (strcasecmp(name, tui_view_defs[i].name) == 0)
			return (int)i;
	}
	for (i = 0; i < TF_ARRAY_LEN(aliases); i++) {
		if (strcasecmp(name, aliases[i].alias) == 0)
			return (int)aliases[i].v;
	}
	return -1;
}
