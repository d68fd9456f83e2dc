/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scale_many N: N busybox `sleep 3600` containers spawned at once on the
 * best node (issue 16), for tests/integration/test_scale.sh:
 *
 *   spawn     N tf_node_spawn calls, then each waited for; prints
 *             # spawn_ms=, # ready
 *   during    (step) a new spawn, a process in one of the N and the new
 *             one destroyed, while the N run
 *   nodekilled (step) every one of the N is reported lost (the node died)
 *   nodeback  (step) once the node is back (it adopted them) every one
 *             runs again and a process runs in one of them; then all N
 *             are destroyed, one after another; prints # destroy_ms=
 *
 * Containers it still holds are destroyed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prog.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct gone {
	tf_container **c;
	size_t n;
};

static bool
all_in(struct gone *g, tf_model_ctr_state st)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (tf_container_state(g->c[i]) != st)
			return false;
	return true;
}

static bool
all_lost(void *arg)
{
	return all_in(arg, TF_CTR_LOST);
}

static bool
all_running(void *arg)
{
	return all_in(arg, TF_CTR_RUNNING);
}

static bool
all_gone(void *arg)
{
	return all_in(arg, TF_CTR_DESTROYED);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100, i, ok = 0;
	const char *const sleep_argv[] = { "sleep", "3600", NULL };
	tf_location *loc = prog_connect("scale_many");
	tf_node *node = prog_node(loc);
	tf_container **c = calloc(n, sizeof *c), *extra;
	struct gone g = { c, n };
	tf_spawn_opts so;
	uint64_t t0;
	char *out = NULL;
	tf_err err;
	int rc;

	memset(&so, 0, sizeof so);
	so.command = sleep_argv;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		c[i] = tf_node_spawn(node, "busybox", &so, &err);
		if (c[i] == NULL)
			prog_bail(&loc, "spawn", &err);
	}
	for (i = 0; i < n; i++) {
		if (tf_container_wait_ready(c[i], 900000, &err) == 0)
			ok++;
		else if (ok + 5 > i)	/* a few are enough to say why */
			prog_note("container %zu: %s", i, err.msg);
	}
	prog_value("spawn_ms", "%llu", (unsigned long long)(now_ms() - t0));
	prog_check(ok == n, "%zu of %zu containers spawned at once run", ok, n);
	prog_note("ready");

	if (!prog_step(loc, "during", 0))
		prog_bail(&loc, "waiting for step during", NULL);
	t0 = now_ms();
	extra = prog_busybox(loc, node, sleep_argv);
	prog_value("extra_spawn_ms", "%llu", (unsigned long long)(now_ms() - t0));
	prog_check(extra != NULL, "one more container spawns beside them");
	rc = prog_sh(c[n / 2], "echo alive", &out);
	prog_check(rc == 0 && out != NULL && strcmp(out, "alive\n") == 0,
	    "a process runs in one of them");
	free(out);
	prog_check(tf_container_destroy(extra, &err) == 0,
	    "and the new one is destroyed");
	prog_step_done("during");

	if (!prog_step(loc, "nodekilled", 0))
		prog_bail(&loc, "waiting for step nodekilled", NULL);
	prog_check(prog_wait(loc, all_lost, &g, 120000),
	    "all %zu are reported lost when their node dies", n);
	prog_step_done("nodekilled");

	if (!prog_step(loc, "nodeback", 0))
		prog_bail(&loc, "waiting for step nodeback", NULL);
	prog_check(prog_wait(loc, all_running, &g, 300000),
	    "all %zu run again once the node is back (adopted)", n);
	rc = prog_sh(c[n / 3], "echo adopted", &out);
	prog_check(rc == 0 && out != NULL && strcmp(out, "adopted\n") == 0,
	    "a process runs in one of the adopted containers");
	free(out);
	out = NULL;
	t0 = now_ms();
	for (i = 0; i < n; i++)
		tf_container_destroy(c[i], &err);
	prog_check(prog_wait(loc, all_gone, &g, 600000),
	    "all %zu adopted containers are destroyed", n);
	prog_value("destroy_ms", "%llu", (unsigned long long)(now_ms() - t0));
	prog_step_done("nodeback");

	tf_location_destroy(&loc);
	free(c);
	return prog_finish();
}
