/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-exec: round trip of running /bin/true in a container through the
 * SDK, side by side in one run with `runc exec` of the same container.
 *
 * One busybox container (`sleep 3600`) is spawned through the SDK; then,
 * alternating so that drift hits both alike, each round times:
 *
 *   SDK sh      tf_container_run_process(c, "/bin/true"): the node runs
 *               the container's /bin/sh -c "/bin/true" with `runc exec -d`
 *               and reports its end; measured from the call until it
 *               returns with the exit code (request through the location,
 *               node, runc exec, process exit, reply back).
 *   runc sh     `runc --root <node's root> exec <id> /bin/sh -c /bin/true`
 *               run by this program and waited for: the same process in
 *               the same container, without the platform.
 *   SDK argv    tf_container_spawn_argv(c, {"/bin/true"}) then
 *               tf_process_wait: no shell.
 *   runc argv   `runc exec <id> /bin/true`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "tf_util.h"

typedef struct exec_bench {
	tf_location *loc;
	tf_container *c;
	const char *node_state;
	const char *runc;
	char runc_root[PATH_MAX];
	bool verbose;
} exec_bench;

static const char *const sleep_cmd[] = { "sleep", "3600", NULL };
static const char *const true_argv[] = { "/bin/true", NULL };

static void
usage(FILE *f)
{
	fprintf(f,
"usage: bench-exec [options]\n"
"Round trip of /bin/true in a busybox container through the SDK beside\n"
"`runc exec` of the same container.  Needs root, a location account\n"
"($TF_DIR) and the node's state directory (for its runc root).\n"
"  -n, --count N          round trips timed per way (default 50)\n"
"  -s, --node-state DIR   the node's --state directory (required)\n"
"  -i, --image NAME       the image (default busybox)\n"
"      --runc PATH        runc for the baseline (default runc)\n"
"  -v, --verbose          SDK logging\n"
"  -h, --help             this text\n");
}

static double
sdk_sh(exec_bench *b, tf_err *err)
{
	tf_run_result r;
	double t0, ms;

	memset(&r, 0, sizeof r);
	t0 = bench_now_ms();
	if (tf_container_run_process(b->c, "/bin/true", 30000, &r, err) != 0)
		return -1;
	ms = bench_now_ms() - t0;
	if (r.exit_code != 0) {
		tf_err_set(err, "/bin/true exited %d: %s", r.exit_code,
		    r.err != NULL ? (char *)r.err : "");
		ms = -1;
	}
	tf_run_result_fini(&r);
	return ms;
}

static double
sdk_argv(exec_bench *b, tf_err *err)
{
	tf_process_opts o;
	tf_process *p;
	double t0, ms;
	int code;

	memset(&o, 0, sizeof o);
	t0 = bench_now_ms();
	p = tf_container_spawn_argv(b->c, true_argv, &o, err);
	if (p == NULL || tf_process_wait(p, 30000, &code, err) != 0)
		return -1;
	ms = bench_now_ms() - t0;
	tf_process_release(p);
	if (code != 0)
		return tf_err_set(err, "/bin/true exited %d", code);
	return ms;
}

static double
runc_exec(exec_bench *b, bool shell, tf_err *err)
{
	const char *sh[] = { b->runc, "--root", b->runc_root, "exec",
	    tf_container_id(b->c), "/bin/sh", "-c", "/bin/true", NULL };
	const char *direct[] = { b->runc, "--root", b->runc_root, "exec",
	    tf_container_id(b->c), "/bin/true", NULL };
	char sbuf[64];
	double t0, ms;
	int st;

	t0 = bench_now_ms();
	st = bench_run(shell ? sh : direct, 2, err);
	ms = bench_now_ms() - t0;
	if (st < 0)
		return -1;
	if (st != 0)
		return tf_err_set(err, "runc exec %s: %s", tf_container_id(b->c),
		    bench_status_str(st, sbuf, sizeof sbuf));
	return ms;
}

static int
bench_main(exec_bench *b, const char *image, int count)
{
	bench_samples s_sdk = { 0 }, s_runc = { 0 }, a_sdk = { 0 },
	    a_runc = { 0 };
	tf_spawn_opts o;
	tf_node *node;
	tf_err err;
	double ms;
	int rc = 1, i;

	b->loc = bench_connect(b->verbose, &err);
	if (b->loc == NULL)
		goto fail;
	/* Ctrl-C ends the blocking calls with an error, so the containers
	 * made so far are destroyed on the way out. */
	if (tf_location_catch_signals(b->loc, &err) != 0)
		goto fail;
	node = tf_location_best_node(b->loc, &err);
	if (node == NULL)
		goto fail;
	memset(&o, 0, sizeof o);
	o.command = sleep_cmd;
	b->c = tf_node_spawn_container(node, image, &o, &err);
	if (b->c == NULL)
		goto fail;
	snprintf(b->runc_root, sizeof b->runc_root, "%s/runc", b->node_state);
	{
		char path[PATH_MAX + 80];

		snprintf(path, sizeof path, "%s/%s/state.json", b->runc_root,
		    tf_container_id(b->c));
		if (access(path, F_OK) != 0) {
			tf_err_errno(&err, "the node's runc has no container "
			    "%s (%s)", tf_container_id(b->c), path);
			goto fail;
		}
	}
	/* Warm-up, untimed: the first exec of each kind pays for page
	 * faults and cold caches. */
	for (i = 0; i < 3; i++) {
		if (sdk_sh(b, &err) < 0 || runc_exec(b, true, &err) < 0 ||
		    sdk_argv(b, &err) < 0 || runc_exec(b, false, &err) < 0)
			goto fail;
	}
	for (i = 0; i < count; i++) {
		if ((ms = sdk_sh(b, &err)) < 0)
			goto fail;
		bench_samples_add(&s_sdk, ms);
		if ((ms = runc_exec(b, true, &err)) < 0)
			goto fail;
		bench_samples_add(&s_runc, ms);
		if ((ms = sdk_argv(b, &err)) < 0)
			goto fail;
		bench_samples_add(&a_sdk, ms);
		if ((ms = runc_exec(b, false, &err)) < 0)
			goto fail;
		bench_samples_add(&a_runc, ms);
	}
	printf("bench-exec: /bin/true in one busybox container, %d rounds of "
	    "each way, interleaved\n", count);
	printf("  %-44s %9s %9s %9s\n", "round trip (ms)", "median", "min",
	    "p90");
	bench_print_stats("SDK run_process(\"/bin/true\") (sh -c)", &s_sdk);
	bench_print_stats("runc exec ID /bin/sh -c /bin/true", &s_runc);
	bench_print_stats("SDK spawn_argv({\"/bin/true\"}) + wait", &a_sdk);
	bench_print_stats("runc exec ID /bin/true", &a_runc);
	printf("  ratio SDK / runc exec (medians): sh -c %.2f, argv %.2f\n",
	    bench_samples_median(&s_sdk) / bench_samples_median(&s_runc),
	    bench_samples_median(&a_sdk) / bench_samples_median(&a_runc));
	bench_summary("exec", "/bin/true, sync run (sh -c) vs runc exec",
	    bench_samples_median(&s_sdk), bench_samples_median(&s_runc), "ms",
	    "SDK / runc exec");
	bench_summary("exec", "/bin/true, argv + wait vs runc exec",
	    bench_samples_median(&a_sdk), bench_samples_median(&a_runc), "ms",
	    "SDK / runc exec");
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench-exec: %s\n", err.msg);
out:
	if (b->c != NULL && tf_container_destroy(b->c, &err) != 0)
		fprintf(stderr, "bench-exec: %s\n", err.msg);
	bench_samples_fini(&s_sdk);
	bench_samples_fini(&s_runc);
	bench_samples_fini(&a_sdk);
	bench_samples_fini(&a_runc);
	tf_location_destroy(&b->loc);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "node-state", required_argument, NULL, 's' },
		{ "image", required_argument, NULL, 'i' },
		{ "runc", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	exec_bench b;
	const char *image = "busybox";
	int count = 50, ch;

	memset(&b, 0, sizeof b);
	b.runc = "runc";
	while ((ch = getopt_long(argc, argv, "n:s:i:vh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'n': count = atoi(optarg); break;
		case 's': b.node_state = optarg; break;
		case 'i': image = optarg; break;
		case 'R': b.runc = optarg; break;
		case 'v': b.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || count < 1 || b.node_state == NULL) {
		usage(stderr);
		return 2;
	}
	/* A closed output pipe must not kill us before we clean up. */
	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		fprintf(stderr, "bench-exec: needs root (runc)\n");
		return 77;
	}
	return bench_main(&b, image, count);
}
