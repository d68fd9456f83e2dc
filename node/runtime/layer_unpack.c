/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * layer_unpack: extracts an image layer tarball with libarchive into a
 * directory for overlayfs, converting OCI whiteouts on the way (see
 * layer_unpack.h).
 *
 * libarchive's disk writer does the extraction and, with the SECURE flags,
 * refuses entries that would escape the directory: absolute paths, "..",
 * and paths (also hard link targets) that pass through a symlink already
 * on disk.  It resolves relative paths against the working directory, so
 * we chdir into the directory being filled and back afterwards.  Whiteouts
 * are rewritten into character-device entries and go through the same
 * writer and its checks; opaque markers are applied at the end by walking
 * to the directory with O_NOFOLLOW, so no symlink can redirect them.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include "layer_unpack.h"
#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"

#define WH_PREFIX	".wh."
#define WH_META_PREFIX	".wh..wh."
#define WH_OPAQUE	".wh..wh..opq"
#define OPAQUE_XATTR	"trusted.overlay.opaque"
#define OVERLAY_XATTRS	"trusted.overlay."

struct unpack {
	const char	*tar_path;
	struct archive	*in;
	struct archive	*out;
	char		**opaque;	/* directories to mark, clean paths */
	size_t		 n_opaque;
	size_t		 entries;
	size_t		 whiteouts;
};

/*
 * Cleans an entry name: drops "./" and duplicate slashes.  Refuses
 * absolute names and any ".." so that the error names the entry (the disk
 * writer would refuse them too, less clearly).  "" is the layer root.
 */
static char *
entry_clean(const char *tar, const char *name, const char *what, tf_err *err)
{
	char *copy, *out, *part, *save = NULL;
	size_t len = 0;

	if (name == NULL) {
		tf_err_set(err, "%s: %s without a name", tar, what);
		return NULL;
	}
	if (name[0] == '/') {
		tf_err_set(err, "%s: refusing %s with an absolute path: "
		    "%.200s", tar, what, name);
		return NULL;
	}
	copy = tf_strdup(name);
	out = tf_calloc(1, strlen(name) + 1);
	for (part = strtok_r(copy, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			tf_err_set(err, "%s: refusing %s with \"..\": %.200s",
			    tar, what, name);
			free(copy);
			free(out);
			return NULL;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, part, strlen(part));
		len += strlen(part);
	}
	out[len] = '\0';
	free(copy);
	return out;
}

/* Splits a clean path into its directory ("" at the root) and base. */
static void
path_split(const char *clean, char **dir, const char **base)
{
	const char *slash = strrchr(clean, '/');

	if (slash == NULL) {
		*dir = tf_strdup("");
		*base = clean;
	} else {
		*dir = tf_strndup(clean, (size_t)(slash - clean));
		*base = slash + 1;
	}
}

/* Image tars may carry overlayfs's own xattrs; only our whiteout handling
 * may set them, or an image could steer the mount (redirects, metacopy). */
static void
entry_strip_overlay_xattrs(struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size, n = 0, i;
	struct { char *name; void *value; size_t size; } *keep = NULL;
	bool strip = false;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &value, &size) ==
	    ARCHIVE_OK) {
		if (strncmp(name, OVERLAY_XATTRS, strlen(OVERLAY_XATTRS)) ==
		    0) {
			strip = true;
			continue;
		}
		keep = tf_realloc(keep, (n + 1) * sizeof *keep);
		keep[n].name = tf_strdup(name);
		keep[n].value = tf_malloc(size + 1);
		memcpy(keep[n].value, value, size);
		keep[n].size = size;
		n++;
	}
	if (strip) {
		archive_entry_xattr_clear(e);
		for (i = 0; i < n; i++)
			archive_entry_xattr_add_entry(e, keep[i].name,
			    keep[i].value, keep[i].size);
	}
	for (i = 0; i < n; i++) {
		free(keep[i].name);
		free(keep[i].value);
	}
	free(keep);
}

static int
copy_data(struct unpack *u, const char *name, tf_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	for (;;) {
		r = archive_read_data_block(u->in, &buf, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return tf_err_set(err, "%s: reading %s: %s",
			    u->tar_path, name, archive_error_string(u->in));
		/* libarchive calls a failed write(2) (a full disk) a
		 * warning: for file data it is data lost. */
		if (archive_write_data_block(u->out, buf, size, offset) !=
		    ARCHIVE_OK)
			return tf_err_set(err, "%s: writing %s: %s (%s)",
			    u->tar_path, name, archive_error_string(u->out),
			    strerror(archive_errno(u->out)));
	}
}

/* Writes one entry (possibly rewritten) through the secure disk writer. */
static int
write_entry(struct unpack *u, struct archive_entry *e, const char *name,
    bool with_data, tf_err *err)
{
	int r;

	r = archive_write_header(u->out, e);
	if (r < ARCHIVE_WARN)
		return tf_err_set(err, "%s: refusing %.200s: %s", u->tar_path,
		    name, archive_error_string(u->out));
	if (r == ARCHIVE_WARN)
		tf_debug("%s: %s: %s", u->tar_path, name,
		    archive_error_string(u->out));
	if (with_data && archive_entry_size(e) > 0 &&
	    copy_data(u, name, err) != 0)
		return -1;
	r = archive_write_finish_entry(u->out);
	if (r < ARCHIVE_WARN)
		return tf_err_set(err, "%s: finishing %.200s: %s",
		    u->tar_path, name, archive_error_string(u->out));
	if (r == ARCHIVE_WARN)
		tf_debug("%s: %s: %s", u->tar_path, name,
		    archive_error_string(u->out));
	return 0;
}

/*
 * Opens the directory at clean path `dir` in the layer (the working
 * directory), component by component, never following a symlink.  With
 * create, missing components are made (an opaque marker may come without
 * an entry for its directory); without, a missing one returns -2.
 */
static int
open_dir_beneath(const char *dir, bool create, tf_err *err)
{
	char *copy, *part, *save = NULL;
	int fd, next;

	fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tf_err_errno(err, "opening layer root");
	copy = tf_strdup(dir);
	for (part = strtok_r(copy, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (next < 0 && errno == ENOENT && !create) {
			free(copy);
			close(fd);
			return -2;
		}
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, part, 0755) != 0 && errno != EEXIST)
				goto fail;
			next = openat(fd, part, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0)
			goto fail;
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
fail:
	if (errno == ELOOP || errno == ENOTDIR)
		tf_err_set(err, "refusing %.200s: not a directory inside the "
		    "layer (a symlink?)", dir);
	else
		tf_err_errno(err, "%.200s", dir);
	free(copy);
	close(fd);
	return -1;
}

/* ".wh.<name>": an overlayfs whiteout, a character device 0/0 owned by
 * root.  A file of the same name from this very layer wins, since a
 * whiteout only hides what lower layers have. */
static int
write_whiteout(struct unpack *u, struct archive_entry *e, const char *dir,
    const char *base, tf_err *err)
{
	const char *victim = base + strlen(WH_PREFIX);
	struct stat st;
	char *target;
	int r, fd;

	if (victim[0] == '\0' || strcmp(victim, ".") == 0 ||
	    strcmp(victim, "..") == 0)
		return tf_err_set(err, "%s: bad whiteout %s/%s", u->tar_path,
		    dir, base);
	target = dir[0] != '\0' ? tf_asprintf("%s/%s", dir, victim) :
	    tf_strdup(victim);
	/* Looked up without following symlinks: a whiteout under a
	 * symlinked directory must reach the writer, which refuses it. */
	fd = open_dir_beneath(dir, false, NULL);
	if (fd >= 0) {
		r = fstatat(fd, victim, &st, AT_SYMLINK_NOFOLLOW);
		close(fd);
		if (r == 0) {
			tf_debug("%s: whiteout for %s, which this layer has: "
			    "kept", u->tar_path, target);
			free(target);
			return 0;
		}
	}
	archive_entry_set_pathname(e, target);
	archive_entry_set_hardlink(e, NULL);
	archive_entry_set_symlink(e, NULL);
	archive_entry_set_filetype(e, AE_IFCHR);
	archive_entry_set_perm(e, 0);
	archive_entry_set_rdev(e, makedev(0, 0));
	archive_entry_set_size(e, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_xattr_clear(e);
	r = write_entry(u, e, target, false, err);
	free(target);
	u->whiteouts++;
	return r;
}

static int
apply_opaque(struct unpack *u, tf_err *err)
{
	size_t i;
	int fd;

	for (i = 0; i < u->n_opaque; i++) {
		if ((fd = open_dir_beneath(u->opaque[i], true, err)) < 0)
			return -1;
		if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) != 0) {
			tf_err_errno(err, "%s: marking %s opaque", u->tar_path,
			    u->opaque[i][0] != '\0' ? u->opaque[i] : "/");
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int
unpack_entries(struct unpack *u, tf_err *err)
{
	struct archive_entry *e;
	const char *base, *link;
	char *clean, *dir, *clean_link;
	int r;

	for (;;) {
		r = archive_read_next_header(u->in, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return tf_err_set(err, "%s: %s", u->tar_path,
			    archive_error_string(u->in));
		u->entries++;
		if ((clean = entry_clean(u->tar_path,
		    archive_entry_pathname(e), "entry", err)) == NULL)
			return -1;
		if ((link = archive_entry_hardlink(e)) != NULL) {
			if ((clean_link = entry_clean(u->tar_path, link,
			    "hard link", err)) == NULL) {
				free(clean);
				return -1;
			}
			archive_entry_set_hardlink(e, clean_link);
			free(clean_link);
		}
		path_split(clean, &dir, &base);

		if (strcmp(base, WH_OPAQUE) == 0) {
			u->opaque = tf_realloc(u->opaque,
			    (u->n_opaque + 1) * sizeof *u->opaque);
			u->opaque[u->n_opaque++] = tf_strdup(dir);
			r = 0;
		} else if (strncmp(base, WH_META_PREFIX,
		    strlen(WH_META_PREFIX)) == 0) {
			/* aufs bookkeeping (.wh..wh.plnk etc.): not ours. */
			r = 0;
		} else if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
			r = write_whiteout(u, e, dir, base, err);
		else {
			if (clean[0] == '\0')
				archive_entry_set_pathname(e, ".");
			else
				archive_entry_set_pathname(e, clean);
			entry_strip_overlay_xattrs(e);
			r = write_entry(u, e, clean[0] != '\0' ? clean : ".",
			    true, err);
		}
		free(dir);
		free(clean);
		if (r != 0)
			return -1;
	}
}

static int
fsync_parent(const char *path)
{
	char *copy = tf_strdup(path), *slash = strrchr(copy, '/');
	int fd, r;

	if (slash == copy)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else {
		free(copy);
		copy = tf_strdup(".");
	}
	fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
layer_unpack(const char *tar_path, const char *dest_dir, tf_err *err)
{
	struct unpack u = { .tar_path = tar_path };
	struct stat st;
	char *tmp = NULL;
	int cwd = -1, tmp_fd = -1, r = -1, flags;
	bool moved_in = false;
	size_t i;

	if (lstat(dest_dir, &st) == 0)
		return tf_err_set(err, "%s already exists", dest_dir);
	if (errno != ENOENT)
		return tf_err_errno(err, "%s", dest_dir);
	tmp = tf_asprintf("%s.tmp", dest_dir);
	if (tf_rm_rf(tmp) != 0) {
		tf_err_errno(err, "removing the leftover %s", tmp);
		goto out;
	}
	if (mkdir(tmp, 0755) != 0) {
		tf_err_errno(err, "creating %s", tmp);
		goto out;
	}

	u.in = archive_read_new();
	archive_read_support_format_tar(u.in);
	(void)archive_read_support_filter_gzip(u.in);
	(void)archive_read_support_filter_xz(u.in);
	(void)archive_read_support_filter_zstd(u.in);
	(void)archive_read_support_filter_bzip2(u.in);
	if (archive_read_open_filename(u.in, tar_path, 256 * 1024) !=
	    ARCHIVE_OK) {
		tf_err_set(err, "%s: %s", tar_path,
		    archive_error_string(u.in));
		goto out;
	}

	/* No user/group lookup: ids in a layer are the container's, and
	 * must be kept as numbers, not mapped through this host's names. */
	flags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
	    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
	    ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	    ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	u.out = archive_write_disk_new();
	archive_write_disk_set_options(u.out, flags);

	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		tf_err_errno(err, "opening the working directory");
		goto out;
	}
	if (chdir(tmp) != 0) {
		tf_err_errno(err, "entering %s", tmp);
		goto out;
	}
	moved_in = true;

	if (unpack_entries(&u, err) != 0)
		goto out;
	/* Directory modes and times are set last, by close. */
	if (archive_write_close(u.out) != ARCHIVE_OK) {
		tf_err_set(err, "%s: %s", tar_path,
		    archive_error_string(u.out));
		goto out;
	}
	if (apply_opaque(&u, err) != 0)
		goto out;
	archive_write_free(u.out);
	u.out = NULL;
	if (fchdir(cwd) != 0)
		tf_panic("cannot return to the working directory: %s",
		    strerror(errno));
	moved_in = false;

	/* Data first, then the rename that publishes it. */
	tmp_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp_fd < 0 || syncfs(tmp_fd) != 0) {
		tf_err_errno(err, "syncing %s", tmp);
		goto out;
	}
	if (rename(tmp, dest_dir) != 0) {
		tf_err_errno(err, "renaming %s to %s", tmp, dest_dir);
		goto out;
	}
	if (fsync_parent(dest_dir) != 0)
		tf_warn("fsync of the directory holding %s: %s", dest_dir,
		    strerror(errno));
	tf_debug("unpacked %s into %s: %zu entries, %zu whiteouts, %zu "
	    "opaque", tar_path, dest_dir, u.entries, u.whiteouts,
	    u.n_opaque);
	r = 0;
out:
	/* Freeing the writer applies its pending directory fixups, by
	 * relative path: it must happen inside tmp, never back in cwd.
	 * (Before the chdir it has written nothing, so has nothing to fix.) */
	if (u.out != NULL)
		archive_write_free(u.out);
	if (moved_in && fchdir(cwd) != 0)
		tf_panic("cannot return to the working directory: %s",
		    strerror(errno));
	if (cwd >= 0)
		close(cwd);
	if (tmp_fd >= 0)
		close(tmp_fd);
	if (u.in != NULL)
		archive_read_free(u.in);
	for (i = 0; i < u.n_opaque; i++)
		free(u.opaque[i]);
	free(u.opaque);
	if (r != 0 && tmp != NULL && tf_rm_rf(tmp) != 0)
		tf_warn("removing %s: %s", tmp, strerror(errno));
	free(tmp);
	return r;
}

int
layer_tar_digest(const char *path, char hex[65], tf_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char *buf = NULL;
	la_ssize_t n = -1;

	(void)archive_read_support_filter_gzip(a);
	(void)archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	crypto_hash_sha256_init(&st);
	if (archive_read_open_filename(a, path, 256 * 1024) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) >= ARCHIVE_WARN) {
		buf = malloc(256 * 1024);
		while (buf != NULL &&
		    (n = archive_read_data(a, buf, 256 * 1024)) > 0)
			crypto_hash_sha256_update(&st, (unsigned char *)buf,
			    (size_t)n);
	}
	if (n < 0) {
		tf_err_set(err, "%s: %s", path, archive_error_string(a) != NULL ?
		    archive_error_string(a) : "cannot read");
		free(buf);
		archive_read_free(a);
		return -1;
	}
	free(buf);
	archive_read_free(a);
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
	return 0;
}
