/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gc_holder: a client the garbage-collection tests stop and continue
 * (issue 6, "Garbage collection").  It makes a container that streams a
 * counter (one line every 20 ms) on port 5000, a tunnel to it, a tagged
 * volume, and reads the stream through the tunnel on a thread, checking
 * that no line is lost or repeated.  It prints its ids ("# session=..."
 * etc.) and "# ready", then waits for the script's step "after".
 *
 *   gc_holder short   the script stopped us for less than the grace
 *                     period: same session, the container still runs, the
 *                     stream went on without a gap, new connections work
 *   gc_holder long    we were stopped past the grace period: a new
 *                     session, the container and tunnel are gone (and we
 *                     were told), the volume is still there
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prog.h"

static const char stream_sh[] =
    "i=0\n"
    "while echo $i; do i=$((i + 1)); usleep 20000; done\n";

struct reader {
	int fd;
	long next;		/* the number expected next */
	long lines, gaps, first_gap_at, first_gap_got;
	bool eof, stop;
	pthread_mutex_t mu;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	char buf[4096], line[64];
	size_t ll = 0;

	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;	/* SIGSTOP and SIGCONT can do that */
		if (n <= 0) {
			pthread_mutex_lock(&r->mu);
			r->eof = true;
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		pthread_mutex_lock(&r->mu);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof line - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (atol(line) != r->next) {
				if (r->gaps++ == 0) {
					r->first_gap_at = r->next;
					r->first_gap_got = atol(line);
				}
			}
			r->next = atol(line) + 1;
			r->lines++;
		}
		pthread_mutex_unlock(&r->mu);
	}
}

static void
reader_get(struct reader *r, long *lines, long *gaps, bool *eof)
{
	pthread_mutex_lock(&r->mu);
	*lines = r->lines;
	*gaps = r->gaps;
	*eof = r->eof;
	pthread_mutex_unlock(&r->mu);
}

static bool
reader_eof(void *arg)
{
	struct reader *r = arg;
	bool eof;

	pthread_mutex_lock(&r->mu);
	eof = r->eof;
	pthread_mutex_unlock(&r->mu);
	return eof;
}

static bool
is_connected(void *arg)
{
	return strcmp(tf_location_state(arg), "connected") == 0;
}

static bool
session_changed(void *arg)
{
	void **a = arg;

	return is_connected(a[0]) &&
	    strcmp(tf_location_session(a[0]), a[1]) != 0;
}

int
main(int argc, char **argv)
{
	bool lng = argc > 1 && strcmp(argv[1], "long") == 0;
	tf_location *loc = prog_connect(lng ? "gc_long" : "gc_short");
	tf_node *node = prog_node(loc);
	tf_file pre[] = { { "/srv/stream.sh", stream_sh, sizeof stream_sh - 1 } };
	prog_ended e = { 0 };
	tf_spawn_opts so = { .files = pre, .nfiles = 1, .on_end = prog_on_end,
	    .on_end_arg = &e, .command = (const char *const[]){ "nc", "-ll",
	    "-p", "5000", "-e", "sh", "/srv/stream.sh", NULL } };
	struct reader r = { .fd = -1 };
	char session[64], vtag[64], cid[64];
	long lines0, lines1, gaps;
	bool eof;
	pthread_t th;
	tf_container *c;
	tf_tunnel *t;
	tf_volume *v;
	tf_err err;
	int port;

	pthread_mutex_init(&r.mu, NULL);
	snprintf(vtag, sizeof vtag, "gc-%d", (int)getpid());
	v = tf_location_create_volume(loc, node, vtag, &err);
	c = v != NULL ? prog_spawn(loc, node, "busybox", &so) : NULL;
	if (c == NULL || tf_container_wait_tcp(c, 5000, 30000, &err) != 0)
		prog_bail(&loc, "setting up", &err);
	t = tf_container_attach_tunnel(c, 5000, 0, NULL, &err);
	if (t == NULL)
		prog_bail(&loc, "attach_tunnel", &err);
	port = tf_tunnel_localport(t);
	r.fd = prog_tcp_connect(port);
	if (r.fd < 0)
		prog_bail(&loc, "connect through the tunnel", NULL);
	pthread_create(&th, NULL, reader_main, &r);
	tf_location_sleep(loc, 1000);
	reader_get(&r, &lines0, &gaps, &eof);
	prog_check(lines0 > 10 && gaps == 0, "the stream flows through the "
	    "tunnel (%ld lines in a second)", lines0);
	snprintf(session, sizeof session, "%s", tf_location_session(loc));
	snprintf(cid, sizeof cid, "%s", tf_container_id(c));
	prog_value("session", "%s", session);
	prog_value("container", "%s", cid);
	prog_value("tunnel", "%s", tf_tunnel_id(t));
	prog_value("volume", "%s", tf_volume_id(v));
	prog_value("localport", "%d", port);
	prog_note("ready");

	if (!prog_step(loc, "after", 0))
		prog_bail(&loc, "waiting for the step", NULL);
	if (!lng) {
		reader_get(&r, &lines0, &gaps, &eof);
		tf_location_sleep(loc, 2000);
		reader_get(&r, &lines1, &gaps, &eof);
		prog_check(strcmp(tf_location_session(loc), session) == 0 &&
		    is_connected(loc), "after the short break: the same session, "
		    "connected");
		prog_check(tf_container_state(c) == TF_CTR_RUNNING && e.calls == 0,
		    "the container still runs");
		prog_check(!eof && lines1 > lines0 + 20,
		    "the open connection carries data after the break (%ld "
		    "lines in 2 s%s)", lines1 - lines0, eof ? ", then EOF" : "");
		pthread_mutex_lock(&r.mu);
		prog_check(r.gaps == 0, "and lost nothing during it (%ld gaps; "
		    "first: expected %ld, got %ld)", r.gaps, r.first_gap_at,
		    r.first_gap_got);
		pthread_mutex_unlock(&r.mu);
		{
			prog_xfer x = { .port = port, .keep = 64,
			    .stop_after_us = 500000 };

			prog_run_bg(loc, prog_xfer_thread, &x, 5000);
			prog_check(x.received > 0 && x.got[0] == '0',
			    "a new connection through the tunnel works");
			free(x.got);
		}
	} else {
		void *a[2] = { loc, session };

		prog_check(prog_wait(loc, session_changed, a, 15000),
		    "after the long break we are connected again, in a new "
		    "session (%s)", tf_location_session(loc));
		prog_check(prog_wait(loc, prog_has_ended, &e, 10000) &&
		    e.state == TF_CTR_DESTROYED,
		    "we were told the container was destroyed (state %d)",
		    (int)tf_container_state(c));
		prog_check(prog_wait(loc, reader_eof, &r, 5000),
		    "the connection through the tunnel was closed");
		prog_check(!prog_tcp_accepts(port) || tf_model_tunnel_find(
		    tf_location_model(loc), tf_tunnel_id(t)) == NULL,
		    "the tunnel is gone");
		prog_check(tf_model_container_find(tf_location_model(loc), cid)
		    == NULL, "the new session's offer has no such container");
		prog_check(tf_volume_exists(v) &&
		    tf_location_volume(loc, vtag, &err) != NULL,
		    "the volume is still there (by tag)");
		tf_location_destroy_volume(loc, v, &err);
	}
	shutdown(r.fd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(r.fd);
	if (!lng)
		tf_location_destroy_volume(loc, v, &err);
	prog_step_done("after");
	tf_location_destroy(&loc);
	return prog_finish();
}
