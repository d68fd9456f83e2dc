/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hosts_pair SERVER_NODE CLIENT_NODE: nginx on one node, a busybox client
 * on another, the client allowed in; then the script drives it through
 * faults of the underlay (tests/integration/test_hosts_faults.sh).  After
 * "# ready" it waits for steps s1, s2, ... ($TF_STEPS/sK); each holds what
 * the script expects now:
 *   ok    the client gets the page (tried for up to 30 s: routes come back
 *         a heartbeat or two after a node does)
 *   fail  it does not (one try of 3 s)
 *   end   stop
 * and answers "# done sK".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

static bool
fetch_page(tf_container *c, const char *ip, const char *want)
{
	char cmd[256], *out = NULL;
	bool got;
	int code;

	snprintf(cmd, sizeof cmd, "timeout 3 wget -q -O - http://%s/", ip);
	code = prog_sh(c, cmd, &out);
	got = code == 0 && out != NULL && strcmp(out, want) == 0;
	free(out);
	return got;
}

static void
step_expect(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("TF_STEPS");
	char path[4096];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)size, f) != NULL)
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int
main(int argc, char **argv)
{
	tf_location *loc = prog_connect("hosts_pair");
	tf_node *a, *b;
	tf_container *server, *client;
	char body[64], what[16];
	tf_file pre;
	tf_spawn_opts so = { .files = &pre, .nfiles = 1 };
	tf_spawn_opts co = { .sleep = true };
	tf_err err;
	int rc;

	if (argc != 3)
		prog_skip(&loc, "usage: hosts_pair SERVER_NODE CLIENT_NODE");
	a = tf_location_node(loc, argv[1], &err);
	b = a != NULL ? tf_location_node(loc, argv[2], &err) : NULL;
	if (a == NULL || b == NULL)
		prog_bail(&loc, "nodes", &err);
	snprintf(body, sizeof body, "Hi from %s", argv[1]);
	pre = (tf_file){ "/usr/share/nginx/html/index.html", body,
	    strlen(body) };
	server = prog_spawn(loc, a, "nginx", &so);
	client = prog_spawn(loc, b, "busybox", &co);
	rc = tf_container_wait_tcp(server, 80, 30000, &err);
	prog_check(rc == 0, "nginx on %s listens", argv[1]);
	rc = tf_container_allow_connection_from(server, client, &err);
	prog_check(rc == 0, "the client on %s is allowed in%s%s", argv[2],
	    rc ? ": " : "", rc ? err.msg : "");
	prog_note("ready");
	for (int k = 1;; k++) {
		char name[16];
		bool got = false;

		snprintf(name, sizeof name, "s%d", k);
		if (!prog_step(loc, name, 0))
			break;
		step_expect(name, what, sizeof what);
		if (strcmp(what, "ok") == 0) {
			uint64_t end = prog_now_ms() + 30000;

			while (!(got = fetch_page(client,
			    tf_container_ip(server), body)) &&
			    prog_now_ms() < end)
				tf_location_sleep(loc, 200);
			prog_check(got, "%s: the client on %s gets the page "
			    "from %s", name, argv[2], argv[1]);
		} else if (strcmp(what, "fail") == 0) {
			got = fetch_page(client, tf_container_ip(server), body);
			prog_check(!got, "%s: the client on %s cannot reach %s",
			    name, argv[2], argv[1]);
		}
		prog_step_done(name);
		if (strcmp(what, "end") == 0 || what[0] == '\0')
			break;
	}
	tf_location_destroy(&loc);
	return prog_finish();
}
