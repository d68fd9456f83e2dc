/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_selftest: the check of the library's self tests (tf_*_test, run by
 * `core selftest`).  Unlike assert() it stays in a build with NDEBUG, where
 * a self test must still test, and the expressions it checks (a pipe(), a
 * parse) are still evaluated.
 */
#ifndef TF_SELFTEST_H
#define TF_SELFTEST_H

#include "tf_log.h"

#define TF_TEST_CHECK(c) do { \
	if (!(c)) \
		tf_panic("self test: check failed: %s", #c); \
} while (0)

#endif
