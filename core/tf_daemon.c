/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_daemon: service-manager notices and the reopenable log (tf_daemon.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "tf_daemon.h"
#include "tf_log.h"

int
tf_daemon_log_open(const char *path, tf_err *err)
{
	int fd;

	/* dup2 onto fd 2 rather than freopen(stderr): the FILE stays the
	 * same object, so tf_log's sink and any buffered state stay valid. */
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
tf_daemon_ready(const char *status)
{
	int rc = sd_notifyf(0, "READY=1\nSTATUS=%s", status);

	if (rc < 0)
		tf_warn("%s: sd_notify: %s", __func__, strerror(-rc));
}

void
tf_daemon_reloading(void)
{
	(void)sd_notify(0, "RELOADING=1");
}

void
tf_daemon_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}
