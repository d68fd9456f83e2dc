/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-unpack: unpacks one image layer for tf-node.
 *
 *   tf-unpack TAR DEST
 *
 * Unpacks TAR (an OCI layer: tar, gzip or zstd, with whiteouts) into the
 * new directory DEST with layer_unpack(); on failure says why on stderr
 * (one line) and exits 1.
 *
 * Why a program rather than a forked child of tf-node: tf-node is
 * threaded (libzmq's I/O threads), and a child forked from a threaded
 * process may call only async-signal-safe functions until it executes a
 * program: a lock that another thread held at the fork (the allocator's,
 * under AddressSanitizer) stays held for ever in the child.  libarchive
 * allocates all the time, so it runs here, in a process of its own
 * (docs/SCALE.md, as net_fw.c does with nft).
 */
#include <stdio.h>
#include <string.h>

#include "layer_unpack.h"
#include "tf_err.h"

int
main(int argc, char **argv)
{
	tf_err err;

	if (argc != 3 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc == 2 ? stdout : stderr,
		    "usage: tf-unpack TAR DEST\n"
		    "Unpacks an image layer for tf-node (not meant to be "
		    "run by hand).\n");
		return argc == 2 ? 0 : 2;
	}
	tf_err_clear(&err);
	if (layer_unpack(argv[1], argv[2], &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}
