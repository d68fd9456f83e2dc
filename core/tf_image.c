/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_image: reads OCI image layouts and docker-save archives from disk (see
 * tf_image.h).  Owns the formats' JSON (index, manifest, docker's
 * manifest.json, image config) and the streaming of layers out of them.
 *
 * A source is a directory, whose files are opened by path, or a tarball,
 * which is never extracted: one pass at open lists its members and keeps
 * the small JSON ones in memory; a layer is read later by scanning the
 * archive again up to its member.  So memory stays bounded by the JSON,
 * whatever the size of the layers.  A layer's bytes go through a second
 * libarchive reader in "raw" mode, which undoes gzip, xz, bzip2 or zstd
 * (or nothing, for docker's plain tars) while we hash both the stored and
 * the uncompressed bytes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <sodium.h>

#include "tf_err.h"
#include "tf_image.h"
#include "tf_log.h"
#include "tf_util.h"

#define HEX_LEN		64
#define JSON_MAX	(8 * 1024 * 1024)	/* index, manifest, config */
#define CACHE_ENTRY_MAX	(1024 * 1024)		/* JSON kept from a scan */
#define CACHE_TOTAL_MAX	(32 * 1024 * 1024)
#define LINK_HOPS	16
#define INDEX_DEPTH	4
#define HEAD_LEN	8
#define READ_BLOCK	(64 * 1024)

#if defined(__x86_64__)
#define HOST_ARCH "amd64"
#elif defined(__aarch64__)
#define HOST_ARCH "arm64"
#elif defined(__arm__)
#define HOST_ARCH "arm"
#elif defined(__i386__)
#define HOST_ARCH "386"
#else
#define HOST_ARCH ""
#endif

enum member_type {
	MEMBER_FILE,
	MEMBER_DIR,
	MEMBER_SYMLINK,
	MEMBER_HARDLINK,
	MEMBER_OTHER,
};

/* One entry of a tarball source. */
struct member {
	char		*name;		/* clean: no "./", no trailing "/" */
	enum member_type type;
	char		*link;		/* clean path of a link's target in the
					   archive, NULL if it leaves it */
	uint64_t	 size;
	size_t		 index;		/* header number in the archive */
	unsigned char	 head[HEAD_LEN];
	size_t		 head_len;
	char		*data;		/* cached small JSON, NUL-terminated */
	size_t		 data_len;
};

struct layer {
	char		 diff_id[HEX_LEN + 1];
	char		 blob[HEX_LEN + 1];	/* stored blob's sha256 or "" */
	char		*member;
	uint64_t	 size;
};

struct tf_image {
	char		*path;
	bool		 is_dir;
	char		*root_real;		/* directory source */
	struct member	*members;		/* tarball source */
	size_t		 n_members;

	char		 id[HEX_LEN + 1];
	char		**names;
	size_t		 n_names;
	struct layer	*layers;
	size_t		 n_layers;
	char		*config_json;
};

/* A stream of a member's stored bytes, hashed as they pass. */
struct source {
	tf_image	*img;
	int		 fd;
	struct archive	*outer;
	crypto_hash_sha256_state hash;
	uint64_t	 bytes;
	bool		 unhashed;	/* the bytes pass as they are */
	char		 error[256];
	unsigned char	 buf[READ_BLOCK];
};

/* ------------------------------------------------------------------------
 * Small helpers
 */

static bool
hex_valid(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	}
	return n >= min && n <= max;
}

/* "sha256:<64 hex>" -> hex into out; anything else (sha512, junk) fails. */
static int
digest_parse(const char *digest, char out[HEX_LEN + 1], const char *what,
    tf_err *err)
{
	if (digest == NULL)
		return tf_err_set(err, "%s: digest missing", what);
	if (strncmp(digest, "sha256:", 7) != 0)
		return tf_err_set(err, "%s: unsupported digest \"%.80s\"",
		    what, digest);
	if (!hex_valid(digest + 7, HEX_LEN, HEX_LEN))
		return tf_err_set(err, "%s: malformed digest \"%.80s\"",
		    what, digest);
	memcpy(out, digest + 7, HEX_LEN + 1);
	return 0;
}

static void
hash_hex(crypto_hash_sha256_state *st, char out[HEX_LEN + 1])
{
	unsigned char bin[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(st, bin);
	sodium_bin2hex(out, HEX_LEN + 1, bin, sizeof bin);
}

static void
sha256_hex(const void *data, size_t len, char out[HEX_LEN + 1])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, data, len);
	hash_hex(&st, out);
}

/*
 * Joins a relative path onto base (NULL: the root) and resolves "." and
 * "..", without touching the file system.  Returns NULL for absolute paths
 * and for paths that climb above the root.  "" is the root itself.
 */
static char *
path_clean(const char *base, const char *rel)
{
	char *joined, *out, *part, *save = NULL;
	size_t len = 0;

	if (rel == NULL || rel[0] == '/')
		return NULL;
	if (base != NULL && base[0] != '\0')
		joined = tf_asprintf("%s/%s", base, rel);
	else
		joined = tf_strdup(rel);
	out = tf_calloc(1, strlen(joined) + 1);
	for (part = strtok_r(joined, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			if (len == 0) {
				free(joined);
				free(out);
				return NULL;
			}
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, part, strlen(part));
		len += strlen(part);
		out[len] = '\0';
	}
	free(joined);
	return out;
}

static char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? tf_strdup("") :
	    tf_strndup(path, (size_t)(slash - path));
}

static bool
head_compressed(const unsigned char *h, size_t n)
{
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)		/* gzip */
		return true;
	if (n >= 3 && memcmp(h, "BZh", 3) == 0)			/* bzip2 */
		return true;
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)	/* xz */
		return true;
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)	/* zstd */
		return true;
	return false;
}

/* ------------------------------------------------------------------------
 * Tarball sources
 */

static struct archive *
outer_new(void)
{
	struct archive *a = archive_read_new();

	/* Return values ignored: a filter built without its library falls
	 * back to an external program (a warning) or is simply absent. */
	(void)archive_read_support_filter_gzip(a);
	(void)archive_read_support_filter_bzip2(a);
	(void)archive_read_support_filter_xz(a);
	(void)archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	return a;
}

static struct member *
member_find(const tf_image *img, const char *name)
{
	size_t i;

	/* The last entry of a name wins, as when a tar is extracted. */
	for (i = img->n_members; i > 0; i--) {
		if (strcmp(img->members[i - 1].name, name) == 0)
			return &img->members[i - 1];
	}
	return NULL;
}

/* Follows symlinks and hard links inside the archive to a regular file. */
static struct member *
member_resolve(const tf_image *img, const char *name)
{
	struct member *m;
	int hops;

	for (hops = 0; hops < LINK_HOPS; hops++) {
		m = member_find(img, name);
		if (m == NULL)
			return NULL;
		if (m->type == MEMBER_FILE)
			return m;
		if ((m->type != MEMBER_SYMLINK &&
		    m->type != MEMBER_HARDLINK) || m->link == NULL)
			return NULL;
		name = m->link;
	}
	return NULL;
}

static bool
looks_like_json(const unsigned char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' ||
		    h[i] == '\r')
			continue;
		return h[i] == '{' || h[i] == '[';
	}
	return false;
}

/* Reads len bytes of the current member's data; -1 on error. */
static int
outer_read_full(struct archive *a, void *buf, size_t len)
{
	size_t done = 0;
	la_ssize_t n;

	while (done < len) {
		n = archive_read_data(a, (char *)buf + done, len - done);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (int)(done == len ? 0 : -1);
}

/* The one pass at open: lists the members, keeps small JSON ones. */
static int
tarball_scan(tf_image *img, tf_err *err)
{
	struct archive *a = outer_new();
	struct archive_entry *e;
	struct member *m;
	size_t cap = 0, index = 0, cached = 0;
	const char *name, *link;
	char *clean, *dir;
	int r;

	if (archive_read_open_filename(a, img->path, READ_BLOCK) !=
	    ARCHIVE_OK) {
		tf_err_set(err, "%s: %s", img->path, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	for (;; index++) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			tf_err_set(err, "%s: not a readable tar archive: %s",
			    img->path, archive_error_string(a));
			archive_read_free(a);
			return -1;
		}
		name = archive_entry_pathname(e);
		clean = name == NULL ? NULL : path_clean(NULL, name);
		if (clean == NULL || clean[0] == '\0') {
			free(clean);
			continue;
		}
		if (img->n_members == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			img->members = tf_realloc(img->members,
			    cap * sizeof *img->members);
		}
		m = &img->members[img->n_members++];
		memset(m, 0, sizeof *m);
		m->name = clean;
		m->index = index;
		m->size = archive_entry_size_is_set(e) ?
		    (uint64_t)archive_entry_size(e) : 0;

		if ((link = archive_entry_hardlink(e)) != NULL) {
			m->type = MEMBER_HARDLINK;
			m->link = path_clean(NULL, link);
			continue;
		}
		switch (archive_entry_filetype(e)) {
		case AE_IFREG:
			m->type = MEMBER_FILE;
			break;
		case AE_IFDIR:
			m->type = MEMBER_DIR;
			continue;
		case AE_IFLNK:
			m->type = MEMBER_SYMLINK;
			dir = path_dirname(clean);
			m->link = path_clean(dir, archive_entry_symlink(e));
			free(dir);
			continue;
		default:
			m->type = MEMBER_OTHER;
			continue;
		}

		/* The first bytes tell compressed from plain layers. */
		m->head_len = m->size < HEAD_LEN ? (size_t)m->size : HEAD_LEN;
		if (m->head_len > 0 &&
		    outer_read_full(a, m->head, m->head_len) != 0) {
			tf_err_set(err, "%s: reading %s: %s", img->path,
			    m->name, archive_error_string(a));
			archive_read_free(a);
			return -1;
		}
		if (!looks_like_json(m->head, m->head_len) ||
		    m->size > CACHE_ENTRY_MAX ||
		    cached + m->size > CACHE_TOTAL_MAX)
			continue;
		m->data_len = (size_t)m->size;
		m->data = tf_malloc(m->data_len + 1);
		memcpy(m->data, m->head, m->head_len);
		if (outer_read_full(a, m->data + m->head_len,
		    m->data_len - m->head_len) != 0) {
			tf_err_set(err, "%s: reading %s: %s", img->path,
			    m->name, archive_error_string(a));
			archive_read_free(a);
			return -1;
		}
		m->data[m->data_len] = '\0';
		cached += m->data_len;
	}
	archive_read_free(a);
	if (img->n_members == 0)
		return tf_err_set(err, "%s: empty archive", img->path);
	return 0;
}

/* ------------------------------------------------------------------------
 * Reading members of either kind of source
 */

/* Turns a member name from JSON into a checked path in the directory. */
static char *
dir_member_path(tf_image *img, const char *member, tf_err *err)
{
	char *clean, *full, *real;
	size_t rlen = strlen(img->root_real);

	clean = path_clean(NULL, member);
	if (clean == NULL || clean[0] == '\0') {
		free(clean);
		tf_err_set(err, "%s: bad path \"%.100s\" in image", img->path,
		    member);
		return NULL;
	}
	full = tf_asprintf("%s/%s", img->root_real, clean);
	free(clean);
	/* docker save links duplicate layers with symlinks; follow them,
	 * but never out of the directory. */
	real = realpath(full, NULL);
	if (real == NULL) {
		tf_err_errno(err, "%s: %s", img->path, member);
		free(full);
		return NULL;
	}
	free(full);
	if (strncmp(real, img->root_real, rlen) != 0 || real[rlen] != '/') {
		tf_err_set(err, "%s: %s points outside the image directory",
		    img->path, member);
		free(real);
		return NULL;
	}
	return real;
}

/* Opens the stored bytes of a member for reading; sets *size_out. */
static int
source_open(tf_image *img, const char *member, struct source *src,
    uint64_t *size_out, tf_err *err)
{
	struct archive_entry *e;
	struct member *m;
	struct stat st;
	size_t i;
	char *full;
	int r;

	memset(src, 0, offsetof(struct source, buf));
	src->img = img;
	src->fd = -1;
	crypto_hash_sha256_init(&src->hash);

	if (img->is_dir) {
		if ((full = dir_member_path(img, member, err)) == NULL)
			return -1;
		src->fd = open(full, O_RDONLY | O_CLOEXEC);
		if (src->fd < 0 || fstat(src->fd, &st) != 0) {
			tf_err_errno(err, "%s: %s", img->path, member);
			if (src->fd >= 0)
				close(src->fd);
			src->fd = -1;
			free(full);
			return -1;
		}
		free(full);
		if (!S_ISREG(st.st_mode)) {
			close(src->fd);
			src->fd = -1;
			return tf_err_set(err, "%s: %s is not a file",
			    img->path, member);
		}
		*size_out = (uint64_t)st.st_size;
		return 0;
	}

	if ((m = member_resolve(img, member)) == NULL)
		return tf_err_set(err, "%s: no %s in the archive", img->path,
		    member);
	*size_out = m->size;
	src->outer = outer_new();
	if (archive_read_open_filename(src->outer, img->path, READ_BLOCK) !=
	    ARCHIVE_OK)
		goto fail;
	for (i = 0; i <= m->index; i++) {
		r = archive_read_next_header(src->outer, &e);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			goto fail;
	}
	return 0;
fail:
	tf_err_set(err, "%s: reading %s: %s", img->path, member,
	    archive_error_string(src->outer) != NULL ?
	    archive_error_string(src->outer) : "archive changed since open");
	archive_read_free(src->outer);
	src->outer = NULL;
	return -1;
}

static ssize_t
source_read(struct source *src, void *buf, size_t len)
{
	ssize_t n;

	if (src->fd >= 0) {
		do
			n = read(src->fd, buf, len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			snprintf(src->error, sizeof src->error, "%s",
			    strerror(errno));
	} else {
		n = archive_read_data(src->outer, buf, len);
		if (n < 0)
			snprintf(src->error, sizeof src->error, "%s",
			    archive_error_string(src->outer));
	}
	if (n > 0) {
		if (!src->unhashed)
			crypto_hash_sha256_update(&src->hash, buf, (size_t)n);
		src->bytes += (uint64_t)n;
	}
	return n;
}

static void
source_close(struct source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
	if (src->outer != NULL)
		archive_read_free(src->outer);
	src->outer = NULL;
}

/* Loads a whole (small) member as a NUL-terminated string. */
static char *
member_load(tf_image *img, const char *member, size_t max, size_t *len_out,
    tf_err *err)
{
	struct source *src;
	struct member *m;
	uint64_t size;
	size_t len = 0;
	ssize_t n;
	char *buf;

	if (!img->is_dir && (m = member_resolve(img, member)) != NULL &&
	    m->data != NULL) {
		*len_out = m->data_len;
		return tf_strndup(m->data, m->data_len);
	}
	src = tf_malloc(sizeof *src);
	if (source_open(img, member, src, &size, err) != 0) {
		free(src);
		return NULL;
	}
	if (size > max) {
		tf_err_set(err, "%s: %s is too big (%llu bytes)", img->path,
		    member, (unsigned long long)size);
		goto fail;
	}
	buf = tf_malloc((size_t)size + 1);
	for (;;) {
		n = source_read(src, buf + len, (size_t)size + 1 - len);
		if (n < 0) {
			tf_err_set(err, "%s: reading %s: %s", img->path,
			    member, src->error);
			free(buf);
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > size) {
			tf_err_set(err, "%s: %s grew while read", img->path,
			    member);
			free(buf);
			goto fail;
		}
	}
	buf[len] = '\0';
	source_close(src);
	free(src);
	*len_out = len;
	return buf;
fail:
	source_close(src);
	free(src);
	return NULL;
}

/* Size and first bytes of a member, without reading all of it. */
static int
member_probe(tf_image *img, const char *member, uint64_t *size,
    unsigned char *head, size_t *head_len, tf_err *err)
{
	struct source *src;
	struct member *m;
	ssize_t n;

	if (!img->is_dir) {
		if ((m = member_resolve(img, member)) == NULL)
			return tf_err_set(err, "%s: no %s in the archive",
			    img->path, member);
		*size = m->size;
		memcpy(head, m->head, m->head_len);
		*head_len = m->head_len;
		return 0;
	}
	src = tf_malloc(sizeof *src);
	if (source_open(img, member, src, size, err) != 0) {
		free(src);
		return -1;
	}
	n = source_read(src, head, HEAD_LEN);
	source_close(src);
	free(src);
	if (n < 0)
		return tf_err_errno(err, "%s: %s", img->path, member);
	*head_len = (size_t)n;
	return 0;
}

static bool
member_exists(tf_image *img, const char *member)
{
	char *full;
	struct stat st;
	bool ok;

	if (!img->is_dir)
		return member_resolve(img, member) != NULL;
	full = tf_asprintf("%s/%s", img->root_real, member);
	ok = stat(full, &st) == 0 && S_ISREG(st.st_mode);
	free(full);
	return ok;
}

static json_t *
json_member(tf_image *img, const char *member, tf_err *err)
{
	json_error_t jerr;
	json_t *j;
	size_t len;
	char *buf;

	if ((buf = member_load(img, member, JSON_MAX, &len, err)) == NULL)
		return NULL;
	j = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (j == NULL)
		tf_err_set(err, "%s: %s: bad JSON: %s (line %d)", img->path,
		    member, jerr.text, jerr.line);
	return j;
}

/* An OCI blob, checked against its digest. */
static json_t *
json_blob(tf_image *img, const char *hex, char **raw_out, tf_err *err)
{
	json_error_t jerr;
	char *member, *buf, got[HEX_LEN + 1];
	json_t *j;
	size_t len;

	member = tf_asprintf("blobs/sha256/%s", hex);
	buf = member_load(img, member, JSON_MAX, &len, err);
	free(member);
	if (buf == NULL)
		return NULL;
	sha256_hex(buf, len, got);
	if (strcmp(got, hex) != 0) {
		tf_err_set(err, "%s: blob %.12s is corrupt (its sha256 is "
		    "%.12s)", img->path, hex, got);
		free(buf);
		return NULL;
	}
	j = json_loadb(buf, len, 0, &jerr);
	if (j == NULL)
		tf_err_set(err, "%s: blob %.12s: bad JSON: %s", img->path,
		    hex, jerr.text);
	if (raw_out != NULL && j != NULL)
		*raw_out = buf;
	else
		free(buf);
	return j;
}

/* ------------------------------------------------------------------------
 * Choosing an image
 */

struct candidate {
	json_t		*desc;		/* docker entry or OCI descriptor */
	char		**names;
	size_t		 n_names;
	char		 id[HEX_LEN + 1];	/* filled on demand */
};

/* Reference normalisation for matching only: "docker.io/library/x" is "x"
 * and a name without a tag has ":latest". */
static char *
ref_normalise(const char *s)
{
	const char *slash;

	if (strncmp(s, "docker.io/library/", 18) == 0)
		s += 18;
	else if (strncmp(s, "docker.io/", 10) == 0)
		s += 10;
	slash = strrchr(s, '/');
	if (strchr(slash != NULL ? slash : s, ':') == NULL &&
	    strchr(s, '@') == NULL)
		return tf_asprintf("%s:latest", s);
	return tf_strdup(s);
}

static bool
ref_matches(const char *want, const char *have)
{
	char *a = ref_normalise(want), *b = ref_normalise(have);
	bool same = strcmp(a, b) == 0 || strcmp(want, have) == 0;

	free(a);
	free(b);
	return same;
}

static void
candidate_add_name(struct candidate *c, const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return;
	for (i = 0; i < c->n_names; i++) {
		if (strcmp(c->names[i], name) == 0)
			return;
	}
	c->names = tf_realloc(c->names, (c->n_names + 1) * sizeof *c->names);
	c->names[c->n_names++] = tf_strdup(name);
}

static void
candidates_free(struct candidate *c, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i].n_names; j++)
			free(c[i].names[j]);
		free(c[i].names);
	}
	free(c);
}

typedef int (*candidate_id_fn)(tf_image *, struct candidate *, tf_err *);

/* Picks the candidate `want` names; -1 with a message if none or several. */
static int
candidates_choose(tf_image *img, struct candidate *c, size_t n,
    const char *want, candidate_id_fn id_fn, tf_err *err)
{
	const char *hex;
	size_t i, j, found = n;
	char list[256] = "";

	if (n == 0)
		return tf_err_set(err, "%s: no images in it", img->path);
	if (want == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i].n_names; j++) {
			if (ref_matches(want, c[i].names[j]))
				return (int)i;
		}
	}
	hex = strncmp(want, "sha256:", 7) == 0 ? want + 7 : want;
	if (hex_valid(hex, 4, HEX_LEN)) {
		for (i = 0; i < n; i++) {
			if (id_fn(img, &c[i], err) != 0)
				return -1;
			if (strncmp(c[i].id, hex, strlen(hex)) != 0)
				continue;
			if (found != n && strcmp(c[found].id, c[i].id) != 0)
				return tf_err_set(err, "%s: image id %s is "
				    "ambiguous", img->path, want);
			found = i;
		}
		if (found != n)
			return (int)found;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i].n_names; j++) {
			if (strlen(list) + strlen(c[i].names[j]) + 8 >
			    sizeof list)
				break;
			strcat(list, list[0] != '\0' ? ", " : "");
			strcat(list, c[i].names[j]);
		}
	}
	if (list[0] == '\0')
		return tf_err_set(err, "%s: no image \"%s\" in it (it names "
		    "none)", img->path, want);
	return tf_err_set(err, "%s: no image \"%s\" in it (it has: %s)",
	    img->path, want, list);
}

/* ------------------------------------------------------------------------
 * The image config
 */

static int
string_array(json_t *in, const char *key, json_t *out, tf_err *err)
{
	json_t *arr = json_object_get(in, key), *v;
	size_t i;

	if (arr == NULL || json_is_null(arr)) {
		json_object_set_new(out, key, json_array());
		return 0;
	}
	if (!json_is_array(arr))
		return tf_err_set(err, "image config: %s is not a list", key);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return tf_err_set(err, "image config: %s holds a "
			    "non-string", key);
	}
	json_object_set(out, key, arr);
	return 0;
}

static int
string_field(json_t *in, const char *key, json_t *out, tf_err *err)
{
	json_t *v = json_object_get(in, key);

	if (v == NULL || json_is_null(v)) {
		json_object_set_new(out, key, json_string(""));
		return 0;
	}
	if (!json_is_string(v))
		return tf_err_set(err, "image config: %s is not a string",
		    key);
	json_object_set(out, key, v);
	return 0;
}

/* Reduces the image config to what a node needs to run the image. */
static int
config_runtime(tf_image *img, json_t *config, tf_err *err)
{
	json_t *c = json_object_get(config, "config");
	json_t *out, *ports, *in_ports, *v;
	const char *key;
	int r = 0;

	if (c != NULL && !json_is_null(c) && !json_is_object(c))
		return tf_err_set(err, "%s: image config: config is not an "
		    "object", img->path);
	if (c == NULL || json_is_null(c))
		c = json_object_get(config, "container_config");
	if (c != NULL && !json_is_object(c))
		c = NULL;
	out = json_object();
	ports = json_object();
	r |= string_array(c, "Entrypoint", out, err);
	r |= string_array(c, "Cmd", out, err);
	r |= string_array(c, "Env", out, err);
	r |= string_field(c, "WorkingDir", out, err);
	in_ports = json_object_get(c, "ExposedPorts");
	if (json_is_object(in_ports)) {
		json_object_foreach(in_ports, key, v)
			json_object_set_new(ports, key, json_object());
	}
	json_object_set_new(out, "ExposedPorts", ports);
	r |= string_field(c, "User", out, err);
	r |= string_field(c, "StopSignal", out, err);
	if (r == 0)
		img->config_json = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (r != 0)
		return -1;
	if (img->config_json == NULL)
		return tf_err_set(err, "%s: cannot encode config", img->path);
	return 0;
}

/* diff_ids of the config, checked. */
static int
config_diff_ids(tf_image *img, json_t *config, json_t **ids_out,
    tf_err *err)
{
	json_t *rootfs = json_object_get(config, "rootfs");
	json_t *ids = json_object_get(rootfs, "diff_ids");
	char hex[HEX_LEN + 1];
	json_t *v;
	size_t i;

	if (!json_is_object(config))
		return tf_err_set(err, "%s: image config is not an object",
		    img->path);
	if (!json_is_array(ids))
		return tf_err_set(err, "%s: image config has no "
		    "rootfs.diff_ids", img->path);
	json_array_foreach(ids, i, v) {
		if (digest_parse(json_string_value(v), hex, "diff_id",
		    err) != 0)
			return -1;
	}
	*ids_out = ids;
	return 0;
}

/* Adds layer i unless it repeats the one below it (the original SDK's
 * layer_stack dropped consecutive duplicates). */
static int
layers_add(tf_image *img, const char *diff_digest, const char *blob_hex,
    const char *member, tf_err *err)
{
	unsigned char head[HEAD_LEN];
	size_t head_len = 0;
	struct layer *l;
	uint64_t size;
	char hex[HEX_LEN + 1];

	if (digest_parse(diff_digest, hex, "diff_id", err) != 0)
		return -1;
	if (img->n_layers > 0 &&
	    strcmp(img->layers[img->n_layers - 1].diff_id, hex) == 0)
		return 0;
	if (member_probe(img, member, &size, head, &head_len, err) != 0)
		return -1;
	img->layers = tf_realloc(img->layers,
	    (img->n_layers + 1) * sizeof *img->layers);
	l = &img->layers[img->n_layers++];
	memset(l, 0, sizeof *l);
	memcpy(l->diff_id, hex, sizeof hex);
	if (blob_hex != NULL)
		snprintf(l->blob, sizeof l->blob, "%s", blob_hex);
	l->member = tf_strdup(member);
	l->size = head_compressed(head, head_len) ? 0 : size;
	return 0;
}

/* ------------------------------------------------------------------------
 * docker save: manifest.json
 */

static int
docker_config_id(tf_image *img, struct candidate *c, tf_err *err)
{
	const char *member;
	size_t len;
	char *buf;

	if (c->id[0] != '\0')
		return 0;
	member = json_string_value(json_object_get(c->desc, "Config"));
	if (member == NULL)
		return tf_err_set(err, "%s: manifest.json entry without "
		    "Config", img->path);
	if ((buf = member_load(img, member, JSON_MAX, &len, err)) == NULL)
		return -1;
	sha256_hex(buf, len, c->id);
	free(buf);
	return 0;
}

static int
docker_open(tf_image *img, const char *want, tf_err *err)
{
	json_t *root, *entry, *tags, *v, *layers, *config = NULL, *ids;
	struct candidate *c = NULL;
	const char *config_member, *member;
	size_t n = 0, i, j, len;
	char *raw = NULL;
	int pick, r = -1;

	if ((root = json_member(img, "manifest.json", err)) == NULL)
		return -1;
	if (!json_is_array(root)) {
		tf_err_set(err, "%s: manifest.json is not a list", img->path);
		goto out;
	}
	c = tf_calloc(json_array_size(root) + 1, sizeof *c);
	json_array_foreach(root, i, entry) {
		if (!json_is_object(entry)) {
			tf_err_set(err, "%s: manifest.json entry %zu is not "
			    "an object", img->path, i);
			goto out;
		}
		c[n].desc = entry;
		tags = json_object_get(entry, "RepoTags");
		json_array_foreach(tags, j, v)
			candidate_add_name(&c[n], json_string_value(v));
		n++;
	}
	if ((pick = candidates_choose(img, c, n, want, docker_config_id,
	    err)) < 0)
		goto out;
	entry = c[pick].desc;

	config_member = json_string_value(json_object_get(entry, "Config"));
	layers = json_object_get(entry, "Layers");
	if (config_member == NULL || !json_is_array(layers)) {
		tf_err_set(err, "%s: manifest.json entry without Config or "
		    "Layers", img->path);
		goto out;
	}
	if ((raw = member_load(img, config_member, JSON_MAX, &len,
	    err)) == NULL)
		goto out;
	sha256_hex(raw, len, img->id);
	if ((config = json_loadb(raw, len, 0, NULL)) == NULL) {
		tf_err_set(err, "%s: %s: bad JSON", img->path, config_member);
		goto out;
	}
	if (config_diff_ids(img, config, &ids, err) != 0)
		goto out;
	if (json_array_size(ids) != json_array_size(layers)) {
		tf_err_set(err, "%s: %zu layers but %zu diff_ids", img->path,
		    json_array_size(layers), json_array_size(ids));
		goto out;
	}
	json_array_foreach(layers, i, v) {
		if ((member = json_string_value(v)) == NULL) {
			tf_err_set(err, "%s: manifest.json: layer %zu is not "
			    "a path", img->path, i);
			goto out;
		}
		if (layers_add(img, json_string_value(json_array_get(ids, i)),
		    NULL, member, err) != 0)
			goto out;
	}
	if (config_runtime(img, config, err) != 0)
		goto out;
	img->names = c[pick].names;
	img->n_names = c[pick].n_names;
	c[pick].names = NULL;
	c[pick].n_names = 0;
	r = 0;
out:
	free(raw);
	if (config != NULL)
		json_decref(config);
	candidates_free(c, n);
	json_decref(root);
	return r;
}

/* ------------------------------------------------------------------------
 * OCI image layout: index.json, manifests, blobs
 */

static bool
media_is_index(const char *mt)
{
	return mt != NULL &&
	    (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
	    strcmp(mt, "application/vnd.docker.distribution.manifest.list"
	    ".v2+json") == 0);
}

/* The manifest a descriptor leads to, through nested indexes (the one for
 * this machine's platform, else the first). */
static json_t *
oci_manifest(tf_image *img, json_t *desc, tf_err *err)
{
	json_t *j = NULL, *list, *d, *pick, *plat;
	char hex[HEX_LEN + 1];
	const char *arch, *os;
	int depth;
	size_t i;

	for (depth = 0; depth < INDEX_DEPTH; depth++) {
		if (digest_parse(json_string_value(json_object_get(desc,
		    "digest")), hex, "manifest", err) != 0)
			goto fail;
		if (j != NULL)
			json_decref(j);
		if ((j = json_blob(img, hex, NULL, err)) == NULL)
			return NULL;
		list = json_object_get(j, "manifests");
		if (!media_is_index(json_string_value(json_object_get(desc,
		    "mediaType"))) && !json_is_array(list))
			return j;
		if (json_array_size(list) == 0) {
			tf_err_set(err, "%s: empty image index %.12s",
			    img->path, hex);
			goto fail;
		}
		pick = json_array_get(list, 0);
		json_array_foreach(list, i, d) {
			plat = json_object_get(d, "platform");
			arch = json_string_value(json_object_get(plat,
			    "architecture"));
			os = json_string_value(json_object_get(plat, "os"));
			if (arch != NULL && os != NULL &&
			    strcmp(arch, HOST_ARCH) == 0 &&
			    strcmp(os, "linux") == 0) {
				pick = d;
				break;
			}
		}
		/* desc now points into j, which stays alive until the next
		 * turn has loaded what desc names. */
		desc = pick;
	}
	tf_err_set(err, "%s: image indexes nested too deep", img->path);
fail:
	if (j != NULL)
		json_decref(j);
	return NULL;
}

static int
oci_config_id(tf_image *img, struct candidate *c, tf_err *err)
{
	json_t *m;
	int r;

	if (c->id[0] != '\0')
		return 0;
	if ((m = oci_manifest(img, c->desc, err)) == NULL)
		return -1;
	r = digest_parse(json_string_value(json_object_get(
	    json_object_get(m, "config"), "digest")), c->id, "config", err);
	json_decref(m);
	return r;
}

static int
oci_open(tf_image *img, const char *want, tf_err *err)
{
	json_t *index, *list, *d, *ann, *manifest = NULL, *config = NULL;
	json_t *layers, *ids, *l;
	struct candidate *c = NULL;
	char hex[HEX_LEN + 1], *member;
	size_t n = 0, i;
	int pick, r = -1;

	if ((index = json_member(img, "index.json", err)) == NULL)
		return -1;
	list = json_object_get(index, "manifests");
	if (!json_is_array(list)) {
		tf_err_set(err, "%s: index.json has no manifests", img->path);
		goto out;
	}
	c = tf_calloc(json_array_size(list) + 1, sizeof *c);
	json_array_foreach(list, i, d) {
		if (!json_is_object(d)) {
			tf_err_set(err, "%s: index.json: manifest %zu is not "
			    "an object", img->path, i);
			goto out;
		}
		c[n].desc = d;
		ann = json_object_get(d, "annotations");
		candidate_add_name(&c[n], json_string_value(json_object_get(
		    ann, "io.containerd.image.name")));
		candidate_add_name(&c[n], json_string_value(json_object_get(
		    ann, "org.opencontainers.image.ref.name")));
		n++;
	}
	if ((pick = candidates_choose(img, c, n, want, oci_config_id,
	    err)) < 0)
		goto out;

	if ((manifest = oci_manifest(img, c[pick].desc, err)) == NULL)
		goto out;
	if (digest_parse(json_string_value(json_object_get(json_object_get(
	    manifest, "config"), "digest")), img->id, "config", err) != 0)
		goto out;
	if ((config = json_blob(img, img->id, NULL, err)) == NULL)
		goto out;
	if (config_diff_ids(img, config, &ids, err) != 0)
		goto out;
	layers = json_object_get(manifest, "layers");
	if (!json_is_array(layers) ||
	    json_array_size(layers) != json_array_size(ids)) {
		tf_err_set(err, "%s: manifest has %zu layers but the config "
		    "%zu diff_ids", img->path, json_array_size(layers),
		    json_array_size(ids));
		goto out;
	}
	json_array_foreach(layers, i, l) {
		if (digest_parse(json_string_value(json_object_get(l,
		    "digest")), hex, "layer", err) != 0)
			goto out;
		member = tf_asprintf("blobs/sha256/%s", hex);
		if (!member_exists(img, member)) {
			tf_err_set(err, "%s: layer blob %.12s is missing "
			    "(a foreign or non-distributable layer?)",
			    img->path, hex);
			free(member);
			goto out;
		}
		r = layers_add(img, json_string_value(json_array_get(ids, i)),
		    hex, member, err);
		free(member);
		if (r != 0)
			goto out;
		r = -1;
	}
	if (config_runtime(img, config, err) != 0)
		goto out;
	img->names = c[pick].names;
	img->n_names = c[pick].n_names;
	c[pick].names = NULL;
	c[pick].n_names = 0;
	r = 0;
out:
	if (config != NULL)
		json_decref(config);
	if (manifest != NULL)
		json_decref(manifest);
	candidates_free(c, n);
	json_decref(index);
	return r;
}

/* ------------------------------------------------------------------------
 * Public interface
 */

tf_image *
tf_image_open(const char *path, const char *name, tf_err *err)
{
	tf_image *img;
	struct stat st;
	int r;

	if (sodium_init() < 0) {
		tf_err_set(err, "libsodium failed to initialise");
		return NULL;
	}
	if (stat(path, &st) != 0) {
		tf_err_errno(err, "%s", path);
		return NULL;
	}
	img = tf_calloc(1, sizeof *img);
	img->path = tf_strdup(path);
	img->is_dir = S_ISDIR(st.st_mode);
	if (img->is_dir) {
		if ((img->root_real = realpath(path, NULL)) == NULL) {
			tf_err_errno(err, "%s", path);
			goto fail;
		}
	} else if (tarball_scan(img, err) != 0)
		goto fail;

	/* A newer docker save holds both; manifest.json has the RepoTags. */
	if (member_exists(img, "manifest.json"))
		r = docker_open(img, name, err);
	else if (member_exists(img, "index.json"))
		r = oci_open(img, name, err);
	else {
		tf_err_set(err, "%s: neither an OCI image layout nor a docker "
		    "save archive (no index.json or manifest.json)", path);
		goto fail;
	}
	if (r != 0)
		goto fail;
	if (img->n_layers == 0) {
		tf_err_set(err, "%s: the image has no layers", path);
		goto fail;
	}
	tf_debug("image %s: id %.12s, %zu layers", path, img->id,
	    img->n_layers);
	return img;
fail:
	tf_image_destroy(&img);
	return NULL;
}

void
tf_image_destroy(tf_image **self_p)
{
	tf_image *img;
	size_t i;

	if (self_p == NULL || (img = *self_p) == NULL)
		return;
	for (i = 0; i < img->n_members; i++) {
		free(img->members[i].name);
		free(img->members[i].link);
		free(img->members[i].data);
	}
	free(img->members);
	for (i = 0; i < img->n_names; i++)
		free(img->names[i]);
	free(img->names);
	for (i = 0; i < img->n_layers; i++)
		free(img->layers[i].member);
	free(img->layers);
	free(img->config_json);
	free(img->root_real);
	free(img->path);
	free(img);
	*self_p = NULL;
}

const char *
tf_image_id(const tf_image *self)
{
	return self->id;
}

size_t
tf_image_names(const tf_image *self, const char ***names)
{
	if (names != NULL)
		*names = (const char **)self->names;
	return self->n_names;
}

size_t
tf_image_layer_count(const tf_image *self)
{
	return self->n_layers;
}

const char *
tf_image_layer_digest(const tf_image *self, size_t i)
{
	return i < self->n_layers ? self->layers[i].diff_id : NULL;
}

uint64_t
tf_image_layer_size(const tf_image *self, size_t i)
{
	return i < self->n_layers ? self->layers[i].size : 0;
}

const char *
tf_image_config_json(const tf_image *self)
{
	return self->config_json;
}

static la_ssize_t
inner_read(struct archive *a, void *arg, const void **buf)
{
	struct source *src = arg;
	ssize_t n;

	n = source_read(src, src->buf, sizeof src->buf);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", src->error);
		return -1;
	}
	*buf = src->buf;
	return n;
}

int
tf_image_layer_read(tf_image *self, size_t i,
    int (*fn)(const void *chunk, size_t len, void *arg), void *arg,
    tf_err *err)
{
	struct archive *inner = NULL;
	struct archive_entry *e;
	crypto_hash_sha256_state hash;
	struct source *src;
	struct layer *l;
	unsigned char *chunk = NULL;
	char got[HEX_LEN + 1];
	uint64_t size, total = 0;
	la_ssize_t n;
	int r = -1;

	tf_err_clear(err);
	if (i >= self->n_layers)
		return tf_err_set(err, "no layer %zu in %s", i, self->path);
	l = &self->layers[i];
	src = tf_malloc(sizeof *src);
	if (source_open(self, l->member, src, &size, err) != 0) {
		free(src);
		return -1;
	}
	crypto_hash_sha256_init(&hash);
	inner = archive_read_new();
	(void)archive_read_support_filter_gzip(inner);
	(void)archive_read_support_filter_bzip2(inner);
	(void)archive_read_support_filter_xz(inner);
	(void)archive_read_support_filter_lzma(inner);
	(void)archive_read_support_filter_zstd(inner);
	archive_read_support_format_raw(inner);
	chunk = tf_malloc(TF_IMAGE_CHUNK);

	/* An empty file has nothing for the format to recognise. */
	if (size == 0)
		goto verify;
	if (archive_read_open(inner, src, NULL, inner_read, NULL) !=
	    ARCHIVE_OK ||
	    archive_read_next_header(inner, &e) < ARCHIVE_WARN) {
		tf_err_set(err, "%s: layer %.12s: %s", self->path, l->diff_id,
		    archive_error_string(inner));
		goto out;
	}
	for (;;) {
		n = archive_read_data(inner, chunk, TF_IMAGE_CHUNK);
		if (n < 0) {
			tf_err_set(err, "%s: layer %.12s: %s", self->path,
			    l->diff_id, archive_error_string(inner));
			goto out;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&hash, chunk, (size_t)n);
		total += (uint64_t)n;
		if (fn(chunk, (size_t)n, arg) != 0) {
			if (err != NULL && err->msg[0] == '\0')
				tf_err_set(err, "reading layer %.12s stopped",
				    l->diff_id);
			goto out;
		}
	}
	/* Whatever the decompressor left (padding) still counts for the
	 * stored blob's digest. */
	while ((n = source_read(src, chunk, TF_IMAGE_CHUNK)) > 0)
		;
	if (n < 0) {
		tf_err_set(err, "%s: layer %.12s: %s", self->path, l->diff_id,
		    src->error);
		goto out;
	}
verify:
	if (l->blob[0] != '\0') {
		hash_hex(&src->hash, got);
		if (strcmp(got, l->blob) != 0) {
			tf_err_set(err, "%s: layer blob %.12s is corrupt (its "
			    "sha256 is %.12s)", self->path, l->blob, got);
			goto out;
		}
	}
	hash_hex(&hash, got);
	if (strcmp(got, l->diff_id) != 0) {
		tf_err_set(err, "%s: layer %.12s: the content's sha256 %.12s "
		    "does not match its diff_id", self->path, l->diff_id, got);
		goto out;
	}
	if (l->size == 0)
		l->size = total;
	r = 0;
out:
	free(chunk);
	archive_read_free(inner);
	source_close(src);
	free(src);
	return r;
}

bool
tf_image_layer_gzip(tf_image *self, size_t i)
{
	struct source *src;
	unsigned char head[2];
	uint64_t size;
	bool gz = false;

	if (i >= self->n_layers)
		return false;
	src = tf_malloc(sizeof *src);
	if (source_open(self, self->layers[i].member, src, &size, NULL) != 0) {
		free(src);
		return false;
	}
	src->unhashed = true;
	gz = size >= 2 && source_read(src, head, 2) == 2 && head[0] == 0x1f &&
	    head[1] == 0x8b;
	source_close(src);
	free(src);
	return gz;
}

int
tf_image_layer_read_stored(tf_image *self, size_t i,
    int (*fn)(const void *chunk, size_t len, void *arg), void *arg,
    tf_err *err)
{
	struct source *src;
	unsigned char *chunk;
	uint64_t size;
	ssize_t n;
	int r = 0;

	tf_err_clear(err);
	if (i >= self->n_layers)
		return tf_err_set(err, "no layer %zu in %s", i, self->path);
	src = tf_malloc(sizeof *src);
	if (source_open(self, self->layers[i].member, src, &size, err) != 0) {
		free(src);
		return -1;
	}
	/* The receiver hashes what it unpacks; a second sha256 here would
	 * be most of this function's time. */
	src->unhashed = true;
	chunk = tf_malloc(TF_IMAGE_CHUNK);
	while ((n = source_read(src, chunk, TF_IMAGE_CHUNK)) > 0) {
		if (fn(chunk, (size_t)n, arg) != 0) {
			if (err != NULL && err->msg[0] == '\0')
				tf_err_set(err, "reading layer %.12s stopped",
				    self->layers[i].diff_id);
			r = -1;
			break;
		}
	}
	if (n < 0)
		r = tf_err_set(err, "%s: layer %.12s: %s", self->path,
		    self->layers[i].diff_id, src->error);
	free(chunk);
	source_close(src);
	free(src);
	return r;
}

/* ------------------------------------------------------------------------
 * Self test
 */

#define CHECK(c) do { \
	if (!(c)) tf_panic("tf_image_test: check failed: %s", #c); \
} while (0)

struct test_buf {
	unsigned char	*data;
	size_t		 len;
	size_t		 cap;
	size_t		 chunks;
	size_t		 max_chunk;
	size_t		 stop_after;	/* chunks; 0 = never stop */
};

static int
test_collect(const void *chunk, size_t len, void *arg)
{
	struct test_buf *b = arg;

	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->data = tf_realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, chunk, len);
	b->len += len;
	b->chunks++;
	if (len > b->max_chunk)
		b->max_chunk = len;
	return b->stop_after != 0 && b->chunks >= b->stop_after;
}

static void
test_write(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = tf_asprintf("%s/%s", dir, name);
	char *parent = path_dirname(path);
	FILE *f;

	CHECK(tf_mkdir_p(parent, 0755) == 0);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(data, 1, len, f) == len);
	CHECK(fclose(f) == 0);
	free(parent);
	free(path);
}

/* Writes a blob into the layout's store and returns its digest in hex. */
static void
test_blob(const char *dir, const void *data, size_t len,
    char hex[HEX_LEN + 1])
{
	char *name;

	sha256_hex(data, len, hex);
	name = tf_asprintf("blobs/sha256/%s", hex);
	test_write(dir, name, data, len);
	free(name);
}

/* One entry for an in-memory archive. */
static void
test_entry(struct archive *a, const char *name, int type, const void *data,
    size_t len, const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, (unsigned)type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_mtime(e, 0, 0);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(e, link);
	else
		archive_entry_set_size(e, (la_int64_t)len);
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	if (len > 0)
		CHECK(archive_write_data(a, data, len) == (la_ssize_t)len);
	archive_entry_free(e);
}

/* A layer tar with a large pseudo-random file, so it spans chunks. */
static unsigned char *
test_layer_tar(size_t *len_out, size_t file_len, const char *fname)
{
	size_t cap = file_len + 64 * 1024, used = 0, i;
	unsigned char *buf = tf_malloc(cap), *content;
	struct archive *a = archive_write_new();
	uint32_t x = 2463534242u;

	content = tf_malloc(file_len);
	for (i = 0; i < file_len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		content[i] = (unsigned char)x;
	}
	CHECK(archive_write_set_format_pax_restricted(a) == ARCHIVE_OK);
	CHECK(archive_write_open_memory(a, buf, cap, &used) == ARCHIVE_OK);
	test_entry(a, "etc/", AE_IFDIR, NULL, 0, NULL);
	test_entry(a, "etc/.wh.motd", AE_IFREG, NULL, 0, NULL);
	test_entry(a, fname, AE_IFREG, content, file_len, NULL);
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
	free(content);
	*len_out = used;
	return buf;
}

static unsigned char *
test_gzip(const unsigned char *in, size_t len, size_t *len_out)
{
	size_t cap = len + 64 * 1024, used = 0;
	unsigned char *buf = tf_malloc(cap);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	CHECK(archive_write_add_filter_gzip(a) == ARCHIVE_OK);
	CHECK(archive_write_set_format_raw(a) == ARCHIVE_OK);
	CHECK(archive_write_open_memory(a, buf, cap, &used) == ARCHIVE_OK);
	archive_entry_set_pathname(e, "layer");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	CHECK(archive_write_data(a, in, len) == (la_ssize_t)len);
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	*len_out = used;
	return buf;
}

/* Tars up the files of an OCI layout directory (known names only). */
static void
test_tar_layout(const char *dir, const char *out, const char **names,
    size_t n)
{
	struct archive *a = archive_write_new();
	size_t i, len;
	char *path, *data;

	CHECK(archive_write_set_format_pax_restricted(a) == ARCHIVE_OK);
	CHECK(archive_write_open_filename(a, out) == ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		path = tf_asprintf("%s/%s", dir, names[i]);
		data = tf_read_file(path, &len, 64 * 1024 * 1024);
		CHECK(data != NULL);
		test_entry(a, names[i], AE_IFREG, data, len, NULL);
		free(data);
		free(path);
	}
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

static void
test_read_back(tf_image *img, size_t i, const unsigned char *want,
    size_t want_len)
{
	struct test_buf b = { 0 };
	tf_err err;

	CHECK(tf_image_layer_read(img, i, test_collect, &b, &err) == 0);
	CHECK(b.len == want_len);
	CHECK(memcmp(b.data, want, want_len) == 0);
	CHECK(b.max_chunk <= TF_IMAGE_CHUNK);
	free(b.data);
}

void
tf_image_test(bool verbose)
{
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl, *dir, *path, *json;
	unsigned char *l1, *l1gz, *l2;
	size_t l1_len, l1gz_len, l2_len;
	char l1_diff[HEX_LEN + 1], l1_blob[HEX_LEN + 1], l2_diff[HEX_LEN + 1];
	char cfg_a[HEX_LEN + 1], cfg_b[HEX_LEN + 1], cfg_bad[HEX_LEN + 1];
	char man_a[HEX_LEN + 1], man_b[HEX_LEN + 1], man_bad[HEX_LEN + 1];
	char id_prefix[9];
	struct test_buf b = { 0 };
	const char **names;
	tf_image *img;
	tf_err err;

	if (verbose)
		printf(" * tf_image: ");
	CHECK(sodium_init() >= 0);
	tmpl = tf_asprintf("%s/tf-image-test.XXXXXX",
	    tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
	dir = mkdtemp(tmpl);
	CHECK(dir != NULL);

	/* Layers: l1 (gzip, 600 KiB of content: several chunks), l2
	 * (uncompressed, as docker save stores them). */
	l1 = test_layer_tar(&l1_len, 600 * 1024, "data/one");
	l2 = test_layer_tar(&l2_len, 1000, "data/two");
	l1gz = test_gzip(l1, l1_len, &l1gz_len);
	CHECK(l1gz_len < l1_len);
	sha256_hex(l1, l1_len, l1_diff);
	test_blob(dir, l1gz, l1gz_len, l1_blob);
	test_blob(dir, l2, l2_len, l2_diff);

	/* Image "alpha": [l1, l1, l2] -> [l1, l2] once duplicates go. */
	json = tf_asprintf("{\"architecture\":\"amd64\",\"os\":\"linux\","
	    "\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"PATH=/bin\"],"
	    "\"ExposedPorts\":{\"80/tcp\":{}}},\"rootfs\":{\"type\":"
	    "\"layers\",\"diff_ids\":[\"sha256:%s\",\"sha256:%s\","
	    "\"sha256:%s\"]}}", l1_diff, l1_diff, l2_diff);
	test_blob(dir, json, strlen(json), cfg_a);
	free(json);
	json = tf_asprintf("{\"schemaVersion\":2,\"config\":{\"mediaType\":"
	    "\"application/vnd.oci.image.config.v1+json\",\"digest\":"
	    "\"sha256:%s\",\"size\":1},\"layers\":["
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
	    "\"digest\":\"sha256:%s\",\"size\":%zu},"
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
	    "\"digest\":\"sha256:%s\",\"size\":%zu},"
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
	    "\"digest\":\"sha256:%s\",\"size\":%zu}]}", cfg_a, l1_blob,
	    l1gz_len, l1_blob, l1gz_len, l2_diff, l2_len);
	test_blob(dir, json, strlen(json), man_a);
	free(json);

	/* Image "beta:1.0": [l2], no config section at all. */
	json = tf_asprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
	    "[\"sha256:%s\"]}}", l2_diff);
	test_blob(dir, json, strlen(json), cfg_b);
	free(json);
	json = tf_asprintf("{\"schemaVersion\":2,\"config\":{\"digest\":"
	    "\"sha256:%s\"},\"layers\":[{\"digest\":\"sha256:%s\"}]}", cfg_b,
	    l2_diff);
	test_blob(dir, json, strlen(json), man_b);
	free(json);

	/* Image "bad": l1's blob claimed to hold l2's content. */
	json = tf_asprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
	    "[\"sha256:%s\"]}}", l2_diff);
	json[strlen(json) - 5] = json[strlen(json) - 5] == '0' ? '1' : '0';
	test_blob(dir, json, strlen(json), cfg_bad);
	free(json);
	json = tf_asprintf("{\"schemaVersion\":2,\"config\":{\"digest\":"
	    "\"sha256:%s\"},\"layers\":[{\"digest\":\"sha256:%s\"}]}",
	    cfg_bad, l2_diff);
	test_blob(dir, json, strlen(json), man_bad);
	free(json);

	json = tf_asprintf("{\"schemaVersion\":2,\"manifests\":["
	    "{\"digest\":\"sha256:%s\",\"annotations\":"
	    "{\"org.opencontainers.image.ref.name\":\"alpha\"}},"
	    "{\"digest\":\"sha256:%s\",\"annotations\":"
	    "{\"org.opencontainers.image.ref.name\":\"beta:1.0\"}},"
	    "{\"digest\":\"sha256:%s\",\"annotations\":"
	    "{\"org.opencontainers.image.ref.name\":\"bad\"}}]}",
	    man_a, man_b, man_bad);
	test_write(dir, "index.json", json, strlen(json));
	free(json);
	test_write(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
	    30);

	/* The directory, first image. */
	img = tf_image_open(dir, NULL, &err);
	if (img == NULL)
		tf_panic("tf_image_test: %s", err.msg);
	CHECK(strcmp(tf_image_id(img), cfg_a) == 0);
	CHECK(tf_image_names(img, &names) == 1);
	CHECK(strcmp(names[0], "alpha") == 0);
	CHECK(tf_image_layer_count(img) == 2);
	CHECK(strcmp(tf_image_layer_digest(img, 0), l1_diff) == 0);
	CHECK(strcmp(tf_image_layer_digest(img, 1), l2_diff) == 0);
	CHECK(tf_image_layer_size(img, 0) == 0);	/* gzip: unknown */
	CHECK(tf_image_layer_size(img, 1) == l2_len);
	CHECK(strcmp(tf_image_config_json(img), "{\"Entrypoint\":[],"
	    "\"Cmd\":[\"/bin/sh\"],\"Env\":[\"PATH=/bin\"],\"WorkingDir\":"
	    "\"\",\"ExposedPorts\":{\"80/tcp\":{}},\"User\":\"\","
	    "\"StopSignal\":\"\"}") == 0);
	test_read_back(img, 0, l1, l1_len);
	test_read_back(img, 1, l2, l2_len);
	CHECK(tf_image_layer_size(img, 0) == l1_len);	/* known now */
	/* A consumer that stops. */
	b.stop_after = 1;
	CHECK(tf_image_layer_read(img, 0, test_collect, &b, &err) == -1);
	CHECK(err.msg[0] != '\0');
	free(b.data);
	memset(&b, 0, sizeof b);
	tf_image_destroy(&img);
	CHECK(img == NULL);

	/* By name (":latest" and docker.io forms too), by id, unknown. */
	img = tf_image_open(dir, "beta:1.0", &err);
	CHECK(img != NULL && strcmp(tf_image_id(img), cfg_b) == 0);
	CHECK(tf_image_layer_count(img) == 1);
	CHECK(strstr(tf_image_config_json(img), "\"Cmd\":[]") != NULL);
	tf_image_destroy(&img);
	img = tf_image_open(dir, "docker.io/library/alpha:latest", &err);
	CHECK(img != NULL && strcmp(tf_image_id(img), cfg_a) == 0);
	tf_image_destroy(&img);
	memcpy(id_prefix, cfg_b, sizeof id_prefix - 1);
	id_prefix[sizeof id_prefix - 1] = '\0';
	img = tf_image_open(dir, id_prefix, &err);
	CHECK(img != NULL && strcmp(tf_image_id(img), cfg_b) == 0);
	tf_image_destroy(&img);
	CHECK(tf_image_open(dir, "gamma", &err) == NULL);
	CHECK(strstr(err.msg, "alpha") != NULL);

	/* A layer whose content does not match its diff_id. */
	img = tf_image_open(dir, "bad", &err);
	CHECK(img != NULL);
	CHECK(tf_image_layer_read(img, 0, test_collect, &b, &err) == -1);
	CHECK(strstr(err.msg, "does not match") != NULL);
	free(b.data);
	memset(&b, 0, sizeof b);
	tf_image_destroy(&img);

	/* The same layout as a tarball. */
	{
		char *blob_names[6];
		const char *members[8];
		size_t i;

		blob_names[0] = tf_asprintf("blobs/sha256/%s", l1_blob);
		blob_names[1] = tf_asprintf("blobs/sha256/%s", l2_diff);
		blob_names[2] = tf_asprintf("blobs/sha256/%s", cfg_a);
		blob_names[3] = tf_asprintf("blobs/sha256/%s", man_a);
		blob_names[4] = tf_asprintf("blobs/sha256/%s", cfg_b);
		blob_names[5] = tf_asprintf("blobs/sha256/%s", man_b);
		members[0] = "oci-layout";
		for (i = 0; i < 6; i++)
			members[i + 1] = blob_names[i];
		members[7] = "index.json";
		path = tf_asprintf("%s/layout.tar", dir);
		test_tar_layout(dir, path, members, 8);
		img = tf_image_open(path, "alpha", &err);
		if (img == NULL)
			tf_panic("tf_image_test: %s", err.msg);
		CHECK(strcmp(tf_image_id(img), cfg_a) == 0);
		CHECK(tf_image_layer_count(img) == 2);
		test_read_back(img, 0, l1, l1_len);
		test_read_back(img, 1, l2, l2_len);
		tf_image_destroy(&img);
		free(path);
		for (i = 0; i < 6; i++)
			free(blob_names[i]);
	}

	/* A docker save archive, old form, with the duplicate layer as a
	 * symlink the way docker writes it. */
	{
		struct archive *a = archive_write_new();

		path = tf_asprintf("%s/docker.tar", dir);
		CHECK(archive_write_set_format_pax_restricted(a) ==
		    ARCHIVE_OK);
		CHECK(archive_write_open_filename(a, path) == ARCHIVE_OK);
		json = tf_asprintf("{\"config\":{\"Entrypoint\":[\"/e\"],"
		    "\"WorkingDir\":\"/w\"},\"rootfs\":{\"type\":\"layers\","
		    "\"diff_ids\":[\"sha256:%s\",\"sha256:%s\","
		    "\"sha256:%s\"]}}", l1_diff, l1_diff, l2_diff);
		sha256_hex(json, strlen(json), cfg_a);
		{
			char *cfg_name = tf_asprintf("%s.json", cfg_a);

			test_entry(a, cfg_name, AE_IFREG, json, strlen(json),
			    NULL);
			free(cfg_name);
		}
		free(json);
		test_entry(a, "aaa/", AE_IFDIR, NULL, 0, NULL);
		test_entry(a, "aaa/layer.tar", AE_IFREG, l1, l1_len, NULL);
		test_entry(a, "bbb/", AE_IFDIR, NULL, 0, NULL);
		test_entry(a, "bbb/layer.tar", AE_IFLNK, NULL, 0,
		    "../aaa/layer.tar");
		test_entry(a, "ccc/", AE_IFDIR, NULL, 0, NULL);
		test_entry(a, "ccc/layer.tar", AE_IFREG, l2, l2_len, NULL);
		json = tf_asprintf("[{\"Config\":\"%s.json\",\"RepoTags\":"
		    "[\"gamma:latest\"],\"Layers\":[\"aaa/layer.tar\","
		    "\"bbb/layer.tar\",\"ccc/layer.tar\"]}]", cfg_a);
		test_entry(a, "manifest.json", AE_IFREG, json, strlen(json),
		    NULL);
		free(json);
		CHECK(archive_write_close(a) == ARCHIVE_OK);
		archive_write_free(a);

		img = tf_image_open(path, "gamma", &err);
		if (img == NULL)
			tf_panic("tf_image_test: %s", err.msg);
		CHECK(strcmp(tf_image_id(img), cfg_a) == 0);
		CHECK(tf_image_names(img, &names) == 1);
		CHECK(strcmp(names[0], "gamma:latest") == 0);
		CHECK(tf_image_layer_count(img) == 2);
		CHECK(tf_image_layer_size(img, 0) == l1_len);
		CHECK(strcmp(tf_image_config_json(img), "{\"Entrypoint\":"
		    "[\"/e\"],\"Cmd\":[],\"Env\":[],\"WorkingDir\":\"/w\","
		    "\"ExposedPorts\":{},\"User\":\"\",\"StopSignal\":\"\"}")
		    == 0);
		test_read_back(img, 0, l1, l1_len);
		test_read_back(img, 1, l2, l2_len);
		tf_image_destroy(&img);
		free(path);
	}

	/* Not an image at all. */
	path = tf_asprintf("%s/blobs", dir);
	CHECK(tf_image_open(path, NULL, &err) == NULL);
	CHECK(strstr(err.msg, "neither") != NULL);
	free(path);

	free(l1);
	free(l1gz);
	free(l2);
	CHECK(tf_rm_rf(dir) == 0);
	free(tmpl);
	if (verbose)
		printf("OK\n");
}
