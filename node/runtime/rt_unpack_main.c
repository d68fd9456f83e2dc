/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-unpack: unpacks one image layer for tf-node.
 *
 *   tf-unpack TAR DEST [SHA256]
 *
 * Unpacks TAR (an OCI layer: tar, gzip or zstd, with whiteouts) into the
 * new directory DEST with layer_unpack(); with SHA256 (a gzip blob kept
 * as it came), first checks that the tar inside has that digest.  On
 * failure says why on stderr (one line) and exits 1.
 *
 * Why a program rather than a forked child of tf-node: tf-node is
 * threaded (libzmq's I/O threads), and a child forked from a threaded
 * process may call only async-signal-safe functions until it executes a
 * program: a lock that another thread held at the fork (the allocator's,
 * under AddressSanitizer) stays held for ever in the child.  libarchive
 * allocates all the time, so it runs here, in a process of its own
 * (docs/SCALE.md, as net_fw.c does with nft).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "layer_unpack.h"
#include "tf_err.h"

int
main(int argc, char **argv)
{
	char hex[65];
	tf_err err;
	int rc = 0;

	if (argc < 3 || argc > 4) {
		bool help = argc == 2 && strcmp(argv[1], "--help") == 0;

		fprintf(help ? stdout : stderr,
		    "usage: tf-unpack TAR DEST [SHA256]\n"
		    "Unpacks an image layer for tf-node (not meant to be "
		    "run by hand).\n");
		return help ? 0 : 2;
	}
	tf_err_clear(&err);
	if (argc == 4) {
		rc = layer_tar_digest(argv[1], hex, &err);
		if (rc == 0 && strcmp(hex, argv[3]) != 0)
			rc = tf_err_set(&err, "the tar received has sha256 "
			    "%.12s, not %.12s", hex, argv[3]);
	}
	if (rc != 0 || layer_unpack(argv[1], argv[2], &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}
