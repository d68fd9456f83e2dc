/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_daemon: what a long-running program (tf-location, tf-node) owes the
 * service manager that runs it and the operator who rotates its logs.
 *
 * Readiness, reload and stop are told to systemd through libsystemd's
 * sd_notify (a no-op when $NOTIFY_SOCKET is unset, so the daemons behave
 * the same started by hand).  A log file given with --log replaces stderr,
 * so sanitizer reports and library messages land in it too, and is opened
 * again on SIGHUP after logrotate moved it.  Not part of the installed SDK.
 */
#ifndef TF_DAEMON_H
#define TF_DAEMON_H

#include "tf_err.h"

/* Points stderr at path (appending, created 0640).  Called at start and
 * again on SIGHUP; on failure stderr stays where it was. */
int tf_daemon_log_open(const char *path, tf_err *err);

/* Serving: READY=1 with a one-line STATUS for `systemctl status`. */
void tf_daemon_ready(const char *status);
/* SIGHUP is being handled; tf_daemon_ready() ends it. */
void tf_daemon_reloading(void);
/* Shutting down: systemd stops waiting for more notices. */
void tf_daemon_stopping(void);

#endif
