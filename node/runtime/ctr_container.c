/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_container: container records and their lifecycle (see
 * ctr_container.h).  Everything slow happens in children (runc) whose exits
 * come back through rt_children; each step ends in ctr_advance(), which
 * looks at what is wanted (reboot, destroy) and what is still alive (a runc
 * in flight, the container's init, runc's state) and takes the next step.
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
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "fs_path.h"
#include "tf_log.h"
#include "tf_util.h"

#define OUTPUT_SLICE (64u << 10)	/* bytes read per readiness event */
#define CLEANUP_PARALLEL 16		/* runc deletes at once after a crash */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void ctr_advance(ctr *c);
static void cgroup_cleanup(ctr_table *t);
static void ctr_init_exited(pid_t pid, int status, void *arg);
static void ctr_init_gone(ctr *c, bool known, int status);

const char *
ctr_state_name(ctr_state st)
{
	switch (st) {
	case CTR_SPAWNING:  return "spawning";
	case CTR_SLEEPING:  return "sleeping";
	case CTR_RUNNING:   return "running";
	case CTR_EXITED:    return "exited";
	case CTR_FAILED:    return "failed";
	case CTR_DESTROYED: return "destroyed";
	}
	return "unknown";
}

/* --- string vectors --------------------------------------------------- */

static size_t
strv_len(const char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Sets NAME=value in env (a vector with room managed here), replacing an
 * entry with the same name.  Takes ownership of kv. */
static void
env_set(char ***env, size_t *n, char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - kv) : strlen(kv);
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strncmp((*env)[i], kv, name_len) == 0 &&
		    (*env)[i][name_len] == '=') {
			free((*env)[i]);
			(*env)[i] = kv;
			return;
		}
	}
	*env = tf_realloc(*env, (*n + 2) * sizeof **env);
	(*env)[(*n)++] = kv;
	(*env)[*n] = NULL;
}

static bool
env_has(char **env, size_t n, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < n; i++) {
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return true;
	}
	return false;
}

static char **
env_compose(const ctr_spec *s, const char *hostname)
{
	char **env = tf_calloc(1, sizeof *env);
	size_t n = 0, i;

	for (i = 0; s->image_env != NULL && s->image_env[i] != NULL; i++) {
		if (strchr(s->image_env[i], '=') != NULL)
			env_set(&env, &n, tf_strdup(s->image_env[i]));
	}
	for (i = 0; s->env != NULL && s->env[i] != NULL; i++) {
		if (strchr(s->env[i], '=') != NULL)
			env_set(&env, &n, tf_strdup(s->env[i]));
	}
	/* What Docker gives every container, so images behave the same. */
	if (!env_has(env, n, "PATH"))
		env_set(&env, &n, tf_strdup(DEFAULT_PATH));
	if (!env_has(env, n, "HOSTNAME"))
		env_set(&env, &n, tf_asprintf("HOSTNAME=%s", hostname));
	if (!env_has(env, n, "HOME"))
		env_set(&env, &n, tf_strdup("HOME=/root"));
	return env;
}

/* --- table ------------------------------------------------------------- */

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

ctr_table *
ctr_table_new(const ctr_table_config *cfg, const rt_io *io,
	      const ctr_events *ev, tf_err *err)
{
	ctr_table *t;
	rt_children *ch;

	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/' ||
	    strpbrk(cfg->state_dir, ",:") != NULL ||
	    strlen(cfg->state_dir) > 200) {
		tf_err_set(err, "the state directory must be an absolute path "
		    "of at most 200 characters without ',' or ':'");
		return NULL;
	}
	if (cfg->init_path == NULL || cfg->init_path[0] != '/' ||
	    access(cfg->init_path, X_OK) != 0) {
		tf_err_set(err, "tf-init not found or not executable: %s",
		    cfg->init_path ? cfg->init_path : "(none)");
		return NULL;
	}
	ch = rt_children_new(err);
	if (ch == NULL)
		return NULL;

	t = tf_calloc(1, sizeof *t);
	t->children = ch;
	t->state_dir = tf_strdup(cfg->state_dir);
	t->runc_root = tf_asprintf("%s/runc", cfg->state_dir);
	t->ctr_root = tf_asprintf("%s/containers", cfg->state_dir);
	t->run_dir = tf_asprintf("%s/run", cfg->state_dir);
	t->init_path = tf_strdup(cfg->init_path);
	t->cgroup_parent = cfg->cgroup_parent != NULL ?
	    tf_strdup(cfg->cgroup_parent) :
	    tf_asprintf("/tf-%08x", fnv1a(cfg->state_dir));
	t->backlog = cfg->backlog ? cfg->backlog : CTR_RING_DEFAULT;
	t->runc.runc = cfg->runc != NULL ? cfg->runc : "runc";
	t->runc.root = t->runc_root;
	t->io = *io;
	t->ev = *ev;
	/* Limit memory+swap too where the kernel accounts swap, so that a
	 * container cannot escape its memory limit by swapping. */
	t->cgroup_swap = file_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ||
	    file_exists("/sys/fs/cgroup/cgroup.controllers");

	if (tf_mkdir_p(t->state_dir, 0700) != 0 ||
	    tf_mkdir_p(t->runc_root, 0700) != 0 ||
	    tf_mkdir_p(t->ctr_root, 0700) != 0 ||
	    tf_mkdir_p(t->run_dir, 0700) != 0) {
		tf_err_errno(err, "cannot create the state directory %s",
		    t->state_dir);
		ctr_table_destroy(&t);
		return NULL;
	}
	return t;
}

const char *
ctr_table_state_dir(const ctr_table *t)
{
	return t->state_dir;
}

rt_children *
ctr_table_children(ctr_table *t)
{
	return t->children;
}

size_t
ctr_table_count(const ctr_table *t)
{
	size_t n = 0;
	const ctr *c;

	for (c = t->ctrs; c != NULL; c = c->next) {
		if (c->state != CTR_DESTROYED)
			n++;
	}
	return n;
}

void
ctr_table_foreach(ctr_table *t, void (*fn)(ctr *c, void *arg), void *arg)
{
	ctr *c, *next;

	for (c = t->ctrs; c != NULL; c = next) {
		next = c->next;
		if (c->state != CTR_DESTROYED)
			fn(c, arg);
	}
}

void
ctr_table_sigchld(ctr_table *t)
{
	rt_children_reap(t->children);
}

ctr *
ctr_find(ctr_table *t, const char *id)
{
	ctr *c;

	for (c = t->ctrs; c != NULL; c = c->next) {
		if (c->state != CTR_DESTROYED && strcmp(c->id, id) == 0)
			return c;
	}
	return NULL;
}

/* --- small things ------------------------------------------------------ */

void
ctr_notify(ctr *c)
{
	if (c->t->ev.state != NULL)
		c->t->ev.state(c, c->t->ev.arg);
}

static void
ctr_fail(ctr *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ctr_fail(ctr *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	tf_warn("container %s: %s", c->id, c->error);
	c->awaiting_status = false;
	if (c->want == WANT_NONE) {
		c->state = CTR_FAILED;
		ctr_notify(c);
	}
}

static int
exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

void
close_fd(ctr_table *t, int *fd, bool watched)
{
	if (*fd < 0)
		return;
	if (watched)
		rt_io_unwatch(&t->io, *fd);
	close(*fd);
	*fd = -1;
}

static void
ctr_close_pipes(ctr *c)
{
	close_fd(c->t, &c->out_r[0], true);
	close_fd(c->t, &c->out_r[1], true);
	close_fd(c->t, &c->out_w[0], false);
	close_fd(c->t, &c->out_w[1], false);
	close_fd(c->t, &c->st_r, true);
	close_fd(c->t, &c->st_w, false);
	close_fd(c->t, &c->stop_fd, true);
}

void
ctr_free(ctr *c)
{
	size_t i;

	ctr_close_pipes(c);
	strv_free(c->layers);
	strv_free(c->argv);
	strv_free(c->env);
	free(c->workdir);
	free(c->user_spec);
	free(c->hostname);
	free(c->netns);
	for (i = 0; i < c->nmounts; i++) {
		free((char *)c->mounts[i].source);
		free((char *)c->mounts[i].dest);
	}
	free(c->mounts);
	ctr_ring_destroy(&c->ring);
	fs_xfer_destroy(&c->xfer);
	free(c->dir);
	free(c);
}

/* --- output and status pipes ------------------------------------------ */

/* Reads at most max_bytes of fd i (0 stdout, 1 stderr).  Returns false on
 * EAGAIN/EOF. */
static bool
ctr_read_output(ctr *c, int i, size_t max_bytes)
{
	uint8_t buf[OUTPUT_SLICE];
	size_t total = 0;
	ssize_t n;

	while (total < max_bytes && c->out_r[i] >= 0) {
		n = read(c->out_r[i], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {	/* every writer gone: the descriptor goes too */
			close_fd(c->t, &c->out_r[i], true);
			/* An adopted init holds both write ends until it
			 * exits (it is not our child: no SIGCHLD). */
			if (c->adopted && c->init_pid > 0 &&
			    c->out_r[0] < 0 && c->out_r[1] < 0)
				ctr_init_gone(c, false, 0);
		}
		if (n <= 0)
			return false;
		total += (size_t)n;
		ctr_ring_write(c->ring, i + 1, buf, (size_t)n);
		if (c->t->ev.output != NULL)
			c->t->ev.output(c, i + 1, buf, (size_t)n, c->t->ev.arg);
	}
	return true;
}

void
ctr_output_ready(int fd, int events, void *arg)
{
	ctr *c = arg;

	(void)events;
	ctr_read_output(c, fd == c->out_r[0] ? 0 : 1, OUTPUT_SLICE);
}

static void
ctr_status_line(ctr *c, const char *line)
{
	tf_debug("container %s: tf-init says %s", c->id, line);
	if (!c->awaiting_status || c->want != WANT_NONE)
		return;
	if (c->init_pid == 0 && (line[0] == 'S' || line[0] == 'R')) {
		/* runc has not told us the pid yet: "sleeping" and "running"
		 * promise a live init (processes, wake), so wait for it. */
		c->held_status = line[0];
		return;
	}
	switch (line[0]) {
	case 'S':
		c->state = CTR_SLEEPING;
		c->startup_ms = (int64_t)(tf_now_ms() - c->t0_ms);
		if (c->wake_pending && c->init_pid > 0) {
			c->wake_pending = false;
			ctr_wake_init(c);
		} else {
			/* Asleep it costs its two output pipes only: tf-init
			 * keeps the status pipe, taken back at wake. */
			close_fd(c->t, &c->st_r, true);
		}
		ctr_notify(c);
		break;
	case 'R':
		c->awaiting_status = false;
		c->state = CTR_RUNNING;
		if (c->startup_ms < 0)
			c->startup_ms = (int64_t)(tf_now_ms() - c->t0_ms);
		ctr_notify(c);
		break;
	case 'E':
		ctr_fail(c, "%s", line + 1);
		break;
	default:
		break;
	}
}

static void
ctr_read_status(ctr *c)
{
	ssize_t n;
	char *nl;

	for (;;) {
		if (c->stlen == sizeof c->stbuf - 1)
			c->stlen = 0;	/* garbage: forget it */
		if (c->st_r < 0)
			break;
		n = read(c->st_r, c->stbuf + c->stlen,
		    sizeof c->stbuf - 1 - c->stlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)	/* tf-init closes it once the entrypoint runs */
			close_fd(c->t, &c->st_r, true);
		if (n <= 0)
			break;
		c->stlen += (size_t)n;
		c->stbuf[c->stlen] = '\0';
		while ((nl = strchr(c->stbuf, '\n')) != NULL) {
			*nl = '\0';
			ctr_status_line(c, c->stbuf);
			c->stlen -= (size_t)(nl + 1 - c->stbuf);
			memmove(c->stbuf, nl + 1, c->stlen + 1);
		}
	}
}

void
ctr_status_ready(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	ctr_read_status(arg);
}

static int
ctr_make_pipes(ctr *c, tf_err *err)
{
	int p[2], i;

	for (i = 0; i < 3; i++) {
		if (pipe2(p, O_CLOEXEC) != 0)
			return tf_err_errno(err, "cannot make a pipe");
		fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
		if (i < 2) {
			c->out_r[i] = p[0];
			c->out_w[i] = p[1];
			rt_io_watch(&c->t->io, p[0], RT_READ, ctr_output_ready, c);
		} else {
			c->st_r = p[0];
			c->st_w = p[1];
			rt_io_watch(&c->t->io, p[0], RT_READ, ctr_status_ready, c);
		}
	}
	return 0;
}

/* --- booting ------------------------------------------------------------ */

/* New descriptions of the read ends of the output and status pipes, for
 * tf-init to keep. */
static int
ctr_reopen_reads(ctr *c, int keep[3], tf_err *err)
{
	const int src[3] = { c->out_r[0], c->out_r[1], c->st_r };
	char path[64];

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", src[i]);
		keep[i] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (keep[i] < 0) {
			tf_err_errno(err, "cannot reopen a pipe");
			while (i-- > 0)
				close(keep[i]);
			return -1;
		}
	}
	return 0;
}

static void ctr_runc_exited(pid_t pid, int status, void *arg);

/* The image's User names an account of the image (a reset or a pre-boot
 * file may change /etc/passwd), so it is looked up at every boot, in the
 * mounted root. */
static int
ctr_user_resolve(ctr *c, tf_err *err)
{
	int rootfd, rc;

	c->user.uid = c->user.gid = 0;
	if (c->user_spec == NULL)
		return 0;
	rootfd = ctr_root_open(c, err);
	if (rootfd < 0)
		return -1;
	rc = rt_user_resolve(rootfd, c->user_spec, &c->user, err);
	close(rootfd);
	return rc;
}

static int
ctr_boot(ctr *c, tf_err *err)
{
	rt_bundle_spec bs;
	char pidfile[4200];
	const char *args[12];
	int fds[RT_SPAWN_FDS_MAX], keep[3], status;
	pid_t pid;

	memset(&bs, 0, sizeof bs);
	bs.id = c->id;
	bs.dir = c->dir;
	bs.argv = (const char *const *)c->argv;
	bs.env = (const char *const *)c->env;
	bs.cwd = c->workdir;
	bs.hostname = c->hostname;
	bs.netns = c->netns;
	bs.init_path = c->t->init_path;
	bs.sleep = c->sleep;
	bs.cgroup_parent = c->t->cgroup_parent;
	bs.cgroup_swap = c->t->cgroup_swap;
	bs.limits = c->limits;
	bs.mounts = c->mounts;
	bs.nmounts = c->nmounts;
	if (ctr_user_resolve(c, err) != 0)
		return -1;
	/* Fresh pipes for every boot: the last boot's are at EOF or held by
	 * its dying processes. */
	ctr_close_pipes(c);
	if (ctr_make_pipes(c, err) != 0)
		return -1;
	bs.uid = c->user.uid;
	bs.gid = c->user.gid;
	if (rt_bundle_write_config(&bs, err) != 0)
		return -1;

	snprintf(pidfile, sizeof pidfile, "%s/init.pid", c->dir);
	snprintf(c->runc_log, sizeof c->runc_log, "%s/runc.log", c->dir);
	unlink(pidfile);
	args[0] = "run";
	args[1] = "-d";
	args[2] = "--pid-file";
	args[3] = pidfile;
	args[4] = "--preserve-fds";
	args[5] = "4";
	args[6] = "-b";
	args[7] = c->dir;
	args[8] = c->id;
	args[9] = NULL;
	fds[0] = RT_FD_NULL;
	fds[1] = c->out_w[0];
	fds[2] = c->out_w[1];
	fds[3] = c->st_w;
	/* tf-init keeps copies of the read ends (rt_init.c): the node can
	 * take them back (ctr_fd_take) after closing or losing its own.
	 * They are opened anew (a pipe reopened through /proc is the same
	 * pipe with its own file flags), because runc makes what it passes
	 * on blocking, which must not happen to the node's own. */
	if (ctr_reopen_reads(c, keep, err) != 0)
		return -1;
	fds[4] = keep[0];
	fds[5] = keep[1];
	fds[6] = keep[2];
	pid = rt_runc_spawn_fds(&c->t->runc, c->runc_log, args, fds,
	    RT_SPAWN_FDS_MAX, err);
	for (int i = 0; i < 3; i++)
		close(keep[i]);
	/* runc and the container hold the write ends now; the node keeps
	 * only the read ends, which close at EOF (docs/SCALE.md). */
	close_fd(c->t, &c->out_w[0], false);
	close_fd(c->t, &c->out_w[1], false);
	close_fd(c->t, &c->st_w, false);
	if (pid < 0)
		return -1;
	c->runc_pid = pid;
	c->runc_op = RUNC_RUN;
	c->adopted = false;
	c->runc_exists = true;
	c->awaiting_status = true;
	c->held_status = 0;
	c->init_killed = false;
	c->stop_sent = false;
	c->stlen = 0;
	c->startup_ms = -1;
	if (rt_children_claim(c->t->children, pid, ctr_runc_exited, c,
	    &status) == 1)
		ctr_runc_exited(pid, status, c);
	return 0;
}

static void
ctr_runc_exited(pid_t pid, int status, void *arg)
{
	ctr *c = arg;
	ctr_runc_op op = c->runc_op;
	char why[512], pidfile[4200], sbuf[64];
	pid_t ipid;
	int st;

	(void)pid;
	c->runc_pid = 0;
	c->runc_op = RUNC_NONE;
	if (op == RUNC_DELETE) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			rt_runc_log_error(c->runc_log, why, sizeof why);
			tf_debug("container %s: runc delete %s: %s", c->id,
			    rt_status_str(status, sbuf, sizeof sbuf), why);
		}
		c->runc_exists = false;
		ctr_advance(c);
		return;
	}

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rt_runc_log_error(c->runc_log, why, sizeof why);
		if (why[0] == '\0')
			snprintf(why, sizeof why, "runc %s",
			    rt_status_str(status, sbuf, sizeof sbuf));
		ctr_fail(c, "cannot start the container: %s", why);
		ctr_advance(c);
		return;
	}
	snprintf(pidfile, sizeof pidfile, "%s/init.pid", c->dir);
	if (rt_runc_read_pid(pidfile, &ipid) != 0) {
		ctr_fail(c, "cannot start the container: runc wrote no pid");
		ctr_advance(c);
		return;
	}
	c->init_pid = ipid;
	tf_debug("container %s: init is pid %d", c->id, (int)ipid);
	if (rt_children_claim(c->t->children, ipid, ctr_init_exited, c,
	    &st) == 1) {
		ctr_init_exited(ipid, st, c);
		return;
	}
	if (c->held_status != 0) {
		char line[2] = { c->held_status, '\0' };

		c->held_status = 0;
		ctr_status_line(c, line);
	}
	if (c->wake_pending && c->state == CTR_SLEEPING) {
		c->wake_pending = false;
		ctr_wake_init(c);
	}
	ctr_advance(c);
}

static void
ctr_init_exited(pid_t pid, int status, void *arg)
{
	(void)pid;
	ctr_init_gone(arg, true, status);
}

/* The container's init has gone: with its status (known) when it was our
 * child, without it when adopted. */
static void
ctr_init_gone(ctr *c, bool known, int status)
{
	char sbuf[64];

	/* Whatever it said and printed before dying comes first (while
	 * init_pid still names it, so "R" counts). */
	if (c->held_status != 0) {
		char line[2] = { c->held_status, '\0' };

		c->held_status = 0;
		ctr_status_line(c, line);
	}
	ctr_read_status(c);
	ctr_read_output(c, 0, 1 << 20);
	ctr_read_output(c, 1, 1 << 20);
	c->init_pid = 0;
	c->adopted = false;
	if (known)
		rt_status_str(status, sbuf, sizeof sbuf);
	else
		snprintf(sbuf, sizeof sbuf, "ended (exit code unknown: "
		    "adopted)");
	tf_debug("container %s: init %s", c->id, sbuf);
	if (c->stop_fd >= 0) {
		tf_info("container %s stopped by its StopSignal (%s)", c->id,
		    sbuf);
		close_fd(c->t, &c->stop_fd, true);
	}
	if (c->want == WANT_NONE) {
		c->exit_code = known ? exit_code_of(status) : -1;
		if (c->state == CTR_FAILED) {
			/* tf-init already said why */
		} else if (c->awaiting_status && c->state == CTR_SPAWNING) {
			snprintf(c->error, sizeof c->error, "the container "
			    "exited while starting (%s)", sbuf);
			c->state = CTR_FAILED;
		} else {
			c->state = CTR_EXITED;
		}
		c->awaiting_status = false;
		ctr_notify(c);
	}
	ctr_advance(c);
}

/* --- the state machine's driver ---------------------------------------- */

static void
ctr_finish_destroy(ctr *c)
{
	tf_err err;

	fs_xfer_cancel_all(c->xfer);
	if (rt_bundle_remove(c->dir, &err) != 0)
		tf_warn("container %s: %s", c->id, err.msg);
	c->mounted = false;
	ctr_close_pipes(c);
	c->state = CTR_DESTROYED;
	c->freed_ok = true;
	tf_info("container %s destroyed", c->id);
	ctr_notify(c);
}

static void ctr_advance(ctr *c);

/* The grace period after the image's StopSignal is over. */
static void
ctr_stop_timer_cb(int fd, int events, void *arg)
{
	ctr *c = arg;

	(void)fd;
	(void)events;
	close_fd(c->t, &c->stop_fd, true);
	if (c->init_pid > 0 && !c->init_killed) {
		tf_info("container %s: still running %d s after its StopSignal: "
		    "SIGKILL", c->id, CTR_STOP_GRACE_MS / 1000);
		kill(c->init_pid, SIGKILL);
		c->init_killed = true;
	}
}

/* Sends the image's StopSignal to a running entrypoint (tf-init passes
 * it on) and arms the grace period; false when SIGKILL is due at once:
 * no StopSignal, or an entrypoint that is not running (a sleeping
 * container's tf-init takes SIGUSR1 as "wake", and ends on the others). */
static bool
ctr_stop_gently(ctr *c)
{
	struct itimerspec its = { .it_value = {
	    .tv_sec = CTR_STOP_GRACE_MS / 1000,
	    .tv_nsec = (CTR_STOP_GRACE_MS % 1000) * 1000000L } };
	int fd;

	if (c->stop_sent)
		return c->stop_fd >= 0;
	if (c->stop_signal <= 0 || c->stop_signal == SIGKILL ||
	    c->state != CTR_RUNNING)
		return false;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) != 0 ||
	    rt_io_watch(&c->t->io, fd, RT_READ, ctr_stop_timer_cb, c) != 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	c->stop_fd = fd;
	c->stop_sent = true;
	tf_info("container %s: %s (its StopSignal), SIGKILL in %d s", c->id,
	    strsignal(c->stop_signal), CTR_STOP_GRACE_MS / 1000);
	kill(c->init_pid, c->stop_signal);
	return true;
}

static void
ctr_advance(ctr *c)
{
	const char *args[5];
	const int fds[RT_SPAWN_FDS] = { RT_FD_NULL, RT_FD_NULL, RT_FD_NULL,
	    RT_FD_NONE };
	tf_err err;
	pid_t pid;
	int status;

	if (c->runc_pid != 0 || c->want == WANT_NONE)
		return;
	if (c->init_pid > 0) {
		if (!c->init_killed && !ctr_stop_gently(c)) {
			/* Killing pid 1 of the container's pid namespace
			 * kills every process in it. */
			kill(c->init_pid, SIGKILL);
			c->init_killed = true;
		}
		return;
	}
	if (c->runc_exists) {
		args[0] = "delete";
		args[1] = "--force";
		args[2] = c->id;
		args[3] = NULL;
		pid = rt_runc_spawn(&c->t->runc, c->runc_log, args, fds, &err);
		if (pid < 0) {
			tf_warn("container %s: %s", c->id, err.msg);
			c->runc_exists = false;
		} else {
			c->runc_pid = pid;
			c->runc_op = RUNC_DELETE;
			if (rt_children_claim(c->t->children, pid,
			    ctr_runc_exited, c, &status) == 1)
				ctr_runc_exited(pid, status, c);
			return;
		}
	}
	fs_xfer_cancel_all(c->xfer);
	if (c->want == WANT_DESTROY) {
		ctr_finish_destroy(c);
		return;
	}

	/* Reboot. */
	c->want = WANT_NONE;
	if (c->want_reset) {
		c->want_reset = false;
		if (rt_bundle_umount(c->dir, &err) != 0 ||
		    rt_bundle_reset(c->dir, &err) != 0) {
			c->mounted = rt_bundle_mounted(c->dir);
			ctr_fail(c, "cannot reset the filesystem: %s", err.msg);
			return;
		}
		c->mounted = false;
		if (rt_bundle_mount(c->dir, (const char *const *)c->layers,
		    c->nlayers, &err) != 0) {
			ctr_fail(c, "%s", err.msg);
			return;
		}
		c->mounted = true;
	}
	if (ctr_boot(c, &err) != 0)
		ctr_fail(c, "%s", err.msg);
}

/* --- requests ---------------------------------------------------------- */

static int
ctr_argv_compose(ctr *c, const ctr_spec *s, tf_err *err)
{
	const char *const *tail = s->command != NULL && s->command[0] != NULL ?
	    s->command : s->cmd;
	size_t ne = strv_len(s->entrypoint), nt = strv_len(tail), i;

	if (ne + nt == 0)
		return tf_err_set(err, "nothing to run: the image has no "
		    "entrypoint or command and none was given");
	c->argv = tf_calloc(ne + nt + 1, sizeof *c->argv);
	for (i = 0; i < ne; i++)
		c->argv[i] = tf_strdup(s->entrypoint[i]);
	for (i = 0; i < nt; i++)
		c->argv[ne + i] = tf_strdup(tail[i]);
	return 0;
}

static int
ctr_write_preboot(ctr *c, const ctr_spec *s, tf_err *err)
{
	char dir[4200];
	size_t i;
	int rootfd, rc = 0;

	if (s->npreboot == 0)
		return 0;
	snprintf(dir, sizeof dir, "%s/preboot", c->dir);
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return tf_err_errno(err, "cannot open %s", dir);
	for (i = 0; i < s->npreboot && rc == 0; i++) {
		tf_err e2;

		rc = fs_path_write_file(rootfd, s->preboot[i].path,
		    s->preboot[i].data, s->preboot[i].len, 0644, &e2);
		if (rc != 0)
			tf_err_set(err, "pre-boot file %s: %s",
			    s->preboot[i].path, e2.msg);
	}
	close(rootfd);
	return rc;
}

ctr *
ctr_spawn(ctr_table *t, const ctr_spec *s, tf_err *err)
{
	ctr *c;
	size_t i;

	if (s->id == NULL || !rt_runc_id_valid(s->id)) {
		tf_err_set(err, "bad container id");
		return NULL;
	}
	for (c = t->ctrs; c != NULL; c = c->next) {
		if (strcmp(c->id, s->id) == 0) {
			tf_err_set(err, "container %s already exists", s->id);
			return NULL;
		}
	}
	for (i = 0; i < s->nmounts; i++) {
		if (s->mounts[i].source == NULL || s->mounts[i].source[0] != '/' ||
		    s->mounts[i].dest == NULL || s->mounts[i].dest[0] != '/') {
			tf_err_set(err, "mount paths must be absolute");
			return NULL;
		}
	}

	c = tf_calloc(1, sizeof *c);
	c->t = t;
	snprintf(c->id, sizeof c->id, "%s", s->id);
	c->dir = tf_asprintf("%s/%s", t->ctr_root, s->id);
	c->state = CTR_SPAWNING;
	c->out_r[0] = c->out_r[1] = c->out_w[0] = c->out_w[1] = -1;
	c->st_r = c->st_w = -1;
	c->stop_fd = -1;
	c->stop_signal = s->stop_signal;
	c->exit_code = -1;
	c->startup_ms = -1;
	c->t0_ms = s->t0_ms ? s->t0_ms : tf_now_ms();
	c->layers = tf_calloc(s->nlayers + 1, sizeof *c->layers);
	for (i = 0; i < s->nlayers; i++) {
		if (s->layers[i] == NULL) {
			tf_err_set(err, "layer list is inconsistent");
			goto fail;
		}
		c->layers[i] = tf_strdup(s->layers[i]);
	}
	c->nlayers = s->nlayers;
	c->hostname = tf_strdup(s->hostname != NULL ? s->hostname : s->id);
	c->env = env_compose(s, c->hostname);
	if (s->workdir != NULL && s->workdir[0] != '\0') {
		char clean[FS_PATH_MAX];

		if (fs_path_clean("/", s->workdir, clean, sizeof clean, err) != 0)
			goto fail;
		c->workdir = tf_strdup(clean);
	} else {
		c->workdir = tf_strdup("/");
	}
	if (s->user != NULL && s->user[0] != '\0')
		c->user_spec = tf_strdup(s->user);
	c->netns = s->netns != NULL ? tf_strdup(s->netns) : NULL;
	c->limits = s->limits;
	c->sleep = s->sleep;
	if (s->nmounts > 0) {
		c->mounts = tf_calloc(s->nmounts, sizeof *c->mounts);
		for (i = 0; i < s->nmounts; i++) {
			c->mounts[i].source = tf_strdup(s->mounts[i].source);
			c->mounts[i].dest = tf_strdup(s->mounts[i].dest);
			c->mounts[i].readonly = s->mounts[i].readonly;
		}
		c->nmounts = s->nmounts;
	}
	c->ring = ctr_ring_new(t->backlog);
	c->xfer = fs_xfer_new();
	if (ctr_argv_compose(c, s, err) != 0)
		goto fail;

	if (file_exists(c->dir)) {
		tf_err_set(err, "container directory %s already exists", c->dir);
		goto fail_nodir;
	}
	if (rt_bundle_create_dirs(c->dir, err) != 0 ||
	    ctr_record_write(c, err) != 0 ||
	    ctr_write_preboot(c, s, err) != 0)
		goto fail_dir;
	if (rt_bundle_mount(c->dir, (const char *const *)c->layers,
	    c->nlayers, err) != 0)
		goto fail_dir;
	c->mounted = true;
	if (ctr_boot(c, err) != 0)
		goto fail_dir;

	c->next = t->ctrs;
	t->ctrs = c;
	tf_info("container %s spawning (%zu layers)", c->id, c->nlayers);
	return c;

fail_dir:
	rt_bundle_remove(c->dir, NULL);
fail_nodir:
fail:
	ctr_free(c);
	return NULL;
}

int
ctr_wake(ctr *c, tf_err *err)
{
	if (c->want != WANT_NONE)
		return tf_err_set(err, "the container is busy (%s)",
		    c->want == WANT_DESTROY ? "being destroyed" : "rebooting");
	if (c->state == CTR_SLEEPING && c->init_pid > 0) {
		c->sleep = false;
		ctr_wake_init(c);
		return 0;
	}
	if (c->state == CTR_SLEEPING ||
	    (c->state == CTR_SPAWNING && c->sleep)) {
		c->wake_pending = true;
		c->sleep = false;
		return 0;
	}
	return tf_err_set(err, "the container is not asleep (%s)",
	    ctr_state_name(c->state));
}

int
ctr_reboot(ctr *c, bool reset, tf_err *err)
{
	if (c->state == CTR_DESTROYED || c->want == WANT_DESTROY)
		return tf_err_set(err, "the container is being destroyed");
	c->want = WANT_REBOOT;
	c->want_reset = c->want_reset || reset;
	c->sleep = false;
	c->wake_pending = false;
	c->awaiting_status = false;
	c->state = CTR_SPAWNING;
	c->exit_code = -1;
	c->error[0] = '\0';
	c->startup_ms = -1;
	c->t0_ms = tf_now_ms();
	tf_info("container %s rebooting%s", c->id, reset ? " with reset" : "");
	ctr_notify(c);
	ctr_advance(c);
	return 0;
}

void
ctr_destroy(ctr *c)
{
	if (c->state == CTR_DESTROYED || c->want == WANT_DESTROY)
		return;
	c->want = WANT_DESTROY;
	c->wake_pending = false;
	ctr_advance(c);
}

/* --- accessors --------------------------------------------------------- */

const char *ctr_id(const ctr *c) { return c->id; }
ctr_state ctr_get_state(const ctr *c) { return c->state; }
int ctr_exit_code(const ctr *c) { return c->exit_code; }
const char *ctr_error(const ctr *c) { return c->error; }
int64_t ctr_startup_ms(const ctr *c) { return c->startup_ms; }
pid_t ctr_init_pid(const ctr *c) { return c->init_pid; }
const char *ctr_dir(const ctr *c) { return c->dir; }
const char *ctr_workdir(const ctr *c) { return c->workdir; }
const ctr_ring *ctr_backlog(const ctr *c) { return c->ring; }
void ctr_set_data(ctr *c, void *data) { c->data = data; }
void *ctr_data(const ctr *c) { return c->data; }
bool ctr_adopted(const ctr *c) { return c->adopted; }
fs_xfer *ctr_xfer(ctr *c) { return c->xfer; }

int
ctr_root_open(ctr *c, tf_err *err)
{
	char path[4200];
	int fd;

	if (c->init_pid > 0 && !c->init_killed) {
		snprintf(path, sizeof path, "/proc/%d/root", (int)c->init_pid);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	if (!c->mounted)
		return tf_err_set(err, "the container's filesystem is not "
		    "available (%s)", ctr_state_name(c->state));
	snprintf(path, sizeof path, "%s/rootfs", c->dir);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tf_err_errno(err, "cannot open %s", path);
	return fd;
}

/* --- reaping, shutdown, start-up cleanup ------------------------------- */

void
ctr_table_reap(ctr_table *t)
{
	ctr **pp = &t->ctrs, *c;

	while ((c = *pp) != NULL) {
		proc_reap_done(c);
		if (c->freed_ok && c->procs == NULL && c->runc_pid == 0) {
			*pp = c->next;
			ctr_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void
ctr_shutdown_one(ctr_table *t, ctr *c)
{
	const char *args[] = { "delete", "--force", c->id, NULL };
	char pidfile[4200];
	int status;
	pid_t ipid;

	proc_kill_all_sync(c);
	if (c->runc_pid > 0) {
		rt_children_wait(t->children, c->runc_pid, &status);
		if (c->runc_op == RUNC_RUN && c->init_pid == 0) {
			snprintf(pidfile, sizeof pidfile, "%s/init.pid", c->dir);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			    rt_runc_read_pid(pidfile, &ipid) == 0)
				c->init_pid = ipid;
		}
		c->runc_pid = 0;
	}
	if (c->init_pid > 0) {
		kill(c->init_pid, SIGKILL);
		rt_children_wait(t->children, c->init_pid, &status);
		c->init_pid = 0;
	}
	if (c->runc_exists || c->state != CTR_DESTROYED)
		rt_runc_run_sync(&t->runc, t->children, args);
	fs_xfer_cancel_all(c->xfer);
	if (c->state != CTR_DESTROYED)
		rt_bundle_remove(c->dir, NULL);
}

void
ctr_table_destroy(ctr_table **self_p)
{
	ctr_table *t;
	ctr *c;

	if (self_p == NULL || *self_p == NULL)
		return;
	t = *self_p;
	while ((c = t->ctrs) != NULL) {
		t->ctrs = c->next;
		ctr_shutdown_one(t, c);
		proc_reap_done(c);
		ctr_free(c);
	}
	/* Our (now empty) cgroup parents, and anything stray below them. */
	if (t->children != NULL)
		cgroup_cleanup(t);
	rt_children_destroy(&t->children);
	free(t->state_dir);
	free(t->runc_root);
	free(t->ctr_root);
	free(t->run_dir);
	free(t->init_path);
	free(t->cgroup_parent);
	free(t);
	*self_p = NULL;
}

/* Kills whatever still runs in our cgroups below one hierarchy and removes
 * them (a crash can leave both behind without runc state). */
static void
cgroup_cleanup_dir(ctr_table *t, const char *dir)
{
	char path[4200], *procs, *p, *end;
	struct dirent *de;
	DIR *d;
	int tries;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		/* An adopted container keeps its cgroup. */
		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    ctr_find(t, de->d_name) != NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s/cgroup.procs", dir, de->d_name);
		procs = tf_read_file(path, NULL, 1 << 20);
		for (p = procs; p != NULL && *p != '\0'; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 1) {
				tf_info("killing leftover pid %ld in %s/%s",
				    pid, dir, de->d_name);
				kill((pid_t)pid, SIGKILL);
			}
		}
		free(procs);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		for (tries = 0; tries < 100 && rmdir(path) != 0 &&
		    errno == EBUSY; tries++)
			usleep(10000);
	}
	closedir(d);
	rmdir(dir);
}

static void
cgroup_cleanup(ctr_table *t)
{
	char path[4200];
	struct dirent *de;
	DIR *d;

	/* cgroup v2 (unified at the top) ... */
	snprintf(path, sizeof path, "/sys/fs/cgroup%s", t->cgroup_parent);
	cgroup_cleanup_dir(t, path);
	/* ... and every v1 hierarchy (and the hybrid's unified one). */
	d = opendir("/sys/fs/cgroup");
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/fs/cgroup/%s%s", de->d_name,
		    t->cgroup_parent);
		cgroup_cleanup_dir(t, path);
	}
	closedir(d);
}

int
ctr_table_cleanup(ctr_table *t)
{
	struct dirent *de;
	char path[4200];
	DIR *d;
	int n = 0;

	/* Everything in our cgroups dies first, so that each delete finds a
	 * stopped container; the deletes then run CLEANUP_PARALLEL at a time
	 * (a node that died with a thousand containers comes back in
	 * seconds, not minutes of one runc after another). */
	cgroup_cleanup(t);
	d = opendir(t->runc_root);
	if (d != NULL) {
		const int fds[RT_SPAWN_FDS] = { RT_FD_NULL, RT_FD_NULL,
		    RT_FD_NULL, RT_FD_NONE };
		pid_t batch[CLEANUP_PARALLEL];
		size_t nb = 0, i;
		tf_err err;
		int status;

		for (;;) {
			de = readdir(d);
			if (de != NULL && (de->d_name[0] == '.' ||
			    !rt_runc_id_valid(de->d_name) ||
			    ctr_find(t, de->d_name) != NULL))
				continue;
			if (de != NULL) {
				const char *args[] = { "delete", "--force",
				    de->d_name, NULL };

				tf_info("removing leftover runc container %s",
				    de->d_name);
				batch[nb] = rt_runc_spawn(&t->runc, NULL, args,
				    fds, &err);
				if (batch[nb] < 0)
					tf_warn("%s", err.msg);
				else
					nb++;
			}
			if (nb == CLEANUP_PARALLEL || (de == NULL && nb > 0)) {
				for (i = 0; i < nb; i++)
					rt_children_wait(t->children, batch[i],
					    &status);
				nb = 0;
			}
			if (de == NULL)
				break;
		}
		closedir(d);
	}
	cgroup_cleanup(t);
	if (t->ctrs == NULL)
		rt_bundle_umount_below(t->ctr_root);
	d = opendir(t->ctr_root);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			if (ctr_find(t, de->d_name) != NULL)
				continue;	/* adopted */
			snprintf(path, sizeof path, "%s/%s", t->ctr_root,
			    de->d_name);
			if (t->ctrs != NULL)
				rt_bundle_umount_below(path);
			tf_info("removing leftover container directory %s", path);
			if (tf_rm_rf(path) != 0)
				tf_warn("cannot remove %s: %s", path,
				    strerror(errno));
			n++;
		}
		closedir(d);
	}
	/* Console sockets of the old run's processes: those processes are
	 * not adopted (docs/SCALE.md). */
	tf_rm_rf(t->run_dir);
	mkdir(t->run_dir, 0700);
	return n;
}
