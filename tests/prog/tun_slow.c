/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_slow: a fast sender and a slow reader never grow memory without
 * bound anywhere on the path (issue 5, flow control).
 *
 *   tun_slow LOCATION_PID NODE_PID
 *
 * Down: the container writes zeros as fast as it can (dd from /dev/zero; its
 * /proc/PID/io says how much it wrote) to a connection whose local reader
 * takes 16 KiB ten times a second.  Up: we write as fast as the tunnel takes it to a
 * container reader that takes 64 KiB ten times a second.  Meanwhile the
 * resident memory of tf-location, tf-node and this client is sampled; each
 * must stay within 64 MB of where it started, and the amount the fast side
 * managed to push must stay near what the slow side consumed (windows and
 * socket buffers), which shows the back-pressure reaches the source.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"

#define MB (1024.0 * 1024.0)
#define BOUND_KB (64 * 1024)

static const char fast_sh[] =
    "echo $$ > /tmp/fast.pid\n"
    "exec dd if=/dev/zero bs=65536 2>/dev/null\n";
static const char slow_sh[] =
    "n=0\n"
    "while [ \"$(head -c 65536 | wc -c)\" -gt 0 ]; do n=$((n + 1)); "
    "echo $n > /tmp/slow.t; mv /tmp/slow.t /tmp/slow; usleep 100000; done\n";
static const char main_sh[] =
    "nc -ll -p 5001 -e sh /srv/slow.sh &\n"
    "exec nc -ll -p 5000 -e sh /srv/fast.sh\n";

struct procs {
	int pid[3];
	const char *name[3];
	long base[3], max[3];
};

static void
sample(struct procs *p)
{
	for (int i = 0; i < 3; i++) {
		long kb = prog_rss_kb(p->pid[i]);

		if (kb > p->max[i])
			p->max[i] = kb;
	}
}

struct bg {
	prog_xfer *x;
	int done;
};

/* How much the fast source in c has written, while it runs. */
static double
fast_written(tf_container *c)
{
	char *out = NULL;
	double v = -1;

	if (prog_sh(c, "sed -n 's/^wchar: //p' /proc/$(cat /tmp/fast.pid)/io",
	    &out) == 0 && out != NULL && out[0] >= '0' && out[0] <= '9')
		v = atof(out);
	free(out);
	return v;
}

static void *
bg_main(void *arg)
{
	struct bg *b = arg;

	prog_xfer_run(b->x);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Runs x on a thread, sampling memory every 250 ms while the loop runs.
 * Two seconds before the end, when c is given, notes how far the fast
 * source in c is ahead of the reader (*ahead, bytes). */
static void
run_sampled(tf_location *loc, prog_xfer *x, struct procs *p, tf_container *c,
	    double *ahead, double *wrote)
{
	struct bg b = { .x = x };
	uint64_t probe_at = prog_now_ms() + x->stop_after_us / 1000 - 2000;
	pthread_t t;

	for (int i = 0; i < 3; i++)
		p->max[i] = p->base[i];
	pthread_create(&t, NULL, bg_main, &b);
	while (!__atomic_load_n(&b.done, __ATOMIC_ACQUIRE)) {
		tf_location_sleep(loc, 250);
		sample(p);
		if (c != NULL && prog_now_ms() >= probe_at) {
			*wrote = fast_written(c);
			*ahead = *wrote - (double)__atomic_load_n(&x->received,
			    __ATOMIC_RELAXED);
			c = NULL;
		}
	}
	pthread_join(t, NULL);
}

static void
report(struct procs *p, const char *what)
{
	for (int i = 0; i < 3; i++) {
		long grew = p->max[i] - p->base[i];

		prog_check(p->base[i] > 0 && grew < BOUND_KB,
		    "%s: %s stays bounded (RSS %ld -> at most %ld KiB, +%.1f MB)",
		    what, p->name[i], p->base[i], p->max[i], grew / 1024.0);
	}
}

static long
fetch_count(tf_container *c, const char *path)
{
	uint8_t *data;
	size_t len;
	tf_err err;
	long n;

	if (tf_container_fetch(c, path, &data, &len, &err) != 0)
		return -1;
	n = atol((char *)data);
	free(data);
	return n;
}

int
main(int argc, char **argv)
{
	tf_location *loc = prog_connect("tun_slow");
	tf_node *node = prog_node(loc);
	tf_file pre[] = { { "/srv/fast.sh", fast_sh, sizeof fast_sh - 1 },
	    { "/srv/slow.sh", slow_sh, sizeof slow_sh - 1 },
	    { "/srv/main.sh", main_sh, sizeof main_sh - 1 } };
	tf_spawn_opts so = { .files = pre, .nfiles = 3,
	    .command = (const char *const[]){ "sh", "/srv/main.sh", NULL } };
	struct procs p = { .name = { "tf-location", "tf-node", "the client" } };
	unsigned secs = getenv("SLOW_SECS") ? (unsigned)atoi(getenv("SLOW_SECS"))
	    : 15;
	tf_container *c;
	tf_tunnel *down, *up;
	prog_xfer x;
	long blocks;
	double ahead = -1, wrote = -1;
	tf_err err;

	if (argc != 3) {
		fprintf(stderr, "usage: tun_slow LOCATION_PID NODE_PID\n");
		return 2;
	}
	p.pid[0] = atoi(argv[1]);
	p.pid[1] = atoi(argv[2]);
	p.pid[2] = (int)getpid();
	c = prog_spawn(loc, node, "busybox", &so);
	if (tf_container_wait_tcp(c, 5000, 30000, &err) != 0 ||
	    tf_container_wait_tcp(c, 5001, 30000, &err) != 0)
		prog_bail(&loc, "the container's servers", &err);
	down = tf_container_attach_tunnel(c, 5000, 0, NULL, &err);
	up = tf_container_attach_tunnel(c, 5001, 0, NULL, &err);
	if (down == NULL || up == NULL)
		prog_bail(&loc, "attach_tunnel", &err);

	/* Warm up: one fast read of a few MB, so the baseline includes the
	 * buffers a busy connection normally holds. */
	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(down);
	x.stop_after_us = 2000000;
	prog_run_bg(loc, prog_xfer_thread, &x, 10000);
	prog_check(x.received > 1000000, "a fast reader gets data (%.1f MB in "
	    "2 s)", (double)x.received / MB);
	tf_location_sleep(loc, 500);
	for (int i = 0; i < 3; i++)
		p.base[i] = prog_rss_kb(p.pid[i]);

	/* Down: fast source, slow local reader. */
	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(down);
	x.read_delay_us = 100000;
	x.read_chunk = 16384;
	x.stop_after_us = (uint64_t)secs * 1000000;
	run_sampled(loc, &x, &p, c, &ahead, &wrote);
	prog_check(x.error == 0 && x.received > 0,
	    "down: the slow reader read %.2f MB in %u s", x.received / MB, secs);
	report(&p, "down");
	prog_check(wrote > 0 && ahead < 48 * MB, "down: the container could "
	    "only write %.1f MB ahead of the reader (it wrote %.1f MB)",
	    ahead / MB, wrote / MB);

	/* Up: fast local writer, slow container reader. */
	prog_sh(c, "rm -f /tmp/slow", NULL);
	for (int i = 0; i < 3; i++)
		p.base[i] = prog_rss_kb(p.pid[i]);
	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(up);
	x.send_len = UINT64_MAX;
	x.no_half_close = true;
	x.stop_after_us = (uint64_t)secs * 1000000;
	run_sampled(loc, &x, &p, NULL, NULL, NULL);
	blocks = fetch_count(c, "/tmp/slow");
	prog_check(x.error == 0 && blocks > 0,
	    "up: the slow container reader took %.1f MB in %u s",
	    blocks * 65536.0 / MB, secs);
	report(&p, "up");
	prog_check((double)x.sent - blocks * 65536.0 < 48 * MB,
	    "up: the fast writer could only get %.1f MB ahead (it wrote %.1f MB)",
	    ((double)x.sent - blocks * 65536.0) / MB, (double)x.sent / MB);

	/* The tunnel is still usable at full speed afterwards. */
	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(down);
	x.stop_after_us = 1000000;
	prog_run_bg(loc, prog_xfer_thread, &x, 10000);
	prog_check(x.received > 1000000, "afterwards a fast reader gets data "
	    "again (%.1f MB in 1 s)", (double)x.received / MB);
	tf_location_destroy(&loc);
	return prog_finish();
}
