/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_adopt: what a container needs to outlive the node process that
 * started it, and taking such containers back when the node starts again.
 *
 * Each bundle holds tf-ctr.json (what ctr_spawn was asked: layers, command,
 * environment, limits, mounts..., so that an adopted container can be
 * rebooted) and owner.json (the owner's note, ctr_note_save).  At start
 * ctr_table_adopt() looks at every bundle: a container whose init runc
 * still knows (state.json's pid and start time match a live process) and
 * whose tf-init still holds its pipes (rt_init.c) is taken back; the node
 * gets its output pipes from tf-init with pidfd_getfd(), so output written
 * meanwhile waited in the pipe and no writer saw EPIPE.  Its init is not
 * our child any more: its end is seen as EOF on both output pipes (tf-init
 * holds their write ends until it exits), and its exit code is unknown.
 * Everything else is removed as before (ctr_table_cleanup).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "rt_runc.h"
#include "tf_log.h"
#include "tf_util.h"

#define RECORD_NAME "tf-ctr.json"
#define NOTE_NAME "owner.json"

/* --- writing ------------------------------------------------------------- */

static json_t *
strv_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && (n == (size_t)-1 ? v[i] != NULL : i < n);
	    i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Writes path atomically (a reader never sees half of it). */
static int
file_replace(const char *path, const char *text, tf_err *err)
{
	char tmp[4300];
	size_t len = strlen(text);
	ssize_t w;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return tf_err_errno(err, "cannot write %s", tmp);
	w = write(fd, text, len);
	close(fd);
	if (w != (ssize_t)len || rename(tmp, path) != 0) {
		unlink(tmp);
		return tf_err_errno(err, "cannot write %s", path);
	}
	return 0;
}

int
ctr_record_write(ctr *c, tf_err *err)
{
	json_t *r = json_object(), *m = json_array();
	char path[4200], *text;
	int rc;

	json_object_set_new(r, "layers", strv_json(c->layers, c->nlayers));
	json_object_set_new(r, "argv", strv_json(c->argv, (size_t)-1));
	json_object_set_new(r, "env", strv_json(c->env, (size_t)-1));
	json_object_set_new(r, "workdir", json_string(c->workdir));
	if (c->user_spec != NULL)
		json_object_set_new(r, "user", json_string(c->user_spec));
	json_object_set_new(r, "hostname", json_string(c->hostname));
	if (c->netns != NULL)
		json_object_set_new(r, "netns", json_string(c->netns));
	json_object_set_new(r, "memory", json_integer(
	    (json_int_t)c->limits.memory_bytes));
	json_object_set_new(r, "pids", json_integer(c->limits.pids));
	json_object_set_new(r, "cpu_shares", json_integer(
	    (json_int_t)c->limits.cpu_shares));
	for (size_t i = 0; i < c->nmounts; i++)
		json_array_append_new(m, json_pack("{s:s,s:s,s:b}", "source",
		    c->mounts[i].source, "dest", c->mounts[i].dest, "readonly",
		    c->mounts[i].readonly));
	json_object_set_new(r, "mounts", m);
	json_object_set_new(r, "stop_signal", json_integer(c->stop_signal));
	text = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	snprintf(path, sizeof path, "%s/" RECORD_NAME, c->dir);
	rc = file_replace(path, text, err);
	free(text);
	return rc;
}

int
ctr_note_save(ctr *c, const char *text, tf_err *err)
{
	char path[4200];

	if (c->state == CTR_DESTROYED || c->want == WANT_DESTROY)
		return 0;
	snprintf(path, sizeof path, "%s/" NOTE_NAME, c->dir);
	return file_replace(path, text, err);
}

/* --- taking back descriptors --------------------------------------------- */

int
ctr_fd_take(pid_t pid, int fd)
{
	int pfd = pidfd_open(pid, 0), got, e;

	if (pfd < 0)
		return -1;
	got = pidfd_getfd(pfd, fd, 0);
	e = errno;
	close(pfd);
	if (got >= 0)
		fcntl(got, F_SETFL, fcntl(got, F_GETFL) | O_NONBLOCK);
	errno = e;
	return got;
}

void
ctr_wake_init(ctr *c)
{
	int fd;

	if (c->st_r < 0) {
		fd = ctr_fd_take(c->init_pid, CTR_INIT_FD_STATUS);
		if (fd >= 0) {
			c->st_r = fd;
			c->stlen = 0;
			rt_io_watch(&c->t->io, fd, RT_READ, ctr_status_ready, c);
		} else {
			/* Without it the moment it runs is not known: say
			 * running now rather than sleeping for ever. */
			tf_warn("container %s: cannot take back its status "
			    "pipe (%s): running from now", c->id,
			    strerror(errno));
			c->awaiting_status = false;
			c->state = CTR_RUNNING;
			ctr_notify(c);
		}
	}
	kill(c->init_pid, SIGUSR1);
}

/* --- adoption ------------------------------------------------------------- */

static char **
json_strv(const json_t *a, size_t *n_out)
{
	size_t n = json_array_size(a), i;
	char **v = tf_calloc(n + 1, sizeof *v);

	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		v[i] = tf_strdup(s != NULL ? s : "");
	}
	if (n_out != NULL)
		*n_out = n;
	return v;
}

static char *
json_strdup(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? tf_strdup(s) : NULL;
}

/* The start time (clock ticks since boot) of a live, not zombie, pid. */
static bool
proc_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], *data, *p;
	int field;
	bool ok = false;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	data = tf_read_file(path, NULL, 8192);
	if (data == NULL)
		return false;
	p = strrchr(data, ')');
	if (p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X') {
		/* p + 2 is field 3 (state); starttime is field 22. */
		p += 2;
		for (field = 3; field < 22 && p != NULL; field++) {
			p = strchr(p, ' ');
			if (p != NULL)
				p++;
		}
		if (p != NULL)
			ok = sscanf(p, "%llu", start) == 1;
	}
	free(data);
	return ok;
}

/* runc's idea of the container's init, checked against the live process:
 * a reused pid has another start time. */
static pid_t
runc_live_init(ctr_table *t, const char *id)
{
	char path[4200];
	unsigned long long start;
	json_int_t pid, want;
	json_t *st;

	snprintf(path, sizeof path, "%s/%s/state.json", t->runc_root, id);
	st = json_load_file(path, 0, NULL);
	if (st == NULL)
		return 0;
	pid = json_integer_value(json_object_get(st, "init_process_pid"));
	want = json_integer_value(json_object_get(st, "init_process_start"));
	json_decref(st);
	if (pid <= 1 || !proc_start_time((pid_t)pid, &start) ||
	    start != (unsigned long long)want)
		return 0;
	return (pid_t)pid;
}

static ctr *
ctr_from_record(ctr_table *t, const char *id, const json_t *r)
{
	const json_t *m = json_object_get(r, "mounts");
	ctr *c = tf_calloc(1, sizeof *c);

	c->t = t;
	snprintf(c->id, sizeof c->id, "%.64s", id);
	c->dir = tf_asprintf("%s/%s", t->ctr_root, id);
	c->out_r[0] = c->out_r[1] = c->out_w[0] = c->out_w[1] = -1;
	c->st_r = c->st_w = -1;
	c->stop_fd = -1;
	c->exit_code = -1;
	c->startup_ms = -1;
	c->t0_ms = tf_now_ms();
	c->layers = json_strv(json_object_get(r, "layers"), &c->nlayers);
	c->argv = json_strv(json_object_get(r, "argv"), NULL);
	c->env = json_strv(json_object_get(r, "env"), NULL);
	c->workdir = json_strdup(r, "workdir");
	if (c->workdir == NULL)
		c->workdir = tf_strdup("/");
	c->user_spec = json_strdup(r, "user");
	c->hostname = json_strdup(r, "hostname");
	if (c->hostname == NULL)
		c->hostname = tf_strdup(id);
	c->netns = json_strdup(r, "netns");
	c->limits.memory_bytes = (uint64_t)json_integer_value(
	    json_object_get(r, "memory"));
	c->limits.pids = json_integer_value(json_object_get(r, "pids"));
	c->limits.cpu_shares = (uint64_t)json_integer_value(
	    json_object_get(r, "cpu_shares"));
	c->nmounts = json_array_size(m);
	if (c->nmounts > 0)
		c->mounts = tf_calloc(c->nmounts, sizeof *c->mounts);
	for (size_t i = 0; i < c->nmounts; i++) {
		const json_t *e = json_array_get(m, i);
		char *src = json_strdup(e, "source"), *dst = json_strdup(e, "dest");

		c->mounts[i].source = src != NULL ? src : tf_strdup("/");
		c->mounts[i].dest = dst != NULL ? dst : tf_strdup("/");
		c->mounts[i].readonly = json_is_true(json_object_get(e,
		    "readonly"));
	}
	c->stop_signal = (int)json_integer_value(json_object_get(r,
	    "stop_signal"));
	c->ring = ctr_ring_new(t->backlog);
	c->xfer = fs_xfer_new();
	return c;
}

/* Takes back one container; NULL (and why) when it cannot be. */
static ctr *
ctr_adopt_one(ctr_table *t, const char *id, char *why, size_t size)
{
	char path[4200];
	json_t *r;
	pid_t pid;
	ctr *c;
	int fd;

	pid = runc_live_init(t, id);
	if (pid == 0) {
		snprintf(why, size, "runc knows no live init");
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s/" RECORD_NAME, t->ctr_root, id);
	r = json_load_file(path, 0, NULL);
	if (r == NULL) {
		snprintf(why, size, "no readable %s", RECORD_NAME);
		return NULL;
	}
	c = ctr_from_record(t, id, r);
	json_decref(r);
	c->init_pid = pid;
	c->runc_exists = true;
	c->mounted = rt_bundle_mounted(c->dir);
	c->adopted = true;
	for (int i = 0; i < 2; i++) {
		c->out_r[i] = ctr_fd_take(pid, CTR_INIT_FD_OUT + i);
		if (c->out_r[i] < 0) {
			snprintf(why, size, "cannot take its output pipes "
			    "from pid %d: %s", (int)pid, strerror(errno));
			ctr_free(c);
			return NULL;
		}
		rt_io_watch(&t->io, c->out_r[i], RT_READ, ctr_output_ready, c);
	}
	/* tf-init keeps the status pipe until the entrypoint runs. */
	fd = ctr_fd_take(pid, CTR_INIT_FD_STATUS);
	if (fd >= 0) {
		close(fd);
		c->state = CTR_SLEEPING;
		c->sleep = true;
		c->awaiting_status = true;
	} else {
		c->state = CTR_RUNNING;
	}
	return c;
}

int
ctr_table_adopt(ctr_table *t, ctr_adopt_fn fn, void *arg)
{
	char why[512], path[4200], *note;
	struct dirent *de;
	int n = 0;
	DIR *d;
	ctr *c;

	d = opendir(t->ctr_root);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !rt_runc_id_valid(de->d_name))
			continue;
		c = ctr_adopt_one(t, de->d_name, why, sizeof why);
		if (c == NULL) {
			tf_info("container %s left by an earlier run is not "
			    "taken back (%s): removing it", de->d_name, why);
			continue;
		}
		snprintf(path, sizeof path, "%s/" NOTE_NAME, c->dir);
		note = tf_read_file(path, NULL, 1 << 20);
		if (fn != NULL && !fn(c, note, arg)) {
			tf_info("container %s left by an earlier run is not "
			    "taken back (its owner's note is unusable): "
			    "removing it", c->id);
			free(note);
			ctr_free(c);
			continue;
		}
		free(note);
		c->next = t->ctrs;
		t->ctrs = c;
		n++;
		tf_info("container %s taken back (%s, init pid %d)", c->id,
		    ctr_state_name(c->state), (int)c->init_pid);
	}
	closedir(d);
	return n;
}
