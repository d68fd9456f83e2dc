/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_ns: named network namespaces, kept alive by a bind mount under
 * /run/netns exactly as `ip netns add` does, so that `ip netns exec`,
 * `ip -n` and runc's {"type": "network", "path": ...} all find them.
 *
 * Entering a namespace moves only the calling thread (setns is per thread
 * for CLONE_NEWNET), so a daemon whose libraries run threads of their own
 * is not disturbed; the thread always comes back with net_ns_leave().
 */
#ifndef NET_NS_H
#define NET_NS_H

#include <stddef.h>

#include "tf_err.h"

#define NET_NS_DIR "/run/netns"

/* The namespace the thread was in before it entered another. */
struct net_ns_saved {
	int fd;
};

/* NET_NS_DIR "/" name into buf; -1 if it does not fit. */
int net_ns_path(const char *name, char *buf, size_t size, tf_err *err);

/* Makes a new namespace, names it, and leaves the calling thread inside it
 * (the caller then configures it and calls net_ns_leave).  Fails if the
 * name is taken. */
int net_ns_create_enter(const char *name, struct net_ns_saved *saved,
    tf_err *err);
/* Moves the calling thread into the namespace at path. */
int net_ns_enter(const char *path, struct net_ns_saved *saved, tf_err *err);
/* Moves the thread back.  Cannot fail: a thread stuck in a container's
 * namespace would corrupt every later socket, so failure aborts. */
void net_ns_leave(struct net_ns_saved *saved);

/* Unnames the namespace; the kernel frees it once nothing else (a process,
 * an open fd) holds it.  A name that does not exist is not an error. */
int net_ns_delete(const char *name, tf_err *err);

/* Calls fn for every named namespace whose name starts with prefix.
 * Returns the number of calls, or -1. */
typedef void (*net_ns_fn)(const char *name, void *arg);
int net_ns_list(const char *prefix, net_ns_fn fn, void *arg, tf_err *err);

#endif
