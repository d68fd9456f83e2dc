/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_layer_unpack: builds layer tarballs with libarchive in a temporary
 * directory, unpacks them with layer_unpack() and checks the result:
 * owners, modes, links, xattrs, whiteouts, opaque directories, the
 * tmp-then-rename protocol, and that hostile layers are refused without
 * touching anything outside.  Needs root (mknod, chown, trusted.* xattrs);
 * exits 77 (skipped) otherwise.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "layer_unpack.h"
#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"

static int failures;

#define CHECK(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #c); \
		failures++; \
	} \
} while (0)

/* Everything a test entry can carry. */
struct ent {
	const char	*name;
	int		 type;		/* AE_IFREG, AE_IFDIR, ... */
	int		 mode;
	const char	*data;		/* regular files */
	const char	*link;		/* symlink target */
	const char	*hardlink;
	int		 uid, gid;
	const char	*xattr_name;
	const char	*xattr_value;
	int		 rmajor, rminor;
};

static void
tar_write(const char *path, bool gzip, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t i, len;

	archive_write_set_format_pax(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		fprintf(stderr, "%s: %s\n", path, archive_error_string(a));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		len = ents[i].data != NULL ? strlen(ents[i].data) : 0;
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_filetype(e, (unsigned)ents[i].type);
		archive_entry_set_perm(e, (mode_t)(ents[i].mode != 0 ?
		    ents[i].mode : (ents[i].type == AE_IFDIR ? 0755 : 0644)));
		archive_entry_set_uid(e, ents[i].uid);
		archive_entry_set_gid(e, ents[i].gid);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (ents[i].link != NULL)
			archive_entry_set_symlink(e, ents[i].link);
		if (ents[i].hardlink != NULL) {
			archive_entry_set_hardlink(e, ents[i].hardlink);
			len = 0;
		}
		if (ents[i].type == AE_IFCHR)
			archive_entry_set_rdev(e, makedev(ents[i].rmajor,
			    ents[i].rminor));
		if (ents[i].xattr_name != NULL)
			archive_entry_xattr_add_entry(e, ents[i].xattr_name,
			    ents[i].xattr_value, strlen(ents[i].xattr_value));
		archive_entry_set_size(e, (la_int64_t)len);
		if (archive_write_header(a, e) != ARCHIVE_OK) {
			fprintf(stderr, "%s: %s\n", ents[i].name,
			    archive_error_string(a));
			exit(1);
		}
		if (len > 0)
			archive_write_data(a, ents[i].data, len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static char *
path_in(const char *dir, const char *rel)
{
	return tf_asprintf("%s/%s", dir, rel);
}

static bool
exists(const char *dir, const char *rel)
{
	struct stat st;
	char *p = path_in(dir, rel);
	bool ok = lstat(p, &st) == 0;

	free(p);
	return ok;
}

static bool
lstat_in(const char *dir, const char *rel, struct stat *st)
{
	char *p = path_in(dir, rel);
	bool ok = lstat(p, st) == 0;

	if (!ok)
		fprintf(stderr, "lstat %s: %s\n", p, strerror(errno));
	free(p);
	return ok;
}

static bool
is_whiteout(const char *dir, const char *rel)
{
	struct stat st;

	return lstat_in(dir, rel, &st) && S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(0, 0) && st.st_uid == 0 && st.st_gid == 0;
}

static bool
xattr_is(const char *dir, const char *rel, const char *name,
    const char *want)
{
	char *p = path_in(dir, rel), value[64];
	ssize_t n = lgetxattr(p, name, value, sizeof value - 1);

	free(p);
	if (n < 0)
		return want == NULL;
	value[n] = '\0';
	return want != NULL && strcmp(value, want) == 0;
}

static void
test_good_layer(const char *base, bool gzip)
{
	const struct ent ents[] = {
		{ .name = "./", .type = AE_IFDIR, .mode = 0755 },
		{ .name = "./etc/", .type = AE_IFDIR, .mode = 0750 },
		{ .name = "./etc/hello", .type = AE_IFREG, .mode = 0640,
		  .data = "hello\n", .uid = 1000, .gid = 1001,
		  .xattr_name = "user.tf", .xattr_value = "yes" },
		{ .name = "etc/sneaky", .type = AE_IFREG, .data = "x",
		  .xattr_name = "trusted.overlay.redirect",
		  .xattr_value = "/elsewhere" },
		{ .name = "etc/link", .type = AE_IFLNK, .link = "hello",
		  .mode = 0777 },
		{ .name = "etc/hard", .type = AE_IFREG,
		  .hardlink = "./etc/hello" },
		{ .name = "etc/.wh.motd", .type = AE_IFREG },
		{ .name = "etc/.wh..wh..plnk", .type = AE_IFREG },
		{ .name = "var/", .type = AE_IFDIR },
		{ .name = "var/cache/", .type = AE_IFDIR, .mode = 0700 },
		{ .name = "var/cache/.wh..wh..opq", .type = AE_IFREG },
		{ .name = "var/cache/kept", .type = AE_IFREG, .data = "k" },
		{ .name = "bin/", .type = AE_IFDIR },
		{ .name = "bin/su", .type = AE_IFREG, .mode = 04755,
		  .data = "#!/bin/sh\n" },
		{ .name = "deep/er/.wh..wh..opq", .type = AE_IFREG },
		{ .name = ".wh.rootgone", .type = AE_IFREG, .data = "junk" },
		{ .name = "keep", .type = AE_IFREG, .data = "real" },
		{ .name = ".wh.keep", .type = AE_IFREG },
		{ .name = "dev/", .type = AE_IFDIR },
		{ .name = "dev/null", .type = AE_IFCHR, .mode = 0666,
		  .rmajor = 1, .rminor = 3 },
	};
	char *tar = path_in(base, gzip ? "good.tar.gz" : "good.tar");
	char *dest = path_in(base, gzip ? "good-gz" : "good");
	char *tmp = tf_asprintf("%s.tmp", dest), buf[64];
	struct stat st, st2;
	tf_err err;
	ssize_t n;

	tar_write(tar, gzip, ents, TF_ARRAY_LEN(ents));
	/* A leftover from a "crash" is cleared away first. */
	CHECK(tf_mkdir_p(tmp, 0755) == 0);
	{
		char *junk = path_in(tmp, "junk");

		CHECK(tf_write_file(junk, "j", 1, 0644) == 0);
		free(junk);
	}
	if (layer_unpack(tar, dest, &err) != 0) {
		fprintf(stderr, "layer_unpack: %s\n", err.msg);
		failures++;
		goto out;
	}
	CHECK(!exists(base, gzip ? "good-gz.tmp" : "good.tmp"));
	CHECK(!exists(dest, "junk"));

	CHECK(lstat_in(dest, "etc", &st) && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 07777) == 0750);
	CHECK(lstat_in(dest, "etc/hello", &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0640 && st.st_uid == 1000 &&
	    st.st_gid == 1001 && st.st_mtime == 1000000000 &&
	    st.st_size == 6 && st.st_nlink == 2);
	CHECK(lstat_in(dest, "etc/hard", &st2) && st2.st_ino == st.st_ino);
	CHECK(xattr_is(dest, "etc/hello", "user.tf", "yes"));
	CHECK(lstat_in(dest, "etc/sneaky", &st) && S_ISREG(st.st_mode));
	CHECK(xattr_is(dest, "etc/sneaky", "trusted.overlay.redirect",
	    NULL));
	CHECK(lstat_in(dest, "etc/link", &st) && S_ISLNK(st.st_mode));
	{
		char *p = path_in(dest, "etc/link");

		n = readlink(p, buf, sizeof buf - 1);
		CHECK(n == 5 && memcmp(buf, "hello", 5) == 0);
		free(p);
	}
	CHECK(is_whiteout(dest, "etc/motd"));
	CHECK(!exists(dest, "etc/.wh.motd"));
	CHECK(!exists(dest, "etc/.wh..wh..plnk"));
	CHECK(!exists(dest, "etc/plnk"));
	CHECK(xattr_is(dest, "var/cache", "trusted.overlay.opaque", "y"));
	CHECK(lstat_in(dest, "var/cache", &st) &&
	    (st.st_mode & 07777) == 0700);
	CHECK(!exists(dest, "var/cache/.wh..wh..opq"));
	CHECK(exists(dest, "var/cache/kept"));
	CHECK(xattr_is(dest, "var", "trusted.overlay.opaque", NULL));
	CHECK(xattr_is(dest, "deep/er", "trusted.overlay.opaque", "y"));
	CHECK(lstat_in(dest, "bin/su", &st) &&
	    (st.st_mode & 07777) == 04755);
	CHECK(is_whiteout(dest, "rootgone"));
	CHECK(lstat_in(dest, "keep", &st) && S_ISREG(st.st_mode) &&
	    st.st_size == 4);
	CHECK(lstat_in(dest, "dev/null", &st) && S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(1, 3));
	CHECK(lstat_in(dest, ".", &st) && (st.st_mode & 07777) == 0755);

	/* The destination exists now: a second unpack refuses. */
	CHECK(layer_unpack(tar, dest, &err) == -1);
	CHECK(strstr(err.msg, "exists") != NULL);
	CHECK(exists(dest, "etc/hello"));
out:
	CHECK(tf_rm_rf(dest) == 0);
	unlink(tar);
	free(tar);
	free(dest);
	free(tmp);
}

/* A hostile layer: must fail, leave neither dest nor dest.tmp, and leave
 * the "outside" directory as it was. */
static void
test_refused(const char *base, const char *what, const struct ent *ents,
    size_t n)
{
	char *tar = path_in(base, "bad.tar"), *dest = path_in(base, "bad");
	char *outside = path_in(base, "outside");
	struct stat st;
	tf_err err;

	tar_write(tar, false, ents, n);
	if (layer_unpack(tar, dest, &err) == 0) {
		fprintf(stderr, "%s: unpacked, should have been refused\n",
		    what);
		failures++;
	} else
		printf("  refused %s: %s\n", what, err.msg);
	CHECK(!exists(base, "bad"));
	CHECK(!exists(base, "bad.tmp"));
	/* outside/ holds exactly "secret", a plain file, no xattrs. */
	CHECK(lstat_in(outside, "secret", &st) && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1 && st.st_size == 6);
	CHECK(!exists(outside, "file"));
	CHECK(!exists(outside, "abs"));
	CHECK(!exists(base, "escape"));
	CHECK(xattr_is(base, "outside", "trusted.overlay.opaque", NULL));
	tf_rm_rf(dest);
	unlink(tar);
	free(tar);
	free(dest);
	free(outside);
}

/* Entries naming these stand for absolute paths into the test's own
 * outside/ directory, which are known only at run time. */
static const char ABS_OUTSIDE[] = "<base>/outside";
static const char ABS_FILE[] = "<base>/outside/abs";

/* Layers that must be refused, leaving outside/ and the destination
 * untouched (test_refused checks both). */
static const struct refusal {
	const char *what;
	struct ent e[2];
	size_t n;
} refusals[] = {
	{ "a .. path", {
		{ .name = "../escape", .type = AE_IFREG, .data = "x" },
	    }, 1 },
	{ "a .. path inside", {
		{ .name = "ok/", .type = AE_IFDIR },
		{ .name = "ok/../../escape", .type = AE_IFREG, .data = "x" },
	    }, 2 },
	{ "an absolute path", {
		{ .name = ABS_FILE, .type = AE_IFREG, .data = "x" },
	    }, 1 },
	{ "a file through an absolute symlink", {
		{ .name = "evil", .type = AE_IFLNK, .link = ABS_OUTSIDE },
		{ .name = "evil/file", .type = AE_IFREG, .data = "x" },
	    }, 2 },
	{ "a file through a relative symlink", {
		{ .name = "evil", .type = AE_IFLNK, .link = "../../outside" },
		{ .name = "evil/file", .type = AE_IFREG, .data = "x" },
	    }, 2 },
	{ "a hard link out with ..", {
		{ .name = "hl", .type = AE_IFREG,
		  .hardlink = "../outside/secret" },
	    }, 1 },
	{ "a hard link through a symlink", {
		{ .name = "lnk", .type = AE_IFLNK, .link = ABS_OUTSIDE },
		{ .name = "hl", .type = AE_IFREG, .hardlink = "lnk/secret" },
	    }, 2 },
	{ "a whiteout through a symlink", {
		{ .name = "wdir", .type = AE_IFLNK, .link = ABS_OUTSIDE },
		{ .name = "wdir/.wh.secret", .type = AE_IFREG },
	    }, 2 },
	{ "an opaque marker through a symlink", {
		{ .name = "odir", .type = AE_IFLNK, .link = ABS_OUTSIDE },
		{ .name = "odir/.wh..wh..opq", .type = AE_IFREG },
	    }, 2 },
};

static void
test_good_plain(const char *base)
{
	test_good_layer(base, false);
}

static void
test_good_gzip(const char *base)
{
	test_good_layer(base, true);
}

static void
test_refusals(const char *base)
{
	char *p, *abs_name, *abs_target;

	p = path_in(base, "outside");
	CHECK(mkdir(p, 0755) == 0);
	free(p);
	p = path_in(base, "outside/secret");
	CHECK(tf_write_file(p, "secret", 6, 0600) == 0);
	free(p);
	abs_name = tf_asprintf("%s/outside/abs", base);
	abs_target = path_in(base, "outside");
	for (size_t i = 0; i < TF_ARRAY_LEN(refusals); i++) {
		struct ent e[2];

		memcpy(e, refusals[i].e, sizeof e);
		for (size_t j = 0; j < refusals[i].n; j++) {
			if (e[j].name == ABS_FILE)
				e[j].name = abs_name;
			if (e[j].link == ABS_OUTSIDE)
				e[j].link = abs_target;
		}
		test_refused(base, refusals[i].what, e, refusals[i].n);
	}
	free(abs_name);
	free(abs_target);
}

/* Not a tar at all; a missing file. */
static void
test_junk(const char *base)
{
	char *p, *dest;
	tf_err err;

	p = path_in(base, "junk.tar");
	CHECK(tf_write_file(p, "this is not a tar archive, not at all....",
	    41, 0644) == 0);
	dest = path_in(base, "junk");
	CHECK(layer_unpack(p, dest, &err) == -1);
	printf("  refused junk: %s\n", err.msg);
	CHECK(!exists(base, "junk") && !exists(base, "junk.tmp"));
	free(p);
	p = path_in(base, "missing.tar");
	CHECK(layer_unpack(p, dest, &err) == -1);
	CHECK(!exists(base, "junk") && !exists(base, "junk.tmp"));
	free(dest);
	free(p);
}

static const struct {
	const char *name;
	void (*fn)(const char *base);
} unpack_tests[] = {
	{ "good", test_good_plain },
	{ "good_gzip", test_good_gzip },
	{ "refusals", test_refusals },
	{ "junk", test_junk },
};

int
main(void)
{
	char tmpl[512], *base;

	if (geteuid() != 0) {
		printf("test_layer_unpack: needs root, skipped\n");
		return 77;
	}
	tf_log_setup(TF_LOG_WARN, "test_layer_unpack", stderr);
	/* Under $TMPDIR, where scripts/test.sh looks for leftovers. */
	snprintf(tmpl, sizeof tmpl, "%s/tf-test-layer-unpack.XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if ((base = mkdtemp(tmpl)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < TF_ARRAY_LEN(unpack_tests); i++) {
		printf("-- %s\n", unpack_tests[i].name);
		unpack_tests[i].fn(base);
	}
	CHECK(tf_rm_rf(base) == 0);
	if (failures != 0) {
		fprintf(stderr, "test_layer_unpack: %d failures\n", failures);
		return 1;
	}
	printf("test_layer_unpack: OK\n");
	return 0;
}
