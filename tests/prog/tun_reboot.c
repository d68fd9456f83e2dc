/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_reboot: a tunnel survives a reboot of its container (issue 5), with
 * and without resetting the filesystem (the seeds' reset example): the
 * same local port serves the changed page before, the changed page after
 * a plain reboot, and nginx's own page again after a reboot with reset.
 * A connection that was open across the reboot is closed, not left hanging.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"

#define INDEX "/usr/share/nginx/html/index.html"

struct get {
	int port;
	int status;
	char *body;
	int tries;
};

/* Retries for a while: the server inside takes a moment to listen again. */
static void *
get_main(void *arg)
{
	struct get *g = arg;

	for (g->tries = 1; g->tries <= 100; g->tries++) {
		free(g->body);
		g->body = NULL;
		g->status = prog_http_get(g->port, "/", NULL, &g->body, NULL);
		if (g->status == 200)
			break;
		usleep(100000);
	}
	return NULL;
}

static int
get(tf_location *loc, int port, char **body)
{
	struct get g = { .port = port };

	if (prog_run_bg(loc, get_main, &g, 60000) != 0)
		return -2;
	*body = g.body;
	return g.status;
}

/* An idle connection opened before a reboot: does it end afterwards? */
struct idle {
	int port;
	bool ended;
};

static void *
idle_main(void *arg)
{
	struct idle *i = arg;
	int fd = prog_tcp_connect(i->port);
	char buf[256];

	if (fd < 0)
		return NULL;
	/* nginx waits for a request; the read ends when the connection is
	 * closed (or after the socket's 30 s timeout). */
	i->ended = read(fd, buf, sizeof buf) >= 0;
	close(fd);
	return NULL;
}

/* The tunnel has a connection open (counted by the location). */
static bool
one_conn(void *arg)
{
	tf_tunnel *t = arg;
	const tf_model_tunnel *mt = tf_model_tunnel_find(
	    tf_location_model(tf_container_location(tf_tunnel_container(t))),
	    tf_tunnel_id(t));

	return mt != NULL && mt->conns >= 1;
}

int
main(void)
{
	tf_location *loc = prog_connect("tun_reboot");
	tf_node *node = prog_node(loc);
	tf_container *c;
	tf_tunnel *t;
	char *body = NULL, ip[48];
	tf_err err;
	int st, rc, port;

	c = prog_spawn(loc, node, "nginx", NULL);
	snprintf(ip, sizeof ip, "%s", tf_container_ip(c));
	t = tf_container_attach_tunnel(c, 80, 0, NULL, &err);
	if (t == NULL)
		prog_bail(&loc, "attach_tunnel", &err);
	port = tf_tunnel_localport(t);
	rc = tf_container_put(c, INDEX, "changed", 7, 0, &err);
	prog_check(rc == 0, "put a new index.html");
	st = get(loc, port, &body);
	prog_check(st == 200 && body && strcmp(body, "changed") == 0,
	    "the tunnel serves it (status %d)", st);
	free(body);

	rc = tf_container_reboot(c, false, &err);
	prog_check(rc == 0, "reboot%s%s", rc ? ": " : "", rc ? err.msg : "");
	prog_check(strcmp(ip, tf_container_ip(c)) == 0,
	    "the address stays (%s)", tf_container_ip(c));
	st = get(loc, port, &body);
	prog_check(st == 200 && body && strcmp(body, "changed") == 0,
	    "after a reboot the same tunnel serves the changed page (status %d)",
	    st);
	free(body);

	{
		pthread_t th;
		struct idle i = { .port = port };
		uint64_t t0;

		pthread_create(&th, NULL, idle_main, &i);
		prog_wait(loc, one_conn, t, 5000);
		t0 = prog_now_ms();
		rc = tf_container_reboot(c, true, &err);
		prog_check(rc == 0, "reboot with reset%s%s", rc ? ": " : "",
		    rc ? err.msg : "");
		while (!i.ended && prog_now_ms() - t0 < 10000)
			tf_location_sleep(loc, 50);
		prog_check(i.ended, "a connection open across the reboot was "
		    "closed (after %.1f s)", (double)(prog_now_ms() - t0) / 1000);
		if (!i.ended) {
			pthread_detach(th);
		} else {
			pthread_join(th, NULL);
		}
	}
	st = get(loc, port, &body);
	prog_check(st == 200 && body && strstr(body, "Welcome to nginx!") != NULL,
	    "after a reboot with reset the same tunnel serves nginx's own page "
	    "again (status %d)", st);
	free(body);
	{
		uint8_t *data;
		size_t len;

		rc = tf_container_fetch(c, INDEX, &data, &len, &err);
		prog_check(rc == 0 && memmem(data, len, "nginx", 5) != NULL,
		    "fetch agrees: the reset restored the image's file");
		if (rc == 0)
			free(data);
	}
	/* And again, to be sure it was not a one-off. */
	body = NULL;
	rc = tf_container_reboot(c, true, &err);
	st = rc == 0 ? get(loc, port, &body) : -1;
	prog_check(st == 200, "a second reboot with reset, the tunnel still "
	    "works (status %d)", st);
	free(body);
	tf_location_destroy(&loc);
	return prog_finish();
}
