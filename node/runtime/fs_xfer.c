/* SPDX-License-Identifier: BSD-2-Clause */
/* fs_xfer: chunked put (temporary file + rename) and fetch; see fs_xfer.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_path.h"
#include "fs_xfer.h"
#include "tf_log.h"
#include "tf_util.h"

/* Concurrent puts per container; more is a misbehaving client. */
#define XFER_MAX 64

typedef struct fs_put_state {
	char *path;		/* cleaned */
	int dirfd;		/* O_PATH of the parent */
	int fd;			/* the temporary file */
	char *name;		/* last component */
	char *tmp;		/* temporary name in dirfd */
	mode_t mode;
	uint64_t written;
	uint64_t last_ms;
} fs_put_state;

struct fs_xfer {
	fs_put_state *puts[XFER_MAX];
	size_t nputs;
	unsigned seq;
};

fs_xfer *
fs_xfer_new(void)
{
	return tf_calloc(1, sizeof(fs_xfer));
}

static void
put_free(fs_put_state *p, bool unlink_tmp)
{
	if (p->fd >= 0)
		close(p->fd);
	if (unlink_tmp && p->tmp != NULL && p->dirfd >= 0)
		unlinkat(p->dirfd, p->tmp, 0);
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->path);
	free(p->name);
	free(p->tmp);
	free(p);
}

static void
xfer_remove(fs_xfer *x, size_t i, bool unlink_tmp)
{
	put_free(x->puts[i], unlink_tmp);
	x->puts[i] = x->puts[--x->nputs];
}

void
fs_xfer_cancel_all(fs_xfer *x)
{
	while (x->nputs > 0)
		xfer_remove(x, x->nputs - 1, true);
}

void
fs_xfer_destroy(fs_xfer **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	fs_xfer_cancel_all(*self_p);
	free(*self_p);
	*self_p = NULL;
}

void
fs_xfer_expire(fs_xfer *x, uint64_t idle_ms)
{
	uint64_t now = tf_now_ms();
	size_t i = 0;

	while (i < x->nputs) {
		if (now - x->puts[i]->last_ms > idle_ms) {
			tf_info("put of %s abandoned after %llu ms",
			    x->puts[i]->path, (unsigned long long)idle_ms);
			xfer_remove(x, i, true);
		} else {
			i++;
		}
	}
}

size_t
fs_xfer_count(const fs_xfer *x)
{
	return x->nputs;
}

static ssize_t
xfer_find(fs_xfer *x, const char *clean)
{
	size_t i;

	for (i = 0; i < x->nputs; i++) {
		if (strcmp(x->puts[i]->path, clean) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static fs_put_state *
put_open(fs_xfer *x, int rootfd, const char *clean, const char *shown,
	 tf_err *err)
{
	fs_put_state *p;
	const char *name;
	struct stat st;
	int dfd;

	dfd = fs_path_open_parent(rootfd, clean, true, &name, err);
	if (dfd < 0)
		return NULL;
	p = tf_calloc(1, sizeof *p);
	p->fd = -1;
	p->dirfd = dfd;
	p->path = tf_strdup(clean);
	p->name = tf_strdup(name);
	p->mode = 0644;
	/* An existing target keeps its mode; a directory is refused now
	 * rather than after the whole upload. */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fs_path_errno(err, EISDIR, "put", shown);
			put_free(p, false);
			return NULL;
		}
		if (S_ISREG(st.st_mode))
			p->mode = st.st_mode & 07777;
	}
	p->tmp = tf_asprintf(".%.200s.tf-put-%u", name, ++x->seq);
	p->fd = openat(dfd, p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (p->fd < 0) {
		fs_path_errno(err, errno, "put", shown);
		free(p->tmp);
		p->tmp = NULL;
		put_free(p, false);
		return NULL;
	}
	return p;
}

static int
write_all(int fd, const void *data, size_t len, uint64_t offset)
{
	const uint8_t *d = data;
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, d, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		d += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int64_t
fs_put(fs_xfer *x, int rootfd, const char *base, const char *path,
       uint64_t offset, const void *data, size_t len, bool last, int mode,
       tf_err *err)
{
	char clean[FS_PATH_MAX];
	fs_put_state *p;
	ssize_t i;
	int64_t total;

	if (fs_path_clean(base, path, clean, sizeof clean, err) != 0)
		return -1;
	if (strcmp(clean, "/") == 0)
		return tf_err_set(err, "put: is a directory: %s", path);
	i = xfer_find(x, clean);
	if (offset == 0) {
		/* A new transfer replaces one that was abandoned. */
		if (i >= 0)
			xfer_remove(x, (size_t)i, true);
		if (x->nputs == XFER_MAX)
			return tf_err_set(err, "put: too many transfers in progress");
		p = put_open(x, rootfd, clean, path, err);
		if (p == NULL)
			return -1;
		if (mode >= 0)
			p->mode = (mode_t)mode & 07777;
		x->puts[x->nputs] = p;
		i = (ssize_t)x->nputs++;
	} else {
		if (i < 0)
			return tf_err_set(err, "put: no transfer of %s in progress "
			    "(the first chunk must have offset 0)", path);
		p = x->puts[i];
		if (offset != p->written) {
			tf_err_set(err, "put: chunk of %s at offset %llu, "
			    "expected %llu", path, (unsigned long long)offset,
			    (unsigned long long)p->written);
			xfer_remove(x, (size_t)i, true);
			return -1;
		}
	}
	if (len > 0 && write_all(p->fd, data, len, offset) != 0) {
		fs_path_errno(err, errno, "put", path);
		xfer_remove(x, (size_t)i, true);
		return -1;
	}
	p->written += len;
	p->last_ms = tf_now_ms();
	total = (int64_t)p->written;
	if (!last)
		return total;

	if (fchmod(p->fd, p->mode) != 0 ||
	    renameat(p->dirfd, p->tmp, p->dirfd, p->name) != 0) {
		fs_path_errno(err, errno, "put", path);
		xfer_remove(x, (size_t)i, true);
		return -1;
	}
	xfer_remove(x, (size_t)i, false);
	return total;
}

ssize_t
fs_fetch(int rootfd, const char *base, const char *path, uint64_t offset,
	 void *buf, size_t len, uint64_t *size, tf_err *err)
{
	char clean[FS_PATH_MAX], proc[64];
	struct stat st;
	int pfd, fd;
	ssize_t n;

	if (fs_path_clean(base, path, clean, sizeof clean, err) != 0)
		return -1;
	pfd = fs_path_open(rootfd, clean, O_PATH, 0);
	if (pfd < 0)
		return fs_path_errno(err, errno, "fetch", path);
	if (fstat(pfd, &st) != 0) {
		close(pfd);
		return fs_path_errno(err, errno, "fetch", path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(pfd);
		return fs_path_errno(err, EISDIR, "fetch", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		return tf_err_set(err, "fetch: not a regular file: %s", path);
	}
	/* Re-open the very inode we checked, for reading. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return fs_path_errno(err, errno, "fetch", path);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return fs_path_errno(err, errno, "fetch", path);
	}
	*size = (uint64_t)st.st_size;
	if (offset >= (uint64_t)st.st_size) {
		close(fd);
		return 0;
	}
	do {
		n = pread(fd, buf, len, (off_t)offset);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		fs_path_errno(err, errno, "fetch", path);
	close(fd);
	return n;
}
