/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_ns: create, enter, leave, list and delete named network namespaces
 * under /run/netns, compatible with iproute2's `ip netns`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_ns.h"

/* The calling thread's own namespace (not the thread group leader's, which
 * /proc/self would give). */
#define NS_SELF "/proc/thread-self/ns/net"

int
net_ns_path(const char *name, char *buf, size_t size, tf_err *err)
{
	if (!tf_snprintf(buf, size, "%s/%s", NET_NS_DIR, name))
		return tf_err_set(err, "network namespace name too long: %s",
		    name);
	return 0;
}

/*
 * The bind mounts naming namespaces must not be copied, alive, into mount
 * namespaces made later (a service with PrivateTmp, say): such a copy would
 * keep a deleted container's namespace, veth and firewall alive.  Making
 * the directory a shared mount point lets our unmount propagate to the
 * copies.  This is what `ip netns add` does too, and it is idempotent.
 */
static int
ns_dir_prepare(tf_err *err)
{
	if (mkdir(NET_NS_DIR, 0755) != 0 && errno != EEXIST)
		return tf_err_errno(err, "creating %s", NET_NS_DIR);
	if (mount("", NET_NS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return tf_err_errno(err, "making %s a shared mount",
		    NET_NS_DIR);
	/* Not a mount point yet: make it one, then share it. */
	if (mount(NET_NS_DIR, NET_NS_DIR, "none", MS_BIND | MS_REC, NULL) != 0)
		return tf_err_errno(err, "bind-mounting %s", NET_NS_DIR);
	if (mount("", NET_NS_DIR, "none", MS_SHARED | MS_REC, NULL) != 0)
		return tf_err_errno(err, "making %s a shared mount",
		    NET_NS_DIR);
	return 0;
}

void
net_ns_leave(struct net_ns_saved *saved)
{
	if (saved->fd < 0)
		return;
	if (setns(saved->fd, CLONE_NEWNET) != 0)
		tf_panic("cannot return to the node's network namespace: %s",
		    strerror(errno));
	close(saved->fd);
	saved->fd = -1;
}

int
net_ns_create_enter(const char *name, struct net_ns_saved *saved,
    tf_err *err)
{
	char path[256];
	int fd;

	saved->fd = -1;
	if (net_ns_path(name, path, sizeof path, err) != 0)
		return -1;
	if (ns_dir_prepare(err) != 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return tf_err_set(err, "network namespace %s exists",
			    name);
		return tf_err_errno(err, "creating %s", path);
	}
	close(fd);
	saved->fd = open(NS_SELF, O_RDONLY | O_CLOEXEC);
	if (saved->fd < 0) {
		tf_err_errno(err, "opening %s", NS_SELF);
		unlink(path);
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		tf_err_errno(err, "creating network namespace %s", name);
		close(saved->fd);
		saved->fd = -1;
		unlink(path);
		return -1;
	}
	if (mount(NS_SELF, path, "none", MS_BIND, NULL) != 0) {
		tf_err_errno(err, "naming network namespace %s", name);
		net_ns_leave(saved);
		unlink(path);
		return -1;
	}
	return 0;
}

int
net_ns_enter(const char *path, struct net_ns_saved *saved, tf_err *err)
{
	int fd;

	saved->fd = open(NS_SELF, O_RDONLY | O_CLOEXEC);
	if (saved->fd < 0)
		return tf_err_errno(err, "opening %s", NS_SELF);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			tf_err_set(err, "no network namespace %s", path);
		else
			tf_err_errno(err, "opening %s", path);
		close(saved->fd);
		saved->fd = -1;
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) != 0) {
		tf_err_errno(err, "entering network namespace %s", path);
		close(fd);
		close(saved->fd);
		saved->fd = -1;
		return -1;
	}
	close(fd);
	return 0;
}

int
net_ns_delete(const char *name, tf_err *err)
{
	char path[256];

	if (net_ns_path(name, path, sizeof path, err) != 0)
		return -1;
	/* MNT_DETACH: a process that has the file open keeps its reference,
	 * the name goes now.  EINVAL: it was not mounted (a half-made one). */
	if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL &&
	    errno != ENOENT)
		return tf_err_errno(err, "unmounting %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return tf_err_errno(err, "removing %s", path);
	return 0;
}

int
net_ns_list(const char *prefix, net_ns_fn fn, void *arg, tf_err *err)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *dir;
	int count = 0;

	dir = opendir(NET_NS_DIR);
	if (dir == NULL) {
		if (errno == ENOENT)
			return 0;
		return tf_err_errno(err, "listing %s", NET_NS_DIR);
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, plen))
			continue;
		fn(de->d_name, arg);
		count++;
	}
	closedir(dir);
	return count;
}
