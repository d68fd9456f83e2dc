/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_stale: an allowance dies with the container it allowed (issue 5,
 * "Rules are removed with the container").  S allows A; A is destroyed;
 * containers are spawned (and destroyed, in batches) until the node hands
 * A's address out again (addresses are allocated next-fit, so that takes
 * a lap of the subnet); the container that got it must not inherit A's
 * way into S.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define BATCH 25
#define MAX_SPAWNS 600

static bool
fetch_from(tf_container *c, const char *ip)
{
	char cmd[160], *out = NULL;
	bool got;

	snprintf(cmd, sizeof cmd, "timeout 3 wget -q -O - http://%s/", ip);
	got = prog_sh(c, cmd, &out) == 0 && out != NULL &&
	    strcmp(out, "Hi!") == 0;
	free(out);
	return got;
}

int
main(void)
{
	tf_location *loc = prog_connect("net_stale");
	tf_node *node = prog_node(loc);
	tf_file pre[] = { { "/usr/share/nginx/html/index.html", "Hi!", 3 } };
	tf_spawn_opts sso = { .files = pre, .nfiles = 1 };
	tf_spawn_opts so = { .sleep = true };
	tf_container *s, *a, *heir = NULL, *batch[BATCH];
	char aip[48];
	int spawned = 0, rc;
	tf_err err;
	uint64_t t0 = prog_now_ms();

	s = prog_spawn(loc, node, "nginx", &sso);
	a = prog_spawn(loc, node, "busybox", &so);
	snprintf(aip, sizeof aip, "%s", tf_container_ip(a));
	tf_container_wait_tcp(s, 80, 30000, &err);
	rc = tf_container_allow_connection_from(s, a, &err);
	prog_check(rc == 0 && fetch_from(a, tf_container_ip(s)),
	    "S allows A (%s): A gets the page", aip);
	tf_container_destroy(a, &err);

	while (heir == NULL && spawned < MAX_SPAWNS) {
		int n = 0;

		for (int i = 0; i < BATCH; i++) {
			batch[n] = tf_node_spawn(node, "busybox", &so, &err);
			if (batch[n] != NULL)
				n++;
		}
		spawned += n;
		for (int i = 0; i < n; i++) {
			if (tf_container_wait_ready(batch[i], 60000, &err) == 0 &&
			    heir == NULL && strcmp(tf_container_ip(batch[i]),
			    aip) == 0)
				heir = batch[i];
			else
				tf_container_destroy(batch[i], &err);
		}
		if (n == 0)
			prog_bail(&loc, "spawn", &err);
	}
	prog_check(heir != NULL, "after %d spawns (%.0f s) a new container got "
	    "A's address %s", spawned, (double)(prog_now_ms() - t0) / 1000, aip);
	if (heir != NULL)
		prog_check(!fetch_from(heir, tf_container_ip(s)),
		    "and S refuses it: A's allowance died with A");
	tf_location_destroy(&loc);
	return prog_finish();
}
