/* SPDX-License-Identifier: BSD-2-Clause */
/* fs_path: lexical cleaning and openat2(RESOLVE_IN_ROOT) opens; see fs_path.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "fs_path.h"
#include "tf_util.h"

int
fs_path_clean(const char *base, const char *path, char *out, size_t size,
	      tf_err *err)
{
	char *joined, *comp, *save = NULL;
	size_t len = 0, n;

	if (path == NULL || path[0] == '\0')
		return tf_err_set(err, "empty path");
	if (strlen(path) >= FS_PATH_MAX)
		return tf_err_set(err, "path too long");
	if (path[0] == '/' || base == NULL || base[0] == '\0')
		joined = tf_strdup(path);
	else
		joined = tf_asprintf("%s/%s", base, path);

	if (size < 2) {
		free(joined);
		return tf_err_set(err, "path too long");
	}
	out[0] = '\0';
	for (comp = strtok_r(joined, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash;

			if (len == 0) {
				free(joined);
				return tf_err_set(err,
				    "path escapes the container: %s", path);
			}
			slash = strrchr(out, '/');
			len = (size_t)(slash - out);
			out[len] = '\0';
			continue;
		}
		n = strlen(comp);
		if (len + 1 + n + 1 > size) {
			free(joined);
			return tf_err_set(err, "path too long");
		}
		out[len++] = '/';
		memcpy(out + len, comp, n + 1);
		len += n;
	}
	free(joined);
	if (len == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

int
fs_path_open(int rootfd, const char *clean, int flags, mode_t mode)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	if (flags & O_CREAT)
		how.mode = mode;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	do {
		fd = syscall(SYS_openat2, rootfd, clean, &how, sizeof how);
	} while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	return (int)fd;
}

int
fs_path_errno(tf_err *err, int e, const char *what, const char *path)
{
	switch (e) {
	case ENOENT:
		return tf_err_set(err, "%s: no such file or directory: %s",
		    what, path);
	case ENOTDIR:
		return tf_err_set(err, "%s: not a directory: %s", what, path);
	case EISDIR:
		return tf_err_set(err, "%s: is a directory: %s", what, path);
	case EXDEV:
		return tf_err_set(err, "%s: path escapes the container: %s",
		    what, path);
	case ELOOP:
		return tf_err_set(err, "%s: too many symbolic links: %s",
		    what, path);
	default:
		return tf_err_set(err, "%s: %s: %s", what, path, strerror(e));
	}
}

int
fs_path_open_parent(int rootfd, const char *clean, bool mkdirs,
		    const char **name, tf_err *err)
{
	char prefix[FS_PATH_MAX];
	const char *last, *p, *next;
	int fd, parent;

	if (clean[0] != '/')
		return tf_err_set(err, "path is not clean: %s", clean);
	last = strrchr(clean, '/') + 1;
	if (*last == '\0')
		return tf_err_set(err, "not a file: %s", clean);
	*name = last;

	parent = fs_path_open(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	if (parent < 0)
		return tf_err_errno(err, "cannot open the container's root");
	/* Walk the directories between "/" and the last component, making
	 * each one that is missing.  Each step resolves the whole prefix
	 * from the root again so symlinks in it stay inside the root. */
	for (p = clean + 1; p < last; p = next + 1) {
		next = strchr(p, '/');
		snprintf(prefix, sizeof prefix, "%.*s", (int)(next - clean),
		    clean);
		fd = fs_path_open(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT && mkdirs) {
			char comp[FS_PATH_MAX];

			snprintf(comp, sizeof comp, "%.*s", (int)(next - p), p);
			if (mkdirat(parent, comp, 0755) != 0 && errno != EEXIST) {
				int e = errno;
				close(parent);
				fs_path_errno(err, e, "cannot create directory", prefix);
				errno = e;
				return -1;
			}
			fd = fs_path_open(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		}
		if (fd < 0) {
			int e = errno;
			close(parent);
			fs_path_errno(err, e, "cannot open directory", prefix);
			errno = e;	/* the fs request answers with it */
			return -1;
		}
		close(parent);
		parent = fd;
	}
	return parent;
}

int
fs_path_write_file(int rootfd, const char *path, const void *data, size_t len,
		   mode_t mode, tf_err *err)
{
	char clean[FS_PATH_MAX], tmp[300];
	const char *name;
	const uint8_t *p = data;
	int dfd, fd;
	ssize_t n;

	if (fs_path_clean(NULL, path, clean, sizeof clean, err) != 0)
		return -1;
	dfd = fs_path_open_parent(rootfd, clean, true, &name, err);
	if (dfd < 0)
		return -1;
	if (!tf_snprintf(tmp, sizeof tmp, ".%.200s.tf-tmp", name)) {
		close(dfd);
		return tf_err_set(err, "file name too long: %s", path);
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd < 0) {
		int e = errno;
		close(dfd);
		return fs_path_errno(err, e, "cannot create", path);
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlinkat(dfd, tmp, 0);
			close(dfd);
			return fs_path_errno(err, e, "cannot write", path);
		}
		p += n;
		len -= (size_t)n;
	}
	fchmod(fd, mode);
	close(fd);
	if (renameat(dfd, tmp, dfd, name) != 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return fs_path_errno(err, e, "cannot write", path);
	}
	close(dfd);
	return 0;
}
