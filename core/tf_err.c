/* SPDX-License-Identifier: BSD-2-Clause */
/* tf_err: human-readable error messages passed back to the caller. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tf_err.h"

int
tf_err_set(tf_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int
tf_err_errno(tf_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

void
tf_err_clear(tf_err *err)
{
	if (err != NULL)
		err->msg[0] = '\0';
}
