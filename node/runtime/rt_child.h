/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_child: starting helper programs (runc) without blocking, and the table
 * that turns SIGCHLD into per-pid callbacks.
 *
 * tf-node makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so a
 * container's init and every `runc exec -d` process are re-parented to the
 * node when runc exits and waitpid() gives their real exit status.  That
 * also means the node can reap a pid before it has learned that the pid is
 * interesting (a process that exits before `runc exec` has written its pid
 * file): such exits are parked for a while and handed over by
 * rt_children_claim().
 */
#ifndef RT_CHILD_H
#define RT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "tf_err.h"

typedef struct rt_children rt_children;

/* Called once when pid has been reaped; status is waitpid()'s. */
typedef void (*rt_child_fn)(pid_t pid, int status, void *arg);

/* Makes the calling process a child subreaper and opens /dev/null on any of
 * fds 0-2 that are closed (so pipes never land there). */
rt_children *rt_children_new(tf_err *err);
void rt_children_destroy(rt_children **self_p);

/* Asks for fn when pid exits.  Returns 0 when registered, or 1 when pid
 * had already been reaped and parked: *status is filled and fn is not
 * called (the caller handles the exit inline). */
int rt_children_claim(rt_children *ch, pid_t pid, rt_child_fn fn, void *arg,
		      int *status);
/* Drops interest in pid (its exit will be parked, then forgotten). */
void rt_children_forget(rt_children *ch, pid_t pid);
/* Reaps every exited child (waitpid WNOHANG) and calls the callbacks.
 * Call it when SIGCHLD arrives (signalfd) and whenever convenient. */
void rt_children_reap(rt_children *ch);
/* Blocks until pid exits (start-up cleanup and shutdown only). */
int rt_children_wait(rt_children *ch, pid_t pid, int *status);

/* The child's fds 0..3: an fd to dup there, RT_FD_NULL for /dev/null or
 * RT_FD_NONE for closed.  Everything else is closed in the child. */
#define RT_FD_NULL (-1)
#define RT_FD_NONE (-2)
#define RT_SPAWN_FDS 4
/* rt_spawn_fds: up to this many (a container's init takes 0..6). */
#define RT_SPAWN_FDS_MAX 7

/* Starts argv[0] (searched in PATH) in a new session with default signal
 * dispositions and an empty signal mask.  Returns the pid or -1. */
pid_t rt_spawn(const char *const argv[], const int fds[RT_SPAWN_FDS],
	       tf_err *err);
/* The same with nfds (<= RT_SPAWN_FDS_MAX) descriptors given as above. */
pid_t rt_spawn_fds(const char *const argv[], const int *fds, int nfds,
		   tf_err *err);

/* "exited 3", "killed by signal 9" ... into buf. */
const char *rt_status_str(int status, char *buf, size_t size);

#endif
