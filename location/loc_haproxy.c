/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_haproxy.c: the location's one HAProxy, which serves published
 * clusters (docs/WEB.md).  It runs in master-worker mode (-W) with its
 * master CLI (-S) and an admin socket in <state>/web/, both owned by us:
 *
 *   - start: the configuration is written and checked (haproxy -c), the
 *     ports are tried, then the master is started as our child; it dies
 *     with us (PR_SET_PDEATHSIG) and a pidfd in the loop tells us if it
 *     ends early, when it is started again a second later;
 *   - reload: after any change to the model a before-sleep hook writes the
 *     configuration and sends the master SIGUSR2.  The master starts new
 *     workers on the same listening sockets (passed over the admin socket,
 *     `expose-fd listeners`) and lets old ones finish their connections,
 *     so a reload drops no request;
 *   - stop: SIGTERM to the master, with the location.
 * HAProxy is the data path; the location only writes its configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "location.h"
#include "tf_log.h"

#define HAPROXY_RESTART_MS 1000
#define HAPROXY_CHECK_MS 250		/* is the last configuration live? */
#define HAPROXY_RESIGNAL_MS 3000	/* not yet: the reload was lost */

char *
loc_web_dir(struct location *loc, const char *file)
{
	return tf_asprintf("%s/web%s%s", loc->opt.state_dir,
	    file != NULL ? "/" : "", file != NULL ? file : "");
}

/* The haproxy program: --haproxy, or the first on PATH. */
static int
haproxy_find(struct location *loc, char *out, size_t size, tf_err *err)
{
	const char *prog = loc->opt.haproxy != NULL ? loc->opt.haproxy : "haproxy";
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (strchr(prog, '/') != NULL) {
		if (access(prog, X_OK) != 0)
			return tf_err_set(err, "web balancer: %s is not an "
			    "executable (install Debian's haproxy)", prog);
		snprintf(out, size, "%s", prog);
		return 0;
	}
	copy = tf_strdup(path != NULL ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", dir, prog);
		if (access(out, X_OK) == 0) {
			free(copy);
			return 0;
		}
	}
	free(copy);
	/* Debian puts it in /usr/sbin, which a user's PATH may lack. */
	snprintf(out, size, "/usr/sbin/%s", prog);
	if (access(out, X_OK) == 0)
		return 0;
	return tf_err_set(err, "web balancer: haproxy not found (apt-get "
	    "install haproxy, or give --haproxy PATH)");
}

/* "[ADDR:]PORT" -> address and port; the address defaults to all. */
int
loc_web_parse_bind(const char *spec, char *addr, size_t size, int *port)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long p;
	struct in_addr a;

	p = strtol(colon != NULL ? colon + 1 : spec, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	if (colon == NULL) {
		snprintf(addr, size, "0.0.0.0");
		return 0;
	}
	if ((size_t)(colon - spec) >= size)
		return -1;
	snprintf(addr, size, "%.*s", (int)(colon - spec), spec);
	return inet_pton(AF_INET, addr, &a) == 1 ? 0 : -1;
}

/* A clear error now rather than a master that dies in its log. */
static int
haproxy_port_free(const char *spec, tf_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char addr[64];
	int port, fd, one = 1, rc;

	if (loc_web_parse_bind(spec, addr, sizeof addr, &port) != 0)
		return tf_err_set(err, "web balancer: '%s' is not [ADDR:]PORT",
		    spec);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	if (rc != 0)
		tf_err_errno(err, "web balancer: cannot listen on %s:%d",
		    addr, port);
	close(fd);
	return rc;
}

/* Runs `haproxy -c -q -f cfg`; 0 when the configuration is valid. */
static int
haproxy_check(const char *prog, const char *cfg, tf_err *err)
{
	char *log = tf_asprintf("%s.check", cfg);
	int status = -1, fd;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(prog, prog, "-c", "-q", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *text = tf_read_file(log, NULL, 4096);
		char *nl;

		/* The first line that says what is wrong. */
		nl = text != NULL ? strstr(text, "[ALERT]") : NULL;
		if (nl != NULL && strchr(nl, '\n') != NULL)
			*strchr(nl, '\n') = '\0';
		tf_err_set(err, "web balancer: haproxy refused its configuration"
		    "%s%s", nl != NULL ? ": " : "", nl != NULL ? nl : "");
		free(text);
		free(log);
		return -1;
	}
	unlink(log);
	free(log);
	return 0;
}

/* A certificate HAProxy cannot load (not PEM, a key that does not match)
 * would make every later reload fail: it is tried alone first.  This runs
 * `haproxy -c` and waits (tens of milliseconds), only when a certificate
 * is published. */
int
loc_haproxy_check_cert(struct location *loc, const char *pem, tf_err *err)
{
	char prog[4096], *cfg = loc_web_dir(loc, "cert-check.cfg"), *text;
	int rc;

	if (haproxy_find(loc, prog, sizeof prog, err) != 0) {
		free(cfg);
		return -1;
	}
	text = tf_asprintf("defaults\n\tmode http\n\ttimeout connect 1s\n"
	    "\ttimeout client 1s\n\ttimeout server 1s\n"
	    "frontend check\n\tbind 127.0.0.1:1 ssl crt %s\n", pem);
	rc = tf_write_file(cfg, text, strlen(text), 0600);
	free(text);
	if (rc != 0) {
		tf_err_errno(err, "cannot write %s", cfg);
		free(cfg);
		return -1;
	}
	rc = haproxy_check(prog, cfg, err);
	unlink(cfg);
	free(cfg);
	if (rc != 0) {
		char why[TF_ERR_LEN];
		const char *alert = strstr(err->msg, "[ALERT]");

		snprintf(why, sizeof why, "%s", alert != NULL ? alert : err->msg);
		return tf_err_set(err, "parameter cert: HAProxy cannot use the "
		    "certificate (%s)", why);
	}
	return 0;
}

static int haproxy_exit_cb(tf_loop *, int, int, void *);
static void haproxy_watch(struct location *);

static int
haproxy_spawn(struct location *loc, tf_err *err)
{
	char prog[4096];
	char *cfg = loc_web_dir(loc, "haproxy.cfg");
	char *master = loc_web_dir(loc, "master.sock");
	char *pidf = loc_web_dir(loc, "haproxy.pid");
	char *logf = loc_web_dir(loc, "haproxy.log");
	pid_t parent = getpid(), pid;
	int fd;

	if (haproxy_find(loc, prog, sizeof prog, err) != 0)
		goto fail;
	unlink(master);
	pid = fork();
	if (pid < 0) {
		tf_err_errno(err, "web balancer: fork");
		goto fail;
	}
	if (pid == 0) {
		sigset_t all;

		/* The location's blocked signals would stay blocked. */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		setsid();
		fd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		execl(prog, prog, "-W", "-S", master, "-f", cfg, "-p", pidf,
		    (char *)NULL);
		_exit(127);
	}
	loc->haproxy.pid = pid;
	loc->haproxy.signal_ms = tf_now_ms();
	haproxy_watch(loc);
	loc->haproxy.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (loc->haproxy.pidfd >= 0)
		tf_loop_add_fd(loc->loop, loc->haproxy.pidfd, TF_READ,
		    haproxy_exit_cb, loc);
	tf_info("web balancer: haproxy %d serving%s%s%s%s", (int)pid,
	    loc->opt.http ? " http on " : "", loc->opt.http ? loc->opt.http : "",
	    loc->opt.https ? " https on " : "",
	    loc->opt.https ? loc->opt.https : "");
	free(cfg);
	free(master);
	free(pidf);
	free(logf);
	return 0;
fail:
	free(cfg);
	free(master);
	free(pidf);
	free(logf);
	return -1;
}

/* The generation the running worker serves ("Node: tf-<gen>" of `show
 * info` on the admin socket), 0 when it cannot tell.  A local socket with
 * a short answer: the timeouts only guard against a wedged worker. */
static uint64_t
haproxy_live_gen(struct location *loc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	char *path = loc_web_dir(loc, "admin.sock"), buf[8192], *node;
	size_t len = 0;
	ssize_t n;
	int fd;
	uint64_t gen = 0;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	free(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, "show info\n", 10) != 10) {
		close(fd);
		return 0;
	}
	while (len < sizeof buf - 1 &&
	    (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	node = strstr(buf, "\nnode: tf-");
	if (node == NULL)
		node = strstr(buf, "\nNode: tf-");
	if (node != NULL)
		gen = strtoull(node + strlen("\nnode: tf-"), NULL, 10);
	return gen;
}

static int
haproxy_check_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct location *loc = arg;
	uint64_t now = tf_now_ms();

	(void)loop;
	(void)id;
	if (loc->haproxy.pid <= 0)
		return 0;
	loc->haproxy.gen_live = haproxy_live_gen(loc);
	if (loc->haproxy.gen_live == loc->haproxy.gen_written) {
		tf_loop_timer_cancel(loc->loop, loc->haproxy.check_timer);
		loc->haproxy.check_timer = 0;
		tf_debug("web balancer: configuration %llu is live",
		    (unsigned long long)loc->haproxy.gen_live);
		return 0;
	}
	if (now - loc->haproxy.signal_ms > HAPROXY_RESIGNAL_MS) {
		tf_info("web balancer: configuration %llu not live yet "
		    "(serving %llu): reloading again",
		    (unsigned long long)loc->haproxy.gen_written,
		    (unsigned long long)loc->haproxy.gen_live);
		kill(loc->haproxy.pid, SIGUSR2);
		loc->haproxy.signal_ms = now;
	}
	return 0;
}

static void
haproxy_watch(struct location *loc)
{
	if (loc->haproxy.check_timer == 0)
		loc->haproxy.check_timer = tf_loop_timer(loc->loop,
		    HAPROXY_CHECK_MS, true, haproxy_check_cb, loc);
}

static int
haproxy_restart_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct location *loc = arg;
	tf_err err;

	(void)loop;
	(void)id;
	loc->haproxy.restart_timer = 0;
	if (loc_web_config(loc, NULL, &err) != 0 ||
	    haproxy_spawn(loc, &err) != 0) {
		tf_error("%s", err.msg);
		loc->haproxy.restart_timer = tf_loop_timer(loc->loop,
		    HAPROXY_RESTART_MS * 5, false, haproxy_restart_cb, loc);
	}
	return 0;
}

/* The master ended without being asked: say why and start it again. */
static int
haproxy_exit_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct location *loc = arg;
	int status = 0;

	(void)events;
	tf_loop_del_fd(loop, fd);
	close(fd);
	loc->haproxy.pidfd = -1;
	if (loc->haproxy.pid > 0)
		waitpid(loc->haproxy.pid, &status, 0);
	loc->haproxy.pid = 0;
	tf_error("web balancer: haproxy ended (%s %d); starting it again "
	    "(its log: %s/web/haproxy.log)",
	    WIFSIGNALED(status) ? "signal" : "status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	    loc->opt.state_dir);
	loc->haproxy.restart_timer = tf_loop_timer(loc->loop,
	    HAPROXY_RESTART_MS, false, haproxy_restart_cb, loc);
	return 0;
}

/* What can be told before the location binds anything: haproxy is
 * there and the ports are free. */
int
loc_haproxy_precheck(struct location *loc, tf_err *err)
{
	char prog[4096];

	if (loc->opt.http == NULL && loc->opt.https == NULL)
		return 0;
	if (haproxy_find(loc, prog, sizeof prog, err) != 0)
		return -1;
	if ((loc->opt.http != NULL && haproxy_port_free(loc->opt.http, err) != 0) ||
	    (loc->opt.https != NULL &&
	    haproxy_port_free(loc->opt.https, err) != 0))
		return -1;
	return 0;
}

int
loc_haproxy_start(struct location *loc, tf_err *err)
{
	char prog[4096];
	char *dir, *cfg;
	int rc;

	loc->haproxy.pidfd = -1;
	if (loc->opt.http == NULL && loc->opt.https == NULL)
		return 0;
	if (haproxy_find(loc, prog, sizeof prog, err) != 0)
		return -1;
	dir = loc_web_dir(loc, NULL);
	rc = tf_mkdir_p(dir, 0700);
	free(dir);
	if (rc != 0)
		return tf_err_errno(err, "cannot create %s/web",
		    loc->opt.state_dir);
	dir = loc_web_dir(loc, "certs");
	tf_mkdir_p(dir, 0700);
	free(dir);
	if ((loc->opt.http != NULL && haproxy_port_free(loc->opt.http, err) != 0) ||
	    (loc->opt.https != NULL &&
	    haproxy_port_free(loc->opt.https, err) != 0))
		return -1;
	cfg = loc_web_dir(loc, "haproxy.cfg");
	rc = loc_web_config(loc, cfg, err);
	if (rc == 0)
		rc = haproxy_check(prog, cfg, err);
	free(cfg);
	if (rc != 0)
		return -1;
	tf_loop_add_hook(loc->loop, loc_haproxy_flush, loc);
	return haproxy_spawn(loc, err);
}

void
loc_haproxy_stop(struct location *loc)
{
	int status;

	tf_loop_timer_cancel(loc->loop, loc->haproxy.restart_timer);
	tf_loop_timer_cancel(loc->loop, loc->haproxy.check_timer);
	loc->haproxy.check_timer = 0;
	if (loc->haproxy.pidfd >= 0) {
		tf_loop_del_fd(loc->loop, loc->haproxy.pidfd);
		close(loc->haproxy.pidfd);
		loc->haproxy.pidfd = -1;
	}
	if (loc->haproxy.pid <= 0)
		return;
	/* SIGTERM: the master and its workers stop now. */
	kill(loc->haproxy.pid, SIGTERM);
	while (waitpid(loc->haproxy.pid, &status, 0) < 0 && errno == EINTR)
		;
	loc->haproxy.pid = 0;
}

/* Before sleep: one write and one reload for all the changes of a pass. */
void
loc_haproxy_flush(tf_loop *loop, void *arg)
{
	struct location *loc = arg;
	tf_err err;

	(void)loop;
	if (!loc->haproxy.dirty)
		return;
	loc->haproxy.dirty = false;
	if (loc_web_config(loc, NULL, &err) != 0) {
		tf_error("%s", err.msg);
		return;
	}
	if (loc->haproxy.pid > 0) {
		kill(loc->haproxy.pid, SIGUSR2);
		loc->haproxy.signal_ms = tf_now_ms();
		haproxy_watch(loc);
		loc->haproxy.reloads++;
		tf_debug("web balancer: reload %llu",
		    (unsigned long long)loc->haproxy.reloads);
	}
}
