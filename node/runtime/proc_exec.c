/* SPDX-License-Identifier: BSD-2-Clause */
/* proc_exec: processes in containers via `runc exec -d`; see proc_exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "ctr_internal.h"
#include "fs_path.h"
#include "tf_log.h"
#include "tf_util.h"

#define OUTPUT_SLICE (64u << 10)
#define STDIN_MAX (1u << 20)	/* queued stdin bytes per process */

typedef enum proc_phase {
	P_STARTING,	/* runc exec in flight */
	P_RUNNING,
	P_EXITED,	/* reaped; output still being drained */
	P_DONE,		/* reported; freed by proc_reap_done */
} proc_phase;

struct proc {
	ctr *c;
	proc *next;
	char id[65];
	bool tty;
	proc_events ev;
	void *arg;
	proc_phase phase;
	pid_t runc_pid;
	pid_t pid;
	int status;
	char error[512];
	bool failed;		/* never started */

	int in_w;		/* stdin pipe (plain) */
	int out_r[2];		/* stdout, stderr (plain) */
	int master;		/* pty master (tty) */
	int lsock;		/* console socket listener (tty) */
	int csock;		/* accepted console connection (tty) */
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char json_path[4200], pid_path[4200], log_path[4200];

	uint8_t *inq;
	size_t inlen, incap;
	bool in_close;		/* close stdin once the queue is empty */
	bool paused;
	size_t credit;		/* output bytes it may still read (proc_set_credit) */
	int pending_sig;
	unsigned rows, cols;
};

static void proc_try_finish(proc *p);
static void proc_update_watch(proc *p);

/* Reading stops while paused or out of credit: the process then blocks
 * on a full pipe or pty, as under a terminal nobody reads. */
static bool
proc_blocked(const proc *p)
{
	return p->paused || p->credit == 0;
}

const char *proc_id(const proc *p) { return p->id; }
ctr *proc_container(const proc *p) { return p->c; }
pid_t proc_pid(const proc *p) { return p->pid; }
bool proc_is_tty(const proc *p) { return p->tty; }

proc *
proc_find(ctr *c, const char *id)
{
	proc *p;

	for (p = c->procs; p != NULL; p = p->next) {
		if (p->phase != P_DONE && strcmp(p->id, id) == 0)
			return p;
	}
	return NULL;
}

void
proc_set_events(proc *p, const proc_events *ev, void *arg)
{
	if (ev != NULL)
		p->ev = *ev;
	else
		memset(&p->ev, 0, sizeof p->ev);
	p->arg = arg;
}

static void
closefd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void
proc_unwatch_close(proc *p, int *fd)
{
	if (*fd >= 0) {
		rt_io_unwatch(&p->c->t->io, *fd);
		closefd(fd);
	}
}

static void
proc_close_all(proc *p)
{
	proc_unwatch_close(p, &p->in_w);
	proc_unwatch_close(p, &p->out_r[0]);
	proc_unwatch_close(p, &p->out_r[1]);
	proc_unwatch_close(p, &p->master);
	proc_unwatch_close(p, &p->lsock);
	proc_unwatch_close(p, &p->csock);
	if (p->sock_path[0] != '\0') {
		unlink(p->sock_path);
		p->sock_path[0] = '\0';
	}
	unlink(p->json_path);
	unlink(p->pid_path);
	unlink(p->log_path);
}

/* --- output ------------------------------------------------------------ */

/* Reads up to max bytes from *fd; false once it hit EAGAIN, EOF or EIO
 * (EOF/EIO also close it). */
static bool
proc_read(proc *p, int *fd, int outfd, size_t max)
{
	uint8_t buf[OUTPUT_SLICE];
	size_t total = 0;
	ssize_t n;

	while (total < max && *fd >= 0 && !proc_blocked(p)) {
		n = read(*fd, buf, p->credit < sizeof buf ? p->credit : sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n <= 0) {
			/* EOF, or EIO from a pty whose slave side is gone. */
			proc_unwatch_close(p, fd);
			return false;
		}
		total += (size_t)n;
		if (p->credit != SIZE_MAX)
			p->credit -= (size_t)n;
		if (p->ev.output != NULL)
			p->ev.output(p, outfd, buf, (size_t)n, p->arg);
	}
	/* More may be waiting only if we stopped at the limit. */
	return total >= max && *fd >= 0;
}

static void
proc_flush_stdin(proc *p)
{
	int fd = p->tty ? p->master : p->in_w;
	ssize_t n;

	while (fd >= 0 && p->inlen > 0) {
		n = write(fd, p->inq, p->inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			/* The reader is gone: drop the input. */
			p->inlen = 0;
			if (!p->tty)
				proc_unwatch_close(p, &p->in_w);
			break;
		}
		memmove(p->inq, p->inq + n, p->inlen - (size_t)n);
		p->inlen -= (size_t)n;
	}
	if (p->inlen == 0 && p->in_close && !p->tty)
		proc_unwatch_close(p, &p->in_w);
}

static void
proc_fd_ready(int fd, int events, void *arg)
{
	proc *p = arg;

	if (fd == p->master) {
		if (events & RT_WRITE)
			proc_flush_stdin(p);
		if (events & (RT_READ | RT_ERROR))
			proc_read(p, &p->master, 1, OUTPUT_SLICE);
	} else if (fd == p->in_w) {
		proc_flush_stdin(p);
	} else if (fd == p->out_r[0]) {
		proc_read(p, &p->out_r[0], 1, OUTPUT_SLICE);
	} else if (fd == p->out_r[1]) {
		proc_read(p, &p->out_r[1], 2, OUTPUT_SLICE);
	}
	proc_update_watch(p);
	if (p->phase == P_EXITED)
		proc_try_finish(p);
}

static void
proc_watch(proc *p, int fd, int events)
{
	if (fd < 0)
		return;
	if (events == 0)
		rt_io_unwatch(&p->c->t->io, fd);
	else
		rt_io_watch(&p->c->t->io, fd, events, proc_fd_ready, p);
}

static void
proc_update_watch(proc *p)
{
	int rd = proc_blocked(p) ? 0 : RT_READ;

	if (p->phase == P_DONE)
		return;
	if (p->tty) {
		proc_watch(p, p->master, rd | (p->inlen > 0 ? RT_WRITE : 0));
	} else {
		proc_watch(p, p->out_r[0], rd);
		proc_watch(p, p->out_r[1], rd);
		proc_watch(p, p->in_w, p->inlen > 0 ? RT_WRITE : 0);
	}
}

/* --- the pty master, from runc through the console socket ------------- */

static void
proc_set_winsize(proc *p)
{
	struct winsize ws;

	if (p->master < 0)
		return;
	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)p->rows;
	ws.ws_col = (unsigned short)p->cols;
	if (ioctl(p->master, TIOCSWINSZ, &ws) != 0)
		tf_debug("process %s: TIOCSWINSZ: %s", p->id, strerror(errno));
}

/* Takes the pty master from the connection; 0 when done, -1 when not yet
 * (EAGAIN), -2 on error. */
static int
proc_recv_master(proc *p)
{
	char name[256];
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { name, sizeof name };
	struct msghdr msg;
	struct cmsghdr *h;
	ssize_t n;
	int fd = -1;

	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof cm.buf;
	do {
		n = recvmsg(p->csock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return -1;
	for (h = CMSG_FIRSTHDR(&msg); n >= 0 && h != NULL;
	    h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
		    h->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(h), sizeof fd);
	}
	proc_unwatch_close(p, &p->csock);
	if (fd < 0) {
		tf_warn("process %s: runc sent no pty", p->id);
		return -2;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	p->master = fd;
	proc_set_winsize(p);
	proc_update_watch(p);
	return 0;
}

static void
proc_csock_ready(int fd, int events, void *arg)
{
	proc *p = arg;

	(void)fd;
	(void)events;
	if (proc_recv_master(p) != -1 && p->phase == P_EXITED)
		proc_try_finish(p);
}

static int
proc_accept_console(proc *p)
{
	int fd;

	if (p->csock < 0 && p->lsock >= 0) {
		fd = accept4(p->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return -1;
		/* One connection is all we take: stop listening. */
		proc_unwatch_close(p, &p->lsock);
		unlink(p->sock_path);
		p->sock_path[0] = '\0';
		p->csock = fd;
		rt_io_watch(&p->c->t->io, fd, RT_READ, proc_csock_ready, p);
	}
	if (p->csock >= 0)
		return proc_recv_master(p);
	return p->master >= 0 ? 0 : -1;
}

static void
proc_lsock_ready(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	proc_accept_console(arg);
}

/* --- lifecycle --------------------------------------------------------- */

static void
proc_finish(proc *p, int exit_code, int sig, const char *error)
{
	proc_events ev = p->ev;

	proc_close_all(p);
	p->phase = P_DONE;
	tf_debug("process %s in %s ended: exit %d signal %d %s", p->id,
	    p->c->id, exit_code, sig, error);
	if (ev.exited != NULL)
		ev.exited(p, exit_code, sig, error, p->arg);
}

/* Reports the exit once the output written before it has been read. */
static void
proc_try_finish(proc *p)
{
	int code, sig = 0;

	if (p->phase != P_EXITED || proc_blocked(p))
		return;
	if (p->tty) {
		/* runc connected but the master is still in flight: wait
		 * for it, so no output is lost. */
		if (p->master < 0 && p->csock >= 0 && proc_recv_master(p) == -1)
			return;
		if (proc_read(p, &p->master, 1, 1 << 20) || proc_blocked(p))
			return;
	} else {
		if (proc_read(p, &p->out_r[0], 1, 1 << 20) || proc_blocked(p))
			return;
		if (proc_read(p, &p->out_r[1], 2, 1 << 20) || proc_blocked(p))
			return;
	}
	if (p->failed) {
		code = strstr(p->error, "not found") != NULL ||
		    strstr(p->error, "no such file") != NULL ? 127 : 126;
	} else if (WIFSIGNALED(p->status)) {
		sig = WTERMSIG(p->status);
		code = 128 + sig;
	} else {
		code = WEXITSTATUS(p->status);
	}
	proc_finish(p, code, sig, p->error);
}

static void
proc_pid_exited(pid_t pid, int status, void *arg)
{
	proc *p = arg;

	(void)pid;
	p->status = status;
	p->phase = P_EXITED;
	proc_try_finish(p);
}

static void
proc_runc_exited(pid_t pid, int status, void *arg)
{
	proc *p = arg;
	char sbuf[64];
	int st;

	(void)pid;
	p->runc_pid = 0;
	unlink(p->json_path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    rt_runc_read_pid(p->pid_path, &p->pid) != 0) {
		rt_runc_log_error(p->log_path, p->error, sizeof p->error);
		if (p->error[0] == '\0')
			snprintf(p->error, sizeof p->error, "runc exec %s",
			    rt_status_str(status, sbuf, sizeof sbuf));
		p->failed = true;
		p->pid = 0;
		p->phase = P_EXITED;
		proc_try_finish(p);
		return;
	}
	unlink(p->pid_path);
	unlink(p->log_path);
	/* The pty master is normally here already; if not, the console
	 * socket stays watched until it arrives. */
	if (p->tty && p->master < 0 && proc_accept_console(p) != 0)
		tf_debug("process %s: pty not received yet", p->id);
	p->phase = P_RUNNING;
	if (p->ev.started != NULL)
		p->ev.started(p, p->arg);
	if (p->pending_sig != 0) {
		kill(p->pid, p->pending_sig);
		p->pending_sig = 0;
	}
	if (rt_children_claim(p->c->t->children, p->pid, proc_pid_exited, p,
	    &st) == 1)
		proc_pid_exited(p->pid, st, p);
}

static char *
proc_json(const proc_spec *s, ctr *c, const char *const *argv,
	  const char *cwd, tf_err *err)
{
	json_t *j = json_object(), *a, *user;
	size_t i;
	char *text;

	json_object_set_new(j, "terminal", json_boolean(s->tty));
	if (s->tty) {
		json_t *size = json_object();

		json_object_set_new(size, "height",
		    json_integer(s->rows ? s->rows : 24));
		json_object_set_new(size, "width",
		    json_integer(s->cols ? s->cols : 80));
		json_object_set_new(j, "consoleSize", size);
	}
	user = json_object();
	/* As the entrypoint: the image's User. */
	json_object_set_new(user, "uid", json_integer(c->user.uid));
	json_object_set_new(user, "gid", json_integer(c->user.gid));
	json_object_set_new(j, "user", user);
	a = json_array();
	for (i = 0; argv[i] != NULL; i++)
		json_array_append_new(a, json_string(argv[i]));
	json_object_set_new(j, "args", a);
	/* The container's environment, the request's on top, then TERM. */
	a = json_array();
	for (i = 0; c->env[i] != NULL; i++) {
		const char *eq = strchr(c->env[i], '=');
		size_t k, len = (size_t)(eq - c->env[i]);
		bool overridden = false;

		for (k = 0; s->env != NULL && s->env[k] != NULL; k++) {
			if (strncmp(s->env[k], c->env[i], len + 1) == 0)
				overridden = true;
		}
		if (s->tty && strncmp(c->env[i], "TERM=", 5) == 0)
			overridden = true;
		if (!overridden)
			json_array_append_new(a, json_string(c->env[i]));
	}
	for (i = 0; s->env != NULL && s->env[i] != NULL; i++) {
		if (strchr(s->env[i], '=') != NULL &&
		    !(s->tty && strncmp(s->env[i], "TERM=", 5) == 0))
			json_array_append_new(a, json_string(s->env[i]));
	}
	if (s->tty) {
		char *term = tf_asprintf("TERM=%s", s->term && s->term[0] ?
		    s->term : "xterm");
		json_array_append_new(a, json_string(term));
		free(term);
	}
	json_object_set_new(j, "env", a);
	json_object_set_new(j, "cwd", json_string(cwd));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		tf_err_set(err, "cannot encode the process (bad UTF-8?)");
	return text;
}

static bool
proc_id_valid(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)id[i] <= ' ' || id[i] == '/' || id[i] == 0x7f)
			return false;
	}
	return true;
}

static int
proc_listen(proc *p, tf_err *err)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (!tf_snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%u.sock",
	    p->c->t->run_dir, p->c->t->seq))
		return tf_err_set(err, "state directory path too long for a "
		    "console socket");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tf_err_errno(err, "socket");
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 1) != 0) {
		close(fd);
		return tf_err_errno(err, "cannot listen on %s", sa.sun_path);
	}
	snprintf(p->sock_path, sizeof p->sock_path, "%s", sa.sun_path);
	p->lsock = fd;
	rt_io_watch(&p->c->t->io, fd, RT_READ, proc_lsock_ready, p);
	return 0;
}

proc *
proc_start(ctr *c, const proc_spec *s, const proc_events *ev, void *arg,
	   tf_err *err)
{
	const char *sh_argv[] = { "/bin/sh", "-c", s->command, NULL };
	const char *const *argv;
	char cwd[FS_PATH_MAX], *json;
	const char *args[16];
	int fds[RT_SPAWN_FDS], in[2] = { -1, -1 }, out[2] = { -1, -1 },
	    errp[2] = { -1, -1 }, n = 0, st;
	proc *p;

	/* Say why: "not running (running)" helped nobody. */
	if (c->want == WANT_DESTROY) {
		tf_err_set(err, "the container is being destroyed");
		return NULL;
	}
	if (c->want == WANT_REBOOT) {
		tf_err_set(err, "the container is rebooting");
		return NULL;
	}
	if (c->state != CTR_RUNNING && c->state != CTR_SLEEPING) {
		tf_err_set(err, "the container is not running (%s)",
		    ctr_state_name(c->state));
		return NULL;
	}
	if (c->init_pid <= 0) {
		tf_err_set(err, "the container's entrypoint has exited");
		return NULL;
	}
	if (s->id == NULL || !proc_id_valid(s->id)) {
		tf_err_set(err, "bad process id");
		return NULL;
	}
	if (proc_find(c, s->id) != NULL) {
		tf_err_set(err, "process %s already exists", s->id);
		return NULL;
	}
	if (s->argv != NULL && s->argv[0] != NULL)
		argv = s->argv;
	else if (s->command != NULL && s->command[0] != '\0')
		argv = sh_argv;
	else {
		tf_err_set(err, "nothing to run: give argv or command");
		return NULL;
	}
	if (fs_path_clean(c->workdir, s->cwd ? s->cwd : ".", cwd, sizeof cwd,
	    err) != 0)
		return NULL;
	json = proc_json(s, c, argv, cwd, err);
	if (json == NULL)
		return NULL;

	p = tf_calloc(1, sizeof *p);
	p->c = c;
	snprintf(p->id, sizeof p->id, "%s", s->id);
	p->tty = s->tty;
	proc_set_events(p, ev, arg);
	p->in_w = p->out_r[0] = p->out_r[1] = -1;
	p->master = p->lsock = p->csock = -1;
	p->credit = SIZE_MAX;
	p->rows = s->rows ? s->rows : 24;
	p->cols = s->cols ? s->cols : 80;
	c->t->seq++;
	snprintf(p->json_path, sizeof p->json_path, "%s/p%u.json", c->dir,
	    c->t->seq);
	snprintf(p->pid_path, sizeof p->pid_path, "%s/p%u.pid", c->dir,
	    c->t->seq);
	snprintf(p->log_path, sizeof p->log_path, "%s/p%u.log", c->dir,
	    c->t->seq);
	if (tf_write_file(p->json_path, json, strlen(json), 0600) != 0) {
		tf_err_errno(err, "cannot write %s", p->json_path);
		free(json);
		goto fail;
	}
	free(json);
	unlink(p->pid_path);

	args[n++] = "exec";
	args[n++] = "-d";
	args[n++] = "--pid-file";
	args[n++] = p->pid_path;
	args[n++] = "--process";
	args[n++] = p->json_path;
	if (s->tty) {
		if (proc_listen(p, err) != 0)
			goto fail;
		args[n++] = "--console-socket";
		args[n++] = p->sock_path;
		fds[0] = fds[1] = fds[2] = RT_FD_NULL;
	} else {
		if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
		    pipe2(errp, O_CLOEXEC) != 0) {
			tf_err_errno(err, "cannot make a pipe");
			goto fail_pipes;
		}
		fds[0] = in[0];
		fds[1] = out[1];
		fds[2] = errp[1];
	}
	fds[3] = RT_FD_NONE;
	args[n++] = c->id;
	args[n] = NULL;

	p->runc_pid = rt_runc_spawn(&c->t->runc, p->log_path, args, fds, err);
	if (p->runc_pid < 0)
		goto fail_pipes;
	if (!s->tty) {
		close(in[0]);
		close(out[1]);
		close(errp[1]);
		p->in_w = in[1];
		p->out_r[0] = out[0];
		p->out_r[1] = errp[0];
		fcntl(p->in_w, F_SETFL, O_NONBLOCK);
		fcntl(p->out_r[0], F_SETFL, O_NONBLOCK);
		fcntl(p->out_r[1], F_SETFL, O_NONBLOCK);
		proc_update_watch(p);
	}
	p->phase = P_STARTING;
	p->next = c->procs;
	c->procs = p;
	tf_debug("process %s in %s: runc exec is pid %d", p->id, c->id,
	    (int)p->runc_pid);
	if (rt_children_claim(c->t->children, p->runc_pid, proc_runc_exited,
	    p, &st) == 1)
		proc_runc_exited(p->runc_pid, st, p);
	return p;

fail_pipes:
	closefd(&in[0]);
	closefd(&in[1]);
	closefd(&out[0]);
	closefd(&out[1]);
	closefd(&errp[0]);
	closefd(&errp[1]);
fail:
	proc_close_all(p);
	free(p);
	return NULL;
}

int
proc_write(proc *p, const void *data, size_t len, tf_err *err)
{
	if (p->phase == P_DONE || p->phase == P_EXITED || p->in_close ||
	    (!p->tty && p->in_w < 0))
		return tf_err_set(err, "the process's input is closed");
	if (p->inlen + len > STDIN_MAX)
		return tf_err_set(err, "the process is not reading its input");
	if (p->inlen + len > p->incap) {
		p->incap = p->inlen + len < 4096 ? 4096 : p->inlen + len;
		p->inq = tf_realloc(p->inq, p->incap);
	}
	memcpy(p->inq + p->inlen, data, len);
	p->inlen += len;
	proc_flush_stdin(p);
	proc_update_watch(p);
	return 0;
}

void
proc_close_stdin(proc *p)
{
	if (p->phase == P_DONE || p->in_close)
		return;
	if (p->tty) {
		/* A pty has no half-close: send the EOF character, which
		 * ends a read in canonical mode like a closed pipe does. */
		proc_write(p, "\004", 1, NULL);
		return;
	}
	p->in_close = true;
	proc_flush_stdin(p);
	proc_update_watch(p);
}

int
proc_kill(proc *p, int sig)
{
	if (sig <= 0 || sig >= 65)
		return -1;
	if (p->phase == P_STARTING) {
		p->pending_sig = sig;
		return 0;
	}
	if (p->phase != P_RUNNING || p->pid <= 0)
		return -1;
	return kill(p->pid, sig);
}

int
proc_resize(proc *p, unsigned rows, unsigned cols)
{
	if (rows == 0 || cols == 0 || rows > 10000 || cols > 10000)
		return -1;
	p->rows = rows;
	p->cols = cols;
	proc_set_winsize(p);
	return 0;
}

void
proc_pause(proc *p, bool paused)
{
	if (p->paused == paused || p->phase == P_DONE)
		return;
	p->paused = paused;
	proc_update_watch(p);
	if (!paused && p->phase == P_EXITED)
		proc_try_finish(p);
}

void
proc_set_credit(proc *p, size_t bytes)
{
	bool was_blocked = proc_blocked(p);

	if (p->phase == P_DONE)
		return;
	p->credit = bytes;
	if (was_blocked == proc_blocked(p))
		return;
	proc_update_watch(p);
	if (!proc_blocked(p) && p->phase == P_EXITED)
		proc_try_finish(p);
}

/* --- for ctr_container.c ----------------------------------------------- */

void
proc_reap_done(ctr *c)
{
	proc **pp = &c->procs, *p;

	while ((p = *pp) != NULL) {
		if (p->phase == P_DONE && p->runc_pid == 0) {
			*pp = p->next;
			free(p->inq);
			free(p);
		} else {
			pp = &p->next;
		}
	}
}

void
proc_kill_all_sync(ctr *c)
{
	rt_children *ch = c->t->children;
	proc *p;
	int st;

	for (p = c->procs; p != NULL; p = p->next) {
		if (p->runc_pid > 0) {
			rt_children_wait(ch, p->runc_pid, &st);
			p->runc_pid = 0;
			if (p->phase == P_STARTING && WIFEXITED(st) &&
			    WEXITSTATUS(st) == 0 &&
			    rt_runc_read_pid(p->pid_path, &p->pid) == 0)
				p->phase = P_RUNNING;
		}
		if (p->phase == P_RUNNING && p->pid > 0) {
			kill(p->pid, SIGKILL);
			rt_children_wait(ch, p->pid, &st);
		}
		proc_close_all(p);
		p->phase = P_DONE;
	}
}
