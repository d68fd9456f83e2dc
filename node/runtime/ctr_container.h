/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_container: the node's containers and their lifecycle, driven from the
 * node's one loop through rt_io (fds) and ctr_table_sigchld (exits).
 *
 * A ctr_table owns a state directory:
 *
 *   <state>/runc/            runc --root: runc's own state
 *   <state>/containers/<id>/ one bundle per container (rt_bundle.h)
 *   <state>/run/             console sockets for pty processes
 *
 * Lifecycle of a container:
 *
 *   ctr_spawn ─> spawning ─┬─> running ──────────┬─> exited (exit_code)
 *                          ├─> sleeping ─(wake)──┘
 *                          └─> failed (error)
 *   ctr_reboot: any state ─> spawning ─> running  (same directory; with
 *               reset the upper layer is emptied first, pre-boot files
 *               stay because they live in their own lower layer)
 *   ctr_destroy: any state ─> destroyed, nothing left behind: no runc
 *               state, cgroup, mount or directory.
 *
 * Every change of state (and of exit code, error, startup time) is told to
 * ctr_events.state; container output goes to ctr_events.output as it is
 * read and into a bounded backlog (ctr_ring) for consoles that attach later.
 * Callbacks may run from inside ctr_* calls.  Objects are never freed from
 * inside a callback: a destroyed container stays readable until
 * ctr_table_reap() (call it from the loop's before-sleep hook).
 */
#ifndef CTR_CONTAINER_H
#define CTR_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr_ring.h"
#include "fs_xfer.h"
#include "rt_bundle.h"
#include "rt_child.h"
#include "rt_io.h"
#include "tf_err.h"

typedef struct ctr_table ctr_table;
typedef struct ctr ctr;

typedef enum ctr_state {
	CTR_SPAWNING,
	CTR_SLEEPING,
	CTR_RUNNING,
	CTR_EXITED,
	CTR_FAILED,
	CTR_DESTROYED,
} ctr_state;

/* "spawning", "sleeping", ... as in docs/PROTOCOL.md. */
const char *ctr_state_name(ctr_state st);

typedef struct ctr_events {
	void (*state)(ctr *c, void *arg);
	void (*output)(ctr *c, int fd, const uint8_t *data, size_t len,
		       void *arg);
	void *arg;
} ctr_events;

typedef struct ctr_table_config {
	const char *state_dir;		/* absolute, created if missing */
	const char *runc;		/* NULL: "runc" from PATH */
	const char *init_path;		/* absolute path of tf-init */
	const char *cgroup_parent;	/* NULL: "/tf-<hash of state_dir>" */
	size_t backlog;			/* 0: CTR_RING_DEFAULT */
} ctr_table_config;

ctr_table *ctr_table_new(const ctr_table_config *cfg, const rt_io *io,
			 const ctr_events *ev, tf_err *err);
/* Shutdown: kills every container and process and removes everything they
 * used.  Blocks (briefly) while runc and the processes die. */
void ctr_table_destroy(ctr_table **self_p);
/* Removes whatever an earlier run with the same state directory left and
 * was not adopted: runc state, processes in our cgroups, mounts,
 * directories.  Blocks; call it
 * before serving.  Returns how many containers were cleaned up. */
int ctr_table_cleanup(ctr_table *t);
/* Takes back the containers an earlier run with the same state directory
 * left running (ctr_adopt.c): each is handed to fn with the owner's note
 * (NULL if none); fn returns false to refuse it.  Call before
 * ctr_table_cleanup(), which then removes everything else.  Returns how
 * many were taken back. */
typedef bool (*ctr_adopt_fn)(ctr *c, const char *note, void *arg);
int ctr_table_adopt(ctr_table *t, ctr_adopt_fn fn, void *arg);
/* Call when SIGCHLD arrived (signalfd readable); reaps and dispatches. */
void ctr_table_sigchld(ctr_table *t);
/* Frees destroyed containers and finished processes.  Before-sleep. */
void ctr_table_reap(ctr_table *t);
/* Live (not destroyed) containers, and iteration over them. */
size_t ctr_table_count(const ctr_table *t);
void ctr_table_foreach(ctr_table *t, void (*fn)(ctr *c, void *arg), void *arg);
const char *ctr_table_state_dir(const ctr_table *t);
/* The table's child registry, for the owner's own helper processes (their
 * exits must be claimed here, since ctr_table_sigchld reaps every child). */
rt_children *ctr_table_children(ctr_table *t);

/* A pre-boot file: written into the container before it first starts. */
typedef struct ctr_file {
	const char *path;
	const void *data;
	size_t len;
} ctr_file;

typedef struct ctr_spec {
	const char *id;			/* container id: [A-Za-z0-9_.-], <= 64 */
	const char *const *layers;	/* absolute, unpacked, base first */
	size_t nlayers;
	/* The image's config (any may be NULL). */
	const char *const *entrypoint;
	const char *const *cmd;
	const char *const *image_env;
	const char *workdir;
	const char *user;		/* "name", "uid", "name:group", ...; NULL: root */
	/* The spawn request. */
	const char *const *env;		/* NAME=value, override the image's */
	const char *const *command;	/* replaces the image's cmd */
	const ctr_file *preboot;
	size_t npreboot;
	bool sleep;			/* wait for ctr_wake before starting */
	rt_limits limits;
	const rt_mount *mounts;		/* volumes and other binds */
	size_t nmounts;
	const char *netns;		/* NULL: a new, empty network namespace */
	const char *hostname;		/* NULL: the id */
	uint64_t t0_ms;			/* tf_now_ms() when asked; 0: now */
	/* The image's StopSignal: sent to the entrypoint on destroy and
	 * reboot, SIGKILL after CTR_STOP_GRACE_MS; 0: SIGKILL at once. */
	int stop_signal;
} ctr_spec;

#define CTR_STOP_GRACE_MS 10000

/* Prepares the container and starts it; the outcome arrives as state
 * events.  NULL with err for anything wrong with the request or the host. */
ctr *ctr_spawn(ctr_table *t, const ctr_spec *spec, tf_err *err);
ctr *ctr_find(ctr_table *t, const char *id);
/* Starts the entrypoint of a container spawned with sleep. */
int ctr_wake(ctr *c, tf_err *err);
/* Kills everything in the container and starts its entrypoint again in the
 * same filesystem; with reset the filesystem returns to as-booted first. */
int ctr_reboot(ctr *c, bool reset, tf_err *err);
/* Starts destruction; ends in state CTR_DESTROYED.  Idempotent. */
void ctr_destroy(ctr *c);

const char *ctr_id(const ctr *c);
ctr_state ctr_get_state(const ctr *c);
int ctr_exit_code(const ctr *c);	/* -1 if none */
const char *ctr_error(const ctr *c);	/* "" if none */
int64_t ctr_startup_ms(const ctr *c);	/* -1 if not (yet) running */
pid_t ctr_init_pid(const ctr *c);	/* 0 if not alive */
const char *ctr_dir(const ctr *c);
const char *ctr_workdir(const ctr *c);
const ctr_ring *ctr_backlog(const ctr *c);
/* The owner's own record for this container (not freed by us). */
void ctr_set_data(ctr *c, void *data);
void *ctr_data(const ctr *c);
/* Saves the owner's note (text) with the container, handed back by
 * ctr_table_adopt() to a later run of the node. */
int ctr_note_save(ctr *c, const char *text, tf_err *err);
/* True when taken back from an earlier run (exit code unknown). */
bool ctr_adopted(const ctr *c);

/* A directory fd (O_PATH) of the container's root as its processes see it
 * (with volumes and /dev), or of the overlay when nothing runs.  The caller
 * closes it. */
int ctr_root_open(ctr *c, tf_err *err);
/* The container's put transfers (fs_xfer.h), cancelled on reboot. */
fs_xfer *ctr_xfer(ctr *c);

#endif
