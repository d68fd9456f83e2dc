/* SPDX-License-Identifier: BSD-2-Clause */
/* cli_common.c: connecting with a saved account (directly or through the
 * SDK), and account creation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tf_enrol.h"
#include "tf_util.h"

int
cli_connect(struct cli_conn *cc, const char *prog, const char *location,
	    const char *address, int timeout_ms)
{
	tf_err err;

	memset(cc, 0, sizeof *cc);
	if (tf_account_load(&cc->acct, location, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return -1;
	}
	if (address != NULL && tf_endpoint_from_location(address, 0,
	    cc->acct.endpoint, sizeof cc->acct.endpoint) != 0) {
		fprintf(stderr, "%s: '%s' is not a usable address\n", prog, address);
		return -1;
	}
	cc->loop = tf_loop_new();
	cc->conn = tf_conn_new_account(cc->loop, &cc->acct, prog, &err);
	if (cc->conn == NULL || tf_conn_wait_up(cc->conn, timeout_ms, &err) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, cc->acct.location, err.msg);
		cli_disconnect(cc);
		return -1;
	}
	return 0;
}

void
cli_disconnect(struct cli_conn *cc)
{
	tf_conn_destroy(&cc->conn);
	tf_loop_destroy(&cc->loop);
	tf_keypair_wipe(&cc->acct.keys);
}

struct offer_wait {
	bool done;
	tf_reply *out;
};

static void
cli_offer_push_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct offer_wait *w = arg;

	if (w->done || strcmp(m->cmd, "offer") != 0)
		return;
	tf_reply_copy(w->out, m);
	w->done = true;
}

int
cli_wait_offer(struct cli_conn *cc, tf_reply *offer, int timeout_ms)
{
	struct offer_wait w = { false, offer };
	tf_out o;
	tf_err err;

	/* The offer was pushed right after the welcome, possibly before we
	 * listened: ask for a fresh one by saying hello again is heavy, so
	 * the location also answers "offer" on demand. */
	tf_conn_on_push(cc->conn, cli_offer_push_cb, &w);
	tf_out_init(&o, "offer");
	if (tf_conn_call(cc->conn, &o, NULL, 0, timeout_ms, NULL, &err) != 0 &&
	    !w.done) {
		fprintf(stderr, "offer: %s\n", err.msg);
		return -1;
	}
	if (tf_loop_wait_flag(cc->loop, &w.done, timeout_ms) != 0)
		return -1;
	tf_conn_on_push(cc->conn, NULL, NULL);
	return 0;
}

tf_location *
cli_location_open(const char *prog, const char *location, const char *address)
{
	tf_location_opts o;
	tf_location *loc;
	tf_err err;

	memset(&o, 0, sizeof o);
	o.location = location;
	o.address = address;
	o.program = prog;
	o.timeout_ms = 15000;
	loc = tf_location_new(&o, &err);
	if (loc == NULL)
		fprintf(stderr, "%s: %s\n", prog, err.msg);
	return loc;
}

int
cli_account_create(const char *prog, const char *location, const char *token,
		   const char *address)
{
	tf_account acct;
	tf_err err;

	if (tf_account_enrol(location, address, token, 10000, &acct, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return -1;
	}
	if (tf_account_save(&acct, true, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		tf_keypair_wipe(&acct.keys);
		return -1;
	}
	tf_keypair_wipe(&acct.keys);
	printf("Created OK for: %s\n", location);
	return 0;
}

int
cli_bool(const char *s)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "0") == 0)
		return 0;
	return -1;
}
