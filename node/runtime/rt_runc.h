/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_runc: the command lines tf-node gives runc, and what it reads back
 * (pid files, the JSON log runc writes its errors to).
 *
 * Every invocation gets `--root <state>/runc` so that several nodes (and
 * the tests) on one host never see each other's containers, and
 * `--log <file> --log-format json` so that the reason for a failure can be
 * reported without mixing it into the container's own stderr.
 */
#ifndef RT_RUNC_H
#define RT_RUNC_H

#include <stddef.h>
#include <sys/types.h>

#include "rt_child.h"
#include "tf_err.h"

typedef struct rt_runc {
	const char *runc;	/* the binary; "runc" searches PATH */
	const char *root;	/* --root */
} rt_runc;

#define RT_RUNC_MAX_ARGS 24

/* Starts runc with the global options and then args (NULL-terminated).
 * fds are the child's 0..3 as for rt_spawn. */
pid_t rt_runc_spawn(const rt_runc *r, const char *log_path,
		    const char *const args[], const int fds[RT_SPAWN_FDS],
		    tf_err *err);
/* The same with nfds (<= RT_SPAWN_FDS_MAX) descriptors: `runc run
 * --preserve-fds` passes those above 2 on to the container. */
pid_t rt_runc_spawn_fds(const rt_runc *r, const char *log_path,
			const char *const args[], const int *fds, int nfds,
			tf_err *err);

/* Runs runc and waits for it (start-up cleanup and shutdown only).
 * Returns the wait status or -1. */
int rt_runc_run_sync(const rt_runc *r, rt_children *ch,
		     const char *const args[]);

/* The last error runc logged in log_path, into buf (empty if none). */
void rt_runc_log_error(const char *log_path, char *buf, size_t size);

/* Reads a pid file written by runc --pid-file. */
int rt_runc_read_pid(const char *path, pid_t *pid);

/* True if id is safe as a runc id and as a single path component. */
int rt_runc_id_valid(const char *id);

#endif
