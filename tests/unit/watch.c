/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * watch: a long-lived test client.  Connects with the account in $TF_DIR,
 * prints every push event as one JSON line on stdout ("offer", "node",
 * "node_gone", "container" ...) and every connection state change as
 * "state <name>" so integration tests can wait for what they expect.  It
 * keeps its session across breaks (tf_conn resumes it), which is what the
 * resumption tests watch for.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tf_conn.h"
#include "tf_log.h"

static void
watch_push_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	char *json = tf_obj_to_json(m->params, false);

	printf("%s %s\n", m->cmd, json);
	fflush(stdout);
	free(json);
	if (m->id != 0)
		tf_conn_reply_error(c, m->id, "watch serves nothing");
}

static void
watch_state_cb(tf_conn *c, tf_conn_state st, const char *why, void *arg)
{
	printf("state %s %s %s\n", tf_conn_state_name(st), tf_conn_session(c),
	    why ? why : "");
	fflush(stdout);
}

static int
watch_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct signalfd_siginfo si;

	(void)!read(fd, &si, sizeof si);
	return -1;
}

int
main(void)
{
	tf_account acct;
	tf_loop *loop;
	tf_conn *conn;
	tf_err err;
	sigset_t mask;
	int sfd;

	tf_log_setup(TF_LOG_WARN, "watch", stderr);
	if (tf_account_load(&acct, NULL, &err) != 0) {
		fprintf(stderr, "watch: %s\n", err.msg);
		return 1;
	}
	loop = tf_loop_new();
	conn = tf_conn_new_account(loop, &acct, "watch", &err);
	if (conn == NULL) {
		fprintf(stderr, "watch: %s\n", err.msg);
		return 1;
	}
	tf_conn_on_push(conn, watch_push_cb, NULL);
	tf_conn_on_state(conn, watch_state_cb, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tf_loop_add_fd(loop, sfd, TF_READ, watch_signal_cb, NULL);
	tf_loop_run(loop);
	tf_conn_destroy(&conn);
	tf_loop_destroy(&loop);
	close(sfd);
	return 0;
}
