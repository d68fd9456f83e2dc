/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli: shared plumbing of the command-line programs (tf, tfresources,
 * tfcache, tfvolumes, tflocations, tfacctbak): connecting with the saved
 * account, and printing one clear line on failure.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

#include "tf_call.h"
#include "tf_conn.h"
#include "tf_keys.h"
#include "tf_log.h"
#include "tf_loop.h"
#include "tf.h"

struct cli_conn {
	tf_loop *loop;
	tf_conn *conn;
	tf_account acct;
};

/* Connects to location (NULL: the default) and waits for the welcome.
 * address overrides where to connect (--local).  Prints the error and
 * returns -1 on failure. */
int cli_connect(struct cli_conn *cc, const char *prog, const char *location,
		const char *address, int timeout_ms);
void cli_disconnect(struct cli_conn *cc);

/* Waits for the first resource offer after the welcome; returns a copy. */
int cli_wait_offer(struct cli_conn *cc, tf_reply *offer, int timeout_ms);

/* Connects through the SDK (tf.h) for the utilities that use it; prints
 * "prog: message" on stderr and returns NULL on failure. */
tf_location *cli_location_open(const char *prog, const char *location,
			       const char *address);

/* "true"/"yes"/"1" -> 1, "false"/"no"/"0" -> 0, else -1. */
int cli_bool(const char *s);

/* "tf account LOCATION TOKEN [ADDRESS]": creates and saves an account. */
int cli_account_create(const char *prog, const char *location,
		       const char *token, const char *address);

#endif
