/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fs_ops: the `fs` request's operations, confined to the container
 * (fs_ops.h says how).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_ops.h"
#include "fs_path.h"
#include "tf_codec_fs.h"

/* An errno for err's message: 0 is never returned for a failure. */
static int
fs_fail(tf_err *err, int e, const char *what, const char *path)
{
	if (e == 0)
		e = EIO;
	fs_path_errno(err, e, what, path);
	return e;
}

static int
fs_clean(const char *path, char *clean, size_t size, tf_err *err)
{
	if (fs_path_clean(NULL, path, clean, size, err) != 0)
		return EACCES;		/* "../" above the root, too long */
	return 0;
}

/* The parent directory of path (O_PATH) and the last component. */
static int
fs_parent(int rootfd, const char *path, char *clean, size_t size,
	  const char **name, int *dfd, tf_err *err)
{
	int e = fs_clean(path, clean, size, err);

	if (e != 0)
		return e;
	if (strcmp(clean, "/") == 0) {
		tf_err_set(err, "not allowed on the root directory");
		return EPERM;
	}
	errno = 0;
	*dfd = fs_path_open_parent(rootfd, clean, false, name, err);
	if (*dfd < 0)
		return errno != 0 ? errno : ENOENT;
	return 0;
}

/* The file itself, opened in the root (symlinks followed inside it). */
static int
fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
		int *fd, tf_err *err)
{
	char clean[FS_PATH_MAX];
	int e = fs_clean(path, clean, sizeof clean, err);

	if (e != 0)
		return e;
	*fd = fs_path_open(rootfd, clean, flags, mode);
	if (*fd < 0)
		return fs_fail(err, errno, "cannot open", path);
	return 0;
}

int
fs_op_stat(int rootfd, const char *path, bool follow, struct stat *st,
	   tf_err *err)
{
	char clean[FS_PATH_MAX];
	const char *name;
	int dfd, e, fd;

	if (follow || (fs_clean(path, clean, sizeof clean, err) == 0 &&
	    strcmp(clean, "/") == 0)) {
		e = fs_open_in_root(rootfd, path, O_PATH, 0, &fd, err);
		if (e != 0)
			return e;
		e = fstat(fd, st) == 0 ? 0 : errno;
		close(fd);
		return e != 0 ? fs_fail(err, e, "cannot stat", path) : 0;
	}
	e = fs_parent(rootfd, path, clean, sizeof clean, &name, &dfd, err);
	if (e != 0)
		return e;
	e = fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
	close(dfd);
	return e != 0 ? fs_fail(err, e, "cannot stat", path) : 0;
}

int
fs_op_list(int rootfd, const char *path, uint64_t first,
	   struct fs_entry *out, size_t max, size_t *n, bool *eof,
	   tf_err *err)
{
	struct dirent *d;
	uint64_t index = 0;
	DIR *dir;
	int e, fd;

	*n = 0;
	*eof = false;
	e = fs_open_in_root(rootfd, path, O_RDONLY | O_DIRECTORY, 0, &fd,
	    err);
	if (e != 0)
		return e;
	dir = fdopendir(fd);
	if (dir == NULL) {
		e = errno;
		close(fd);
		return fs_fail(err, e, "cannot list", path);
	}
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (d == NULL) {
			*eof = errno == 0;
			break;
		}
		if (index++ < first)
			continue;
		if (*n == max)
			break;
		if (strlen(d->d_name) >= sizeof out[*n].name)
			continue;
		snprintf(out[*n].name, sizeof out[*n].name, "%s", d->d_name);
		if (fstatat(dirfd(dir), d->d_name, &out[*n].st,
		    AT_SYMLINK_NOFOLLOW) != 0)
			continue;		/* gone meanwhile */
		(*n)++;
	}
	closedir(dir);
	return 0;
}

int
fs_op_mkdir(int rootfd, const char *path, mode_t mode, tf_err *err)
{
	char clean[FS_PATH_MAX];
	const char *name;
	int dfd, e = fs_parent(rootfd, path, clean, sizeof clean, &name, &dfd,
	    err);

	if (e != 0)
		return e;
	e = mkdirat(dfd, name, mode & 07777) == 0 ? 0 : errno;
	close(dfd);
	return e != 0 ? fs_fail(err, e, "cannot make directory", path) : 0;
}

static int
fs_unlink(int rootfd, const char *path, int flags, const char *what,
	  tf_err *err)
{
	char clean[FS_PATH_MAX];
	const char *name;
	int dfd, e = fs_parent(rootfd, path, clean, sizeof clean, &name, &dfd,
	    err);

	if (e != 0)
		return e;
	e = unlinkat(dfd, name, flags) == 0 ? 0 : errno;
	close(dfd);
	return e != 0 ? fs_fail(err, e, what, path) : 0;
}

int
fs_op_rmdir(int rootfd, const char *path, tf_err *err)
{
	return fs_unlink(rootfd, path, AT_REMOVEDIR,
	    "cannot remove directory", err);
}

int
fs_op_remove(int rootfd, const char *path, tf_err *err)
{
	return fs_unlink(rootfd, path, 0, "cannot remove", err);
}

int
fs_op_rename(int rootfd, const char *from, const char *to, tf_err *err)
{
	char c1[FS_PATH_MAX], c2[FS_PATH_MAX];
	const char *n1, *n2;
	int d1, d2, e;

	e = fs_parent(rootfd, from, c1, sizeof c1, &n1, &d1, err);
	if (e != 0)
		return e;
	e = fs_parent(rootfd, to, c2, sizeof c2, &n2, &d2, err);
	if (e != 0) {
		close(d1);
		return e;
	}
	e = renameat2(d1, n1, d2, n2, RENAME_NOREPLACE) == 0 ? 0 : errno;
	close(d1);
	close(d2);
	if (e == EEXIST) {
		tf_err_set(err, "cannot rename %s: %s exists", from, to);
		return e;
	}
	return e != 0 ? fs_fail(err, e, "cannot rename", from) : 0;
}

int
fs_op_symlink(int rootfd, const char *path, const char *target,
	      tf_err *err)
{
	char clean[FS_PATH_MAX];
	const char *name;
	int dfd, e;

	if (target == NULL || *target == '\0') {
		tf_err_set(err, "a symbolic link needs a target");
		return EINVAL;
	}
	e = fs_parent(rootfd, path, clean, sizeof clean, &name, &dfd, err);
	if (e != 0)
		return e;
	e = symlinkat(target, dfd, name) == 0 ? 0 : errno;
	close(dfd);
	return e != 0 ? fs_fail(err, e, "cannot make link", path) : 0;
}

int
fs_op_readlink(int rootfd, const char *path, char *buf, size_t size,
	       tf_err *err)
{
	char clean[FS_PATH_MAX];
	const char *name;
	ssize_t n;
	int dfd, e = fs_parent(rootfd, path, clean, sizeof clean, &name, &dfd,
	    err);

	if (e != 0)
		return e;
	n = readlinkat(dfd, name, buf, size - 1);
	e = n < 0 ? errno : 0;
	close(dfd);
	if (e != 0)
		return fs_fail(err, e, "cannot read link", path);
	buf[n] = '\0';
	return 0;
}

/* A regular file only: a FIFO or device could block the node. */
static int
fs_check_regular(int fd, struct stat *st, const char *path, tf_err *err)
{
	if (fstat(fd, st) != 0)
		return fs_fail(err, errno, "cannot stat", path);
	if (S_ISDIR(st->st_mode))
		return fs_fail(err, EISDIR, "cannot open", path);
	if (!S_ISREG(st->st_mode)) {
		tf_err_set(err, "not a regular file: %s", path);
		return EINVAL;
	}
	return 0;
}

int
fs_op_open(int rootfd, const char *path, int flags, mode_t mode,
	   struct stat *st, tf_err *err)
{
	int oflags = O_NONBLOCK, fd, e;

	if ((flags & TF_FS_O_WRITE) != 0)
		oflags |= (flags & TF_FS_O_READ) ? O_RDWR : O_WRONLY;
	else if ((flags & (TF_FS_O_CREATE | TF_FS_O_TRUNC)) != 0)
		oflags |= O_WRONLY;
	else
		oflags |= O_RDONLY;
	if (flags & TF_FS_O_CREATE)
		oflags |= O_CREAT;
	if (flags & TF_FS_O_TRUNC)
		oflags |= O_TRUNC;
	if (flags & TF_FS_O_EXCL)
		oflags |= O_EXCL;
	/* O_TRUNC on a FIFO or device is harmless; opening one without
	 * O_NONBLOCK is not. */
	e = fs_open_in_root(rootfd, path, oflags, mode & 07777, &fd, err);
	if (e != 0)
		return e;
	e = fs_check_regular(fd, st, path, err);
	close(fd);
	return e;
}

int
fs_op_write(int rootfd, const char *path, uint64_t offset, const void *data,
	    size_t len, tf_err *err)
{
	const uint8_t *p = data;
	struct stat st;
	int fd, e;

	e = fs_open_in_root(rootfd, path, O_WRONLY | O_NONBLOCK, 0, &fd, err);
	if (e != 0)
		return e;
	e = fs_check_regular(fd, &st, path, err);
	while (e == 0 && len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = fs_fail(err, n < 0 ? errno : ENOSPC,
			    "cannot write", path);
			break;
		}
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	close(fd);
	return e;
}

int
fs_op_truncate(int rootfd, const char *path, uint64_t length, tf_err *err)
{
	struct stat st;
	int fd, e;

	e = fs_open_in_root(rootfd, path, O_WRONLY | O_NONBLOCK, 0, &fd, err);
	if (e != 0)
		return e;
	e = fs_check_regular(fd, &st, path, err);
	if (e == 0 && ftruncate(fd, (off_t)length) != 0)
		e = fs_fail(err, errno, "cannot truncate", path);
	close(fd);
	return e;
}

/* chmod and utimes act on the file opened in the root, through its
 * /proc/self/fd link, so a symlink is followed inside the container. */
static int
fs_fd_path(int rootfd, const char *path, int *fd, char *buf, size_t size,
	   tf_err *err)
{
	int e = fs_open_in_root(rootfd, path, O_PATH, 0, fd, err);

	if (e == 0)
		snprintf(buf, size, "/proc/self/fd/%d", *fd);
	return e;
}

int
fs_op_chmod(int rootfd, const char *path, mode_t mode, tf_err *err)
{
	char link[64];
	int fd, e = fs_fd_path(rootfd, path, &fd, link, sizeof link, err);

	if (e != 0)
		return e;
	e = chmod(link, mode & 07777) == 0 ? 0 : errno;
	close(fd);
	return e != 0 ? fs_fail(err, e, "cannot chmod", path) : 0;
}

int
fs_op_utimes(int rootfd, const char *path, int64_t atime, int64_t mtime,
	     tf_err *err)
{
	struct timespec ts[2] = { { .tv_sec = atime }, { .tv_sec = mtime } };
	char link[64];
	int fd, e = fs_fd_path(rootfd, path, &fd, link, sizeof link, err);

	if (e != 0)
		return e;
	e = utimensat(AT_FDCWD, link, ts, 0) == 0 ? 0 : errno;
	close(fd);
	return e != 0 ? fs_fail(err, e, "cannot set times", path) : 0;
}
