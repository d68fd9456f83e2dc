/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_util: allocation that never fails silently, clocks, object ids, tag
 * rules and small file helpers shared by every program.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tf_log.h"
#include "tf_util.h"

void *
tf_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		tf_panic("out of memory allocating %zu bytes", size);
	return p;
}

void *
tf_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		tf_panic("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *
tf_realloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (q == NULL)
		tf_panic("out of memory reallocating %zu bytes", size);
	return q;
}

char *
tf_strdup(const char *s)
{
	return tf_strndup(s, strlen(s));
}

char *
tf_strndup(const char *s, size_t n)
{
	char *p = tf_malloc(n + 1);

	if (n > 0)	/* s may be NULL for an empty msgpack string */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
tf_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		tf_panic("out of memory formatting a string");
	va_end(ap);
	return s;
}

uint64_t
tf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double
tf_wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The original SDK's shortuuid alphabet: no 0, 1, I, O, l. */
static const char uuid_alphabet[] =
    "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

void
tf_uuid_make(tf_uuid *out)
{
	size_t n = sizeof uuid_alphabet - 1;

	for (int i = 0; i < TF_UUID_LEN; i++)
		out->s[i] = uuid_alphabet[randombytes_uniform((uint32_t)n)];
	out->s[TF_UUID_LEN] = '\0';
}

bool
tf_uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != TF_UUID_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (strchr(uuid_alphabet, *p) == NULL)
			return false;
	return true;
}

bool
tf_tag_valid(const char *s)
{
	size_t len;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len == 0 || len > 64 || tf_uuid_valid(s))
		return false;
	for (const char *p = s; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

bool
tf_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

char *
tf_read_file(const char *path, size_t *len_out, size_t max_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = tf_malloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= max_len) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = tf_realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_len) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
	}
	close(fd);
	buf[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return buf;
}

int
tf_write_file(const char *path, const void *data, size_t len, int mode)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd;

	if (!tf_snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid())) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			unlink(tmp);
			errno = saved;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int
tf_mkdir_p(const char *path, int mode)
{
	char buf[PATH_MAX];

	if (!tf_snprintf(buf, sizeof buf, "%s", path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Removes dirfd/name recursively without following symlinks or leaving the
 * file system (a stray bind mount must not be emptied). */
static int
util_rm_at(int dirfd, const char *name, dev_t dev)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int fd, rc = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	if (st.st_dev != dev) {
		errno = EXDEV;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (util_rm_at(fd, de->d_name, dev) != 0)
			rc = -1;
	}
	closedir(dir);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int
tf_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return util_rm_at(AT_FDCWD, path, st.st_dev);
}

unsigned long
tf_nofile_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return (unsigned long)rl.rlim_cur;
}

/* N with an optional K, M or G after it (powers of 1024); -1 if s is
 * not that or does not fit. */
int64_t
tf_size_parse(const char *s)
{
	long long n;
	char *end;
	int shift = 0;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || n < 0 || errno != 0)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end != '\0' || n > (LLONG_MAX >> shift))
		return -1;
	return (int64_t)n << shift;
}
