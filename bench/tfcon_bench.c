/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfcon_bench: what the console costs with many containers.  For 1,000
 * and 10,000 containers it measures, with the real model, list and curses
 * drawing (into /dev/null on a 200x50 xterm-256color screen):
 *
 *   first frame   offer applied + list built + the first full draw
 *   update        one container push (a state change) + a full redraw,
 *                 the worst case: a draw per push
 *   push          one push without drawing (draws are coalesced to one
 *                 per 16 ms frame, so a burst costs pushes + one draw)
 *   metrics/s     the console's work for one second of metrics when every
 *                 container's figures change each second: the location's
 *                 metrics pushes (TF_METRICS_MAX_ITEMS a push) applied,
 *                 a draw after each push (the worst case), and the one-a-
 *                 second history tick; as ms per second, i.e. % of a core,
 *                 with the list sorted by CPU (the costliest order);
 *                 and "1 draw" the same with one draw for the second's
 *                 pushes (all arriving within one 16 ms frame)
 *   first frame+m the first frame when the offer is followed by the
 *                 figures of every container, sorted by CPU
 *
 * The baseline printed beside each is the same work at 100 containers,
 * so the growth with the number of containers is visible in one run.
 * Idle CPU is measured by bench/tfcon_idle.sh (the real program in tmux).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "con_demo.h"
#include "tf_codec_metrics.h"
#include "tf_msg.h"
#include "tui.h"

static double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this process: what "% of a core" means, and what a loaded
 * machine (other work on the same cores) does not inflate. */
static double
bench_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
bench_pack_ctr(msgpack_packer *pk, int i, const char *state)
{
	char id[32], tag[32], ip[32], node[32];

	snprintf(id, sizeof id, "C%021d", i);
	snprintf(tag, sizeof tag, "svc-%d", i);
	snprintf(ip, sizeof ip, "10.%d.%d.%d", i / 65536 % 256, i / 256 % 256,
	    i % 256);
	snprintf(node, sizeof node, "node-%02d", i % 10);
	msgpack_pack_map(pk, 8);
	tf_pack_kv_str(pk, "container", id);
	tf_pack_kv_str(pk, "node", node);
	tf_pack_kv_str(pk, "tag", tag);
	tf_pack_kv_str(pk, "image", i % 3 ? "nginx:latest" : "alpine:3.19");
	tf_pack_kv_str(pk, "ip", ip);
	tf_pack_kv_str(pk, "state", state);
	tf_pack_kv_str(pk, "session_name", "bench");
	tf_pack_kv_double(pk, "started", 1.7e9 + i);
}

static void
bench_apply(struct tui *t, const char *cmd, msgpack_sbuffer *sb)
{
	msgpack_unpacked unp;
	tf_err err;

	msgpack_unpacked_init(&unp);
	if (msgpack_unpack_next(&unp, sb->data, sb->size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS || tf_model_apply(t->model, cmd, &unp.data,
	    &err) != 1) {
		fprintf(stderr, "bench: apply %s failed\n", cmd);
		exit(1);
	}
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_clear(sb);
}

struct bench_result {
	double first_frame_ms;
	double update_us;
	double push_us;
	double metrics_ms;		/* CPU per second of metrics */
	double metrics1_ms;		/* the same, one draw a second */
	double first_metrics_ms;
	double first_cpu_ms, first_metrics_cpu_ms;
};

/* One metrics push: the figures of containers from..from+n, varying with
 * the second so that every one changes. */
static void
bench_pack_metrics(msgpack_packer *pk, int from, int n, int second)
{
	char id[32];
	int i;

	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "containers");
	msgpack_pack_array(pk, (size_t)n);
	for (i = from; i < from + n; i++) {
		snprintf(id, sizeof id, "C%021d", i);
		msgpack_pack_map(pk, 10);
		tf_pack_kv_str(pk, "container", id);
		tf_pack_kv_double(pk, "cpu_pct", (double)((i * 37 + second * 11)
		    % 1000) / 10.0);
		tf_pack_kv_int(pk, "mem_rss", (int64_t)(i % 512 + second) << 20);
		tf_pack_kv_int(pk, "mem_cache", (int64_t)(i % 64) << 20);
		tf_pack_kv_int(pk, "mem_limit", (int64_t)1 << 30);
		tf_pack_kv_int(pk, "pids", 1 + i % 20);
		tf_pack_kv_int(pk, "net_rx", (int64_t)(i + second) * 100);
		tf_pack_kv_int(pk, "net_tx", (int64_t)(i + second) * 40);
		tf_pack_kv_int(pk, "io_read", (int64_t)(i % 7) * 4096);
		tf_pack_kv_int(pk, "io_write", (int64_t)(second % 5) * 4096);
	}
}

/* A second of metrics for all n containers: pushes, a draw after each,
 * the history tick.  Returns the ms it took. */
static double
bench_metrics_second(struct tui *t, msgpack_sbuffer *sb, msgpack_packer *pk,
		     int n, int second, bool draw_each)
{
	double t0 = bench_cpu_ms();
	int from, k;

	for (from = 0; from < n; from += k) {
		k = n - from < TF_METRICS_MAX_ITEMS ? n - from :
		    TF_METRICS_MAX_ITEMS;
		bench_pack_metrics(pk, from, k, second);
		bench_apply(t, "metrics", sb);
		if (draw_each)
			tui_screen_draw(t);
	}
	if (!draw_each)
		tui_screen_draw(t);
	tui_hist_tick(t);
	return bench_cpu_ms() - t0;
}

static void
bench_run(int n, int updates, bool with_metrics, FILE *out, FILE *in,
	  struct bench_result *res)
{
	tf_location_opts base;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct tui t;
	double t0, c0;
	tf_err err;
	int i;

	memset(&t, 0, sizeof t);
	t.opts.log_lines = 1000;
	t.loop = tf_loop_new();
	t.km = tui_keymap_new();
	memset(&base, 0, sizeof base);
	base.loop = t.loop;
	base.program = "bench";
	base.logging = TF_LOGGING_QUIET;
	/* The demo location's model; the loop never runs, so the bench's
	 * pushes are all it holds. */
	t.only_loc = -1;
	tui_hist_init(&t.hist, TUI_HIST_MAX, TUI_HIST_SAMPLES);
	if (tui_keymap_load(t.km, "default", &err) != 0 ||
	    (t.locs[0].loc = con_demo_location(&base, NULL, &err)) == NULL ||
	    (t.locs[0].model = tf_location_model(t.locs[0].loc)) == NULL ||
	    tui_crt_init_headless(&t.crt, "xterm-256color", out, in,
	    &err) != 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	snprintf(t.locs[0].name, sizeof t.locs[0].name, "bench");
	t.nlocs = 1;
	tui_locs_use(&t, 0);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

	msgpack_pack_map(&pk, 1);
	tf_pack_str(&pk, "containers");
	msgpack_pack_array(&pk, (size_t)n);
	for (i = 0; i < n; i++)
		bench_pack_ctr(&pk, i, "running");
	t0 = bench_now_ms();
	c0 = bench_cpu_ms();
	bench_apply(&t, "offer", &sb);
	if (with_metrics) {
		/* The offer, then every container's figures, the list
		 * sorted by CPU: the first frame a watcher of a busy
		 * location sees. */
		for (i = 0; i < n; i += TF_METRICS_MAX_ITEMS) {
			bench_pack_metrics(&pk, i, n - i < TF_METRICS_MAX_ITEMS ?
			    n - i : TF_METRICS_MAX_ITEMS, 0);
			bench_apply(&t, "metrics", &sb);
		}
		tui_screen_init(&t);
		tui_list_sort_by(&t, "cpu", true);
		tui_screen_draw(&t);
		res->first_metrics_ms = bench_now_ms() - t0;
		res->first_metrics_cpu_ms = bench_cpu_ms() - c0;
		goto done;
	}
	tui_screen_init(&t);
	tui_screen_draw(&t);
	res->first_frame_ms = bench_now_ms() - t0;
	res->first_cpu_ms = bench_cpu_ms() - c0;

	t0 = bench_now_ms();
	for (i = 0; i < updates; i++) {
		bench_pack_ctr(&pk, (i * 7919) % n, i % 2 ? "running" :
		    "sleeping");
		bench_apply(&t, "container", &sb);
		tui_screen_draw(&t);
	}
	res->update_us = (bench_now_ms() - t0) * 1e3 / updates;

	t0 = bench_now_ms();
	for (i = 0; i < updates; i++) {
		bench_pack_ctr(&pk, (i * 7919) % n, i % 2 ? "running" :
		    "exited");
		bench_apply(&t, "container", &sb);
	}
	res->push_us = (bench_now_ms() - t0) * 1e3 / updates;

	/* Metrics for every container, every second, sorted by CPU. */
	tui_list_sort_by(&t, "cpu", true);
	for (i = 0; i < 10; i++)
		res->metrics_ms += bench_metrics_second(&t, &sb, &pk, n, i,
		    true) / 10;
	for (i = 0; i < 10; i++)
		res->metrics1_ms += bench_metrics_second(&t, &sb, &pk, n,
		    10 + i, false) / 10;
done:
	msgpack_sbuffer_destroy(&sb);
	tui_screen_fini(&t);
	tui_hist_fini(&t.hist);
	tui_locs_fini(&t);
	tui_crt_fini(&t.crt);
	tf_loop_destroy(&t.loop);
	tui_keymap_destroy(&t.km);
}

static void
bench_print(int n, const struct bench_result *r, const char *note)
{
	printf("%-10d %8.1f ms (%5.1f) %9.1f us %7.1f us %8.1f ms (%5.1f) "
	    "%6.1f ms/s %4.1f ms/s%s\n", n, r->first_frame_ms, r->first_cpu_ms,
	    r->update_us, r->push_us, r->first_metrics_ms,
	    r->first_metrics_cpu_ms, r->metrics_ms, r->metrics1_ms, note);
}

int
main(int argc, char **argv)
{
	static const int sizes[] = { 1000, 10000 };
	struct bench_result base, r;
	FILE *out, *in;
	int updates = argc > 1 ? atoi(argv[1]) : 300;
	size_t i;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL || updates <= 0)
		return 1;
	memset(&base, 0, sizeof base);
	bench_run(100, updates, false, out, in, &base);
	bench_run(100, updates, true, out, in, &base);
	printf("%-10s %20s %12s %10s %20s %11s %9s\n", "containers",
	    "first frame (cpu)", "push+redraw", "push only",
	    "first frame+m (cpu)", "metrics/s", "1 draw");
	bench_print(100, &base, " (baseline)");
	for (i = 0; i < TF_ARRAY_LEN(sizes); i++) {
		memset(&r, 0, sizeof r);
		bench_run(sizes[i], updates, false, out, in, &r);
		bench_run(sizes[i], updates, true, out, in, &r);
		bench_print(sizes[i], &r, "");
	}
	printf("first frames: wall ms (CPU ms); metrics/s: CPU ms per "
	    "second of metrics for every container (10 ms/s = 1%% of a "
	    "core)\n");
	fclose(out);
	fclose(in);
	return 0;
}
