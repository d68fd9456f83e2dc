/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_user.c: the image's User as uid and gid (see rt_user.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_path.h"
#include "rt_user.h"
#include "tf_util.h"

#define USER_FILE_MAX (1u << 20)	/* passwd/group larger than this: refuse */
#define USER_NAME_MAX 256

/* Reads a small file below rootfd; NULL when it is absent (not an error:
 * minimal images have no /etc/passwd). */
static char *
user_read(int rootfd, const char *path, tf_err *err, bool *failed)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = fs_path_open(rootfd, path, O_RDONLY | O_CLOEXEC, 0);

	*failed = false;
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return NULL;
		*failed = true;
		fs_path_errno(err, errno, "cannot read", path);
		return NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = tf_realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > USER_FILE_MAX) {
			n = -1;
			errno = EFBIG;
			break;
		}
	}
	close(fd);
	if (n < 0) {
		*failed = true;
		fs_path_errno(err, errno, "cannot read", path);
		free(buf);
		return NULL;
	}
	if (buf == NULL)
		buf = tf_calloc(1, 1);
	buf[len] = '\0';
	return buf;
}

/* A decimal id, or -1. */
static int64_t
user_number(const char *s)
{
	int64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX - 1)	/* (uid_t)-1 means "no change" */
			return -1;
	}
	return v;
}

/*
 * Finds the line of passwd or group whose field 0 (by name) or field 2 (by
 * id) matches key, and copies field 2 and field 3 of it.  Returns true if
 * found.  Lines are name:x:id:gid:..., both files alike up to field 2.
 */
static bool
user_lookup(const char *text, const char *key, bool by_id, int64_t *id,
	    int64_t *gid)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024], *f[4] = { NULL }, *p = buf;
		int i;

		if (len < sizeof buf) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			for (i = 0; i < 4 && p != NULL; i++) {
				f[i] = p;
				p = strchr(p, ':');
				if (p != NULL)
					*p++ = '\0';
			}
			if (f[2] != NULL && strcmp(f[by_id ? 2 : 0], key) == 0 &&
			    user_number(f[2]) >= 0) {
				*id = user_number(f[2]);
				*gid = f[3] != NULL ? user_number(f[3]) : -1;
				return true;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

int
rt_user_resolve_text(const char *passwd, const char *group, const char *spec,
		     rt_user *out, tf_err *err)
{
	char user[USER_NAME_MAX], *grp;
	int64_t uid, gid = -1, pw_gid = -1, unused;

	out->uid = out->gid = 0;
	if (spec == NULL || spec[0] == '\0')
		return 0;
	if (!tf_snprintf(user, sizeof user, "%s", spec))
		return tf_err_set(err, "image user too long: %.40s...", spec);
	grp = strchr(user, ':');
	if (grp != NULL)
		*grp++ = '\0';

	uid = user_number(user);
	if (uid < 0) {
		if (passwd == NULL || !user_lookup(passwd, user, false, &uid,
		    &pw_gid))
			return tf_err_set(err, "the image's user %s is not in "
			    "the image's /etc/passwd", user);
	} else if (passwd != NULL)
		user_lookup(passwd, user, true, &unused, &pw_gid);

	if (grp != NULL) {
		gid = user_number(grp);
		if (gid < 0 && (group == NULL || !user_lookup(group, grp, false,
		    &gid, &unused)))
			return tf_err_set(err, "the image's group %s is not in "
			    "the image's /etc/group", grp);
	} else
		gid = pw_gid >= 0 ? pw_gid : 0;
	out->uid = (uint32_t)uid;
	out->gid = (uint32_t)gid;
	return 0;
}

int
rt_user_resolve(int rootfd, const char *spec, rt_user *out, tf_err *err)
{
	char *passwd, *group;
	bool failed;
	int rc;

	out->uid = out->gid = 0;
	if (spec == NULL || spec[0] == '\0')
		return 0;
	passwd = user_read(rootfd, "/etc/passwd", err, &failed);
	if (failed)
		return -1;
	group = user_read(rootfd, "/etc/group", err, &failed);
	if (failed) {
		free(passwd);
		return -1;
	}
	rc = rt_user_resolve_text(passwd, group, spec, out, err);
	free(passwd);
	free(group);
	return rc;
}
