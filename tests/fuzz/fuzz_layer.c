/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_layer: a layer tar stream as the node unpacks it (layer_unpack:
 * compressed or plain tar, whiteouts, links, xattrs, escapes refused) into
 * a scratch directory that is removed after each input.  Needs root, as
 * the node does (mknod, chown, trusted.* xattrs); as another user it
 * checks only what can be checked and the escapes still must fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "layer_unpack.h"
#include "tf_log.h"
#include "tf_util.h"

static char dir[4096];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tar[4200], dest[4200];
	tf_err err;

	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		tf_log_setup(TF_LOG_ERROR, "fuzz_layer", NULL);
		snprintf(dir, sizeof dir, "%s/fuzz_layer.%d",
		    tmp != NULL && *tmp ? tmp : "/tmp", (int)getpid());
		if (tf_mkdir_p(dir, 0700) != 0)
			abort();
	}
	snprintf(tar, sizeof tar, "%s/layer.tar", dir);
	snprintf(dest, sizeof dest, "%s/root", dir);
	if (tf_write_file(tar, data, size, 0600) != 0)
		return 0;
	layer_unpack(tar, dest, &err);
	tf_rm_rf(dest);
	unlink(tar);
	return 0;
}
