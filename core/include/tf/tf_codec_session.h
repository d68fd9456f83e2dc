/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The session family (docs/PROTOCOL.md, "Sessions, heartbeats,
 * resumption"): `hello` from a client or a node and the location's
 * `welcome` (the answer to it), one struct each; each side sends the fields
 * it has.  A node's hello also carries what it runs (tf_codec_report.h).
 * Both codecs are lenient (tf_codec.h): a field of the wrong type is left
 * out, as when absent, so that an older or newer peer still gets its
 * session.  See tf_codec.h.
 */
#ifndef TF_CODEC_SESSION_H
#define TF_CODEC_SESSION_H

#include "tf_codec.h"

/* hello {role, name, pid, session?, address?}: session to resume one,
 * address a node's underlay address (tf-node --advertise). */
typedef struct tf_hello_msg {
	uint64_t has;
	const char *role;	/* "client", "node" */
	const char *name;	/* the program, for people */
	int64_t pid;		/* not sent when 0 */
	const char *session;	/* not sent when "" */
	const char *address;	/* not sent when "" */
} tf_hello_msg;

/* welcome: to a client {session, user, user_name, admin, resumed,
 * heartbeat_ms, boot}; to a node {node, node_id, session, subnet, gateway,
 * resumed, heartbeat_ms}.  node_id, user and admin are sent when marked
 * with TF_SET; node, user_name, subnet and gateway when not "". */
typedef struct tf_welcome_msg {
	uint64_t has;
	const char *node;
	int64_t node_id;
	const char *session;
	int64_t user;
	const char *user_name;
	bool admin;
	const char *subnet;
	const char *gateway;
	bool resumed;
	int64_t heartbeat_ms;
	int64_t boot;		/* client: when the location's run began, ms
				 * since the epoch; not sent when 0 */
} tf_welcome_msg;

extern const tf_codec tf_hello_codec;
extern const tf_codec tf_welcome_codec;
TF_CODEC_DECLARE(tf_hello, tf_hello_msg);
TF_CODEC_DECLARE(tf_welcome, tf_welcome_msg);

#endif
