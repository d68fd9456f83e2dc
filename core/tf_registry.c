/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_registry.c: fetching images with skopeo into the pull cache (see
 * tf_registry.h).  skopeo knows the registry protocol, token and basic
 * auth, the auth files, manifest lists (we ask for linux/amd64) and every
 * layer compression; it writes an OCI layout whose layers keep their
 * registry compression (gzip or zstd), which tf_image decompresses while
 * pushing.  The cache is one OCI layout: each reference is an entry of its
 * index named "r-<hash of the reference>", and all share its blob store,
 * where skopeo skips a blob that is already there.  (Layouts of their own
 * with a symlink to a shared store would be neater, but tf_image rightly
 * refuses blobs that point outside their layout.)  Pulls take an flock on
 * CACHE/.lock, since skopeo rewrites index.json whole.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tf_log.h"
#include "tf_registry.h"
#include "tf_util.h"

#define PULL_ARGS_MAX	24
#define PULL_LINE_MAX	1024

struct tf_registry_pull {
	tf_loop *loop;
	pid_t pid;
	int fd;				/* skopeo's stdout and stderr */
	bool done, quiet;
	int status;
	char *ref, *layout, *name, *authfile, *blobs;
	int lock_fd;
	char line[PULL_LINE_MAX];
	size_t line_len;
	char last[PULL_LINE_MAX];	/* the last line, for errors */
	char fatal[PULL_LINE_MAX];	/* skopeo's fatal message, if any */
	uint64_t start_ms, bytes_before;
};

static const char *const transports[] = {
	"docker://", "oci:", "oci-archive:", "docker-archive:",
	"containers-storage:", "dir:",
};

bool
tf_registry_is_ref(const char *image)
{
	if (image == NULL)
		return false;
	for (size_t i = 0; i < TF_ARRAY_LEN(transports); i++)
		if (strncmp(image, transports[i], strlen(transports[i])) == 0)
			return true;
	return false;
}

char *
tf_registry_name(const char *ref)
{
	const char *name, *last;

	if (strncmp(ref, "docker://", 9) != 0)
		return tf_strdup(ref);
	name = ref + 9;
	last = strrchr(name, '/');
	last = last != NULL ? last + 1 : name;
	if (strchr(name, '@') != NULL || strchr(last, ':') != NULL)
		return tf_strdup(name);
	return tf_asprintf("%s:latest", name);
}

/* The registry host of a docker reference, as auth files key it. */
static char *
registry_host(const char *ref)
{
	const char *name = ref + 9, *slash = strchr(name, '/');
	char *host;

	if (slash == NULL)
		return tf_strdup("docker.io");
	host = tf_strndup(name, (size_t)(slash - name));
	/* "library/busybox" has no registry part: Docker Hub's. */
	if (strchr(host, '.') == NULL && strchr(host, ':') == NULL &&
	    strcmp(host, "localhost") != 0) {
		free(host);
		return tf_strdup("docker.io");
	}
	return host;
}

static bool
host_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 ||
	    strcmp(host, "localhost") == 0 ||
	    strncmp(host, "localhost:", 10) == 0 ||
	    strncmp(host, "[::1]", 5) == 0;
}

static char *
cache_dir(const tf_registry_opts *opts)
{
	const char *env = getenv("TF_IMAGE_CACHE"), *home;

	if (opts->cache_dir != NULL && opts->cache_dir[0] != '\0')
		return tf_strdup(opts->cache_dir);
	if (env != NULL && env[0] != '\0')
		return tf_asprintf("%s/pulled", env);
	if (geteuid() == 0)
		return tf_strdup("/var/cache/20ft-images/pulled");
	env = getenv("XDG_CACHE_HOME");
	if (env != NULL && env[0] != '\0')
		return tf_asprintf("%s/20ft/pulled", env);
	home = getenv("HOME");
	return tf_asprintf("%s/.cache/20ft/pulled",
	    home != NULL && home[0] != '\0' ? home : "/tmp");
}

/* Bytes in the blob store: what a pull added is the difference. */
static uint64_t
store_bytes(const char *blobs)
{
	DIR *d = opendir(blobs);
	struct dirent *de;
	uint64_t total = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] != '.' &&
		    fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

/* An auth file holding only creds for host, mode 0600, so the password
 * never appears on a command line. */
static char *
authfile_write(const char *dir, const char *host, const char *creds,
	       tf_err *err)
{
	size_t len = strlen(creds);
	size_t b64len = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = tf_malloc(b64len), *path, *text;
	int fd;

	if (strchr(creds, ':') == NULL) {
		free(b64);
		tf_err_set(err, "credentials must be USER:PASSWORD");
		return NULL;
	}
	sodium_bin2base64(b64, b64len, (const unsigned char *)creds, len,
	    sodium_base64_VARIANT_ORIGINAL);
	text = tf_asprintf("{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}\n", host,
	    b64);
	sodium_memzero(b64, b64len);
	free(b64);
	path = tf_asprintf("%s/.auth.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		tf_err_errno(err, "writing %s", path);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		path = NULL;
	} else {
		close(fd);
	}
	sodium_memzero(text, strlen(text));
	free(text);
	return path;
}

/* Keeps skopeo's fatal message: `... level=fatal msg="..."`. */
static void
pull_line(tf_registry_pull *p, const char *line)
{
	const char *msg = strstr(line, "msg=\"");

	if (line[0] == '\0')
		return;
	snprintf(p->last, sizeof p->last, "%s", line);
	if (strstr(line, "level=fatal") != NULL && msg != NULL) {
		size_t n;

		snprintf(p->fatal, sizeof p->fatal, "%s", msg + 5);
		n = strlen(p->fatal);
		if (n > 0 && p->fatal[n - 1] == '"')
			p->fatal[n - 1] = '\0';
		return;
	}
	if (!p->quiet)
		tf_info("%s", line);
}

static void
pull_reap(tf_registry_pull *p)
{
	if (p->fd >= 0) {
		tf_loop_del_fd(p->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	if (p->pid > 0) {
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->pid = -1;
	}
	if (p->line_len > 0) {
		p->line[p->line_len] = '\0';
		pull_line(p, p->line);
		p->line_len = 0;
	}
	p->done = true;
}

static int
pull_readable(tf_loop *loop, int fd, int events, void *arg)
{
	tf_registry_pull *p = arg;
	char buf[4096];
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		pull_reap(p);
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		/* Progress bars redraw with \r: each redraw is a line. */
		if (buf[i] == '\n' || buf[i] == '\r') {
			p->line[p->line_len] = '\0';
			pull_line(p, p->line);
			p->line_len = 0;
		} else if (p->line_len < sizeof p->line - 1) {
			p->line[p->line_len++] = buf[i];
		}
	}
	return 0;
}

/* The cache's blob store, and the lock held for the whole pull. */
static int
layout_prepare(tf_registry_pull *p, const char *cache, tf_err *err)
{
	char *lock = tf_asprintf("%s/.lock", cache);
	int rc = 0;

	if (tf_mkdir_p(p->blobs, 0755) != 0) {
		rc = tf_err_errno(err, "making the pull cache %s", cache);
	} else {
		p->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (p->lock_fd < 0)
			rc = tf_err_errno(err, "opening %s", lock);
		else if (flock(p->lock_fd, LOCK_EX) != 0)
			rc = tf_err_errno(err, "locking %s", lock);
	}
	free(lock);
	return rc;
}

tf_registry_pull *
tf_registry_pull_start(tf_loop *loop, const char *ref,
		       const tf_registry_opts *opts, tf_err *err)
{
	tf_registry_opts none = { .tls_verify = -1 };
	const char *argv[PULL_ARGS_MAX];
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof hash + 1], *cache, *dest = NULL, *host = NULL;
	tf_registry_pull *p;
	int pipefd[2], argc = 0, tls;
	bool docker;

	if (opts == NULL)
		opts = &none;
	if (!tf_registry_is_ref(ref)) {
		tf_err_set(err, "%s: not an image reference skopeo reads", ref);
		return NULL;
	}
	docker = strncmp(ref, "docker://", 9) == 0;
	p = tf_calloc(1, sizeof *p);
	p->loop = loop;
	p->fd = -1;
	p->pid = -1;
	p->lock_fd = -1;
	p->quiet = opts->quiet;
	p->ref = tf_strdup(ref);
	cache = cache_dir(opts);
	crypto_hash_sha256(hash, (const unsigned char *)ref, strlen(ref));
	sodium_bin2hex(hex, sizeof hex, hash, 12);
	p->layout = tf_strdup(cache);
	p->name = tf_asprintf("r-%s", hex);
	p->blobs = tf_asprintf("%s/blobs/sha256", cache);
	if (layout_prepare(p, cache, err) != 0)
		goto fail;
	if (docker)
		host = registry_host(ref);
	if (opts->creds != NULL && opts->creds[0] != '\0') {
		if (!docker) {
			tf_err_set(err, "%s: credentials are for docker:// "
			    "references", ref);
			goto fail;
		}
		p->authfile = authfile_write(cache, host, opts->creds, err);
		if (p->authfile == NULL)
			goto fail;
	}
	p->bytes_before = store_bytes(p->blobs);

	argv[argc++] = "skopeo";
	argv[argc++] = "copy";
	argv[argc++] = "--override-os";
	argv[argc++] = "linux";
	argv[argc++] = "--override-arch";
	argv[argc++] = "amd64";
	tls = opts->tls_verify;
	if (tls < 0)
		tls = !(docker && host_loopback(host));
	if (docker && !tls)
		argv[argc++] = "--src-tls-verify=false";
	if (p->authfile != NULL) {
		argv[argc++] = "--src-authfile";
		argv[argc++] = p->authfile;
	} else if (opts->authfile != NULL && opts->authfile[0] != '\0') {
		argv[argc++] = "--src-authfile";
		argv[argc++] = opts->authfile;
	}
	argv[argc++] = ref;
	dest = tf_asprintf("oci:%s:%s", p->layout, p->name);
	argv[argc++] = dest;
	argv[argc] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		tf_err_errno(err, "pipe");
		goto fail;
	}
	p->start_ms = tf_now_ms();
	p->pid = fork();
	if (p->pid < 0) {
		tf_err_errno(err, "fork");
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail;
	}
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "level=fatal msg=\"cannot run skopeo: "
		    "%s (apt-get install skopeo)\"\n", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	p->fd = pipefd[0];
	(void)fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	if (tf_loop_add_fd(loop, p->fd, TF_READ, pull_readable, p) != 0) {
		tf_err_set(err, "cannot watch skopeo's output");
		goto fail;
	}
	tf_debug("skopeo copy %s %s", ref, dest);
	free(dest);
	free(host);
	free(cache);
	return p;
fail:
	free(dest);
	free(host);
	free(cache);
	tf_registry_pull_finish(&p, NULL, NULL, NULL, NULL, NULL);
	return NULL;
}

bool
tf_registry_pull_done(void *pull)
{
	return ((const tf_registry_pull *)pull)->done;
}

int
tf_registry_pull_finish(tf_registry_pull **pull_p, char **layout_out,
			char **name_out, uint64_t *bytes_out, uint64_t *ms_out,
			tf_err *err)
{
	tf_registry_pull *p = *pull_p;
	uint64_t after;
	int rc = -1;

	if (p == NULL)
		return -1;
	*pull_p = NULL;
	if (layout_out != NULL)
		*layout_out = NULL;
	if (name_out != NULL)
		*name_out = NULL;
	if (!p->done && p->pid > 0)
		kill(p->pid, SIGTERM);
	pull_reap(p);
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0) {
		after = store_bytes(p->blobs);
		if (bytes_out != NULL)
			*bytes_out = after > p->bytes_before ?
			    after - p->bytes_before : 0;
		if (ms_out != NULL)
			*ms_out = tf_now_ms() - p->start_ms;
		if (layout_out != NULL) {
			*layout_out = p->layout;
			p->layout = NULL;
		}
		if (name_out != NULL) {
			*name_out = p->name;
			p->name = NULL;
		}
		rc = 0;
	} else if (p->fatal[0] != '\0') {
		tf_err_set(err, "%s", p->fatal);
	} else if (p->last[0] != '\0') {
		tf_err_set(err, "skopeo: %s", p->last);
	} else {
		tf_err_set(err, "skopeo failed on %s", p->ref);
	}
	if (p->authfile != NULL)
		unlink(p->authfile);
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	free(p->authfile);
	free(p->layout);
	free(p->name);
	free(p->blobs);
	free(p->ref);
	free(p);
	return rc;
}

int
tf_registry_prune(const tf_registry_opts *opts, uint64_t *bytes_out,
		  tf_err *err)
{
	tf_registry_opts none = { .tls_verify = -1 };
	char *cache = cache_dir(opts != NULL ? opts : &none);
	char *blobs = tf_asprintf("%s/blobs/sha256", cache);
	char *lock = tf_asprintf("%s/.lock", cache);
	const char *const files[] = { "index.json", "oci-layout" };
	int fd, rc = 0;

	*bytes_out = 0;
	fd = open(lock, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No lock file: nothing was ever pulled here. */
		if (errno != ENOENT)
			rc = tf_err_errno(err, "opening %s", lock);
		goto out;
	}
	if (flock(fd, LOCK_EX) != 0) {
		rc = tf_err_errno(err, "locking %s", lock);
		goto out;
	}
	*bytes_out = store_bytes(blobs);
	for (size_t i = 0; i < TF_ARRAY_LEN(files); i++) {
		char *f = tf_asprintf("%s/%s", cache, files[i]);

		if (unlink(f) != 0 && errno != ENOENT && rc == 0)
			rc = tf_err_errno(err, "removing %s", f);
		free(f);
	}
	free(blobs);
	blobs = tf_asprintf("%s/blobs", cache);
	if (tf_rm_rf(blobs) != 0 && rc == 0)
		rc = tf_err_errno(err, "removing %s", blobs);
out:
	if (fd >= 0)
		close(fd);
	free(lock);
	free(blobs);
	free(cache);
	return rc;
}

/* ------------------------------------------------------------------------
 * Self test: names and hosts; skopeo itself is exercised by the
 * integration test against a real registry (tests/integration).
 */

#define CHECK(c) do { \
	if (!(c)) tf_panic("tf_registry_test: check failed: %s", #c); \
} while (0)

static void
check_name(const char *ref, const char *want)
{
	char *got = tf_registry_name(ref);

	if (strcmp(got, want) != 0)
		tf_panic("tf_registry_name(%s) = %s, want %s", ref, got, want);
	free(got);
}

void
tf_registry_test(bool verbose)
{
	char *h;

	if (verbose)
		printf(" * tf_registry: ");
	CHECK(tf_registry_is_ref("docker://127.0.0.1:5000/a/b:1"));
	CHECK(tf_registry_is_ref("oci-archive:/tmp/x.tar"));
	CHECK(tf_registry_is_ref("containers-storage:busybox"));
	CHECK(!tf_registry_is_ref("busybox"));
	CHECK(!tf_registry_is_ref("build/images/busybox"));
	CHECK(!tf_registry_is_ref(NULL));
	check_name("docker://127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b:latest");
	check_name("docker://127.0.0.1:5000/a/b:1", "127.0.0.1:5000/a/b:1");
	check_name("docker://busybox", "busybox:latest");
	check_name("docker://r.io/x@sha256:00", "r.io/x@sha256:00");
	check_name("oci:/tmp/l:tag", "oci:/tmp/l:tag");
	h = registry_host("docker://127.0.0.1:5000/a/b");
	CHECK(strcmp(h, "127.0.0.1:5000") == 0 && host_loopback(h));
	free(h);
	h = registry_host("docker://library/busybox");
	CHECK(strcmp(h, "docker.io") == 0 && !host_loopback(h));
	free(h);
	h = registry_host("docker://localhost:5000/x");
	CHECK(host_loopback(h));
	free(h);
	if (verbose)
		printf("OK\n");
}
