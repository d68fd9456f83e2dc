/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * web_cluster: a cluster of three nginx containers, each serving its own
 * index page ("member N"), published at the FQDN given as argv[1] through
 * the location's HAProxy (issue 18; tests/integration/test_web.sh sends
 * the requests with curl).  It prints "# member0=<id>"... and "# ready",
 * then on the script's steps:
 *
 *   refuse   another account ($WEB_OTHER_DIR) and malformed names are
 *            refused: publishing under our domain, adding our container,
 *            unpublishing our cluster; an FQDN or rewrite with characters
 *            that would reach HAProxy's configuration
 *   reboot   member 0 is rebooted (the script checks it comes back)
 *   destroy  member 2 is destroyed (the script checks it drops out)
 *   reload   member 1 leaves and comes back ten times, a reload each (the
 *            script's request loop must lose nothing)
 *   unpublish the cluster is unpublished (the script sees 404)
 *   again    it is published again, and the script kills us: garbage
 *            collection must unpublish it
 *
 * $WEB_NODES ("node1 node2 node1") puts member N on the N-th node named
 * (tests/integration/test_web_hosts.sh: members on two hosts); $WEB_ROUNDS
 * sets how many times member 1 leaves and comes back in the reload step
 * (default 10), $WEB_PAUSE_MS how long it stays out and in (default 300).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"
#include "tf_codec_web.h"

/* A raw request as another account; true when the location refuses it
 * with an error that mentions want. */
static bool
refused(tf_conn *c, const char *cmd, const tf_web_msg *w, const char *want)
{
	tf_err err = { "" };
	tf_out o;
	int rc;

	tf_out_init(&o, cmd);
	tf_web_pack(w, &o);
	rc = prog_raw_call(c, &o, NULL, &err);
	if (rc == 0 || strstr(err.msg, want) == NULL)
		prog_note("%s: rc %d, '%s' (wanted '%s')", cmd, rc, err.msg, want);
	return rc != 0 && strstr(err.msg, want) != NULL;
}

static void
test_refusals(tf_location *loc, tf_cluster *k, tf_container *mine,
	      const char *fqdn)
{
	const char *other = getenv("WEB_OTHER_DIR");
	const char *members[] = { tf_container_id(mine), NULL };
	char name[300];
	tf_conn *c;
	tf_err err;

	if (other == NULL) {
		prog_note("no WEB_OTHER_DIR: refusals not tested");
		return;
	}
	c = prog_raw_connect(loc, other);
	snprintf(name, sizeof name, "x.%s", fqdn);
	prog_check(refused(c, "web_publish", &(tf_web_msg){ .fqdn = name },
	    "held by another"), "another account cannot publish under our "
	    "domain");
	prog_check(refused(c, "web_publish", &(tf_web_msg){ .fqdn = fqdn },
	    "held by another"), "nor at our FQDN");
	prog_check(refused(c, "web_add", &(tf_web_msg){
	    .cluster = tf_cluster_id(k), .container = members[0] },
	    "no cluster"), "nor add to our cluster");
	prog_check(refused(c, "web_unpublish", &(tf_web_msg){
	    .cluster = tf_cluster_id(k) }, "no cluster"),
	    "nor unpublish it");
	prog_check(refused(c, "web_publish", &(tf_web_msg){
	    .fqdn = "www.other.test", .containers = members, .n_containers = 1 },
	    "no container"), "nor put our container in its own cluster");
	tf_conn_destroy(&c);

	/* Our own malformed names. */
	snprintf(name, sizeof name, "a\n\tserver x 1.2.3.4:80\n.%s", fqdn);
	{
		tf_cluster *bad = tf_cluster_new(loc, NULL);

		prog_check(tf_cluster_publish(bad, name, 80, NULL, &err) != 0 &&
		    strstr(err.msg, "parameter fqdn") != NULL,
		    "an FQDN with a newline is refused (%s)", err.msg);
		prog_check(tf_cluster_publish(bad, "UPPER.other.test", 80, NULL,
		    &err) != 0, "an FQDN in upper case is refused");
		tf_cluster_destroy(&bad);
		bad = tf_cluster_new(loc, "h;x y");
		snprintf(name, sizeof name, "r.%s", fqdn);
		prog_check(tf_cluster_publish(bad, name, 80, NULL, &err) != 0 &&
		    strstr(err.msg, "rewrite") != NULL,
		    "a malformed rewrite is refused (%s)", err.msg);
		tf_cluster_destroy(&bad);
		bad = tf_cluster_new(loc, NULL);
		prog_check(tf_cluster_publish(bad, "www.nobody.test", 80, NULL,
		    &err) != 0 && strstr(err.msg, "no domain") != NULL,
		    "a name under no domain is refused (%s)", err.msg);
		tf_cluster_destroy(&bad);
	}
}

int
main(int argc, char **argv)
{
	const char *fqdn = argc > 1 ? argv[1] : "www.example.test";
	tf_location *loc = prog_connect("web_cluster");
	tf_node *node = prog_node(loc);
	const char *nodes = getenv("WEB_NODES");
	const char *rounds_env = getenv("WEB_ROUNDS");
	int rounds = rounds_env != NULL ? atoi(rounds_env) : 10;
	int pause = getenv("WEB_PAUSE_MS") != NULL ?
	    atoi(getenv("WEB_PAUSE_MS")) : 300;
	tf_container *m[3];
	tf_cluster *k;
	tf_err err;
	char key[32];

	k = tf_cluster_new(loc, NULL);
	for (int i = 0; i < 3; i++) {
		char page[32];
		int n = snprintf(page, sizeof page, "member %d\n", i);
		tf_file f = { "/usr/share/nginx/html/index.html", page,
		    (size_t)n };
		tf_spawn_opts so = { .files = &f, .nfiles = 1 };
		tf_node *on = node;
		char name[64] = "";

		if (nodes != NULL &&
		    sscanf(nodes, i == 0 ? "%63s" : i == 1 ? "%*s %63s" :
		    "%*s %*s %63s", name) == 1) {
			on = tf_location_node(loc, name, &err);
			if (on == NULL)
				prog_bail(&loc, name, &err);
		}
		m[i] = prog_spawn(loc, on, "nginx", &so);
		if (tf_container_wait_tcp(m[i], 80, 30000, &err) != 0 ||
		    tf_cluster_add(k, m[i], &err) != 0)
			prog_bail(&loc, "nginx member", &err);
		snprintf(key, sizeof key, "member%d", i);
		prog_value(key, "%s", tf_container_id(m[i]));
	}
	prog_check(tf_cluster_publish(k, fqdn, 80, NULL, &err) == 0,
	    "published three nginx at %s (%s)", fqdn, err.msg);
	prog_value("cluster", "%s", tf_cluster_id(k));
	prog_check(tf_cluster_wait_http_200(k, 30000, &err) == 0,
	    "wait_http_200 through the balancer (%s)", err.msg);
	prog_note("ready");

	if (!prog_step(loc, "refuse", 0))
		prog_bail(&loc, "step refuse", NULL);
	test_refusals(loc, k, m[0], fqdn);
	prog_step_done("refuse");

	if (!prog_step(loc, "reboot", 0))
		prog_bail(&loc, "step reboot", NULL);
	prog_check(tf_container_reboot(m[0], false, &err) == 0 &&
	    tf_container_wait_tcp(m[0], 80, 30000, &err) == 0,
	    "member 0 rebooted (%s)", err.msg);
	prog_step_done("reboot");

	if (!prog_step(loc, "destroy", 0))
		prog_bail(&loc, "step destroy", NULL);
	prog_check(tf_container_destroy(m[2], &err) == 0,
	    "member 2 destroyed (%s)", err.msg);
	prog_step_done("destroy");

	if (!prog_step(loc, "reload", 0))
		prog_bail(&loc, "step reload", NULL);
	for (int i = 0; i < rounds; i++) {
		if (tf_cluster_remove(k, m[1], &err) != 0 ||
		    (tf_location_sleep(loc, pause), 0) ||
		    tf_cluster_add(k, m[1], &err) != 0) {
			prog_check(false, "member 1 out and in: %s", err.msg);
			break;
		}
		tf_location_sleep(loc, pause);
	}
	prog_step_done("reload");

	if (!prog_step(loc, "unpublish", 0))
		prog_bail(&loc, "step unpublish", NULL);
	prog_check(tf_cluster_unpublish(k, &err) == 0, "unpublished (%s)",
	    err.msg);
	prog_step_done("unpublish");

	if (!prog_step(loc, "again", 0))
		prog_bail(&loc, "step again", NULL);
	prog_check(tf_cluster_publish(k, fqdn, 80, NULL, &err) == 0,
	    "published again (%s)", err.msg);
	prog_step_done("again");
	/* The script kills us here: garbage collection's turn. */
	tf_location_sleep(loc, 600000);
	tf_cluster_destroy(&k);
	tf_location_destroy(&loc);
	return prog_finish();
}
