/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_bundle: one container's directory and its OCI bundle.
 *
 *   <dir>/config.json   written by rt_bundle_write_config for every boot
 *   <dir>/hosts         the container's /etc/hosts, also written each boot
 *   <dir>/preboot/      pre-boot files: the top lower layer, so that a
 *                       reset (which wipes upper/) keeps them
 *   <dir>/upper/        overlayfs upper layer: everything the container
 *                       writes
 *   <dir>/work/         overlayfs work directory
 *   <dir>/rootfs/       the overlay mount point, runc's root.path
 *
 * The overlay is lowerdir=preboot:layerN:...:layer1 (layers are given base
 * first, as in an image manifest).
 *
 * The process in config.json is always tf-init (rt_init.c), bind-mounted
 * read-only from the node at /dev/.tf-init: it reports through fd 3 when the
 * entrypoint has been exec'd (or why it could not be), can hold the
 * entrypoint back until woken (spawn with sleep), reaps orphans and passes
 * signals on.  /dev is the tmpfs runc makes for every container, so the
 * image's own filesystem is never touched by this.
 */
#ifndef RT_BUNDLE_H
#define RT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

#define RT_INIT_PATH "/dev/.tf-init"	/* where tf-init appears inside */
#define RT_STATUS_FD 3			/* tf-init's status pipe */

#define RT_DEFAULT_MEMORY (512ull << 20)
#define RT_DEFAULT_PIDS 512
#define RT_DEFAULT_CPU_SHARES 1024

typedef struct rt_limits {
	uint64_t memory_bytes;		/* 0: RT_DEFAULT_MEMORY */
	int64_t pids;			/* 0: RT_DEFAULT_PIDS */
	uint64_t cpu_shares;		/* 0: RT_DEFAULT_CPU_SHARES */
} rt_limits;

/* A bind mount from the host into the container (volumes, resolv.conf). */
typedef struct rt_mount {
	const char *source;		/* host path */
	const char *dest;		/* absolute path inside */
	bool readonly;
} rt_mount;

typedef struct rt_bundle_spec {
	const char *id;			/* runc id */
	const char *dir;		/* absolute bundle directory */
	const char *const *argv;	/* what tf-init starts (NULL-terminated) */
	const char *const *env;		/* NAME=value, NULL-terminated */
	const char *cwd;		/* absolute; NULL: "/" */
	const char *hostname;		/* NULL: id */
	const char *netns;		/* path to join; NULL: a new, empty one */
	const char *init_path;		/* tf-init on the host */
	bool sleep;			/* hold the entrypoint until woken */
	const char *cgroup_parent;	/* e.g. "/tf-node"; the cgroup is <parent>/<id> */
	bool cgroup_swap;		/* limit memory+swap to the memory limit too */
	rt_limits limits;
	const rt_mount *mounts;
	size_t nmounts;
	uint32_t uid, gid;		/* the process's user (the image's User) */
	const char *hosts;		/* host file bound at /etc/hosts; NULL: none
					 * (rt_bundle_write_config fills it in) */
} rt_bundle_spec;

/* Makes dir and preboot/ upper/ work/ rootfs/ below it. */
int rt_bundle_create_dirs(const char *dir, tf_err *err);
/* Mounts the overlay at dir/rootfs.  layers: absolute paths, base first. */
int rt_bundle_mount(const char *dir, const char *const *layers, size_t nlayers,
		    tf_err *err);
bool rt_bundle_mounted(const char *dir);
/* Unmounts dir/rootfs (lazily if busy); no error if not mounted. */
int rt_bundle_umount(const char *dir, tf_err *err);
/* Empties upper/ and work/ (the overlay must be unmounted). */
int rt_bundle_reset(const char *dir, tf_err *err);
/* Unmounts everything at or below dir, then removes dir. */
int rt_bundle_remove(const char *dir, tf_err *err);
/* Unmounts every mount point at or below prefix (deepest first). */
int rt_bundle_umount_below(const char *prefix);

/* Writes dir/config.json for runc. */
int rt_bundle_write_config(const rt_bundle_spec *s, tf_err *err);
/* The JSON text itself (malloc'd), for tests and for the above. */
char *rt_bundle_config_json(const rt_bundle_spec *s, tf_err *err);

#endif
