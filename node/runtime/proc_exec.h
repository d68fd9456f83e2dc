/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_exec: processes run inside a container with `runc exec -d`.
 *
 * Plain processes get three pipes: runc passes its stdio straight through
 * to the process when it detaches, so the node reads the process's own
 * stdout and stderr.  A tty process gets a pty: runc connects to a unix
 * socket the node listens on (--console-socket) and hands over the pty
 * master with SCM_RIGHTS; its size is set before the shell starts (runc
 * honours consoleSize in process.json) and on every resize (TIOCSWINSZ,
 * which also sends SIGWINCH).
 *
 * Because tf-node is a child subreaper, the process becomes the node's
 * child once runc has exited, so its exit status is the real one, never
 * runc's.  A command that cannot be started (not found, container not
 * running) ends with runc's reason as the error and exit code 127 (not
 * found) or 126 (other).
 *
 * Output can be paused for flow control; while paused the node stops
 * reading, so the process blocks on a full pipe instead of the node
 * buffering without bound.  The exit is reported only after the output
 * that was written before it has been delivered.
 */
#ifndef PROC_EXEC_H
#define PROC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr_container.h"
#include "tf_err.h"

typedef struct proc proc;

typedef struct proc_spec {
	const char *id;			/* the client's process id (<= 64 chars) */
	const char *const *argv;	/* run directly ... */
	const char *command;		/* ... or through /bin/sh -c */
	const char *const *env;		/* NAME=value, added to the container's */
	bool tty;
	unsigned rows, cols;		/* 0: 24 x 80 */
	const char *term;		/* TERM for tty processes; NULL: xterm */
	const char *cwd;		/* NULL: the container's workdir */
} proc_spec;

typedef struct proc_events {
	void (*started)(proc *p, void *arg);
	/* fd 1 or 2 (a pty's output is fd 1). */
	void (*output)(proc *p, int fd, const uint8_t *data, size_t len,
		       void *arg);
	/* Last call.  exit_code is the status, 128 + sig when killed by
	 * signal sig; error is non-empty when the process never started. */
	void (*exited)(proc *p, int exit_code, int sig, const char *error,
		       void *arg);
} proc_events;

/* Starts a process in a running or sleeping container.  ev/arg may be
 * changed later with proc_set_events (NULL ev: no more callbacks). */
proc *proc_start(ctr *c, const proc_spec *spec, const proc_events *ev,
		 void *arg, tf_err *err);
proc *proc_find(ctr *c, const char *id);
void proc_set_events(proc *p, const proc_events *ev, void *arg);

const char *proc_id(const proc *p);
ctr *proc_container(const proc *p);
pid_t proc_pid(const proc *p);		/* 0 until started */
bool proc_is_tty(const proc *p);

/* Queues bytes for the process's stdin (bounded: -1 with err when the
 * process is not reading and the queue is full). */
int proc_write(proc *p, const void *data, size_t len, tf_err *err);
/* End of input: closes the stdin pipe, or sends the EOF character (^D) to
 * a pty. */
void proc_close_stdin(proc *p);
/* Sends sig (sent when the pid is known if the process is still
 * starting). */
int proc_kill(proc *p, int sig);
int proc_resize(proc *p, unsigned rows, unsigned cols);
/* Stops / resumes reading the process's output. */
void proc_pause(proc *p, bool paused);
/* How many more output bytes may be read (SIZE_MAX, the default: no
 * limit); at 0 reading stops until more credit is given.  Reads never
 * take more than the credit, so the bytes in flight stay within it. */
void proc_set_credit(proc *p, size_t bytes);

#endif
