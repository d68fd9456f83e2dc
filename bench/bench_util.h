/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_util: what the benches share: a monotonic clock, statistics over
 * samples, the result lines run.sh collects, connecting with the account
 * in $TF_DIR, running a child program and waiting for it, and running the
 * SDK's loop while a worker thread does blocking I/O.
 *
 * Every bench prints its own table, then one line per comparison:
 *
 *   summary|<bench>|<what>|<ours>|<baseline>|<unit>|<ratio>|<ratio means>
 *
 * which bench/run.sh turns into the summary table.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tf.h"

/* Milliseconds on CLOCK_MONOTONIC, fractional. */
double bench_now_ms(void);

/* A growing list of samples (milliseconds, or anything else). */
typedef struct bench_samples {
	double *v;
	size_t n, cap;
} bench_samples;

void bench_samples_add(bench_samples *s, double x);
void bench_samples_fini(bench_samples *s);
/* p in [0, 100], nearest rank on a sorted copy; NAN when empty. */
double bench_samples_pct(const bench_samples *s, double p);
double bench_samples_median(const bench_samples *s);
double bench_samples_min(const bench_samples *s);

/* "label  median  min  p90  (n)" in milliseconds. */
void bench_print_stats(const char *label, const bench_samples *s);

/* One summary line (see above); ratio = ours / baseline. */
void bench_summary(const char *bench, const char *what, double ours,
		   double baseline, const char *unit, const char *meaning);

/* Connects with the account in $TF_DIR (or ~/.20ft), quiet unless
 * verbose. */
tf_location *bench_connect(bool verbose, tf_err *err);

/* Runs argv (PATH is searched) with stdin and stdout on /dev/null and
 * stderr to errfd (-1: /dev/null), keeping extra_fd (if >= 0) open as fd
 * 3 in the child, with no signal blocked or ignored; returns the child's
 * pid or -1. */
pid_t bench_spawn(const char *const *argv, int errfd, int extra_fd,
		  tf_err *err);
/* bench_spawn and wait: the wait status, or -1. */
int bench_run(const char *const *argv, int errfd, tf_err *err);
/* Waits for pid; the wait status or -1. */
int bench_wait(pid_t pid);
/* "exited 1", "killed by signal 9". */
const char *bench_status_str(int status, char *buf, size_t size);

/* Runs fn(arg) on a thread of its own while this thread runs loc's loop,
 * so that tunnels and heartbeats keep moving while fn blocks on sockets.
 * fn must not call the SDK.  Returns fn's result, or -1 when the thread
 * cannot start or the location completed meanwhile (err says so). */
int bench_with_loop(tf_location *loc, int (*fn)(void *arg), void *arg,
		    tf_err *err);

/* A TCP port on 127.0.0.1 that was free a moment ago (0 on failure). */
int bench_free_port(void);
/* Connects to host:port (numeric IPv4), retrying for up to timeout_ms
 * while it is refused; the socket or -1. */
int bench_connect_tcp(const char *host, int port, int timeout_ms,
		      tf_err *err);

/* Whether prog (a path, or a name looked up in $PATH) can be run. */
bool bench_have_program(const char *prog);

/* The directory this program lives in (for files built next to it). */
char *bench_self_dir(void);

#endif
