/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_err: an error message that travels back to whoever can show it to a
 * person.  Functions that can fail for reasons a user should read take a
 * `tf_err *err` as their last argument, fill it and return -1 (or NULL).
 * A NULL err is allowed: the message is then dropped.
 */
#ifndef TF_ERR_H
#define TF_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define TF_ERR_LEN 512

typedef struct tf_err {
	char msg[TF_ERR_LEN];
} tf_err;

/* Formats the message into err (if not NULL).  Always returns -1 so that a
 * caller can write `return tf_err_set(err, "...")`. */
int tf_err_set(tf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As tf_err_set, with ": strerror(errno)" appended. */
int tf_err_errno(tf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears err (if not NULL). */
void tf_err_clear(tf_err *err);

#endif
