/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_internal: the insides of ctr_table and ctr, shared by
 * ctr_container.c and proc_exec.c only.  Nothing else includes this.
 */
#ifndef CTR_INTERNAL_H
#define CTR_INTERNAL_H

#include "ctr_container.h"
#include "proc_exec.h"
#include "rt_child.h"
#include "rt_runc.h"
#include "rt_user.h"

struct ctr_table {
	char *state_dir;
	char *runc_root;	/* <state>/runc */
	char *ctr_root;		/* <state>/containers */
	char *run_dir;		/* <state>/run: console sockets */
	char *init_path;
	char *cgroup_parent;
	bool cgroup_swap;
	size_t backlog;
	rt_runc runc;
	rt_children *children;
	rt_io io;
	ctr_events ev;
	ctr *ctrs;		/* list */
	unsigned seq;		/* names of per-invocation files */
};

typedef enum ctr_want {
	WANT_NONE,
	WANT_REBOOT,
	WANT_DESTROY,
} ctr_want;

typedef enum ctr_runc_op {
	RUNC_NONE,
	RUNC_RUN,
	RUNC_DELETE,
} ctr_runc_op;

struct ctr {
	ctr_table *t;
	ctr *next;
	char id[65];
	char *dir;
	ctr_state state;

	/* What to run, kept for reboots. */
	char **layers;
	size_t nlayers;
	char **argv;
	char **env;
	char *workdir;
	char *user_spec;	/* the image's User, resolved at every boot */
	rt_user user;		/* entrypoint and processes run as this */
	char *hostname;
	char *netns;
	rt_limits limits;
	rt_mount *mounts;
	size_t nmounts;
	bool sleep;

	/* Output pipes (read ends watched, write ends given to each boot). */
	int out_r[2], out_w[2];
	/* tf-init's status pipe (fd 3 inside). */
	int st_r, st_w;
	char stbuf[600];
	size_t stlen;
	bool awaiting_status;	/* a boot is waiting for "S"/"R"/"E" */
	char held_status;	/* "S"/"R" that came before runc's pid file */
	bool wake_pending;

	pid_t runc_pid;
	ctr_runc_op runc_op;
	char runc_log[4200];
	pid_t init_pid;
	bool init_killed;
	int stop_signal;	/* the image's StopSignal, or 0 */
	bool stop_sent;		/* sent; SIGKILL when stop_fd fires */
	int stop_fd;		/* timerfd of the grace period, or -1 */
	bool runc_exists;	/* runc state may exist: delete before reuse */
	bool mounted;

	ctr_want want;
	bool want_reset;
	/* Taken back from an earlier run of the node (ctr_adopt.c): its init
	 * is not our child; EOF on both output pipes means it has gone. */
	bool adopted;

	uint64_t t0_ms;
	int exit_code;
	int64_t startup_ms;
	char error[512];

	ctr_ring *ring;
	fs_xfer *xfer;
	proc *procs;		/* list */
	void *data;
	bool freed_ok;		/* destroyed: free when no process is left */
};

/* The descriptors tf-init keeps for the node (rt_init.c): the read ends
 * of its stdout and stderr (4, 5) and of its status pipe (6). */
#define CTR_INIT_FD_OUT 4
#define CTR_INIT_FD_STATUS 6

/* ctr_container.c, for ctr_adopt.c. */
void close_fd(ctr_table *t, int *fd, bool watched);
void ctr_free(ctr *c);
void ctr_notify(ctr *c);
void ctr_output_ready(int fd, int events, void *arg);
void ctr_status_ready(int fd, int events, void *arg);

/* ctr_adopt.c, for ctr_container.c. */
/* Saves what ctr_spawn was asked in the bundle, for a later adoption. */
int ctr_record_write(ctr *c, tf_err *err);
/* A copy of descriptor fd of process pid (pidfd_getfd), non-blocking;
 * -1 with errno. */
int ctr_fd_take(pid_t pid, int fd);
/* Wakes a sleeping container's init, first taking back the status pipe
 * that was closed while it slept. */
void ctr_wake_init(ctr *c);

/* proc_exec.c, for ctr_container.c. */
void proc_reap_done(ctr *c);		/* frees finished processes */
void proc_kill_all_sync(ctr *c);	/* shutdown: kill and wait */

#endif
