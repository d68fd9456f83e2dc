/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef TF_MSGPACK_CHECK_H
#define TF_MSGPACK_CHECK_H

#include <stddef.h>

#define TF_MSGPACK_MAX_DEPTH 16

/* 0 if data holds exactly one well-formed msgpack value whose declared
 * lengths all fit in len bytes and whose nesting is at most
 * TF_MSGPACK_MAX_DEPTH; -1 otherwise.  Allocates nothing. */
int tf_msgpack_check(const void *data, size_t len);

#endif
