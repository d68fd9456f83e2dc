/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_image: an image file as tfcache and `tf push` read it from disk
 * (tf_image_open: OCI layouts and docker save archives as tarballs, their
 * index, manifests and configs), then every layer streamed, decompressed
 * and checked against its digest.  The input is written to a file first,
 * since images are opened by path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "tf_image.h"
#include "tf_log.h"
#include "tf_util.h"

static char path[4096];

static int
fuzz_image_chunk(const void *data, size_t len, void *arg)
{
	TF_UNUSED(data);
	TF_UNUSED(len);
	TF_UNUSED(arg);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tf_image *img;
	tf_err err;

	if (path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		tf_log_setup(TF_LOG_ERROR, "fuzz_image", NULL);
		snprintf(path, sizeof path, "%s/fuzz_image.%d.tar",
		    tmp != NULL && *tmp ? tmp : "/tmp", (int)getpid());
	}
	if (tf_write_file(path, data, size, 0600) != 0)
		return 0;
	img = tf_image_open(path, NULL, &err);
	if (img != NULL) {
		for (size_t i = 0; i < tf_image_layer_count(img); i++)
			tf_image_layer_read(img, i, fuzz_image_chunk, NULL, &err);
		tf_image_destroy(&img);
	}
	unlink(path);
	return 0;
}
