/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_layer_check: a gzip layer's diff_id, checked off the loop.  A client
 * sends a registry's gzip blob as it is; gunzipping and hashing hundreds
 * of MB takes seconds of CPU, which the upload's answer should not wait
 * for.  So the blob is stored at once as layers/<sha>.check and a child
 * (`tf-location layer-digest FILE`, exec'd: the location has zmq threads,
 * and only an exec'd child is safe after fork) prints the tar's sha256 and
 * size.  A match renames it to layers/<sha> and records it; a mismatch
 * deletes it.  Meanwhile the layer counts as present (layers_missing,
 * image_put) and is served to nodes, which check the tar's digest
 * themselves before unpacking it, so a wrong blob is never run; it can only
 * fail a spawn until the check removes it.  Checks left by a stop are
 * started again by the next run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "location.h"
#include "tf_log.h"

struct loc_layer_check {
	struct location *loc;
	char sha[65];
	pid_t pid;
	int fd;				/* the child's stdout */
	char out[200];
	size_t n;
};

static void
check_free(struct location *loc, struct loc_layer_check *c)
{
	for (size_t i = 0; i < loc->n_checks; i++) {
		if (loc->checks[i] == c) {
			loc->checks[i] = loc->checks[--loc->n_checks];
			break;
		}
	}
	if (c->fd >= 0) {
		tf_loop_del_fd(loc->loop, c->fd);
		close(c->fd);
	}
	if (c->pid > 0) {
		int status;

		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	free(c);
}

/* The child's answer: "HEX SIZE\n" on success. */
static void
check_done(struct location *loc, struct loc_layer_check *c)
{
	char *path = loc_layer_path(loc, c->sha), pending[4200], hex[65];
	long long size = -1;
	int status = -1;
	sqlite3_stmt *st;

	snprintf(pending, sizeof pending, "%s.check", path);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
	c->out[c->n] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    sscanf(c->out, "%64s %lld", hex, &size) != 2 ||
	    strcmp(hex, c->sha) != 0) {
		tf_warn("layer %.12s: the gzip blob does not hold that tar "
		    "(%s); deleted", c->sha, c->out[0] != '\0' ? c->out :
		    "the check failed");
		unlink(pending);
	} else if (rename(pending, path) != 0) {
		tf_warn("layer %.12s: cannot rename %s: %s", c->sha, pending,
		    strerror(errno));
	} else {
		st = loc_db_prepare(loc, "INSERT OR REPLACE INTO "
		    "layers(sha, size) VALUES(?, ?)");
		sqlite3_bind_text(st, 1, c->sha, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, size);
		sqlite3_step(st);
		sqlite3_finalize(st);
		tf_info("layer %.12s checked (a %lld byte tar, kept gzipped)",
		    c->sha, size);
	}
	free(path);
	check_free(loc, c);
}

static int
check_readable(tf_loop *loop, int fd, int events, void *arg)
{
	struct loc_layer_check *c = arg;
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, c->out + c->n, sizeof c->out - 1 - c->n);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n > 0) {
		c->n += (size_t)n;
		if (c->n < sizeof c->out - 1)
			return 0;
	}
	check_done(c->loc, c);
	return 0;
}

int
loc_layer_check_start(struct location *loc, const char *sha)
{
	char *path = loc_layer_path(loc, sha), pending[4200];
	struct loc_layer_check *c;
	int pipefd[2];
	pid_t pid;

	for (size_t i = 0; i < loc->n_checks; i++)
		if (strcmp(loc->checks[i]->sha, sha) == 0)
			check_free(loc, loc->checks[i]);
	snprintf(pending, sizeof pending, "%s.check", path);
	free(path);
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls before the exec. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pipefd[1], STDOUT_FILENO);
		execl("/proc/self/exe", "tf-location", "layer-digest", pending,
		    (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	c = tf_calloc(1, sizeof *c);
	c->loc = loc;
	snprintf(c->sha, sizeof c->sha, "%s", sha);
	c->pid = pid;
	c->fd = pipefd[0];
	(void)fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	LOC_PUSH(checks, c);
	tf_loop_add_fd(loc->loop, c->fd, TF_READ, check_readable, c);
	tf_debug("layer %.12s: checking its tar in pid %d", sha, (int)pid);
	return 0;
}

void
loc_layer_check_resume(struct location *loc)
{
	char *dir = tf_asprintf("%s/layers", loc->opt.state_dir);
	DIR *d = opendir(dir);
	struct dirent *de;

	free(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char sha[65];

		if (strlen(de->d_name) == 64 + 6 &&
		    strcmp(de->d_name + 64, ".check") == 0) {
			snprintf(sha, sizeof sha, "%.64s", de->d_name);
			loc_layer_check_start(loc, sha);
		}
	}
	closedir(d);
}

void
loc_layer_check_stop(struct location *loc)
{
	while (loc->n_checks > 0)
		check_free(loc, loc->checks[0]);
	free(loc->checks);
	loc->checks = NULL;
}

bool
loc_layer_checking(struct location *loc, const char *sha)
{
	char *path = loc_layer_path(loc, sha), pending[4200];
	bool yes;

	snprintf(pending, sizeof pending, "%s.check", path);
	free(path);
	yes = access(pending, R_OK) == 0;
	return yes;
}

/* `tf-location layer-digest FILE`: the child's side. */
int
loc_layer_digest_main(const char *file)
{
	struct loc_layer_in *in = loc_layer_in_new(true);
	unsigned char *buf = tf_malloc(1u << 20);
	char hex[65];
	int64_t size;
	ssize_t n;
	tf_err err;
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = 1;

	tf_err_clear(&err);
	if (fd < 0) {
		printf("cannot open %s: %s\n", file, strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, 1u << 20)) > 0)
		if (loc_layer_in_update(in, buf, (size_t)n, &err) != 0)
			break;
	if (n < 0)
		tf_err_errno(&err, "reading %s", file);
	if (err.msg[0] == '\0' && loc_layer_in_final(in, hex, &size, &err) == 0) {
		printf("%s %lld\n", hex, (long long)size);
		rc = 0;
	} else {
		printf("%s\n", err.msg);
	}
	close(fd);
out:
	free(buf);
	loc_layer_in_free(in);
	return rc;
}
