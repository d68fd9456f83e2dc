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
#include "tf_msg.h"
#include "tui.h"

static double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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
};

static void
bench_run(int n, int updates, FILE *out, FILE *in, struct bench_result *res)
{
	tf_location_opts base;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct tui t;
	double t0;
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
	bench_apply(&t, "offer", &sb);
	tui_screen_init(&t);
	tui_screen_draw(&t);
	res->first_frame_ms = bench_now_ms() - t0;

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

	msgpack_sbuffer_destroy(&sb);
	tui_screen_fini(&t);
	tui_locs_fini(&t);
	tui_crt_fini(&t.crt);
	tf_loop_destroy(&t.loop);
	tui_keymap_destroy(&t.km);
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
	bench_run(100, updates, out, in, &base);
	printf("%-12s %14s %16s %12s\n", "containers", "first frame",
	    "push+redraw", "push only");
	printf("%-12d %11.2f ms %13.1f us %9.1f us   (baseline)\n", 100,
	    base.first_frame_ms, base.update_us, base.push_us);
	for (i = 0; i < TF_ARRAY_LEN(sizes); i++) {
		bench_run(sizes[i], updates, out, in, &r);
		printf("%-12d %11.2f ms %13.1f us %9.1f us\n", sizes[i],
		    r.first_frame_ms, r.update_us, r.push_us);
	}
	fclose(out);
	fclose(in);
	return 0;
}
