/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_user: the image config's "User" (name, uid, name:group, uid:gid, ...)
 * as numbers, looked up in the container's own /etc/passwd and /etc/group,
 * never the host's.  As Docker does: a numeric user with no passwd entry
 * gets gid 0; a name that is not there is an error.
 */
#ifndef RT_USER_H
#define RT_USER_H

#include <stdint.h>

#include "tf_err.h"

typedef struct rt_user {
	uint32_t uid;
	uint32_t gid;
} rt_user;

/* Resolves spec ("" or NULL: root) against the files below rootfd (a
 * directory fd of the container's root). */
int rt_user_resolve(int rootfd, const char *spec, rt_user *out, tf_err *err);

/* The same against the contents of passwd and group (either may be NULL);
 * for tests and for callers that read the files themselves. */
int rt_user_resolve_text(const char *passwd, const char *group,
			 const char *spec, rt_user *out, tf_err *err);

#endif
