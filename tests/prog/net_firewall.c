/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_firewall: the container firewall (issue 5, "Firewall") as in the
 * seeds' multi-container example: traffic into a container is dropped by
 * default; allow_connection_from(client) opens exactly the client's
 * address (a bystander stays shut out); disallow closes it again; the
 * server's own loopback and address always work; established traffic
 * flows back to the client although the client's firewall is closed too.
 *
 * busybox wget is wrapped in `timeout` (its -T crashes in Debian's static
 * busybox).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define BODY "Hi!"

/* wget from c to url; true when it printed the page. */
static bool
fetch_from(tf_container *c, const char *host, int *code)
{
	char cmd[256], *out = NULL;
	bool got;

	snprintf(cmd, sizeof cmd, "timeout 3 wget -q -O - http://%s/", host);
	*code = prog_sh(c, cmd, &out);
	got = *code == 0 && out != NULL && strcmp(out, BODY) == 0;
	free(out);
	return got;
}

int
main(void)
{
	tf_location *loc = prog_connect("net_firewall");
	tf_node *node = prog_node(loc);
	tf_file preboot[] = { { "/usr/share/nginx/html/index.html", BODY,
	    sizeof BODY - 1 } };
	tf_spawn_opts server_opts = { .files = preboot, .nfiles = 1 };
	tf_spawn_opts client_opts = { .sleep = true };
	tf_container *server, *client, *bystander;
	const char *sip;
	tf_err err;
	int code = 0, rc;
	bool got;

	server = prog_spawn(loc, node, "nginx", &server_opts);
	client = prog_spawn(loc, node, "busybox", &client_opts);
	bystander = prog_spawn(loc, node, "busybox", &client_opts);
	sip = tf_container_ip(server);
	rc = tf_container_wait_tcp(server, 80, 30000, &err);
	prog_check(rc == 0, "nginx listens (wait_tcp)%s%s", rc ? ": " : "",
	    rc ? err.msg : "");

	got = fetch_from(client, sip, &code);
	prog_check(!got && code != 0,
	    "default deny: the client cannot reach the server (exit %d)", code);
	prog_check(!fetch_from(bystander, sip, &code),
	    "nor can a bystander");
	got = fetch_from(server, "127.0.0.1", &code);
	prog_check(got,
	    "the server reaches itself over loopback (exit %d)", code);
	got = fetch_from(server, sip, &code);
	prog_check(got,
	    "and over its own address (exit %d)", code);

	rc = tf_container_allow_connection_from(server, client, &err);
	prog_check(rc == 0, "allow_connection_from%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	got = fetch_from(client, sip, &code);
	prog_check(got,
	    "after allow the client gets the page (exit %d)", code);
	got = fetch_from(client, sip, &code);
	prog_check(got,
	    "and again (exit %d)", code);
	got = fetch_from(bystander, sip, &code);
	prog_check(!got,
	    "allow opened exactly the client's address: the bystander is "
	    "still refused (exit %d)", code);
	/* The reverse direction was not opened. */
	{
		char cmd[128], *out = NULL;

		prog_sh(client, "nc -ll -p 8080 -e echo reverse >/dev/null "
		    "2>&1 &", NULL);
		code = prog_sh(client, "timeout 3 nc 127.0.0.1 8080 </dev/null",
		    &out);
		if (out != NULL)
			out[strcspn(out, "\n")] = '\0';
		prog_check(out != NULL && strstr(out, "reverse") != NULL,
		    "the client listens on 8080 (from inside: '%s')",
		    out ? out : "");
		free(out);
		snprintf(cmd, sizeof cmd, "timeout 3 nc %s 8080 </dev/null",
		    tf_container_ip(client));
		code = prog_sh(server, cmd, &out);
		prog_check(out == NULL || strstr(out, "reverse") == NULL,
		    "allow is one-way: the server still cannot connect to the "
		    "client");
		free(out);
	}

	rc = tf_container_allow_connection_from(server, client, &err);
	prog_check(rc == 0, "allowing twice is harmless%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	rc = tf_container_disallow_connection_from(server, client, &err);
	prog_check(rc == 0, "disallow_connection_from%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	got = fetch_from(client, sip, &code);
	prog_check(!got,
	    "after disallow the client is refused again (exit %d)", code);
	got = fetch_from(server, sip, &code);
	prog_check(got,
	    "the server still reaches itself (exit %d)", code);
	rc = tf_container_allow_connection_from(server, client, &err);
	prog_check(rc == 0 && fetch_from(client, sip, &code),
	    "allow after disallow opens it again");
	rc = tf_container_allow_connection_from(server, bystander, &err);
	prog_check(rc == 0 && fetch_from(bystander, sip, &code) &&
	    fetch_from(client, sip, &code),
	    "two allowed sources both get through");

	/* Errors are values. */
	rc = tf_container_destroy(bystander, &err);
	prog_check(rc == 0, "destroy the bystander");
	rc = tf_container_allow_connection_from(server, bystander, &err);
	prog_check(rc == -1, "allowing a destroyed container is an error: %s",
	    err.msg);
	rc = tf_container_allow_connection_from(bystander, client, &err);
	prog_check(rc == -1, "so is opening a destroyed container: %s",
	    err.msg);
	tf_location_destroy(&loc);
	return prog_finish();
}
