/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_daemon: what a long-running program (tf-location, tf-node) owes the
 * service manager that runs it and the operator who rotates its logs.
 *
 * Readiness, reload and stop are told to systemd with its notify protocol
 * (sd_notify(3): one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET).  tf_daemon_notify_open() takes that variable out of the
 * environment, so no child inherits it: runc, given $NOTIFY_SOCKET, would
 * wait for every container to say READY=1 itself and hang the node's
 * spawns.  That is why this is not libsystemd's sd_notify, which reads the
 * variable at each call.  Without $NOTIFY_SOCKET every notice is a no-op,
 * so the daemons behave the same started by hand.
 *
 * A log file given with --log replaces stderr, so sanitizer reports and
 * library messages land in it too, and is opened again on SIGHUP after
 * logrotate moved it.  Not part of the installed SDK.
 */
#ifndef TF_DAEMON_H
#define TF_DAEMON_H

#include <sys/socket.h>
#include <sys/un.h>

#include "tf_err.h"

typedef struct tf_notify {
	struct sockaddr_un addr;	/* sun_path[0] == 0 and len 0: none */
	socklen_t len;
} tf_notify;

/* Reads and unsets $NOTIFY_SOCKET (a path, or @name for the abstract
 * namespace).  Call once, early in main, before starting any child. */
void tf_daemon_notify_open(tf_notify *n);

/* Serving: READY=1 with a one-line STATUS for `systemctl status`. */
void tf_daemon_ready(const tf_notify *n, const char *status);
/* SIGHUP is being handled; tf_daemon_ready() ends it. */
void tf_daemon_reloading(const tf_notify *n);
/* Shutting down: systemd stops waiting for more notices. */
void tf_daemon_stopping(const tf_notify *n);

/* Points stderr at path (appending, created 0640).  Called at start and
 * again on SIGHUP; on failure stderr stays where it was. */
int tf_daemon_log_open(const char *path, tf_err *err);

/* Keeps freed heap memory for reuse instead of handing it back to the
 * kernel after every burst: a daemon relaying bulk frames (tunnels)
 * allocates and frees ~64 KiB buffers in every thread, and glibc's
 * defaults trimmed the heap each time, so the next frame page-faulted
 * its memory in again (docs/BENCH.md "Tunnels").  Costs at most a few
 * MiB of idle heap per thread.  Call early in main. */
void tf_daemon_malloc_tune(void);

#endif
