/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_daemon: service-manager notices and the reopenable log (tf_daemon.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tf_daemon.h"
#include "tf_log.h"

void
tf_daemon_notify_open(tf_notify *n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	memset(n, 0, sizeof *n);
	if (path == NULL)
		return;
	len = strlen(path);
	if ((path[0] == '/' || path[0] == '@') && len >= 2 &&
	    len < sizeof n->addr.sun_path) {
		n->addr.sun_family = AF_UNIX;
		memcpy(n->addr.sun_path, path, len);
		/* "@name" is the abstract namespace: a leading NUL, and the
		 * length says where the name ends. */
		if (path[0] == '@')
			n->addr.sun_path[0] = '\0';
		n->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + (path[0] == '/'));
	} else {
		tf_warn("%s: ignoring NOTIFY_SOCKET=%s", __func__, path);
	}
	unsetenv("NOTIFY_SOCKET");
}

static void
notify_send(const tf_notify *n, const char *msg)
{
	int fd;

	if (n->len == 0)
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (const struct sockaddr *)&n->addr, n->len) < 0)
		tf_warn("%s: cannot tell the service manager %s: %s",
		    __func__, msg, strerror(errno));
	if (fd >= 0)
		close(fd);
}

void
tf_daemon_ready(const tf_notify *n, const char *status)
{
	char msg[256];

	snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", status);
	notify_send(n, msg);
}

void
tf_daemon_reloading(const tf_notify *n)
{
	notify_send(n, "RELOADING=1");
}

void
tf_daemon_stopping(const tf_notify *n)
{
	notify_send(n, "STOPPING=1");
}

int
tf_daemon_log_open(const char *path, tf_err *err)
{
	int fd;

	/* dup2 onto fd 2 rather than freopen(stderr): the FILE stays the
	 * same object, so tf_log's sink stays valid. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return tf_err_set(err, "cannot open log %s: %s", path,
		    strerror(errno));
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) < 0) {
		int e = errno;

		close(fd);
		return tf_err_set(err, "cannot log to %s: %s", path,
		    strerror(e));
	}
	close(fd);
	return 0;
}

void
tf_daemon_malloc_tune(void)
{
	/* Setting either turns off glibc's sliding thresholds, so both are
	 * set: frames up to 1 MiB come from the heap, and up to 8 MiB free
	 * at its top stays mapped. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
}
