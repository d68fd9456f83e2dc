/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hosts_net NODE NODE [NODE...]: a location of many hosts (issue 14), run
 * by tests/integration/test_hosts*.sh on simulated hosts.
 *
 * On every named node: nginx spawned there (and placed there), a tunnel
 * and wait_http_200 to it, put/fetch, a process and a pty shell.
 * Across nodes, for each node i with the server and node i+1 with the
 * client: default deny, allow_connection_from lets real HTTP through (the
 * client's own address, no NAT), a bystander on the server's node stays
 * out, disallow shuts it again.  Last, the allowance of the first pair dies
 * with the client: the script checks the server's firewall (steps
 * "allowed" and "destroyed", values server, client_ip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define MAX_NODES 8

struct get {
	int port;
	int status;
	char *body;
};

static void *
get_main(void *arg)
{
	struct get *g = arg;

	g->status = prog_http_get(g->port, "/", NULL, &g->body, NULL);
	return NULL;
}

/* wget from c to the server at ip; true when it printed want. */
static bool
fetch_from(tf_container *c, const char *ip, const char *want, int *code)
{
	char cmd[256], *out = NULL;
	bool got;

	snprintf(cmd, sizeof cmd, "timeout 3 wget -q -O - http://%s/", ip);
	*code = prog_sh(c, cmd, &out);
	got = *code == 0 && out != NULL && strcmp(out, want) == 0;
	free(out);
	return got;
}

static void
node_checks(tf_location *loc, tf_node *node, tf_container *server,
    tf_container *client, const char *body)
{
	const char *name = tf_node_name(node);
	struct get g = { 0 };
	tf_tunnel *t;
	tf_process *sh;
	uint8_t *data = NULL, *reply = NULL;
	size_t len = 0, rlen = 0;
	tf_err err;
	int rc, code;
	char *out = NULL;

	prog_check(tf_container_node(server) == node &&
	    tf_container_node(client) == node,
	    "%s: both containers were placed on it", name);
	t = tf_container_wait_http_200(server, 80, NULL, NULL, 60000, &err);
	prog_check(t != NULL, "%s: wait_http_200 through a tunnel%s%s", name,
	    t ? "" : ": ", t ? "" : err.msg);
	if (t != NULL) {
		g.port = tf_tunnel_localport(t);
		rc = prog_run_bg(loc, get_main, &g, 60000);
		prog_check(rc == 0 && g.status == 200 && g.body != NULL &&
		    strcmp(g.body, body) == 0,
		    "%s: the page through the tunnel (%d, '%s')", name,
		    g.status, g.body ? g.body : "");
		free(g.body);
		tf_tunnel_destroy(t, NULL);
	}
	rc = tf_container_put(client, "/tmp/hosts/put.txt", name,
	    strlen(name), 0, &err);
	prog_check(rc == 0, "%s: put%s%s", name, rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_container_fetch(client, "/tmp/hosts/put.txt", &data, &len,
	    &err);
	prog_check(rc == 0 && len == strlen(name) &&
	    memcmp(data, name, len) == 0, "%s: fetch gives it back", name);
	free(data);
	code = prog_sh(client, "cat /tmp/hosts/put.txt", &out);
	prog_check(code == 0 && out != NULL && strcmp(out, name) == 0,
	    "%s: a process sees it (exit %d)", name, code);
	free(out);
	sh = tf_container_spawn_shell(client, NULL, NULL, &err);
	prog_check(sh != NULL, "%s: a shell%s%s", name, sh ? "" : ": ",
	    sh ? "" : err.msg);
	if (sh != NULL) {
		const char line[] = "echo shell-$((6*7))\n";

		rc = tf_process_stdin_reply(sh, line, sizeof line - 1, true, 0,
		    20000, &reply, &rlen, &err);
		prog_check(rc == 0 && reply != NULL &&
		    strstr((const char *)reply, "shell-42") != NULL,
		    "%s: the shell answers", name);
		free(reply);
		tf_process_stdin(sh, "exit\n", 5, NULL);
		tf_process_wait(sh, 20000, &code, NULL);
	}
}

int
main(int argc, char **argv)
{
	tf_location *loc = prog_connect("hosts_net");
	tf_node *nodes[MAX_NODES];
	tf_container *server[MAX_NODES], *client[MAX_NODES];
	tf_container *bystander;
	char body[MAX_NODES][64];
	int n = argc - 1, code = 0, rc;
	bool got;
	tf_err err;

	if (n < 2 || n > MAX_NODES)
		prog_skip(&loc, "usage: hosts_net NODE NODE [NODE...]");
	for (int i = 0; i < n; i++) {
		tf_file pre;
		tf_spawn_opts so = { .files = &pre, .nfiles = 1 };
		tf_spawn_opts co = { .sleep = true };

		nodes[i] = tf_location_node(loc, argv[i + 1], &err);
		if (nodes[i] == NULL)
			prog_bail(&loc, argv[i + 1], &err);
		snprintf(body[i], sizeof body[i], "Hi from %s", argv[i + 1]);
		pre = (tf_file){ "/usr/share/nginx/html/index.html", body[i],
		    strlen(body[i]) };
		server[i] = prog_spawn(loc, nodes[i], "nginx", &so);
		client[i] = prog_spawn(loc, nodes[i], "busybox", &co);
	}
	for (int i = 0; i < n; i++)
		node_checks(loc, nodes[i], server[i], client[i], body[i]);

	for (int i = 0; i < n; i++) {
		int j = (i + 1) % n;
		tf_container *s = server[i], *c = client[j];
		const char *sip = tf_container_ip(s);
		const char *a = argv[i + 1], *b = argv[j + 1];

		rc = tf_container_wait_tcp(s, 80, 30000, &err);
		prog_check(rc == 0, "%s: nginx listens", a);
		got = fetch_from(c, sip, body[i], &code);
		prog_check(!got,
		    "default deny across nodes: a client on %s cannot reach "
		    "nginx on %s (exit %d)", b, a, code);
		rc = tf_container_allow_connection_from(s, c, &err);
		prog_check(rc == 0, "allow_connection_from across nodes%s%s",
		    rc ? ": " : "", rc ? err.msg : "");
		got = fetch_from(c, sip, body[i], &code);
		prog_check(got,
		    "after allow the client on %s gets the page from %s "
		    "(exit %d)", b, a, code);
		prog_check(!fetch_from(client[i], sip, body[i], &code),
		    "a bystander on %s itself is still refused", a);
		rc = tf_container_disallow_connection_from(s, c, &err);
		prog_check(rc == 0 && !fetch_from(c, sip, body[i], &code),
		    "after disallow the client on %s is refused again", b);
	}

	/* The allowance dies with the client (another node's container). */
	rc = tf_container_allow_connection_from(server[0], client[1], &err);
	prog_check(rc == 0 && fetch_from(client[1],
	    tf_container_ip(server[0]), body[0], &code),
	    "allowed again before the client goes");
	prog_value("server", "%s", tf_container_id(server[0]));
	prog_value("client_ip", "%s", tf_container_ip(client[1]));
	prog_step(loc, "allowed", 0);
	prog_step_done("allowed");
	rc = tf_container_destroy(client[1], &err);
	prog_check(rc == 0, "destroy the client on %s", argv[2]);
	prog_note("client destroyed");
	prog_step(loc, "destroyed", 0);
	prog_step_done("destroyed");
	/* And the bystander is still refused by the server it never got. */
	bystander = client[0];
	prog_check(!fetch_from(bystander, tf_container_ip(server[0]),
	    body[0], &code), "the server still refuses the bystander");
	tf_location_destroy(&loc);
	return prog_finish();
}
