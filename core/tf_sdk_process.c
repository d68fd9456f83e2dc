/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_process.c: processes in containers: the proc stream (started,
 * output with credit, the exit), stdin (plain, and with a reply that waits
 * for the output to settle and can drop the terminal's echo), kill and
 * resize, run-to-completion, and the bridge from the local terminal to a
 * tty process that `tf -ti` uses.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tf_codec_proc.h"
#include "tf_codec_stream.h"
#include "tf_sdk_private.h"

#define TERM_ESCAPE 0x1d		/* Ctrl-] */

static void sdk_process_reap(tf_loop *loop, void *arg);

/* ---- the stream -------------------------------------------------------- */

static void
sdk_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		len -= (size_t)w;
	}
}

static void
sdk_process_ended(tf_process *p)
{
	tf_location *loc = p->loc;

	p->done = true;
	p->req = 0;
	if (p->error[0] != '\0')
		tf_debug("process %s failed: %s", p->id, p->error);
	else
		tf_debug("Terminated server side: %s (%d)", p->id, p->exit_code);
	if (p->attached && loc->term_proc == p)
		sdk_terminal_close(loc);
	if (p->on_end != NULL && !p->released)
		p->on_end(p, p->exit_code, p->arg);
}

static void
sdk_proc_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_process *p = arg;

	p->busy++;
	if (tf_msg_is_stream(m)) {
		tf_item_msg it;
		int fd;

		(void)tf_item_unpack(m->params, &it, NULL); /* zeroed if not */
		fd = it.fd == 2 ? 2 : 1;
		if (it.event != NULL && strcmp(it.event, "started") == 0) {
			p->started = true;
		} else if (m->bulk != NULL) {
			p->last_data_ms = tf_now_ms();
			if (p->capturing)
				sdk_buf_add(&p->reply, m->bulk, m->bulk_len);
			else if (p->attached)
				sdk_write_all(1, m->bulk, m->bulk_len);
			else if (p->data != NULL && !p->released)
				p->data(p, (int)fd, m->bulk, m->bulk_len, p->arg);
			else if (!p->released) {
				struct sdk_buf *b = fd == 2 ? &p->err : &p->out;

				if (b->len + m->bulk_len <= SDK_OUTPUT_MAX)
					sdk_buf_add(b, m->bulk, m->bulk_len);
			}
			sdk_ack(p->loc, m->id, m->bulk_len, -1);
		}
		tf_item_free(&it);
	} else {
		bool failed = sdk_msg_error(m, p->error, sizeof p->error);
		int64_t code = -1;
		tf_item_msg it;

		if (tf_item_unpack(m->params, &it, NULL) == 0 &&
		    TF_HAS(&tf_item_codec, &it, exit_code)) {
			code = it.exit_code;
			/* A failure to start is an exit code a shell knows
			 * (127, 126), never a signal. */
			if (failed && (code < -1 || code > 255))
				code = -1;
			else if (!failed && it.signal > 0)
				code = 128 + it.signal;
		}
		tf_item_free(&it);
		p->exit_code = (int)code;
		sdk_process_ended(p);
	}
	p->busy--;
}

void
sdk_proc_msg_init(tf_proc_msg *pm, const char *container, const char *process,
		  const char *command, const char *const *argv, size_t argc,
		  char *line, size_t line_size)
{
	size_t used = 0;

	memset(pm, 0, sizeof *pm);
	pm->container = container;
	pm->process = process;
	if (command != NULL) {
		pm->command = command;
		snprintf(line, line_size, "%s", command);
		return;
	}
	pm->argv = argv;
	pm->n_argv = argc;
	line[0] = '\0';
	for (size_t i = 0; i < argc && used < line_size; i++)
		used += (size_t)snprintf(line + used, line_size - used, "%s%s",
		    i ? " " : "", argv[i]);
}

static tf_process *
sdk_proc_start(tf_container *c, const char *command, const char *const *argv,
	       const tf_process_opts *opts, bool tty, tf_err *err)
{
	tf_process_opts def;
	tf_location *loc = c->loc;
	tf_proc_msg pm;
	tf_process *p;
	size_t argc = 0;
	tf_uuid u;
	tf_out o;

	if (opts == NULL) {
		memset(&def, 0, sizeof def);
		opts = &def;
	}
	if (command == NULL && (argv == NULL || argv[0] == NULL)) {
		tf_err_set(err, "no command given");
		return NULL;
	}
	if (tf_container_wait_ready(c, 0, err) != 0)
		return NULL;
	p = tf_calloc(1, sizeof *p);
	p->loc = loc;
	p->ctr = c;
	tf_uuid_make(&u);
	snprintf(p->id, sizeof p->id, "%s", u.s);
	p->data = opts->data;
	p->on_end = opts->on_end;
	p->arg = opts->arg;
	p->tty = tty || opts->tty;
	p->exit_code = -1;
	while (command == NULL && argv[argc] != NULL)
		argc++;
	sdk_proc_msg_init(&pm, c->id, p->id, command, argv, argc, p->command,
	    sizeof p->command);
	pm.tty = p->tty;
	TF_SET(&tf_proc_codec, &pm, tty);
	if (p->tty) {
		pm.rows = opts->rows > 0 ? opts->rows : 24;
		pm.cols = opts->cols > 0 ? opts->cols : 80;
		pm.term = opts->term ? opts->term : "xterm";
		TF_SET(&tf_proc_codec, &pm, rows);
		TF_SET(&tf_proc_codec, &pm, cols);
		pm.window = SDK_TTY_WINDOW;
	}
	pm.env = opts->env;
	while (pm.env != NULL && pm.env[pm.n_env] != NULL)
		pm.n_env++;
	tf_out_init(&o, "proc");
	tf_proc_pack(&pm, &o);
	p->req = sdk_request(loc, &o, NULL, 0, sdk_proc_cb, p);
	if (p->req == 0) {
		free(p);
		tf_err_set(err, "not connected to %s", loc->name);
		return NULL;
	}
	if (!loc->reap_hooked) {
		tf_loop_add_hook(loc->loop, sdk_process_reap, loc);
		loc->reap_hooked = true;
	}
	SDK_PUSH(loc, processes, p);
	tf_debug("Spawning process %s in %s: %s", p->id, c->id, p->command);
	return p;
}

tf_process *
tf_container_spawn_process(tf_container *c, const char *command,
			   const tf_process_opts *opts, tf_err *err)
{
	if (command == NULL || command[0] == '\0') {
		tf_err_set(err, "spawn_process needs a command string");
		return NULL;
	}
	return sdk_proc_start(c, command, NULL, opts, false, err);
}

tf_process *
tf_container_spawn_argv(tf_container *c, const char *const *argv,
			const tf_process_opts *opts, tf_err *err)
{
	return sdk_proc_start(c, NULL, argv, opts, false, err);
}

tf_process *
tf_container_spawn_shell(tf_container *c, const char *const *argv,
			 const tf_process_opts *opts, tf_err *err)
{
	static const char *const sh[] = { "/bin/sh", NULL };

	return sdk_proc_start(c, NULL, argv != NULL ? argv : sh, opts, true,
	    err);
}

/* ---- stdin, kill, resize ----------------------------------------------- */

static int
sdk_proc_usable(tf_process *p, tf_err *err)
{
	if (sdk_check(p->loc, err) != 0)
		return -1;
	if (p->done)
		return tf_err_set(err, "Cannot call method on a terminated "
		    "object: process %s", p->id);
	return 0;
}

static int
sdk_stdin(tf_process *p, const void *data, size_t len, bool close,
	  tf_err *err)
{
	tf_proc_msg pm = { .container = p->ctr->id, .process = p->id,
	    .close = close };
	tf_out o;

	if (sdk_proc_usable(p, err) != 0)
		return -1;
	tf_out_init(&o, "proc_stdin");
	tf_proc_pack(&pm, &o);
	if (sdk_send_stdin(p->loc, p->ctr->id, p->id, &o, len > 0 ? data : "",
	    len) != 0)
		return tf_err_set(err, "not connected to %s", p->loc->name);
	return 0;
}

int
tf_process_stdin(tf_process *p, const void *data, size_t len, tf_err *err)
{
	return sdk_stdin(p, data, len, false, err);
}

int
tf_process_close_stdin(tf_process *p, tf_err *err)
{
	return sdk_stdin(p, NULL, 0, true, err);
}

struct sdk_replyw {
	tf_process *p;
	int settle_ms;
};

static bool
sdk_reply_settled(void *arg)
{
	const struct sdk_replyw *w = arg;

	if (w->p->done)
		return true;
	return w->p->reply.len > 0 &&
	    tf_now_ms() - w->p->last_data_ms >= (uint64_t)w->settle_ms;
}

static int
sdk_reply_tick(tf_loop *loop, uint64_t id, void *arg)
{
	return 0;		/* only wakes the loop to re-check */
}

/* Removes the echo of data (a tty echoes "\n" as "\r\n") from the reply. */
static void
sdk_drop_echo(struct sdk_buf *reply, const uint8_t *data, size_t len)
{
	size_t i = 0, j = 0;

	while (i < len && j < reply->len) {
		if (data[i] == reply->p[j]) {
			i++;
			j++;
		} else if (data[i] == '\n' && reply->p[j] == '\r' &&
		    j + 1 < reply->len && reply->p[j + 1] == '\n') {
			i++;
			j += 2;
		} else {
			return;		/* no echo: keep everything */
		}
	}
	if (i == len)
		sdk_buf_consume(reply, j);
}

int
tf_process_stdin_reply(tf_process *p, const void *data, size_t len,
		       bool drop_echo, int settle_ms, int timeout_ms,
		       uint8_t **reply, size_t *reply_len, tf_err *err)
{
	struct sdk_replyw w = { p, settle_ms > 0 ? settle_ms : 250 };
	uint64_t tick;
	int rc;

	*reply = NULL;
	if (reply_len != NULL)
		*reply_len = 0;
	if (sdk_proc_usable(p, err) != 0)
		return -1;
	sdk_buf_free(&p->reply);
	p->capturing = true;
	p->busy++;
	if (sdk_stdin(p, data, len, false, err) != 0) {
		p->capturing = false;
		p->busy--;
		return -1;
	}
	tick = tf_loop_timer(p->loc->loop, (uint64_t)(w.settle_ms / 4 + 1),
	    true, sdk_reply_tick, NULL);
	rc = sdk_wait_until(p->loc, sdk_reply_settled, &w, timeout_ms > 0 ?
	    timeout_ms : 10000, "the process to reply", err);
	tf_loop_timer_cancel(p->loc->loop, tick);
	p->capturing = false;
	p->busy--;
	if (rc != 0 && p->reply.len == 0) {
		sdk_buf_free(&p->reply);
		return -1;
	}
	if (p->reply.len == 0 && p->done && p->error[0] != '\0') {
		sdk_buf_free(&p->reply);
		return tf_err_set(err, "%s", p->error);
	}
	if (drop_echo)
		sdk_drop_echo(&p->reply, data, len);
	*reply = sdk_buf_take(&p->reply, reply_len);
	return 0;
}

int
tf_process_resize(tf_process *p, int rows, int cols, tf_err *err)
{
	tf_proc_msg pm = { .container = p->ctr->id, .process = p->id };
	tf_out o;

	if (sdk_proc_usable(p, err) != 0)
		return -1;
	pm.rows = rows;
	pm.cols = cols;
	TF_SET(&tf_proc_codec, &pm, rows);
	TF_SET(&tf_proc_codec, &pm, cols);
	tf_out_init(&o, "proc_resize");
	tf_proc_pack(&pm, &o);
	return sdk_send(p->loc, &o, NULL, 0) == 0 ? 0 :
	    tf_err_set(err, "not connected to %s", p->loc->name);
}

int
tf_process_kill(tf_process *p, int signal, tf_err *err)
{
	tf_proc_msg pm = { .container = p->ctr->id, .process = p->id };
	tf_out o;

	if (p->done)
		return 0;
	if (sdk_check(p->loc, err) != 0)
		return -1;
	pm.signal = signal > 0 ? signal : 0;
	tf_out_init(&o, "proc_kill");
	tf_proc_pack(&pm, &o);
	tf_debug("Terminating process: %s", p->id);
	return sdk_send(p->loc, &o, NULL, 0) == 0 ? 0 :
	    tf_err_set(err, "not connected to %s", p->loc->name);
}

static bool
sdk_proc_done(void *arg)
{
	return ((const tf_process *)arg)->done;
}

int
tf_container_destroy_process(tf_container *c, tf_process *p, tf_err *err)
{
	if (p->ctr != c)
		return tf_err_set(err, "process %s does not belong to container "
		    "%s", p->id, c->id);
	if (p->done)
		return 0;
	if (tf_process_kill(p, 0, err) != 0)
		return -1;
	/* The end callback fires from the stream's final answer. */
	p->busy++;
	if (sdk_wait_until(p->loc, sdk_proc_done, p, 10000,
	    "the process to end", err) != 0) {
		p->busy--;
		return -1;
	}
	p->busy--;
	return 0;
}

int
tf_process_wait(tf_process *p, int timeout_ms, int *exit_code, tf_err *err)
{
	int rc = 0;

	if (!p->done) {
		if (sdk_check(p->loc, err) != 0)
			return -1;
		p->busy++;
		rc = sdk_wait_until(p->loc, sdk_proc_done, p, timeout_ms > 0 ?
		    timeout_ms : SDK_NO_TIMEOUT, "the process to end", err);
		p->busy--;
	}
	if (rc == 0 && exit_code != NULL)
		*exit_code = p->exit_code;
	if (rc == 0 && p->error[0] != '\0' && !p->started)
		return tf_err_set(err, "%s", p->error);
	return rc;
}

void
tf_run_result_fini(tf_run_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

int
tf_container_run_process(tf_container *c, const char *command,
			 int timeout_ms, tf_run_result *out, tf_err *err)
{
	tf_process *p;
	int rc;

	memset(out, 0, sizeof *out);
	p = tf_container_spawn_process(c, command, NULL, err);
	if (p == NULL)
		return -1;
	rc = tf_process_wait(p, timeout_ms, &out->exit_code, err);
	if (rc != 0 && !p->done)
		tf_process_kill(p, SIGKILL, NULL);
	out->out = sdk_buf_take(&p->out, &out->out_len);
	out->err = sdk_buf_take(&p->err, &out->err_len);
	tf_process_release(p);
	if (rc != 0)
		tf_run_result_fini(out);
	return rc;
}

/* ---- getters and lifetime ----------------------------------------------- */

const uint8_t *
tf_process_output(const tf_process *p, size_t *len)
{
	if (len != NULL)
		*len = p->out.len;
	return p->out.p != NULL ? p->out.p : (const uint8_t *)"";
}

const uint8_t *
tf_process_stderr(const tf_process *p, size_t *len)
{
	if (len != NULL)
		*len = p->err.len;
	return p->err.p != NULL ? p->err.p : (const uint8_t *)"";
}

bool tf_process_running(const tf_process *p) { return !p->done; }
int tf_process_exit_code(const tf_process *p) { return p->exit_code; }
const char *tf_process_id(const tf_process *p) { return p->id; }
const char *tf_process_error(const tf_process *p) { return p->error; }
tf_container *tf_process_container(const tf_process *p) { return p->ctr; }

void
sdk_process_unhook(tf_location *loc)
{
	if (loc->reap_hooked)
		tf_loop_del_hook(loc->loop, sdk_process_reap, loc);
	loc->reap_hooked = false;
}

void
sdk_process_free(tf_process *p)
{
	if (p->req != 0)
		sdk_forget(p->loc, p->req);
	sdk_buf_free(&p->out);
	sdk_buf_free(&p->err);
	sdk_buf_free(&p->reply);
	free(p);
}

void
tf_process_release(tf_process *p)
{
	if (p == NULL || p->released)
		return;
	if (!p->done && sdk_connected(p->loc) && !p->loc->disconnected)
		tf_process_kill(p, SIGKILL, NULL);
	p->released = true;
	sdk_buf_free(&p->out);
	sdk_buf_free(&p->err);
}

/* Before sleep: frees released processes nobody is using.  Nested passes
 * run this too, so only processes with no SDK frame on them go. */
static void
sdk_process_reap(tf_loop *loop, void *arg)
{
	tf_location *loc = arg;
	size_t j = 0;

	if (loc->iterating > 0)
		return;
	for (size_t i = 0; i < loc->n_processes; i++) {
		tf_process *p = loc->processes[i];

		if (p->released && p->busy == 0 && (p->done ||
		    loc->disconnected)) {
			if (loc->term_proc == p)
				loc->term_proc = NULL;
			sdk_process_free(p);
		} else {
			loc->processes[j++] = p;
		}
	}
	loc->n_processes = j;
}

void
sdk_processes_container_gone(tf_container *c)
{
	tf_location *loc = c->loc;

	loc->iterating++;
	for (size_t i = 0; i < loc->n_processes; i++) {
		tf_process *p = loc->processes[i];

		if (p->ctr != c || p->done)
			continue;
		if (p->req != 0)
			sdk_forget(loc, p->req);
		if (p->error[0] == '\0')
			snprintf(p->error, sizeof p->error, "container %s is "
			    "gone", c->id);
		p->busy++;
		sdk_process_ended(p);
		p->busy--;
	}
	loc->iterating--;
}

/* The location restarted: the node killed the processes whose streams
 * went with it (nobody could reach them any more), so each one ends with
 * that said. */
void
sdk_processes_streams_lost(tf_location *loc)
{
	loc->iterating++;
	for (size_t i = 0; i < loc->n_processes; i++) {
		tf_process *p = loc->processes[i];

		if (p->done || p->req == 0)
			continue;
		sdk_forget(loc, p->req);
		snprintf(p->error, sizeof p->error, "the location restarted "
		    "and its node ended the process with its stream");
		p->busy++;
		sdk_process_ended(p);
		p->busy--;
	}
	loc->iterating--;
}

bool
sdk_processes_running(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_processes; i++)
		if (!loc->processes[i]->done && !loc->processes[i]->released)
			return true;
	return false;
}

/* ---- the terminal bridge ------------------------------------------------ */

static void
sdk_term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static int
sdk_term_in_cb(tf_loop *loop, int fd, int events, void *arg)
{
	tf_location *loc = arg;
	tf_process *p = loc->term_proc;
	uint8_t in[4096], out[8192];
	size_t k = 0;
	ssize_t n;

	n = read(fd, in, sizeof in);
	if (p == NULL || p->done) {
		tf_loop_del_fd(loop, fd);
		return 0;
	}
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 0;
		/* End of our input: the process sees end of its stdin. */
		tf_loop_del_fd(loop, fd);
		tf_process_close_stdin(p, NULL);
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (loc->term_escape) {
			loc->term_escape = false;
			if (in[i] == 'q' || in[i] == 'Q') {
				static const char bye[] =
				    "\r\n[tf: escape - ending the session]\r\n";

				sdk_write_all(2, (const uint8_t *)bye,
				    sizeof bye - 1);
				tf_process_kill(p, 0, NULL);
				tf_loop_del_fd(loop, fd);
				return 0;
			}
			out[k++] = TERM_ESCAPE;
			if (in[i] == TERM_ESCAPE)
				continue;
		} else if (in[i] == TERM_ESCAPE && loc->term_raw) {
			loc->term_escape = true;
			continue;
		}
		out[k++] = in[i];
	}
	if (k > 0)
		tf_process_stdin(p, out, k, NULL);
	return 0;
}

static int
sdk_winch_cb(tf_loop *loop, int fd, int events, void *arg)
{
	tf_location *loc = arg;
	struct signalfd_siginfo si;
	int rows, cols;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	if (loc->term_proc == NULL || loc->term_proc->done)
		return 0;
	sdk_term_size(&rows, &cols);
	tf_process_resize(loc->term_proc, rows, cols, NULL);
	return 0;
}

int
tf_process_attach_terminal(tf_process *p, tf_err *err)
{
	tf_location *loc = p->loc;
	sigset_t set;
	int rows, cols;

	if (sdk_proc_usable(p, err) != 0)
		return -1;
	if (loc->term_proc != NULL && !loc->term_proc->done)
		return tf_err_set(err, "the terminal is attached to another "
		    "process already");
	loc->term_proc = p;
	p->attached = true;
	if (isatty(STDIN_FILENO)) {
		struct termios raw;

		if (tcgetattr(STDIN_FILENO, &loc->term_saved) == 0) {
			raw = loc->term_saved;
			cfmakeraw(&raw);
			/* TCSANOW, not TCSAFLUSH: what was typed while the
			 * container started is meant for it, not discarded. */
			if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
				loc->term_raw = true;
		}
	}
	tf_loop_add_fd(loc->loop, STDIN_FILENO, TF_READ, sdk_term_in_cb, loc);
	if (p->tty && isatty(STDOUT_FILENO)) {
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		loc->winch_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (loc->winch_fd >= 0)
			tf_loop_add_fd(loc->loop, loc->winch_fd, TF_READ,
			    sdk_winch_cb, loc);
		sdk_term_size(&rows, &cols);
		tf_process_resize(p, rows, cols, NULL);
	}
	if (loc->term_raw)
		tf_info("Interactive session - escape is Ctrl-] then q");
	return 0;
}

void
sdk_terminal_close(tf_location *loc)
{
	if (loc->term_proc != NULL) {
		loc->term_proc->attached = false;
		tf_loop_del_fd(loc->loop, STDIN_FILENO);
	}
	loc->term_proc = NULL;
	if (loc->winch_fd >= 0) {
		sigset_t set;

		tf_loop_del_fd(loc->loop, loc->winch_fd);
		close(loc->winch_fd);
		loc->winch_fd = -1;
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	if (loc->term_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &loc->term_saved);
		loc->term_raw = false;
	}
}

void
tf_terminal_restore(tf_location *loc)
{
	sdk_terminal_close(loc);
}
