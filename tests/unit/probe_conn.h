/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_conn: the raw client of a live location that the protocol probes
 * (proto_fuzz, name_probe) share: a DEALER socket with the CURVE keys of
 * the account in $TF_DIR that has said hello and been welcomed, and a
 * receive that waits for the answer to one request.
 */
#ifndef PROBE_CONN_H
#define PROBE_CONN_H

#include <stdint.h>

#include "tf_err.h"
#include "tf_msg.h"

/* The socket, welcomed under the client name `name` (its hello has id 1);
 * NULL with err set when the account cannot be read or no welcome came
 * within timeout_ms. */
void *probe_connect(void *ctx, const char *name, int timeout_ms, tf_err *err);
/* Waits for the answer to request id, dropping pushes and heartbeats:
 * 0 with *m to tf_msg_fini, -1 when timeout_ms passed. */
int probe_recv_answer(void *sock, uint64_t id, tf_msg *m, int timeout_ms);

#endif
