/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_bulk: 200 MB each way through one tunnel with matching checksums
 * (issue 5): the container makes a 200 MB random file with dd and serves
 * it with nc; we hash what arrives.  Then 200 MB of our own go up to a
 * sha256sum in the container, which answers after our half-close.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define MB (1024u * 1024u)
#define SIZE_MB 200

static const char bulk_sh[] =
    "dd if=/dev/urandom of=/tmp/blob bs=1M count=200 2>/dev/null\n"
    "sha256sum /tmp/blob | cut -d' ' -f1 > /tmp/blob.sum\n"
    "nc -ll -p 5001 -e sh /srv/up.sh &\n"
    "exec nc -ll -p 5000 -e cat /tmp/blob\n";
static const char up_sh[] = "sha256sum | cut -d' ' -f1\n";

int
main(void)
{
	tf_location *loc = prog_connect("tun_bulk");
	tf_node *node = prog_node(loc);
	tf_file pre[] = { { "/srv/bulk.sh", bulk_sh, sizeof bulk_sh - 1 },
	    { "/srv/up.sh", up_sh, sizeof up_sh - 1 } };
	tf_spawn_opts so = { .files = pre, .nfiles = 2,
	    .command = (const char *const[]){ "sh", "/srv/bulk.sh", NULL } };
	tf_container *c;
	tf_tunnel *down, *up;
	prog_xfer x;
	uint8_t *sum = NULL;
	size_t len;
	char hex[65];
	tf_err err;
	int rc;

	c = prog_spawn(loc, node, "busybox", &so);
	rc = tf_container_wait_tcp(c, 5000, 60000, &err);
	if (rc != 0)
		prog_bail(&loc, "the container's dd and nc", &err);
	rc = tf_container_fetch(c, "/tmp/blob.sum", &sum, &len, &err);
	if (rc != 0 || len < 64)
		prog_bail(&loc, "fetch /tmp/blob.sum", &err);
	sum[64] = '\0';
	down = tf_container_attach_tunnel(c, 5000, 0, NULL, &err);
	up = tf_container_attach_tunnel(c, 5001, 0, NULL, &err);
	if (down == NULL || up == NULL)
		prog_bail(&loc, "attach_tunnel", &err);

	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(down);
	x.stop_after_us = 240 * 1000000ull;
	rc = prog_run_bg(loc, prog_xfer_thread, &x, 250000);
	prog_hex(x.recv_sha, hex);
	prog_check(rc == 0 && x.error == 0 && x.eof &&
	    x.received == (uint64_t)SIZE_MB * MB,
	    "200 MB came down the tunnel (%llu bytes, %.1f s, %.0f MB/s)",
	    (unsigned long long)x.received, x.secs,
	    x.secs > 0 ? (double)x.received / MB / x.secs : 0.0);
	prog_check(strcmp(hex, (char *)sum) == 0,
	    "its SHA-256 matches the container's (%.16s...)", (char *)sum);
	free(sum);

	memset(&x, 0, sizeof x);
	x.port = tf_tunnel_localport(up);
	x.send_len = (uint64_t)SIZE_MB * MB;
	x.gen.s = 42;
	x.keep = 128;
	x.stop_after_us = 240 * 1000000ull;
	rc = prog_run_bg(loc, prog_xfer_thread, &x, 250000);
	prog_hex(x.sent_sha, hex);
	prog_check(rc == 0 && x.error == 0 && x.sent == x.send_len,
	    "200 MB went up the tunnel (%.1f s, %.0f MB/s)", x.secs,
	    x.secs > 0 ? (double)x.sent / MB / x.secs : 0.0);
	prog_check(x.eof && x.got != NULL && strncmp((char *)x.got, hex, 64)
	    == 0, "the container's SHA-256 of it, sent after our half-close, "
	    "matches ours (%.16s...)", hex);
	free(x.got);
	tf_location_destroy(&loc);
	return prog_finish();
}
