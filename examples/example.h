/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * example.h: the one helper the examples share.  Each example is the C twin
 * of a program in the 20ft documentation (docs/SDK.md lists which); errors
 * are values in the SDK, and an example that cannot go on says why and
 * exits 1 after disconnecting (which destroys what it made).
 */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "tf.h"

static inline void
example_fail(tf_location **loc, const char *what, const tf_err *err)
{
	fprintf(stderr, "%s: %s\n", what, err->msg);
	tf_location_destroy(loc);
	exit(1);
}

/* Location(debug_log=False): info logging to stderr. */
static inline tf_location *
example_connect(void)
{
	tf_location *loc;
	tf_err err;

	loc = tf_location_connect(NULL, &err);
	if (loc == NULL) {
		fprintf(stderr, "connect: %s\n", err.msg);
		exit(1);
	}
	return loc;
}

#endif
