/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_layer_cache: the node's layer cache, <state>/layers/<sha256>/, each an
 * unpacked image layer that overlayfs stacks.  A missing layer is pulled
 * from the location in chunks (`layer_get {sha256, offset}`), written to
 * <sha256>.part while its digest is computed, checked against the name
 * (a layer the location keeps as a gzip blob: the tar inside it, checked
 * by tf-unpack before unpacking), then unpacked by tf-unpack
 * (layer_unpack() in a program of its own: unpacking a big layer takes
 * seconds and the loop must not wait, and libarchive must not run in a
 * forked child of this threaded process) whose exit comes back through
 * SIGCHLD.  A layer is fetched once however many spawns wait for it;
 * whenever one is ready or has failed the cache calls the function given
 * to node_layers_init (the spawn code's node_spawn_layers_ready), and
 * knows nothing else of its users.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "node.h"
#include "rt_child.h"
#include "tf_codec_image.h"
#include "tf_log.h"

enum layer_state { L_FETCHING, L_UNPACKING, L_DONE, L_FAILED };

struct node_layer {
	struct node_layer *next;
	struct node *n;
	char sha[65];
	enum layer_state state;
	bool gzip;			/* the location kept the gzip blob */
	int fd;
	crypto_hash_sha256_state hash;
	uint64_t offset, size;
	pid_t pid;
	uint64_t t0_ms;
	char error[TF_ERR_LEN];
};

bool
node_sha_valid(const char *sha)
{
	size_t i;

	if (strlen(sha) != 64)
		return false;
	for (i = 0; i < 64; i++) {
		if (!((sha[i] >= '0' && sha[i] <= '9') ||
		    (sha[i] >= 'a' && sha[i] <= 'f')))
			return false;
	}
	return true;
}

char *
node_layer_path(struct node *n, const char *sha)
{
	return tf_asprintf("%s/%s", n->layer_dir, sha);
}

static bool
layer_present(struct node *n, const char *sha)
{
	char *path = node_layer_path(n, sha);
	struct stat st;
	bool ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

	free(path);
	return ok;
}

static struct node_layer *
layer_job(struct node *n, const char *sha)
{
	struct node_layer *l;

	for (l = n->layer_jobs; l != NULL; l = l->next) {
		if (strcmp(l->sha, sha) == 0)
			return l;
	}
	return NULL;
}

static void
layer_job_free(struct node_layer *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

/* After a job moved on: let waiting spawns continue, then forget jobs that
 * are finished (a failed one is retried by the next spawn that needs it). */
static void
layers_progress(struct node *n)
{
	struct node_layer **pp, *l;

	if (n->layers_changed != NULL)
		n->layers_changed(n);
	pp = &n->layer_jobs;
	while ((l = *pp) != NULL) {
		if (l->state == L_DONE || l->state == L_FAILED) {
			*pp = l->next;
			layer_job_free(l);
		} else {
			pp = &l->next;
		}
	}
}

static void
layer_fail(struct node_layer *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
layer_fail(struct node_layer *l, const char *fmt, ...)
{
	char path[4300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof l->error, fmt, ap);
	va_end(ap);
	tf_warn("layer %.12s: %s", l->sha, l->error);
	l->state = L_FAILED;
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	snprintf(path, sizeof path, "%s/%s.part", l->n->layer_dir, l->sha);
	unlink(path);
}

static void
layer_unpacked(pid_t pid, int status, void *arg)
{
	struct node_layer *l = arg;
	struct node *n = l->n;
	char path[4300], *why;

	(void)pid;
	l->pid = 0;
	snprintf(path, sizeof path, "%s/%s.tar", n->layer_dir, l->sha);
	unlink(path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    layer_present(n, l->sha)) {
		tf_info("layer %.12s ready (%llu bytes, %llu ms)", l->sha,
		    (unsigned long long)l->size,
		    (unsigned long long)(tf_now_ms() - l->t0_ms));
		l->state = L_DONE;
	} else {
		snprintf(path, sizeof path, "%s/%s.err", n->layer_dir, l->sha);
		why = tf_read_file(path, NULL, 4096);
		unlink(path);
		if (why != NULL && *why == '\0') {
			free(why);
			why = NULL;
		}
		if (why != NULL)
			why[strcspn(why, "\n")] = '\0';
		layer_fail(l, "cannot unpack: %s", why != NULL ? why :
		    "the unpacking process failed");
		free(why);
	}
	layers_progress(n);
}

static void
layer_unpack_start(struct node_layer *l)
{
	struct node *n = l->n;
	char part[4300], tar[4300], dest[4300], errp[4300];
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65];
	/* A gzip blob: tf-unpack checks the tar inside against the name. */
	const char *argv[] = { n->unpack_path, tar, dest, l->gzip ?
	    l->sha : NULL, NULL };
	int fds[RT_SPAWN_FDS] = { RT_FD_NULL, RT_FD_NULL, -1, RT_FD_NONE };
	int status, errfd;
	tf_err err;
	pid_t pid;

	crypto_hash_sha256_final(&l->hash, digest);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	close(l->fd);
	l->fd = -1;
	/* A gzip blob's digest is not the layer's name: tf-unpack checks
	 * the tar inside it. */
	if (!l->gzip && strcmp(hex, l->sha) != 0) {
		layer_fail(l, "the data received has sha256 %.12s, not %.12s",
		    hex, l->sha);
		return;
	}
	snprintf(part, sizeof part, "%s/%s.part", n->layer_dir, l->sha);
	snprintf(tar, sizeof tar, "%s/%s.tar", n->layer_dir, l->sha);
	snprintf(dest, sizeof dest, "%s/%s", n->layer_dir, l->sha);
	snprintf(errp, sizeof errp, "%s/%s.err", n->layer_dir, l->sha);
	if (rename(part, tar) != 0) {
		layer_fail(l, "cannot rename %s: %s", part, strerror(errno));
		return;
	}
	/* libarchive runs in tf-unpack, never in a forked child of this
	 * threaded process (rt_unpack_main.c says why); its stderr is the
	 * .err file, read when it fails. */
	errfd = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (errfd < 0) {
		layer_fail(l, "cannot create %s: %s", errp, strerror(errno));
		return;
	}
	fds[2] = errfd;
	pid = rt_spawn(argv, fds, &err);
	close(errfd);
	if (pid < 0) {
		layer_fail(l, "%s", err.msg);
		return;
	}
	l->pid = pid;
	l->state = L_UNPACKING;
	tf_debug("layer %.12s: unpacking in pid %d", l->sha, (int)pid);
	if (rt_children_claim(ctr_table_children(n->ctrs), pid, layer_unpacked,
	    l, &status) == 1)
		layer_unpacked(pid, status, l);
}

static void layer_request(struct node_layer *l);

static void
layer_reply_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct node_layer *l = arg;
	char why[TF_ERR_LEN];
	tf_image_msg rep;
	int64_t size;
	const uint8_t *p = m->bulk;
	size_t len = m->bulk != NULL ? m->bulk_len : 0;
	uint64_t off;

	(void)c;
	if (tf_msg_is_stream(m) || l->state != L_FETCHING)
		return;
	if (tf_msg_is_error(m)) {
		if (tf_msg_str(m, "error", why, sizeof why, false, NULL) != 0)
			snprintf(why, sizeof why, "refused");
		layer_fail(l, "the location cannot send it: %s", why);
		layers_progress(l->n);
		return;
	}
	if (tf_image_msg_unpack(m->params, &rep, NULL) != 0 ||
	    !TF_HAS(&tf_image_codec, &rep, size))
		size = -1;
	else
		size = rep.size;
	tf_image_msg_free(&rep);
	if (size < 0 || (l->offset > 0 && (uint64_t)size != l->size) ||
	    l->offset + len > (uint64_t)size) {
		layer_fail(l, "the location sent an inconsistent chunk");
		layers_progress(l->n);
		return;
	}
	l->size = (uint64_t)size;
	for (off = 0; off < len;) {
		ssize_t w = pwrite(l->fd, p + off, len - off,
		    (off_t)(l->offset + off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			layer_fail(l, "cannot write: %s", strerror(errno));
			layers_progress(l->n);
			return;
		}
		off += (uint64_t)w;
	}
	if (l->offset == 0 && len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		l->gzip = true;
	crypto_hash_sha256_update(&l->hash, p, len);
	l->offset += len;
	if (l->offset == l->size) {
		layer_unpack_start(l);
		if (l->state == L_FAILED)
			layers_progress(l->n);
		return;
	}
	if (len == 0) {
		layer_fail(l, "the location sent an empty chunk");
		layers_progress(l->n);
		return;
	}
	layer_request(l);
}

static void
layer_request(struct node_layer *l)
{
	tf_image_msg req = { .sha256 = l->sha, .offset = (int64_t)l->offset };
	tf_out o;

	TF_SET(&tf_image_codec, &req, offset);
	tf_out_init(&o, "layer_get");
	tf_image_msg_pack(&req, &o);
	if (tf_conn_request(l->n->conn, &o, NULL, 0, layer_reply_cb, l) == 0)
		layer_fail(l, "the connection to the location is closed");
}

static struct node_layer *
layer_fetch_start(struct node *n, const char *sha)
{
	struct node_layer *l = tf_calloc(1, sizeof *l);
	char path[4300];

	l->n = n;
	snprintf(l->sha, sizeof l->sha, "%s", sha);
	l->fd = -1;
	l->t0_ms = tf_now_ms();
	l->state = L_FETCHING;
	l->next = n->layer_jobs;
	n->layer_jobs = l;
	crypto_hash_sha256_init(&l->hash);
	snprintf(path, sizeof path, "%s/%s.part", n->layer_dir, sha);
	l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		layer_fail(l, "cannot create %s: %s", path, strerror(errno));
		return l;
	}
	tf_info("fetching layer %.12s from the location", sha);
	layer_request(l);
	return l;
}

int
node_layers_ensure(struct node *n, char **layers, size_t nlayers, tf_err *err)
{
	struct node_layer *l;
	bool all = true;
	size_t i;

	for (i = 0; i < nlayers; i++) {
		if (layer_present(n, layers[i]))
			continue;
		all = false;
		l = layer_job(n, layers[i]);
		if (l == NULL)
			l = layer_fetch_start(n, layers[i]);
		if (l->state == L_FAILED)
			return tf_err_set(err, "layer %.12s: %s", l->sha, l->error);
	}
	return all ? 1 : 0;
}

bool
node_layer_failed(struct node *n, char **layers, size_t nlayers, char *why,
		  size_t size)
{
	struct node_layer *l;
	size_t i;

	for (i = 0; i < nlayers; i++) {
		l = layer_job(n, layers[i]);
		if (l != NULL && l->state == L_FAILED) {
			snprintf(why, size, "layer %.12s: %s", l->sha, l->error);
			return true;
		}
	}
	return false;
}

void
node_layers_init(struct node *n, node_layers_fn changed)
{
	struct dirent *de;
	char path[4600];
	DIR *d;

	n->layers_changed = changed;
	d = opendir(n->layer_dir);
	if (d == NULL)
		return;
	/* Anything but a complete layer directory is left from a crash. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || node_sha_valid(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", n->layer_dir, de->d_name);
		tf_debug("removing %s", path);
		tf_rm_rf(path);
	}
	closedir(d);
}

void
node_layers_free(struct node *n)
{
	struct node_layer *l;
	int status;

	while ((l = n->layer_jobs) != NULL) {
		n->layer_jobs = l->next;
		if (l->pid > 0 && n->ctrs != NULL) {
			kill(l->pid, SIGKILL);
			rt_children_wait(ctr_table_children(n->ctrs), l->pid,
			    &status);
		}
		layer_job_free(l);
	}
}
