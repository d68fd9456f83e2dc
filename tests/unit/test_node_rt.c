/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_node_rt: tf-node's container runtime against real runc, as root.
 *
 * Builds a two-layer busybox image in a temporary directory (layer 2 holds
 * a whiteout for a file of layer 1), then drives ctr_table from a small
 * poll loop exactly as tf-node does: container output, pre-boot files,
 * processes with pipes and with a pty (stty size, resize, TERM), put/fetch
 * with escape attempts, sleep/wake, reboot with and without reset, exit
 * codes, start failures, cgroup limits (a memory hog and a fork bomb do not
 * stop a third container), clean-up after a simulated crash, and destroy
 * leaving no mount, runc state, cgroup or directory behind.
 *
 *   test_node_rt <path of tf-init>
 *
 * Exits 77 (skipped) when not root or runc is missing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr_container.h"
#include "fs_xfer.h"
#include "proc_exec.h"
#include "rt_bundle.h"
#include "tf_log.h"
#include "tf_util.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
		fail_cleanup(); \
		exit(1); \
	} \
} while (0)

#define STEP(...) do { printf("-- "); printf(__VA_ARGS__); printf("\n"); \
	fflush(stdout); } while (0)

/* Set once in main so a failed check can still remove the test's mess. */
static char *g_tmp;
static char *g_state;
/* Our cgroup parent, per run, so concurrent runs never meet. */
static char g_cg[64], g_cg_crash[64];

/* /sys/fs/cgroup/<ctrl>/<parent>/<rest> into a static buffer. */
static const char *
cg_path(const char *ctrl, const char *parent, const char *rest)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "/sys/fs/cgroup/%s%s%s%s", ctrl, parent,
	    rest[0] ? "/" : "", rest);
	return buf[k];
}
static void fail_cleanup(void);

/* --- a poll loop implementing rt_io ----------------------------------- */

typedef struct tl_fd {
	int fd;
	int events;
	rt_fd_fn fn;
	void *arg;
} tl_fd;

typedef struct tloop {
	tl_fd fds[512];
	int n;
	int sigfd;
	ctr_table *t;
} tloop;

static int
tl_watch(void *ctx, int fd, int events, rt_fd_fn fn, void *arg)
{
	tloop *l = ctx;
	int i;

	for (i = 0; i < l->n; i++) {
		if (l->fds[i].fd == fd)
			break;
	}
	if (i == l->n) {
		if (l->n == (int)TF_ARRAY_LEN(l->fds))
			return -1;
		l->n++;
	}
	l->fds[i].fd = fd;
	l->fds[i].events = events;
	l->fds[i].fn = fn;
	l->fds[i].arg = arg;
	return 0;
}

static void
tl_unwatch(void *ctx, int fd)
{
	tloop *l = ctx;
	int i;

	for (i = 0; i < l->n; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i] = l->fds[--l->n];
			return;
		}
	}
}

static void
tl_run_once(tloop *l, int timeout_ms)
{
	struct pollfd pfd[513];
	int n = 0, i, k, ev;

	for (i = 0; i < l->n; i++) {
		pfd[n].fd = l->fds[i].fd;
		pfd[n].events = (short)(((l->fds[i].events & RT_READ) ? POLLIN : 0) |
		    ((l->fds[i].events & RT_WRITE) ? POLLOUT : 0));
		pfd[n].revents = 0;
		n++;
	}
	pfd[n].fd = l->sigfd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	if (poll(pfd, (nfds_t)n + 1, timeout_ms) > 0) {
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			/* The handler may have gone (or changed) meanwhile. */
			for (k = 0; k < l->n; k++) {
				if (l->fds[k].fd == pfd[i].fd)
					break;
			}
			if (k == l->n)
				continue;
			ev = ((pfd[i].revents & POLLIN) ? RT_READ : 0) |
			    ((pfd[i].revents & POLLOUT) ? RT_WRITE : 0) |
			    ((pfd[i].revents & (POLLERR | POLLHUP)) ? RT_ERROR : 0);
			l->fds[k].fn(pfd[i].fd, ev, l->fds[k].arg);
		}
		if (pfd[n].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(l->sigfd, &si, sizeof si) == sizeof si)
				;
		}
	}
	/* Reaping on every pass also covers a missed SIGCHLD. */
	ctr_table_sigchld(l->t);
	ctr_table_reap(l->t);
}

#define WAIT(l, ms, cond) do { \
	uint64_t deadline_ = tf_now_ms() + (ms); \
	while (!(cond) && tf_now_ms() < deadline_) \
		tl_run_once((l), 50); \
	CHECK(cond); \
} while (0)

/* Runs the loop for ms regardless. */
static void
tl_spin(tloop *l, int ms)
{
	uint64_t deadline = tf_now_ms() + (uint64_t)ms;

	while (tf_now_ms() < deadline)
		tl_run_once(l, 20);
}

/* --- what the callbacks record ---------------------------------------- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
} sbuf;

/* Every buffer ever made, freed at the end: the records holding them are
 * reused with memset, which is simpler for the tests than freeing. */
static char **g_bufs;
static size_t g_nbufs;

static void
sbuf_add(sbuf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		char *old = b->s;
		size_t i;

		b->cap = (b->len + len + 1) * 2;
		b->s = tf_realloc(b->s, b->cap);
		for (i = 0; i < g_nbufs && g_bufs[i] != old; i++)
			;
		if (old == NULL || i == g_nbufs) {
			g_bufs = tf_realloc(g_bufs, (g_nbufs + 1) * sizeof *g_bufs);
			g_nbufs++;
		}
		g_bufs[i] = b->s;
	}
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
}

static bool
sbuf_has(const sbuf *b, const char *needle)
{
	return b->s != NULL && strstr(b->s, needle) != NULL;
}

static void
sbuf_clear(sbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

typedef struct tctr {
	char id[65];
	ctr_state state;
	int exit_code;
	int64_t startup_ms;
	char error[512];
	int changes;
	bool saw_running;
	sbuf out, err;
} tctr;

typedef struct tproc {
	bool started, exited;
	int exit_code, sig;
	char error[512];
	sbuf out, err;
} tproc;

static void
ev_state(ctr *c, void *arg)
{
	tctr *tc = ctr_data(c);

	(void)arg;
	if (tc == NULL)
		return;
	tc->state = ctr_get_state(c);
	tc->exit_code = ctr_exit_code(c);
	tc->startup_ms = ctr_startup_ms(c);
	snprintf(tc->error, sizeof tc->error, "%s", ctr_error(c));
	tc->changes++;
	if (tc->state == CTR_RUNNING)
		tc->saw_running = true;
	printf("   [%s] %s exit=%d startup=%lldms %s\n", tc->id,
	    ctr_state_name(tc->state), tc->exit_code,
	    (long long)tc->startup_ms, tc->error);
	fflush(stdout);
}

static void
ev_output(ctr *c, int fd, const uint8_t *data, size_t len, void *arg)
{
	tctr *tc = ctr_data(c);

	(void)arg;
	if (tc != NULL)
		sbuf_add(fd == 2 ? &tc->err : &tc->out, data, len);
}

static void
pev_started(proc *p, void *arg)
{
	tproc *tp = arg;

	(void)p;
	tp->started = true;
}

static void
pev_output(proc *p, int fd, const uint8_t *data, size_t len, void *arg)
{
	tproc *tp = arg;

	(void)p;
	sbuf_add(fd == 2 ? &tp->err : &tp->out, data, len);
}

static void
pev_exited(proc *p, int exit_code, int sig, const char *error, void *arg)
{
	tproc *tp = arg;

	(void)p;
	tp->exited = true;
	tp->exit_code = exit_code;
	tp->sig = sig;
	snprintf(tp->error, sizeof tp->error, "%s", error);
}

static const proc_events pev = { pev_started, pev_output, pev_exited };

/* --- building the image ------------------------------------------------ */

static void
write_file(const char *path, const char *text)
{
	CHECK(tf_write_file(path, text, strlen(text), 0644) == 0);
}

static void
copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *data = tf_read_file(from, &len, 64 << 20);

	CHECK(data != NULL);
	CHECK(tf_write_file(to, data, len, (int)mode) == 0);
	chmod(to, mode);
	free(data);
}

static void
build_layers(const char *l1, const char *l2)
{
	static const char *const dirs[] = { "bin", "etc", "tmp", "proc", "sys",
	    "dev", "root", "var", "usr", "srv" };
	char path[4096], line[256];
	size_t i;
	FILE *f;

	for (i = 0; i < TF_ARRAY_LEN(dirs); i++) {
		snprintf(path, sizeof path, "%s/%s", l1, dirs[i]);
		CHECK(tf_mkdir_p(path, 0755) == 0);
	}
	snprintf(path, sizeof path, "%s/tmp", l1);
	chmod(path, 01777);
	snprintf(path, sizeof path, "%s/bin/busybox", l1);
	copy_file("/bin/busybox", path, 0755);
	f = popen("/bin/busybox --list", "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || strcmp(line, "busybox") == 0)
			continue;
		snprintf(path, sizeof path, "%s/bin/%s", l1, line);
		symlink("busybox", path);
	}
	pclose(f);
	snprintf(path, sizeof path, "%s/etc/passwd", l1);
	write_file(path, "root:x:0:0:root:/root:/bin/sh\n");
	snprintf(path, sizeof path, "%s/etc/group", l1);
	write_file(path, "root:x:0:\n");
	snprintf(path, sizeof path, "%s/etc/remove-me", l1);
	write_file(path, "layer 1\n");
	snprintf(path, sizeof path, "%s/etc/motd", l1);
	write_file(path, "layer 1 motd\n");

	snprintf(path, sizeof path, "%s/etc", l2);
	CHECK(tf_mkdir_p(path, 0755) == 0);
	snprintf(path, sizeof path, "%s/etc/motd", l2);
	write_file(path, "layer 2 motd\n");
	/* An overlay whiteout: what an OCI ".wh.remove-me" unpacks to. */
	snprintf(path, sizeof path, "%s/etc/remove-me", l2);
	CHECK(mknod(path, S_IFCHR | 0000, makedev(0, 0)) == 0);
}

/* --- helpers ------------------------------------------------------------ */

static bool
in_path(const char *prog)
{
	char *path = tf_strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"),
	    *dir, *save = NULL, buf[600];
	bool found = false;

	for (dir = strtok_r(path, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof buf, "%s/%s", dir, prog);
		found = access(buf, X_OK) == 0;
	}
	free(path);
	return found;
}

static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static int
count_subdirs(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/* Mount points (field 5 of mountinfo) at or below prefix. */
static int
mounts_under(const char *prefix)
{
	char *info = tf_read_file("/proc/self/mountinfo", NULL, 16 << 20);
	char *line, *save = NULL, mp[4096];
	int n = 0;

	CHECK(info != NULL);
	for (line = strtok_r(info, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    strncmp(mp, prefix, strlen(prefix)) == 0)
			n++;
	}
	free(info);
	return n;
}

static char *
fetch_all(ctr *c, const char *path, tf_err *err)
{
	char buf[4096], *out = tf_calloc(1, 1);
	uint64_t off = 0, size = 0;
	ssize_t n;
	int rootfd = ctr_root_open(c, err);

	if (rootfd < 0) {
		free(out);
		return NULL;
	}
	do {
		n = fs_fetch(rootfd, ctr_workdir(c), path, off, buf, sizeof buf,
		    &size, err);
		if (n < 0) {
			close(rootfd);
			free(out);
			return NULL;
		}
		out = tf_realloc(out, off + (size_t)n + 1);
		memcpy(out + off, buf, (size_t)n);
		off += (uint64_t)n;
		out[off] = '\0';
	} while (off < size && n > 0);
	close(rootfd);
	return out;
}

static int
put_all(ctr *c, const char *path, const char *text, size_t chunk, tf_err *err)
{
	size_t len = strlen(text), off = 0, n;
	int rootfd = ctr_root_open(c, err), rc = 0;

	if (rootfd < 0)
		return -1;
	do {
		n = len - off < chunk ? len - off : chunk;
		if (fs_put(ctr_xfer(c), rootfd, ctr_workdir(c), path, off,
		    text + off, n, off + n == len, -1, err) < 0) {
			rc = -1;
			break;
		}
		off += n;
	} while (off < len);
	close(rootfd);
	return rc;
}

static proc *
run_proc(tloop *l, ctr *c, tproc *tp, const char *id, const char *const *argv,
	 const char *command)
{
	proc_spec ps;
	tf_err err;
	proc *p;

	memset(tp, 0, sizeof *tp);
	memset(&ps, 0, sizeof ps);
	ps.id = id;
	ps.argv = argv;
	ps.command = command;
	p = proc_start(c, &ps, &pev, tp, &err);
	if (p == NULL)
		printf("   proc_start: %s\n", err.msg);
	CHECK(p != NULL);
	(void)l;
	return p;
}

static ctr *
spawn(tloop *l, tctr *tc, const ctr_spec *spec)
{
	tf_err err;
	ctr *c;

	memset(tc, 0, sizeof *tc);
	snprintf(tc->id, sizeof tc->id, "%s", spec->id);
	tc->exit_code = -1;
	c = ctr_spawn(l->t, spec, &err);
	if (c == NULL)
		printf("   ctr_spawn %s: %s\n", spec->id, err.msg);
	CHECK(c != NULL);
	ctr_set_data(c, tc);
	return c;
}

static long
read_long(const char *path)
{
	char *s = tf_read_file(path, NULL, 256);
	long v = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return v;
}

/* --- the tests ---------------------------------------------------------- */

/* What the steps share.  They run in rt_tests[] order; the rt_* steps
 * follow one container (main1) from spawn to destroy. */
struct rt {
	tloop l;
	char init[4096];		/* tf-init, absolute */
	ctr *c;				/* main1 */
	tctr tc;
};

static const char *g_layers[2];

static void
base_spec(ctr_spec *s, const char *id, const char *const *cmd)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	s->layers = g_layers;
	s->nlayers = 2;
	s->cmd = cmd;
}

static void
test_main_spawn(struct rt *x)
{
	static const char *const cmd[] = { "sh", "-c",
	    "echo hello-out; echo hello-err >&2; echo FOO=$FOO; "
	    "echo cwd=$(pwd); exec sleep 1000", NULL };
	static const char *const env[] = { "FOO=bar", NULL };
	static const char *const img_env[] = { "FOO=image", "PATH=/bin", NULL };
	static ctr_file pre[] = {
		{ "/etc/preboot.txt", "pre-boot contents\n", 18 },
		{ "deep/dir/pb2", "two", 3 },
	};
	tloop *l = &x->l;
	tctr *tc = &x->tc;
	ctr_spec s;
	ctr *c;

	base_spec(&s, "main1", cmd);
	s.env = env;
	s.image_env = img_env;
	s.workdir = "/srv";
	s.preboot = pre;
	s.npreboot = 2;
	c = spawn(l, tc, &s);
	WAIT(l, 20000, tc->state == CTR_RUNNING);
	CHECK(tc->startup_ms >= 0);
	WAIT(l, 10000, sbuf_has(&tc->out, "cwd=/srv"));
	CHECK(sbuf_has(&tc->out, "hello-out"));
	CHECK(sbuf_has(&tc->out, "FOO=bar"));
	WAIT(l, 5000, sbuf_has(&tc->err, "hello-err"));
	CHECK(!sbuf_has(&tc->out, "hello-err"));
	CHECK(ctr_ring_used(ctr_backlog(c)) == tc->out.len + tc->err.len);
	x->c = c;
}

static void
test_main_cgroups(struct rt *x)
{
	char path[600];

	snprintf(path, sizeof path, "%s", cg_path("pids", g_cg, "main1/pids.max"));
	if (access(path, F_OK) == 0) {
		CHECK(read_long(path) == RT_DEFAULT_PIDS);
		CHECK(read_long(cg_path("memory", g_cg, "main1/memory.limit_in_bytes"))
		    == (long)RT_DEFAULT_MEMORY);
		CHECK(read_long(cg_path("cpu", g_cg, "main1/cpu.shares")) ==
		    RT_DEFAULT_CPU_SHARES);
	} else {
		printf("   (no cgroup v1 pids hierarchy; limits not checked)\n");
	}
}

static void
test_main_layers(struct rt *x)
{
	ctr *c = x->c;
	tf_err err;
	char *data;

	data = fetch_all(c, "/etc/motd", &err);
	CHECK(data != NULL && strcmp(data, "layer 2 motd\n") == 0);
	free(data);
	CHECK(fetch_all(c, "/etc/remove-me", &err) == NULL);
	CHECK(strstr(err.msg, "no such file") != NULL);
}

static void
test_main_preboot(struct rt *x)
{
	ctr *c = x->c;
	tf_err err;
	char *data;

	data = fetch_all(c, "/etc/preboot.txt", &err);
	CHECK(data != NULL && strcmp(data, "pre-boot contents\n") == 0);
	free(data);
	data = fetch_all(c, "/deep/dir/pb2", &err);
	CHECK(data != NULL && strcmp(data, "two") == 0);
	free(data);
	CHECK(fetch_all(c, "/etc", &err) == NULL);
	CHECK(strstr(err.msg, "is a directory") != NULL);
	CHECK(fetch_all(c, "/no/such", &err) == NULL);
	CHECK(strstr(err.msg, "no such file") != NULL);
	CHECK(fetch_all(c, "../../etc/passwd", &err) == NULL);
	CHECK(strstr(err.msg, "escapes") != NULL);
}

static void
test_main_put(struct rt *x)
{
	tloop *l = &x->l;
	ctr *c = x->c;
	tproc tp;
	tf_err err;
	char *data;

	CHECK(put_all(c, "x/y/file.txt", "chunked put works\n", 5, &err) == 0);
	data = fetch_all(c, "/srv/x/y/file.txt", &err);
	CHECK(data != NULL && strcmp(data, "chunked put works\n") == 0);
	free(data);
	{
		const char *argv_catf[] = { "cat", "/srv/x/y/file.txt", NULL };

		run_proc(l, c, &tp, "catf", argv_catf, NULL);
		WAIT(l, 10000, tp.exited);
		CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "chunked put works"));
	}
	/* A file the process writes is visible to fetch (through the
	 * container's own root, so /dev/shm tmpfs is reachable too). */
	run_proc(l, c, &tp, "w", NULL, "echo shm-data > /dev/shm/s; "
	    "echo tmp-data > /tmp/t");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0);
	data = fetch_all(c, "/dev/shm/s", &err);
	CHECK(data != NULL && strcmp(data, "shm-data\n") == 0);
	free(data);
}

static void
test_main_escape(struct rt *x)
{
	tloop *l = &x->l;
	ctr *c = x->c;
	tproc tp;
	tf_err err;
	char *data;
	char path[600];

	run_proc(l, c, &tp, "ln", NULL, "ln -s / /tmp/rootlink && "
	    "ln -s ../../../../../../../../tmp /tmp/up && "
	    "ln -s /etc/motd /tmp/hn");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0);
	CHECK(put_all(c, "/tmp/rootlink/tf-escape-marker", "in\n", 64, &err) == 0);
	CHECK(access("/tf-escape-marker", F_OK) != 0);
	data = fetch_all(c, "/tf-escape-marker", &err);
	CHECK(data != NULL && strcmp(data, "in\n") == 0);
	free(data);
	CHECK(put_all(c, "/tmp/up/tf-escape-marker2", "in2\n", 64, &err) == 0);
	snprintf(path, sizeof path, "/tmp/tf-escape-marker2");
	CHECK(access(path, F_OK) != 0);
	data = fetch_all(c, "/tmp/tf-escape-marker2", &err);
	CHECK(data != NULL && strcmp(data, "in2\n") == 0);
	free(data);
	/* The container's /etc/motd, not the host's. */
	data = fetch_all(c, "/tmp/hn", &err);
	CHECK(data != NULL && strcmp(data, "layer 2 motd\n") == 0);
	free(data);
	CHECK(put_all(c, "../../escape", "x", 64, &err) == -1);
	CHECK(strstr(err.msg, "escapes") != NULL);
	CHECK(put_all(c, "/etc", "x", 64, &err) == -1);
	CHECK(strstr(err.msg, "is a directory") != NULL);
}

static void
test_main_processes(struct rt *x)
{
	const char *argv_echo[] = { "sh", "-c", "echo out; echo err >&2; exit 3",
	    NULL };
	const char *argv_cat[] = { "cat", NULL };
	const char *argv_none[] = { "/nonexistent/prog", "x", NULL };
	const char *argv_sleep[] = { "sleep", "1000", NULL };
	tloop *l = &x->l;
	ctr *c = x->c;
	tproc tp;
	tf_err err;
	proc *p;

	run_proc(l, c, &tp, "p1", argv_echo, NULL);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.started && tp.exit_code == 3 && tp.sig == 0);
	CHECK(sbuf_has(&tp.out, "out\n") && sbuf_has(&tp.err, "err\n"));
	CHECK(!sbuf_has(&tp.out, "err"));
	p = run_proc(l, c, &tp, "p2", argv_cat, NULL);
	CHECK(proc_find(c, "p2") == p);
	CHECK(proc_write(p, "abc\n", 4, &err) == 0);
	WAIT(l, 10000, sbuf_has(&tp.out, "abc\n"));
	CHECK(proc_write(p, "def", 3, &err) == 0);
	proc_close_stdin(p);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && strcmp(tp.out.s, "abc\ndef") == 0);
	run_proc(l, c, &tp, "p3", NULL, "echo $((6*7)) $FOO $PWD");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "42 bar /srv"));
	/* The node writes /etc/hosts: localhost and the container's name. */
	run_proc(l, c, &tp, "hosts", NULL, "grep -c localhost /etc/hosts; "
	    "grep \"$(hostname)\" /etc/hosts");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "127.0.1.1"));
	run_proc(l, c, &tp, "p4", argv_none, NULL);
	WAIT(l, 10000, tp.exited);
	printf("   nonexistent: exit %d error \"%s\"\n", tp.exit_code, tp.error);
	CHECK(!tp.started && tp.exit_code == 127 && tp.error[0] != '\0');
	CHECK(strstr(tp.error, "nonexistent") != NULL);
	run_proc(l, c, &tp, "p5", NULL, "nosuchcommand");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 127 && sbuf_has(&tp.err, "not found"));
	p = run_proc(l, c, &tp, "p6", argv_sleep, NULL);
	WAIT(l, 10000, tp.started);
	CHECK(proc_pid(p) > 0);
	CHECK(proc_kill(p, SIGTERM) == 0);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.sig == SIGTERM && tp.exit_code == 128 + SIGTERM);
	/* Flow control: paused output is delivered, exit reported after. */
	p = run_proc(l, c, &tp, "p7", NULL, "yes 0123456789 | head -c 300000");
	proc_pause(p, true);
	tl_spin(l, 500);
	CHECK(!tp.exited && tp.out.len < 300000);
	proc_pause(p, false);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.out.len == 300000 && tp.exit_code == 0);
}

static void
test_main_pty(struct rt *x)
{
	tloop *l = &x->l;
	ctr *c = x->c;
	tproc tp;
	proc_spec ps;
	tf_err err;
	proc *p;

	memset(&ps, 0, sizeof ps);
	memset(&tp, 0, sizeof tp);
	ps.id = "tty1";
	ps.argv = (const char *const[]){ "/bin/sh", NULL };
	ps.tty = true;
	ps.rows = 33;
	ps.cols = 111;
	ps.term = "xterm-256color";
	p = proc_start(c, &ps, &pev, &tp, &err);
	CHECK(p != NULL && proc_is_tty(p));
	WAIT(l, 10000, tp.started);
	CHECK(proc_write(p, "stty size; echo T=$TERM\n", 24, &err) == 0);
	WAIT(l, 10000, sbuf_has(&tp.out, "33 111"));
	WAIT(l, 10000, sbuf_has(&tp.out, "T=xterm-256color"));
	CHECK(proc_resize(p, 40, 100) == 0);
	CHECK(proc_write(p, "stty size\n", 10, &err) == 0);
	WAIT(l, 10000, sbuf_has(&tp.out, "40 100"));
	CHECK(proc_write(p, "tty\n", 4, &err) == 0);
	WAIT(l, 10000, sbuf_has(&tp.out, "/dev/pts/"));
	CHECK(proc_write(p, "exit 7\n", 7, &err) == 0);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 7);
	/* A size given before the shell reads it. */
	memset(&tp, 0, sizeof tp);
	ps.id = "tty2";
	ps.argv = (const char *const[]){ "stty", "size", NULL };
	ps.rows = 50;
	ps.cols = 132;
	p = proc_start(c, &ps, &pev, &tp, &err);
	CHECK(p != NULL);
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "50 132"));
}

static void
test_main_reboot(struct rt *x)
{
	const char *argv_sleep[] = { "sleep", "1000", NULL };
	tloop *l = &x->l;
	ctr *c = x->c;
	tctr *tc = &x->tc;
	tproc tp;
	tproc tp2;
	tf_err err;
	char *data;
	proc *p;
	proc *p2;

	CHECK(put_all(c, "/tmp/keep.txt", "kept\n", 64, &err) == 0);
	p = run_proc(l, c, &tp, "longrun", argv_sleep, NULL);
	p2 = run_proc(l, c, &tp2, "longrun2", NULL, "sleep 999");
	WAIT(l, 10000, tp.started && tp2.started);
	sbuf_clear(&tc->out);
	tc->saw_running = false;
	CHECK(ctr_reboot(c, false, &err) == 0);
	CHECK(tc->state == CTR_SPAWNING);
	WAIT(l, 20000, tc->state == CTR_RUNNING);
	WAIT(l, 10000, tp.exited && tp2.exited);
	CHECK(tp.sig == SIGKILL && tp2.sig == SIGKILL);
	WAIT(l, 10000, sbuf_has(&tc->out, "hello-out"));
	data = fetch_all(c, "/tmp/keep.txt", &err);
	CHECK(data != NULL && strcmp(data, "kept\n") == 0);
	free(data);
	(void)p;
	(void)p2;
}

static void
test_main_reset(struct rt *x)
{
	tloop *l = &x->l;
	ctr *c = x->c;
	tctr *tc = &x->tc;
	tf_err err;
	char *data;
	char path[600];

	CHECK(ctr_reboot(c, true, &err) == 0);
	WAIT(l, 20000, tc->state == CTR_RUNNING);
	CHECK(fetch_all(c, "/tmp/keep.txt", &err) == NULL);
	CHECK(fetch_all(c, "/srv/x/y/file.txt", &err) == NULL);
	data = fetch_all(c, "/etc/preboot.txt", &err);
	CHECK(data != NULL && strcmp(data, "pre-boot contents\n") == 0);
	free(data);
	data = fetch_all(c, "/etc/motd", &err);
	CHECK(data != NULL && strcmp(data, "layer 2 motd\n") == 0);
	free(data);
	snprintf(path, sizeof path, "%s/upper", ctr_dir(c));
	CHECK(count_entries(path) <= 3);	/* only what runc made */
}

static void
test_main_destroy(struct rt *x)
{
	tloop *l = &x->l;
	ctr *c = x->c;
	tctr *tc = &x->tc;
	tf_err err;
	char path[600];
	int rootfd;

	snprintf(path, sizeof path, "%s", ctr_dir(c));
	rootfd = ctr_root_open(c, &err);
	CHECK(rootfd >= 0);
	close(rootfd);
	ctr_destroy(c);
	WAIT(l, 20000, tc->state == CTR_DESTROYED);
	CHECK(access(path, F_OK) != 0);
	CHECK(mounts_under(path) == 0);
	snprintf(path, sizeof path, "%s/runc/main1", g_state);
	CHECK(access(path, F_OK) != 0);
	CHECK(access(cg_path("memory", g_cg, "main1"), F_OK) != 0);
	CHECK(ctr_find(l->t, "main1") == NULL);
}

static void
test_sleep_wake(struct rt *x)
{
	static const char *const cmd[] = { "sh", "-c",
	    "echo woke-up; cat /tmp/before-wake; exec sleep 1000", NULL };
	tloop *l = &x->l;
	tctr tc;
	tproc tp;
	ctr_spec s;
	tf_err err;
	ctr *c;

	base_spec(&s, "sleeper", cmd);
	s.sleep = true;
	c = spawn(l, &tc, &s);
	WAIT(l, 20000, tc.state == CTR_SLEEPING);
	CHECK(ctr_wake(c, &err) == 0);
	WAIT(l, 10000, tc.state == CTR_RUNNING);
	ctr_destroy(c);
	WAIT(l, 20000, tc.state == CTR_DESTROYED);

	base_spec(&s, "sleeper2", cmd);
	s.sleep = true;
	c = spawn(l, &tc, &s);
	WAIT(l, 20000, tc.state == CTR_SLEEPING);
	tl_spin(l, 300);
	CHECK(!sbuf_has(&tc.out, "woke-up"));
	run_proc(l, c, &tp, "inside", NULL, "echo from-sleeping-container");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "from-sleeping-container"));
	CHECK(put_all(c, "/tmp/before-wake", "put-before-wake\n", 64, &err) == 0);
	CHECK(ctr_wake(c, &err) == 0);
	WAIT(l, 10000, tc.state == CTR_RUNNING);
	WAIT(l, 10000, sbuf_has(&tc.out, "woke-up"));
	WAIT(l, 10000, sbuf_has(&tc.out, "put-before-wake"));
	CHECK(ctr_wake(c, &err) == -1);
	CHECK(strstr(err.msg, "not asleep") != NULL);
	ctr_destroy(c);
	WAIT(l, 20000, tc.state == CTR_DESTROYED);
}

/* The image's User, looked up in the container's own passwd and group
 * (here pre-boot files), runs the entrypoint and the processes. */
static void
test_user(struct rt *x)
{
	static const char *const cmd[] = { "sh", "-c",
	    "echo ids=$(id -u):$(id -g); exec sleep 1000", NULL };
	static const char passwd[] = "root:x:0:0::/root:/bin/sh\n"
	    "app:x:1234:2345::/:/bin/sh\n";
	static const char group[] = "root:x:0:\ngrp:x:3456:\n";
	tloop *l = &x->l;
	ctr_file pre[] = {
		{ "/etc/passwd", passwd, sizeof passwd - 1 },
		{ "/etc/group", group, sizeof group - 1 },
	};
	tctr tc;
	tproc tp;
	ctr_spec s;
	tf_err err;
	ctr *c;

	base_spec(&s, "userctr", cmd);
	s.preboot = pre;
	s.npreboot = 2;
	s.user = "app";
	c = spawn(l, &tc, &s);
	WAIT(l, 20000, tc.state == CTR_RUNNING);
	WAIT(l, 10000, sbuf_has(&tc.out, "ids=1234:2345"));
	run_proc(l, c, &tp, "id", NULL, "id -u; id -g");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "1234\n2345"));
	ctr_destroy(c);
	WAIT(l, 20000, tc.state == CTR_DESTROYED);

	base_spec(&s, "userctr2", cmd);
	s.preboot = pre;
	s.npreboot = 2;
	s.user = "app:grp";
	c = spawn(l, &tc, &s);
	WAIT(l, 10000, sbuf_has(&tc.out, "ids=1234:3456"));
	ctr_destroy(c);
	WAIT(l, 20000, tc.state == CTR_DESTROYED);

	base_spec(&s, "userctr3", cmd);
	s.user = "nosuchuser";
	CHECK(ctr_spawn(l->t, &s, &err) == NULL);
	printf("   unknown user: %s\n", err.msg);
	CHECK(strstr(err.msg, "nosuchuser") != NULL);
}

static void
test_exits(struct rt *x)
{
	static const char *const cmd42[] = { "sh", "-c", "echo bye; exit 42", NULL };
	static const char *const cmdnone[] = { "/no/such/entrypoint", NULL };
	static const char *const cmdquick[] = { "true", NULL };
	tloop *l = &x->l;
	const char *override[] = { "sh", "-c", "echo overridden", NULL };
	tctr t1, t2, t3, t4;
	ctr_spec s;
	tf_err err;
	ctr *c1, *c2, *c3, *c4;

	base_spec(&s, "exit42", cmd42);
	c1 = spawn(l, &t1, &s);
	base_spec(&s, "noentry", cmdnone);
	c2 = spawn(l, &t2, &s);
	base_spec(&s, "quick", cmdquick);
	c3 = spawn(l, &t3, &s);
	base_spec(&s, "override", cmd42);
	s.command = override;
	c4 = spawn(l, &t4, &s);
	WAIT(l, 20000, t1.state == CTR_EXITED && t3.state == CTR_EXITED &&
	    t4.state == CTR_EXITED && t2.state == CTR_FAILED);
	CHECK(t1.exit_code == 42 && sbuf_has(&t1.out, "bye"));
	CHECK(t3.exit_code == 0);
	CHECK(t4.exit_code == 0 && sbuf_has(&t4.out, "overridden"));
	printf("   missing entrypoint: %s\n", t2.error);
	CHECK(strstr(t2.error, "/no/such/entrypoint") != NULL);
	CHECK(sbuf_has(&t2.err, "/no/such/entrypoint"));

	/* An exited container can still be read and rebooted. */
	CHECK(ctr_reboot(c1, false, &err) == 0);
	WAIT(l, 20000, t1.state == CTR_EXITED && t1.changes >= 4);
	CHECK(t1.exit_code == 42);
	{
		tproc tp;
		proc_spec ps;

		memset(&ps, 0, sizeof ps);
		ps.id = "x";
		ps.command = "true";
		CHECK(proc_start(c1, &ps, &pev, &tp, &err) == NULL);
		CHECK(strstr(err.msg, "not running") != NULL);
	}
	ctr_destroy(c1);
	ctr_destroy(c2);
	ctr_destroy(c3);
	ctr_destroy(c4);
	WAIT(l, 20000, t1.state == CTR_DESTROYED && t2.state == CTR_DESTROYED &&
	    t3.state == CTR_DESTROYED && t4.state == CTR_DESTROYED);
}

static void
test_bad_requests(struct rt *x)
{
	static const char *const cmd42[] = { "sh", "-c", "echo bye; exit 42", NULL };
	tloop *l = &x->l;
	ctr_spec s;
	tf_err err;

	base_spec(&s, "../evil", cmd42);
	CHECK(ctr_spawn(l->t, &s, &err) == NULL);
	base_spec(&s, "noargs", NULL);
	CHECK(ctr_spawn(l->t, &s, &err) == NULL);
	CHECK(strstr(err.msg, "nothing to run") != NULL);
	{
		ctr_file bad = { "../../../../etc/evil", "x", 1 };

		base_spec(&s, "badpre", cmd42);
		s.preboot = &bad;
		s.npreboot = 1;
		CHECK(ctr_spawn(l->t, &s, &err) == NULL);
		CHECK(strstr(err.msg, "escapes") != NULL);
		CHECK(access("/etc/evil", F_OK) != 0);
	}
}

static void
test_limits(struct rt *x)
{
	static const char *const hog[] = { "sh", "-c",
	    "x=0123456789abcdef; while :; do x=$x$x; done", NULL };
	static const char *const bomb[] = { "sh", "-c",
	    "b() { b | b & }; b; sleep 1000", NULL };
	static const char *const ok[] = { "sh", "-c", "echo still-fine; "
	    "exec sleep 1000", NULL };
	tloop *l = &x->l;
	tctr th, tb, tk;
	tproc tp;
	ctr_spec s;
	ctr *ch, *cb, *ck;

	base_spec(&s, "hog", hog);
	s.limits.memory_bytes = 32 << 20;
	ch = spawn(l, &th, &s);
	base_spec(&s, "bomb", bomb);
	s.limits.pids = 48;
	cb = spawn(l, &tb, &s);
	WAIT(l, 30000, th.state == CTR_EXITED);
	printf("   memory hog ended with %d\n", th.exit_code);
	CHECK(th.exit_code == 128 + SIGKILL);
	tl_spin(l, 1000);
	base_spec(&s, "survivor", ok);
	ck = spawn(l, &tk, &s);
	WAIT(l, 20000, tk.state == CTR_RUNNING);
	WAIT(l, 10000, sbuf_has(&tk.out, "still-fine"));
	run_proc(l, ck, &tp, "p", NULL, "echo works");
	WAIT(l, 10000, tp.exited);
	CHECK(tp.exit_code == 0 && sbuf_has(&tp.out, "works"));
	if (access(cg_path("pids", g_cg, "bomb/pids.current"), F_OK) == 0)
		printf("   fork bomb holds %ld pids (limit 48)\n",
		    read_long(cg_path("pids", g_cg, "bomb/pids.current")));
	ctr_destroy(ch);
	ctr_destroy(cb);
	ctr_destroy(ck);
	WAIT(l, 30000, th.state == CTR_DESTROYED && tb.state == CTR_DESTROYED &&
	    tk.state == CTR_DESTROYED);
}

/* --- crash clean-up ---------------------------------------------------- */

static const ctr_events g_events = { ev_state, ev_output, NULL };

static ctr_table *
table_new(tloop *l, const char *state, const char *init, const char *cg)
{
	ctr_table_config cfg;
	rt_io io = { tl_watch, tl_unwatch, l };
	tf_err err;

	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = state;
	cfg.init_path = init;
	cfg.cgroup_parent = cg;
	l->t = ctr_table_new(&cfg, &io, &g_events, &err);
	if (l->t == NULL)
		printf("ctr_table_new: %s\n", err.msg);
	CHECK(l->t != NULL);
	return l->t;
}

static void
test_crash_cleanup(struct rt *x)
{
	const char *init = x->init;
	static const char *const cmd[] = { "sh", "-c", "exec sleep 1000", NULL };
	char state[600], path[4096];
	tloop l2;
	pid_t pid;
	int st, n;

	snprintf(state, sizeof state, "%s/crash-state", g_tmp);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		tctr tc;
		ctr_spec s;

		sigset_t none;

		sigemptyset(&none);
		memset(&l2, 0, sizeof l2);
		l2.sigfd = signalfd(-1, &none, SFD_NONBLOCK);
		table_new(&l2, state, init, g_cg_crash);
		base_spec(&s, "orphan", cmd);
		spawn(&l2, &tc, &s);
		{
			uint64_t deadline = tf_now_ms() + 20000;

			while (tc.state != CTR_RUNNING && tf_now_ms() < deadline)
				tl_run_once(&l2, 50);
		}
		_exit(tc.state == CTR_RUNNING ? 0 : 1);	/* "crash" */
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(path, sizeof path, "%s/containers/orphan/rootfs", state);
	CHECK(mounts_under(path) == 1);

	memset(&l2, 0, sizeof l2);
	l2.sigfd = -1;
	table_new(&l2, state, init, g_cg_crash);
	n = ctr_table_cleanup(l2.t);
	CHECK(n == 1);
	CHECK(mounts_under(state) == 0);
	snprintf(path, sizeof path, "%s/containers", state);
	CHECK(count_entries(path) == 0);
	snprintf(path, sizeof path, "%s/runc", state);
	CHECK(count_entries(path) == 0);
	CHECK(access(cg_path("memory", g_cg_crash, ""), F_OK) != 0);
	CHECK(access(cg_path("pids", g_cg_crash, ""), F_OK) != 0);
	ctr_table_destroy(&l2.t);
	CHECK(tf_rm_rf(state) == 0);
	/* The orphan became our child when its node "crashed". */
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

struct adopt_ctx {
	tctr tc[2];		/* adoptee, sleepy */
	char note[64];
};

static bool
adopt_cb(ctr *c, const char *note, void *arg)
{
	struct adopt_ctx *a = arg;
	tctr *tc = &a->tc[strcmp(ctr_id(c), "adoptee") == 0 ? 0 : 1];

	memset(tc, 0, sizeof *tc);
	snprintf(tc->id, sizeof tc->id, "%s", ctr_id(c));
	tc->exit_code = -1;
	tc->state = ctr_get_state(c);
	if (tc == &a->tc[0])
		snprintf(a->note, sizeof a->note, "%s", note ? note : "");
	ctr_set_data(c, tc);
	return true;
}

/* A node that dies leaves its containers running; the next one adopts
 * them: output written meanwhile arrives, a sleeper can be woken, and
 * both can be destroyed without leftovers (docs/SCALE.md). */
static void
test_adopt(struct rt *x)
{
	static const char *const cmd[] = { "sh", "-c", "echo before; "
	    "sleep 2; echo after-crash; exec sleep 1000", NULL };
	static const char *const scmd[] = { "sh", "-c", "echo woken; "
	    "exec sleep 1000", NULL };
	struct adopt_ctx a;
	char state[600], path[4096];
	tloop l2;
	tf_err err;
	ctr *c, *sc;
	pid_t pid;
	int st;

	snprintf(state, sizeof state, "%s/adopt-state", g_tmp);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		tctr tc, tc2;
		ctr_spec s;
		sigset_t none;
		uint64_t deadline = tf_now_ms() + 20000;

		sigemptyset(&none);
		memset(&l2, 0, sizeof l2);
		l2.sigfd = signalfd(-1, &none, SFD_NONBLOCK);
		table_new(&l2, state, x->init, g_cg_crash);
		base_spec(&s, "adoptee", cmd);
		c = spawn(&l2, &tc, &s);
		if (ctr_note_save(c, "{\"owner\":1}", &err) != 0)
			_exit(2);
		base_spec(&s, "sleepy", scmd);
		s.sleep = true;
		spawn(&l2, &tc2, &s);
		while ((tc.state != CTR_RUNNING || tc2.state != CTR_SLEEPING ||
		    !sbuf_has(&tc.out, "before")) && tf_now_ms() < deadline)
			tl_run_once(&l2, 50);
		_exit(tc.state == CTR_RUNNING && tc2.state == CTR_SLEEPING ?
		    0 : 1);	/* "crash" */
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	memset(&l2, 0, sizeof l2);
	memset(&a, 0, sizeof a);
	l2.sigfd = -1;
	table_new(&l2, state, x->init, g_cg_crash);
	CHECK(ctr_table_adopt(l2.t, adopt_cb, &a) == 2);
	CHECK(ctr_table_cleanup(l2.t) == 0);
	CHECK(strcmp(a.note, "{\"owner\":1}") == 0);
	c = ctr_find(l2.t, "adoptee");
	sc = ctr_find(l2.t, "sleepy");
	CHECK(c != NULL && sc != NULL);
	CHECK(ctr_adopted(c) && ctr_get_state(c) == CTR_RUNNING);
	CHECK(ctr_get_state(sc) == CTR_SLEEPING);
	/* Written while no node ran: it waited in the pipe. */
	WAIT(&l2, 15000, sbuf_has(&a.tc[0].out, "after-crash"));
	CHECK(ctr_wake(sc, &err) == 0);
	WAIT(&l2, 15000, a.tc[1].state == CTR_RUNNING);
	WAIT(&l2, 15000, sbuf_has(&a.tc[1].out, "woken"));
	/* Rebooted, it is our child again: its exit code is known. */
	sbuf_clear(&a.tc[0].out);
	CHECK(ctr_reboot(c, false, &err) == 0);
	WAIT(&l2, 20000, a.tc[0].state == CTR_RUNNING &&
	    sbuf_has(&a.tc[0].out, "before"));
	CHECK(!ctr_adopted(c));
	ctr_destroy(c);
	ctr_destroy(sc);
	WAIT(&l2, 30000, a.tc[0].state == CTR_DESTROYED &&
	    a.tc[1].state == CTR_DESTROYED);
	ctr_table_reap(l2.t);
	CHECK(mounts_under(state) == 0);
	snprintf(path, sizeof path, "%s/containers", state);
	CHECK(count_entries(path) == 0);
	snprintf(path, sizeof path, "%s/runc", state);
	CHECK(count_entries(path) == 0);
	ctr_table_destroy(&l2.t);
	CHECK(tf_rm_rf(state) == 0);
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

static void
test_shutdown(struct rt *x)
{
	static const char *const cmd[] = { "sleep", "1000", NULL };
	tloop *l = &x->l;
	char path[4096];
	tctr t1;
	tproc tp;
	ctr_spec s;
	ctr *c;

	base_spec(&s, "atexit", cmd);
	c = spawn(l, &t1, &s);
	WAIT(l, 20000, t1.state == CTR_RUNNING);
	run_proc(l, c, &tp, "p", NULL, "sleep 1000");
	WAIT(l, 10000, tp.started);
	ctr_table_reap(l->t);
	ctr_table_destroy(&l->t);
	CHECK(l->t == NULL);
	CHECK(mounts_under(g_tmp) == 0);
	snprintf(path, sizeof path, "%s/runc", g_state);
	CHECK(count_entries(path) == 0);
	snprintf(path, sizeof path, "%s/containers", g_state);
	CHECK(count_entries(path) == 0);
	snprintf(path, sizeof path, "%s/run", g_state);
	CHECK(count_entries(path) == 0);
	CHECK(count_subdirs(cg_path("memory", g_cg, "")) == 0);
	CHECK(count_subdirs(cg_path("pids", g_cg, "")) == 0);
}

/* In order: the rt_* steps share one container, and shutdown ends the
 * table the others used. */
static const struct {
	const char *name;
	const char *what;
	void (*fn)(struct rt *);
} rt_tests[] = {
	{ "spawn", "a container with env, workdir and pre-boot files",
	    test_main_spawn },
	{ "cgroups", "cgroup limits are applied", test_main_cgroups },
	{ "layers", "a whiteout hides a file, the upper layer wins",
	    test_main_layers },
	{ "preboot", "pre-boot files and fetch errors", test_main_preboot },
	{ "put", "put in chunks (relative to the workdir), seen by a process",
	    test_main_put },
	{ "escape", "escape attempts through symlinks stay inside",
	    test_main_escape },
	{ "processes", "exit codes, stderr, stdin, command strings, errors",
	    test_main_processes },
	{ "pty", "a pty shell: consoleSize, TERM, resize, exit code",
	    test_main_pty },
	{ "reboot", "reboot in place keeps the filesystem, kills processes",
	    test_main_reboot },
	{ "reset", "reboot with reset: as booted, pre-boot files kept",
	    test_main_reset },
	{ "destroy", "destroy leaves nothing", test_main_destroy },
	{ "sleep_wake", "spawn asleep: exec and put work, the entrypoint "
	    "waits for wake", test_sleep_wake },
	{ "user", "the image's User runs the entrypoint and processes",
	    test_user },
	{ "exits", "exit codes, a missing entrypoint, a command override",
	    test_exits },
	{ "bad_requests", "bad requests are refused cleanly",
	    test_bad_requests },
	{ "limits", "a memory hog and a fork bomb do not stop another "
	    "container", test_limits },
	{ "shutdown", "shutdown with live containers and processes",
	    test_shutdown },
	{ "crash_cleanup", "clean-up of containers left by a crashed node",
	    test_crash_cleanup },
	{ "adopt", "containers left by a crashed node adopted by the next",
	    test_adopt },
};

static void
fail_cleanup(void)
{
	char cmd[1200];

	if (g_state == NULL)
		return;
	/* Best effort, so a failed run does not leave containers around. */
	snprintf(cmd, sizeof cmd, "for c in $(ls %s/runc 2>/dev/null); do "
	    "runc --root %s/runc delete --force $c; done; "
	    "awk '{print $5}' /proc/self/mountinfo | grep '^%s' | sort -r | "
	    "xargs -r -n1 umount -l; rm -rf %s", g_state, g_state, g_tmp, g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "clean-up failed: %s\n", cmd);
}

int
main(int argc, char **argv)
{
	char tmpl[300], l1[600], l2[600], state[600];
	sigset_t mask;
	static struct rt x;		/* big (the loop's fd table) */

	if (geteuid() != 0 || !in_path("runc")) {
		printf("test_node_rt: needs root and runc; skipped\n");
		return 77;
	}
	if (argc < 2 || realpath(argv[1], x.init) == NULL) {
		fprintf(stderr, "usage: test_node_rt <tf-init>\n");
		return 2;
	}
	tf_log_setup(getenv("TF_DEBUG") ? TF_LOG_DEBUG : TF_LOG_WARN,
	    "test_node_rt", NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	snprintf(tmpl, sizeof tmpl, "%s/tf-node-rt-XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	g_tmp = mkdtemp(tmpl);
	CHECK(g_tmp != NULL);
	snprintf(g_cg, sizeof g_cg, "/tf-test-%d", (int)getpid());
	snprintf(g_cg_crash, sizeof g_cg_crash, "/tf-test-crash-%d", (int)getpid());
	snprintf(l1, sizeof l1, "%s/layers/l1", g_tmp);
	snprintf(l2, sizeof l2, "%s/layers/l2", g_tmp);
	snprintf(state, sizeof state, "%s/state", g_tmp);
	g_state = state;
	build_layers(l1, l2);
	g_layers[0] = l1;
	g_layers[1] = l2;

	x.l.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(x.l.sigfd >= 0);
	table_new(&x.l, state, x.init, g_cg);
	CHECK(ctr_table_cleanup(x.l.t) == 0);

	for (size_t i = 0; i < TF_ARRAY_LEN(rt_tests); i++) {
		STEP("%s: %s", rt_tests[i].name, rt_tests[i].what);
		rt_tests[i].fn(&x);
	}

	CHECK(tf_rm_rf(g_tmp) == 0);
	while (g_nbufs > 0)
		free(g_bufs[--g_nbufs]);
	free(g_bufs);
	printf("test_node_rt: ok\n");
	return 0;
}
