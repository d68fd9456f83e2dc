/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_loop: the one event loop of every program.  A single zmq_poll() covers
 * ZeroMQ sockets and plain file descriptors (pipes, pty masters, TCP
 * sockets, a signalfd, the terminal); timers are kept in the loop and size
 * the poll timeout.  Registrations and removals made from inside a handler
 * take effect on the next pass, so a handler may remove itself or anything
 * else.  A before-sleep hook runs once per pass, before polling: flush
 * queued work, reap dead objects, redraw.
 *
 * Handlers return 0 to continue, -1 to stop tf_loop_run().
 */
#ifndef TF_LOOP_H
#define TF_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tf_loop tf_loop;

#define TF_READ  0x01
#define TF_WRITE 0x02
#define TF_ERROR 0x04	/* reported only; POLLERR/POLLHUP on an fd */

/* A ready plain fd; events holds TF_READ/TF_WRITE/TF_ERROR. */
typedef int (*tf_loop_fd_fn)(tf_loop *loop, int fd, int events, void *arg);
/* A ZeroMQ socket with at least one message to read (drain to EAGAIN). */
typedef int (*tf_loop_sock_fn)(tf_loop *loop, void *sock, void *arg);
/* A timer fired.  id is the value tf_loop_timer returned. */
typedef int (*tf_loop_timer_fn)(tf_loop *loop, uint64_t id, void *arg);
/* Before-sleep hook. */
typedef void (*tf_loop_hook_fn)(tf_loop *loop, void *arg);

tf_loop *tf_loop_new(void);
void tf_loop_destroy(tf_loop **self_p);

/* fd handlers: events is a mask of TF_READ | TF_WRITE.  One handler per fd;
 * adding an fd twice replaces the first.  Returns 0 or -1. */
int tf_loop_add_fd(tf_loop *loop, int fd, int events, tf_loop_fd_fn fn, void *arg);
int tf_loop_set_events(tf_loop *loop, int fd, int events);
void tf_loop_del_fd(tf_loop *loop, int fd);

/* ZeroMQ socket readers. */
int tf_loop_add_sock(tf_loop *loop, void *sock, tf_loop_sock_fn fn, void *arg);
void tf_loop_del_sock(tf_loop *loop, void *sock);

/* Timers fire after ms milliseconds, then every ms if repeat.  Returns an id
 * (never 0) for tf_loop_timer_cancel; cancelling a fired or unknown id is a
 * no-op, so owners may cancel unconditionally. */
uint64_t tf_loop_timer(tf_loop *loop, uint64_t ms, bool repeat,
		       tf_loop_timer_fn fn, void *arg);
void tf_loop_timer_cancel(tf_loop *loop, uint64_t id);

/* Several hooks may be added; they run in the order added. */
void tf_loop_add_hook(tf_loop *loop, tf_loop_hook_fn fn, void *arg);
void tf_loop_del_hook(tf_loop *loop, tf_loop_hook_fn fn, void *arg);

/* One pass: before-sleep hooks, poll for at most max_wait_ms (-1: until the
 * next timer or event), dispatch.  Returns -1 if a handler asked to stop or
 * tf_loop_stop was called, else 0. */
int tf_loop_run_once(tf_loop *loop, int max_wait_ms);
/* Passes until a handler returns -1 or tf_loop_stop() is called. */
int tf_loop_run(tf_loop *loop);
void tf_loop_stop(tf_loop *loop);
bool tf_loop_stopping(const tf_loop *loop);
/* Clears the stop flag so the loop can be run again (blocking helpers). */
void tf_loop_resume(tf_loop *loop);

void tf_loop_test(bool verbose);

#endif
