/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf --systemd: the tf command line as a systemd service (tf_systemd.c).
 */
#ifndef TF_SYSTEMD_H
#define TF_SYSTEMD_H

#include <stdbool.h>

/* Exit statuses of tf --systemd, in tf's usage text and tf(1). */
enum {
	TF_SYSTEMD_USAGE = 2,
	TF_SYSTEMD_FAILED = 10,		/* nothing (usable) was installed */
	TF_SYSTEMD_NOT_STARTED = 11,	/* the unit is written, not started */
};

struct tf_systemd {
	const char *target;		/* [USER@]HOST, or NULL: this machine */
	const char *identity;		/* ssh -i, or NULL */
};

/* Writes the unit for tf's own argv (less --systemd/--identity), copies
 * its -f files beside it, installs and starts it.  0 or an exit status. */
int tf_systemd_install(const struct tf_systemd *sd, const char *image,
		       bool interactive, int argc, char **argv);

#endif
