/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_detail: the detail pane of a container: its figures now with a
 * sparkline of the last minutes for each (tui_spark.c keeps the history),
 * what the location tells of it (image, node, address, owner, times,
 * tunnels, volumes, memory limit), what it was spawned with (asked of the
 * location with `ctr_spec` when the pane comes to a container: command,
 * env, pre-boot files, mounts, limits) and, when the events ring has
 * them, its recent events.  The pane follows the selection while the containers view
 * is shown, and keeps the last container otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec_spawn.h"
#include "tf_util.h"
#include "tui.h"

#define DETAIL_SPEC_LINES 6

struct detail {
	char container[TF_MODEL_ID];
	/* The spec of spec_for, as lines, once the location answered. */
	char spec_for[TF_MODEL_ID];
	char spec[DETAIL_SPEC_LINES][512];
	int nspec;
};

/* A pending `ctr_spec`: the pane may close before the answer comes. */
struct detail_ask {
	struct tui *t;
	uint32_t panel;
	char container[TF_MODEL_ID];
};

/* Appends words to a line, separated by sep, while they fit. */
static void
detail_join(char *line, size_t size, const char *const *words, size_t n,
	    const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(line);

		snprintf(line + len, size - len, "%s%s", i ? sep : "",
		    words[i]);
	}
}

static void
detail_spec_lines(struct detail *d, const tf_ctr_spec *sp)
{
	char *l;
	size_t len;

	d->nspec = 0;
	l = d->spec[d->nspec++];
	snprintf(l, sizeof d->spec[0], "command  ");
	if (sp->n_command > 0)
		detail_join(l, sizeof d->spec[0], sp->command, sp->n_command,
		    " ");
	else
		snprintf(l + strlen(l), sizeof d->spec[0] - strlen(l),
		    "(the image's)%s", sp->sleep ? "  spawned asleep" : "");
	l = d->spec[d->nspec++];
	snprintf(l, sizeof d->spec[0], "env      ");
	if (sp->n_env > 0)
		detail_join(l, sizeof d->spec[0], sp->env, sp->n_env, "  ");
	else
		snprintf(l + strlen(l), sizeof d->spec[0] - strlen(l),
		    "(the image's)");
	l = d->spec[d->nspec++];
	snprintf(l, sizeof d->spec[0], "files    %s", sp->n_preboot ? "" :
	    "none");
	for (size_t i = 0; i < sp->n_preboot; i++) {
		char sz[16];

		len = strlen(l);
		tui_fmt_bytes(sp->preboot[i].size, sz, sizeof sz);
		snprintf(l + len, sizeof d->spec[0] - len, "%s%s (%s)",
		    i ? ", " : "", sp->preboot[i].path, sz);
	}
	l = d->spec[d->nspec++];
	snprintf(l, sizeof d->spec[0], "mounts   %s", sp->n_volumes ? "" :
	    "none");
	for (size_t i = 0; i < sp->n_volumes; i++) {
		len = strlen(l);
		snprintf(l + len, sizeof d->spec[0] - len, "%svol %.8s on %s",
		    i ? ", " : "", sp->volumes[i].volume,
		    sp->volumes[i].mountpoint);
	}
	l = d->spec[d->nspec++];
	if (sp->limits.memory_mb == 0 && sp->limits.pids == 0 &&
	    sp->limits.cpu_shares == 0)
		snprintf(l, sizeof d->spec[0], "limits   the node's defaults");
	else
		snprintf(l, sizeof d->spec[0], "limits   memory %lldM  pids %lld"
		    "  cpu shares %lld  (0: the node's default)",
		    (long long)sp->limits.memory_mb, (long long)sp->limits.pids,
		    (long long)sp->limits.cpu_shares);
}

static void
detail_spec_done(void *arg, const char *error, const msgpack_object *params)
{
	struct detail_ask *ask = arg;
	struct tui_panel *p = tui_screen_find_pane(ask->t, ask->panel);
	struct detail *d = p != NULL && !p->dead ? p->impl : NULL;
	tf_ctr_spec sp;
	tf_err err;

	if (d != NULL && strcmp(d->spec_for, ask->container) == 0) {
		if (error != NULL) {
			snprintf(d->spec[0], sizeof d->spec[0], "spec     %s",
			    error);
			d->nspec = 1;
		} else if (params == NULL ||
		    tf_ctr_spec_unpack(params, &sp, &err) != 0) {
			snprintf(d->spec[0], sizeof d->spec[0], "spec     "
			    "unreadable answer");
			d->nspec = 1;
		} else {
			detail_spec_lines(d, &sp);
			tf_ctr_spec_free(&sp);
		}
		ask->t->dirty = true;
	}
	free(ask);
}

/* Asks for the spec of the container the pane shows, once per container. */
static void
detail_spec_ask(struct tui *t, struct tui_panel *p, struct detail *d,
		const char *id)
{
	struct detail_ask *ask;
	tf_err err;

	if (strcmp(d->spec_for, id) == 0)
		return;
	snprintf(d->spec_for, sizeof d->spec_for, "%s", id);
	d->nspec = 0;
	ask = tf_calloc(1, sizeof *ask);
	ask->t = t;
	ask->panel = p->id;
	snprintf(ask->container, sizeof ask->container, "%s", id);
	if (tf_async_ctr_spec(t->loc, id, detail_spec_done, ask, &err) != 0) {
		snprintf(d->spec[0], sizeof d->spec[0], "spec     %s", err.msg);
		d->nspec = 1;
		free(ask);
	}
}

static const char *
detail_target(struct tui *t, struct detail *d)
{
	const char *sel;

	if (tui_list_view(t) == TUI_VIEW_CONTAINERS &&
	    (sel = tui_list_selected(t)) != NULL)
		snprintf(d->container, sizeof d->container, "%s", sel);
	return d->container;
}

/* One metric line: label, value now, sparkline over the rest. */
static void
detail_metric(struct tui *t, WINDOW *win, int y, struct tui_rect r,
	      const char *label, const char *now, attr_t now_attr,
	      const struct tui_ring *ring, double max, const char *scale)
{
	attr_t dim = tui_crt_attr(&t->crt, TUI_C_DIM);
	attr_t norm = tui_crt_attr(&t->crt, TUI_C_NORMAL);
	char spark[TUI_HIST_SAMPLES * 3 + 1];
	int x = r.x, w;

	tui_draw_fill(win, y, r.x, r.w, norm);
	tui_draw_text(win, y, x, 5, tui_crt_attr(&t->crt, TUI_C_COLHEAD),
	    label, true);
	x += 5;
	tui_draw_text(win, y, x, 20, now_attr, now, true);
	x += 20;
	w = r.x + r.w - x - 12;
	if (w > TUI_HIST_SAMPLES)
		w = TUI_HIST_SAMPLES;
	if (w < 4 || ring == NULL)
		return;
	tui_spark_render(ring, w, max, t->crt.utf8, spark, sizeof spark);
	tui_draw_text(win, y, x, w, tui_crt_attr(&t->crt, TUI_C_OK), spark,
	    false);
	tui_draw_text(win, y, x + w + 1, 11, dim, scale, false);
}

static int
detail_line(struct tui *t, WINDOW *win, int y, struct tui_rect r,
	    attr_t attr, const char *text)
{
	if (y >= r.y + r.h)
		return y;
	tui_draw_text(win, y, r.x, r.w, attr, text, true);
	(void)t;
	return y + 1;
}

/* Its newest events, one a line, in what room is left. */
static void
detail_events(struct tui *t, WINDOW *win, int y, struct tui_rect r,
	      const char *id)
{
	const tf_model_event *ev[32];
	size_t n, i;
	char when[16], line[512];

	if (y >= r.y + r.h)
		return;
	n = tui_events_of(t, id, ev, TF_ARRAY_LEN(ev));
	if (n == 0)
		return;
	y = detail_line(t, win, y, r, tui_crt_attr(&t->crt, TUI_C_COLHEAD),
	    "events");
	for (i = 0; i < n && y < r.y + r.h; i++) {
		tui_event_time(ev[i]->time, when, sizeof when);
		snprintf(line, sizeof line, "%s %-10s %s", when, ev[i]->kind,
		    ev[i]->text);
		y = detail_line(t, win, y, r, tui_crt_attr(&t->crt,
		    tui_event_color(ev[i])), line);
	}
}

static void
detail_draw(struct tui_panel *p, struct tui *t, WINDOW *win,
	    struct tui_rect r, bool focused)
{
	struct detail *d = p->impl;
	const char *id = detail_target(t, d);
	const tf_model_container *c = tui_locs_container(t, id);
	const tf_model_metrics *m;
	struct tui_hist_entry *h;
	attr_t norm = tui_crt_attr(&t->crt, TUI_C_NORMAL);
	attr_t dim = tui_crt_attr(&t->crt, TUI_C_DIM);
	char name[96], line[512], a[16], b[16], scale[24];
	int y = r.y;
	size_t i;

	TF_UNUSED(focused);
	for (int k = 0; k < r.h; k++)
		tui_draw_fill(win, r.y + k, r.x, r.w, norm);
	if (c == NULL) {
		tui_draw_text(win, r.y, r.x, r.w, dim, id[0] != '\0' ?
		    "the container has gone" : "no container selected", true);
		return;
	}
	tui_describe_container(c, name, sizeof name);
	tui_panel_set_title(p, "detail %s", name);
	detail_spec_ask(t, p, d, c->id);
	h = tui_hist_get(&t->hist, c->id, true, tf_now_ms());
	m = c->state == TF_CTR_RUNNING && c->metrics.at > 0 ? &c->metrics :
	    NULL;

	snprintf(line, sizeof line, "%s  %s on %s  %s  %s", name, c->image,
	    tui_node_name(t, c->node), tf_model_ctr_state_name(c->state),
	    c->ip[0] != '\0' ? c->ip : "-");
	y = detail_line(t, win, y, r, tui_crt_attr(&t->crt, TUI_C_HEADER_VALUE),
	    line);
	if (y + 4 <= r.y + r.h) {
		if (m != NULL)
			snprintf(line, sizeof line, "%.1f%%", m->cpu_pct);
		else
			snprintf(line, sizeof line, "-");
		detail_metric(t, win, y++, r, "CPU", line, m != NULL ?
		    tui_crt_attr(&t->crt, tui_cpu_color(m->cpu_pct)) : dim,
		    &h->ring[TUI_HIST_CPU], 100, "0-100%");
		if (m != NULL) {
			tui_fmt_bytes(m->mem_rss, a, sizeof a);
			tui_fmt_bytes(m->mem_limit, b, sizeof b);
			snprintf(line, sizeof line, "%s%s%s", a,
			    m->mem_limit > 0 ? " of " : "",
			    m->mem_limit > 0 ? b : "");
		} else {
			snprintf(line, sizeof line, "-");
		}
		tui_fmt_bytes((int64_t)tui_ring_max(&h->ring[TUI_HIST_MEM]), a,
		    sizeof a);
		snprintf(scale, sizeof scale, "max %s", a);
		detail_metric(t, win, y++, r, "MEM", line, m != NULL ?
		    tui_crt_attr(&t->crt, tui_mem_color(m->mem_rss,
		    m->mem_limit)) : dim, &h->ring[TUI_HIST_MEM],
		    m != NULL && m->mem_limit > 0 ? (double)m->mem_limit : 0,
		    scale);
		if (m != NULL) {
			tui_fmt_bytes(m->net_rx, a, sizeof a);
			tui_fmt_bytes(m->net_tx, b, sizeof b);
			snprintf(line, sizeof line, "%s/s in %s/s out", a, b);
		} else {
			snprintf(line, sizeof line, "-");
		}
		tui_fmt_bytes((int64_t)tui_ring_max(&h->ring[TUI_HIST_NET]), a,
		    sizeof a);
		snprintf(scale, sizeof scale, "max %s/s", a);
		detail_metric(t, win, y++, r, "NET", line, norm,
		    &h->ring[TUI_HIST_NET], 0, scale);
		if (m != NULL) {
			tui_fmt_bytes(m->io_read, a, sizeof a);
			tui_fmt_bytes(m->io_write, b, sizeof b);
			snprintf(line, sizeof line, "%s/s rd %s/s wr", a, b);
		} else {
			snprintf(line, sizeof line, "-");
		}
		tui_fmt_bytes((int64_t)tui_ring_max(&h->ring[TUI_HIST_IO]), a,
		    sizeof a);
		snprintf(scale, sizeof scale, "max %s/s", a);
		detail_metric(t, win, y++, r, "IO", line, norm,
		    &h->ring[TUI_HIST_IO], 0, scale);
	}
	if (m != NULL) {
		snprintf(line, sizeof line, "pids %lld   page cache %s   "
		    "OOM kills %lld", (long long)m->pids,
		    (tui_fmt_bytes(m->mem_cache, a, sizeof a), a),
		    (long long)m->oom_kills);
		y = detail_line(t, win, y, r, norm, line);
	}
	snprintf(line, sizeof line, "owner %s  session %s  startup %lldms  "
	    "id %s", c->user, c->session_name[0] ? c->session_name :
	    c->session, (long long)c->startup_ms, c->id);
	y = detail_line(t, win, y, r, dim, line);
	if (c->error[0] != '\0') {
		snprintf(line, sizeof line, "error: %s", c->error);
		y = detail_line(t, win, y, r, tui_crt_attr(&t->crt, TUI_C_BAD),
		    line);
	}
	for (int k = 0; k < d->nspec; k++)
		y = detail_line(t, win, y, r, norm, d->spec[k]);
	/* Tunnels to it and volumes it mounts, from the model. */
	line[0] = '\0';
	for (i = 0; i < tf_model_count(t->model, TF_MODEL_TUNNEL); i++) {
		const tf_model_tunnel *tu = tf_model_tunnel_at(t->model, i);
		size_t len = strlen(line);

		if (strcmp(tu->container, c->id) == 0 && len < sizeof line - 40)
			snprintf(line + len, sizeof line - len, "%s%lld->:%lld",
			    len ? ", " : "tunnels ", (long long)tu->localport,
			    (long long)tu->port);
	}
	for (i = 0; i < tf_model_count(t->model, TF_MODEL_VOLUME); i++) {
		const tf_model_volume *v = tf_model_volume_at(t->model, i);
		size_t len = strlen(line);

		for (int k = 0; k < v->nmounts && k < TF_MODEL_MOUNTS; k++)
			if (strcmp(v->mounts[k], c->id) == 0 &&
			    len < sizeof line - 40)
				snprintf(line + len, sizeof line - len,
				    "%svolume %.8s%s%s", len ? ", " : "",
				    v->id, v->tag[0] ? ":" : "", v->tag);
	}
	if (line[0] != '\0')
		y = detail_line(t, win, y, r, norm, line);
	detail_events(t, win, y, r, c->id);
}

static int
detail_command(struct tui_panel *p, struct tui *t, const char *action,
	       const char *arg)
{
	TF_UNUSED(p);
	TF_UNUSED(t);
	TF_UNUSED(action);
	TF_UNUSED(arg);
	return TUI_R_UNHANDLED;
}

static void
detail_close(struct tui_panel *p, struct tui *t)
{
	TF_UNUSED(t);
	free(p->impl);
	p->impl = NULL;
}

static const struct tui_panel_ops detail_ops = {
	.kind = "detail",
	.ctx = TUI_CTX_LOG,
	.draw = detail_draw,
	.command = detail_command,
	.close = detail_close,
};

struct tui_panel *
tui_detail_open(struct tui *t, const char *container)
{
	struct detail *d = tf_calloc(1, sizeof *d);
	struct tui_panel *p;

	snprintf(d->container, sizeof d->container, "%s", container);
	p = tui_panel_new(t, &detail_ops, d, "detail");
	tui_screen_add_pane(t, p);
	/* The keys stay with the list: moving its selection is how the pane
	 * is used. */
	t->scr.pane_focus = false;
	return p;
}

int
tui_act_detail(struct tui *t, const char *arg)
{
	const tf_model_container *c = tui_act_target(t, arg, "detail");

	/* One detail pane is enough: it follows the selection. */
	for (int i = 0; i < t->scr.npanes; i++)
		if (strcmp(t->scr.panes[i]->ops->kind, "detail") == 0) {
			t->scr.cur = i;
			tui_screen_layout(t);
			return TUI_R_REDRAW;
		}
	if (c != NULL)
		tui_detail_open(t, c->id);
	return TUI_R_REDRAW;
}
