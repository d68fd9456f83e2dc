/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_req_vol: volumes, directories that outlive containers.
 *
 *   <state>/volumes/<id>/data       bind-mounted into containers (rw)
 *   <state>/volumes/<id>/snapshot   the one snapshot, if taken
 *
 * Where <state>/volumes is btrfs (tf-node --btrfs-volumes SIZE makes it a
 * btrfs file system on a loop file), data is a subvolume and a snapshot is
 * a read-only btrfs snapshot: constant time whatever the size.  Elsewhere a
 * snapshot is a copy (cp --reflink=auto, so XFS and btrfs still share
 * blocks).  A rollback puts the snapshot's contents back into data in
 * place, because containers that mount the volume hold a bind mount of
 * that very directory and must see the rollback at once; on btrfs the copy
 * is made of reflinks, so it costs metadata, not data.  Slow work runs in a
 * child and the request is answered when it exits.  A volume that a
 * container still mounts cannot be destroyed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node.h"
#include "tf_codec_vol.h"
#include "rt_child.h"
#include "rt_runc.h"
#include "tf_log.h"

struct vol_job {
	struct node *n;
	uint64_t req;
	char vol[NODE_ID_LEN];
	char what[16];
};

static char *
vol_dir(struct node *n, const char *id)
{
	return tf_asprintf("%s/volumes/%s", n->state_dir, id);
}

struct mounted_ctx {
	const char *vol;
	const char *by;
};

static void
mounted_one(ctr *c, void *arg)
{
	struct mounted_ctx *m = arg;
	struct node_ctr *nc = ctr_data(c);

	if (nc == NULL || m->by != NULL)
		return;
	for (size_t i = 0; i < nc->nvols; i++) {
		if (strcmp(nc->vols[i], m->vol) == 0)
			m->by = ctr_id(c);
	}
}

/* The container that mounts vol, or NULL. */
static const char *
vol_mounted_by(struct node *n, const char *vol)
{
	struct mounted_ctx m = { vol, NULL };

	ctr_table_foreach(n->ctrs, mounted_one, &m);
	return m.by;
}

/* ^ {volume} */
static void
vol_reply(struct node *n, uint64_t id, const char *vol)
{
	tf_vol_msg rep = { .volume = vol };
	tf_out o;

	tf_out_init(&o, TF_REPLY);
	tf_vol_pack(&rep, &o);
	node_reply(n, id, &o, NULL, 0);
}

static void
vol_job_done(pid_t pid, int status, void *arg)
{
	struct vol_job *j = arg;
	char sbuf[64];

	(void)pid;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		tf_info("volume %s: %s done", j->vol, j->what);
		vol_reply(j->n, j->req, j->vol);
	} else {
		tf_warn("volume %s: %s failed (%s)", j->vol, j->what,
		    rt_status_str(status, sbuf, sizeof sbuf));
		node_reply_error(j->n, j->req, "volume %s: %s failed (%s)",
		    j->vol, j->what, sbuf);
	}
	free(j);
}

/* Runs `sh -c script` with the volume's directory as $1. */
static int
vol_run(struct node *n, const tf_msg *m, const char *vol, const char *what,
	const char *script, tf_err *err)
{
	const int fds[RT_SPAWN_FDS] = { RT_FD_NULL, RT_FD_NULL, 2, RT_FD_NONE };
	struct vol_job *j;
	char *dir = vol_dir(n, vol);
	const char *argv[] = { "/bin/sh", "-c", script, "vol", dir, NULL };
	pid_t pid;
	int status;

	pid = rt_spawn(argv, fds, err);
	free(dir);
	if (pid < 0)
		return -1;
	j = tf_calloc(1, sizeof *j);
	j->n = n;
	j->req = m->id;
	snprintf(j->vol, sizeof j->vol, "%s", vol);
	snprintf(j->what, sizeof j->what, "%s", what);
	if (rt_children_claim(ctr_table_children(n->ctrs), pid, vol_job_done,
	    j, &status) == 1)
		vol_job_done(pid, status, j);
	return 0;
}

#define VOL_BTRFS_MAGIC 0x9123683eL

/* Runs a short shell script to completion (start-up only, before the loop
 * runs: mkfs and mount are the exceptions to "never block"). */
static int
vol_sh_wait(const char *script, const char *arg1, const char *arg2)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, "vol", arg1, arg2,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
node_vol_start(struct node *n, tf_err *err)
{
	char *dir = tf_asprintf("%s/volumes", n->state_dir);
	struct statfs sf;
	int rc = 0;

	if (tf_mkdir_p(dir, 0700) != 0) {
		rc = tf_err_errno(err, "cannot create %s", dir);
		goto out;
	}
	if (n->opt.btrfs_volumes != NULL &&
	    (statfs(dir, &sf) != 0 || sf.f_type != VOL_BTRFS_MAGIC)) {
		char *img = tf_asprintf("%s/volumes.btrfs", n->state_dir);

		if (access(img, F_OK) != 0 && vol_sh_wait(
		    "truncate -s \"$2\" \"$1\".tmp && "
		    "mkfs.btrfs -q \"$1\".tmp >/dev/null && mv \"$1\".tmp \"$1\"",
		    img, n->opt.btrfs_volumes) != 0) {
			rc = tf_err_set(err, "cannot make a %s btrfs file system "
			    "in %s (is btrfs-progs installed?)",
			    n->opt.btrfs_volumes, img);
		} else if (vol_sh_wait("mount -o loop \"$1\" \"$2\"", img,
		    dir) != 0) {
			rc = tf_err_set(err, "cannot mount %s on %s", img, dir);
		} else {
			n->vol_mounted = true;
		}
		free(img);
		if (rc != 0)
			goto out;
	}
	n->vol_btrfs = statfs(dir, &sf) == 0 && sf.f_type == VOL_BTRFS_MAGIC;
	/* Quota groups make a volume's size a limit (node_cmd_vol). */
	if (n->vol_btrfs && vol_sh_wait("btrfs quota enable \"$1\"", dir,
	    "") != 0)
		tf_warn("cannot enable btrfs quotas on %s: volume sizes are "
		    "not enforced", dir);
	tf_info("volumes in %s (%s)", dir, n->vol_btrfs ?
	    "btrfs: snapshots are subvolume snapshots, sizes are limits" :
	    "snapshots are copies and sizes are not enforced; use "
	    "--btrfs-volumes for both");
out:
	free(dir);
	return rc;
}

void
node_vol_stop(struct node *n)
{
	char *dir;

	if (!n->vol_mounted)
		return;
	/* Containers are gone by now; detach so a leftover reference (a
	 * shell cd'ed into it) cannot keep the node from stopping. */
	dir = tf_asprintf("%s/volumes", n->state_dir);
	if (umount2(dir, MNT_DETACH) != 0)
		tf_warn("cannot unmount %s: %s", dir, strerror(errno));
	free(dir);
	n->vol_mounted = false;
}

int
node_cmd_vol(struct node *n, const tf_msg *m, tf_err *err)
{
	char vol[NODE_ID_LEN], *dir, *data;
	const char *by;
	struct stat st;
	tf_vol_msg req;
	int64_t size;
	int rc = 0;

	if (tf_vol_unpack(m->params, &req, err) != 0)
		return -1;
	if (strlen(req.volume) >= sizeof vol) {
		tf_vol_free(&req);
		return tf_err_set(err, "bad volume id: too long");
	}
	snprintf(vol, sizeof vol, "%s", req.volume);
	size = req.size;
	tf_vol_free(&req);
	if (vol[0] == '\0')
		return tf_err_set(err, "missing parameter: volume");
	if (!rt_runc_id_valid(vol))
		return tf_err_set(err, "bad volume id: %s", vol);
	dir = vol_dir(n, vol);
	data = tf_asprintf("%s/data", dir);
	if (strcmp(m->cmd, "vol_create") == 0 && n->vol_btrfs) {
		/* The size is a limit on what the subvolume refers to (its
		 * qgroup): a write past it fails with EDQUOT in the
		 * container, as on a full disk. */
		char *script = tf_asprintf("set -e; "
		    "btrfs -q subvolume create \"$1/data\" >/dev/null; "
		    "if [ %lld -gt 0 ]; then "
		    "btrfs qgroup limit %lld \"$1/data\"; fi",
		    (long long)size, (long long)size);

		if (tf_mkdir_p(dir, 0755) != 0)
			rc = tf_err_errno(err, "cannot create %s", dir);
		else
			rc = vol_run(n, m, vol, "create", script, err);
		free(script);
		goto out;
	}
	if (strcmp(m->cmd, "vol_create") == 0) {
		if (tf_mkdir_p(data, 0755) != 0) {
			rc = tf_err_errno(err, "cannot create %s", data);
		} else {
			tf_info("volume %s created", vol);
			vol_reply(n, m->id, vol);
		}
		goto out;
	}
	if (stat(data, &st) != 0) {
		rc = tf_err_set(err, "volume %s is not on this node", vol);
		goto out;
	}
	if (strcmp(m->cmd, "vol_destroy") == 0) {
		if ((by = vol_mounted_by(n, vol)) != NULL) {
			rc = tf_err_set(err, "volume %s is mounted by container "
			    "%s", vol, by);
		} else if (n->vol_btrfs) {
			rc = vol_run(n, m, vol, "destroy", "cd \"$1\" || exit 1; "
			    "[ -d snapshot ] && btrfs -q subvolume delete snapshot; "
			    "btrfs -q subvolume delete data && cd / && rm -rf \"$1\"",
			    err);
		} else if (tf_rm_rf(dir) != 0) {
			rc = tf_err_errno(err, "cannot remove %s", dir);
		} else {
			tf_info("volume %s destroyed", vol);
			node_reply(n, m->id, NULL, NULL, 0);
		}
	} else if (strcmp(m->cmd, "vol_snapshot") == 0) {
		rc = vol_run(n, m, vol, "snapshot", n->vol_btrfs ?
		    "set -e; cd \"$1\"; if [ -d snapshot ]; then "
		    "btrfs -q subvolume delete snapshot; fi; "
		    "btrfs -q subvolume snapshot -r data snapshot >/dev/null" :
		    "set -e; cd \"$1\"; "
		    "rm -rf snapshot.tmp; cp -a --reflink=auto data snapshot.tmp; "
		    "rm -rf snapshot; mv snapshot.tmp snapshot", err);
	} else if (strcmp(m->cmd, "vol_rollback") == 0) {
		char *snap = tf_asprintf("%s/snapshot", dir);

		if (access(snap, F_OK) != 0)
			rc = tf_err_set(err, "volume %s has no snapshot", vol);
		else
			rc = vol_run(n, m, vol, "rollback", "set -e; cd \"$1\"; "
			    "find data -mindepth 1 -maxdepth 1 -exec rm -rf {} +; "
			    "cp -a --reflink=auto snapshot/. data/", err);
		free(snap);
	} else {
		rc = tf_err_set(err, "unknown volume command %s", m->cmd);
	}
out:
	free(dir);
	free(data);
	return rc;
}
