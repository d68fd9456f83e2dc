/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rec_holder: a live session through a location restart and a node death
 * (issue 6, "Recovery").  It makes a tagged volume with a file, a KV pair,
 * and a tagged busybox httpd mounting the volume, with a tunnel to it;
 * prints its ids and "# ready"; then follows the script's steps:
 *
 * (Steps are named TAG-restarted, TAG-nodekilled and TAG-nodeback, so that
 * several holders can run at once.)
 *
 *   restarted   the location was restarted: we resumed the same session,
 *               the container kept running (the same process since
 *               boot), the tunnel we had still serves, new requests work
 *   nodekilled  the node was killed: we are told the container's node
 *               was lost (not that it was destroyed), and its tunnel is
 *               gone
 *   nodeback    the node is back and adopted it: it runs again (the same
 *               process since boot), a new tunnel serves; once destroyed,
 *               the volume and its data are there for a new container
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

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

static int
get(tf_location *loc, int port, char **body)
{
	struct get g = { .port = port };

	if (prog_run_bg(loc, get_main, &g, 40000) != 0)
		return -2;
	*body = g.body;
	return g.status;
}

static bool
connected(void *arg)
{
	return strcmp(tf_location_state(arg), "connected") == 0;
}

static bool
node_up(void *arg)
{
	tf_node_stats st;

	return tf_node_stats_get(arg, &st) == 0 && st.up;
}

static bool
is_running(void *arg)
{
	return tf_container_state(arg) == TF_CTR_RUNNING;
}

static bool
is_lost(void *arg)
{
	return tf_container_state(arg) == TF_CTR_LOST;
}

int
main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "rec";
	tf_location *loc = prog_connect("rec_holder");
	tf_node *node = prog_node(loc);
	prog_ended e = { 0 };
	char vtag[96], session[64], boot[64], *s = NULL, *body = NULL;
	char s_restarted[96], s_killed[96], s_back[96];
	tf_container *c, *d;
	tf_tunnel *t, *t2;
	tf_volume *v;
	uint8_t *data;
	size_t len;
	tf_err err;
	int rc, st, port;

	snprintf(vtag, sizeof vtag, "%s-vol", tag);
	snprintf(s_restarted, sizeof s_restarted, "%s-restarted", tag);
	snprintf(s_killed, sizeof s_killed, "%s-nodekilled", tag);
	snprintf(s_back, sizeof s_back, "%s-nodeback", tag);
	v = tf_location_create_volume(loc, node, vtag, &err);
	if (v == NULL)
		prog_bail(&loc, "create_volume", &err);
	{
		tf_file pre[] = { { "/www/index.html", "recovered", 9 } };
		tf_mount m[] = { { v, NULL, "/data" } };
		tf_spawn_opts so = { .tag = tag, .files = pre, .nfiles = 1,
		    .mounts = m, .nmounts = 1, .on_end = prog_on_end,
		    .on_end_arg = &e, .command = (const char *const[]){ "sh",
		    "-c", "echo $$ > /tmp/pid; date +%s%N > /tmp/boot; "
		    "exec httpd -f -p 80 -h /www", NULL } };

		c = prog_spawn(loc, node, "busybox", &so);
	}
	rc = tf_container_put(c, "/data/kept", "volume data", 11, 0, &err);
	rc |= tf_kv_set1(loc, "rec/key", "kv value", &err);
	t = rc == 0 ? tf_container_attach_tunnel(c, 80, 0, NULL, &err) : NULL;
	if (t == NULL || tf_container_wait_tcp(c, 80, 30000, &err) != 0)
		prog_bail(&loc, "setting up", &err);
	port = tf_tunnel_localport(t);
	st = get(loc, port, &body);
	prog_check(st == 200 && body && strcmp(body, "recovered") == 0,
	    "the tunnel serves the page");
	free(body);
	rc = tf_container_fetch(c, "/tmp/boot", &data, &len, &err);
	snprintf(boot, sizeof boot, "%s", rc == 0 ? (char *)data : "");
	if (rc == 0)
		free(data);
	snprintf(session, sizeof session, "%s", tf_location_session(loc));
	prog_value("session", "%s", session);
	prog_value("container", "%s", tf_container_id(c));
	prog_value("tunnel", "%s", tf_tunnel_id(t));
	prog_value("volume", "%s", tf_volume_id(v));
	prog_value("localport", "%d", port);
	prog_note("ready");

	/* The location was restarted. */
	if (!prog_step(loc, s_restarted, 0))
		prog_bail(&loc, "waiting for the restart", NULL);
	prog_check(prog_wait(loc, connected, loc, 20000) &&
	    strcmp(tf_location_session(loc), session) == 0,
	    "after the location restart we are connected in the same session "
	    "(%s)", tf_location_session(loc));
	prog_check(tf_container_state(c) == TF_CTR_RUNNING && e.calls == 0,
	    "our container is still running (state %d)",
	    (int)tf_container_state(c));
	rc = tf_container_fetch(c, "/tmp/boot", &data, &len, &err);
	prog_check(rc == 0 && strcmp((char *)data, boot) == 0,
	    "it was not restarted (the same boot stamp)%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	if (rc == 0)
		free(data);
	rc = prog_sh(c, "kill -0 $(cat /tmp/pid) && echo alive", &s);
	prog_check(rc == 0 && s && strcmp(s, "alive\n") == 0,
	    "its first process still runs");
	free(s);
	st = get(loc, port, &body);
	prog_check(st == 200 && body && strcmp(body, "recovered") == 0,
	    "the tunnel made before the restart still serves (status %d)", st);
	free(body);
	t2 = tf_container_attach_tunnel(c, 80, 0, NULL, &err);
	st = t2 ? get(loc, tf_tunnel_localport(t2), &body) : -1;
	prog_check(st == 200, "a new tunnel works (status %d)%s%s", st,
	    t2 ? "" : ": ", t2 ? "" : err.msg);
	free(body);
	rc = tf_volume_snapshot(v, &err);
	prog_check(rc == 0, "volume requests work%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	prog_step_done(s_restarted);

	/* The node was killed. */
	if (!prog_step(loc, s_killed, 0))
		prog_bail(&loc, "waiting for the node's death", NULL);
	prog_check(prog_wait(loc, is_lost, c, 15000) && e.calls == 0,
	    "we are told our container's node was lost, not that it was "
	    "destroyed (state %s)", tf_model_ctr_state_name(
	    tf_container_state(c)));
	prog_check(tf_model_container_find(tf_location_model(loc),
	    tf_container_id(c)) == NULL ||
	    tf_model_container_find(tf_location_model(loc),
	    tf_container_id(c))->state != TF_CTR_RUNNING,
	    "the offer no longer has it running");
	prog_check(!prog_tcp_accepts(port) || get(loc, port, &body) != 200,
	    "its tunnel no longer serves");
	prog_check(tf_volume_exists(v), "the volume is still listed");
	prog_step_done(s_killed);

	/* The node is back. */
	if (!prog_step(loc, s_back, 0))
		prog_bail(&loc, "waiting for the node", NULL);
	prog_check(prog_wait(loc, node_up, node, 20000), "the node is up again");
	prog_check(prog_wait(loc, is_running, c, 15000) && e.calls == 0,
	    "the node came back with it: running again, never ended (state "
	    "%s)", tf_model_ctr_state_name(tf_container_state(c)));
	rc = tf_container_fetch(c, "/tmp/boot", &data, &len, &err);
	prog_check(rc == 0 && strcmp((char *)data, boot) == 0,
	    "it was adopted, not restarted (the same boot stamp)%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0)
		free(data);
	rc = prog_sh(c, "kill -0 $(cat /tmp/pid) && echo alive", &s);
	prog_check(rc == 0 && s && strcmp(s, "alive\n") == 0,
	    "its first process still runs");
	free(s);
	t2 = tf_container_attach_tunnel(c, 80, 0, NULL, &err);
	st = t2 ? get(loc, tf_tunnel_localport(t2), &body) : -1;
	prog_check(st == 200 && body && strcmp(body, "recovered") == 0,
	    "a new tunnel to it serves the page (status %d)%s%s", st,
	    t2 ? "" : ": ", t2 ? "" : err.msg);
	free(body);
	rc = tf_container_destroy(c, &err);
	prog_check(rc == 0 && prog_wait(loc, prog_has_ended, &e, 15000) &&
	    e.state == TF_CTR_DESTROYED, "the adopted container can be "
	    "destroyed%s%s", rc ? ": " : "", rc ? err.msg : "");
	{
		tf_mount m[] = { { NULL, vtag, "/again" } };
		tf_spawn_opts so = { .mounts = m, .nmounts = 1, .sleep = true };

		d = tf_node_spawn_container(node, "busybox", &so, &err);
	}
	rc = d ? tf_container_fetch(d, "/again/kept", &data, &len, &err) : -1;
	prog_check(rc == 0 && len == 11 && memcmp(data, "volume data", 11) == 0,
	    "a new container mounts the volume and finds its data%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0)
		free(data);
	if (d != NULL)
		tf_container_destroy(d, &err);
	rc = tf_location_destroy_volume(loc, v, &err);
	prog_check(rc == 0, "and the volume can be destroyed%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	prog_step_done(s_back);
	tf_location_destroy(&loc);
	return prog_finish();
}
