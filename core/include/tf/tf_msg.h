/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_msg: the wire format.  Every message is one or two ZeroMQ frames:
 *
 *   frame 1  msgpack array [command: str, id: uint, params: map]
 *   frame 2  optional raw bulk bytes (file, tunnel and output data), never
 *            re-encoded
 *
 * On a ROUTER socket a routing-id frame comes first.  Replies reuse the
 * request id with a one-character command: "^" final reply, "!" error
 * (params {error: str}), "~" one item of a long-lived stream that stays open
 * until a "^" or "!" with the same id.  id 0 means "no reply wanted".
 *
 * Decoding checks the header's msgpack structure against the bytes present
 * before msgpack-c allocates anything, so a hostile length cannot make us
 * allocate; every accessor checks type and range.  See docs/PROTOCOL.md.
 */
#ifndef TF_MSG_H
#define TF_MSG_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

#define TF_CMD_MAX	 32
#define TF_RID_MAX	 256
#define TF_HEADER_MAX	 (1u << 20)	/* header frame bytes */
#define TF_BULK_MAX	 (8u << 20)	/* bulk frame bytes */
#define TF_CHUNK	 (256u << 10)	/* preferred bulk chunk for streams */
#define TF_MAXMSGSIZE	 ((int64_t)TF_BULK_MAX + TF_HEADER_MAX)

#define TF_REPLY  "^"
#define TF_ERROR_REPLY "!"
#define TF_STREAM "~"

typedef struct tf_msg {
	char cmd[TF_CMD_MAX];
	uint64_t id;
	const msgpack_object *params;	/* always a map (maybe empty) */
	const uint8_t *bulk;		/* NULL when there is no bulk frame */
	size_t bulk_len;
	/* ROUTER side only: the sender's routing id and ZAP User-Id. */
	uint8_t rid[TF_RID_MAX];
	size_t rid_len;
	char user_id[64];
	/* private */
	msgpack_unpacked unp;
	msgpack_object empty;
	void *frames;			/* zmq_msg_t[2] */
	int nframes;
} tf_msg;

/* Receives one message without blocking.  Returns 1 with *m filled, 0 if
 * nothing was waiting, -1 if a message arrived but was malformed: err says
 * why, and on a ROUTER m->rid (and m->id when readable) are still set so the
 * caller can answer with an error.  Always call tf_msg_fini() after 1 or -1. */
int tf_msg_recv(tf_msg *m, void *sock, bool router, tf_err *err);
void tf_msg_fini(tf_msg *m);

/* Decodes a header frame already in memory (used by tests and fuzzers). */
int tf_msg_decode(tf_msg *m, const void *data, size_t len, tf_err *err);

/* Kind of reply. */
static inline bool tf_msg_is_reply(const tf_msg *m) { return m->cmd[0] == '^' && !m->cmd[1]; }
static inline bool tf_msg_is_error(const tf_msg *m) { return m->cmd[0] == '!' && !m->cmd[1]; }
static inline bool tf_msg_is_stream(const tf_msg *m) { return m->cmd[0] == '~' && !m->cmd[1]; }
static inline bool tf_msg_is_answer(const tf_msg *m)
{ return (m->cmd[0] == '^' || m->cmd[0] == '!' || m->cmd[0] == '~') && !m->cmd[1]; }

/*
 * Typed access to params (and to any nested map with tf_obj_*).  The
 * getters return 0 when the key was found and valid, 1 when it is absent and
 * not required, -1 (err set to a message naming the key) otherwise.
 */
const msgpack_object *tf_obj_get(const msgpack_object *map, const char *key);
int tf_obj_str(const msgpack_object *map, const char *key, char *buf,
	       size_t size, bool required, tf_err *err);
int tf_obj_int(const msgpack_object *map, const char *key, int64_t *out,
	       int64_t min, int64_t max, bool required, tf_err *err);
int tf_obj_bool(const msgpack_object *map, const char *key, bool *out,
		bool required, tf_err *err);
int tf_obj_double(const msgpack_object *map, const char *key, double *out,
		  bool required, tf_err *err);
/* Accepts bin or str; the pointer borrows from the message. */
int tf_obj_bin(const msgpack_object *map, const char *key, const uint8_t **p,
	       size_t *len, size_t max, bool required, tf_err *err);
/* An array (possibly empty) of at most max items. */
int tf_obj_array(const msgpack_object *map, const char *key,
		 const msgpack_object_array **out, size_t max, bool required,
		 tf_err *err);
int tf_obj_map(const msgpack_object *map, const char *key,
	       const msgpack_object **out, bool required, tf_err *err);
/* Copies a str object into buf; -1 if not a str or it does not fit. */
int tf_obj_as_str(const msgpack_object *o, char *buf, size_t size);

#define tf_msg_str(m, k, b, s, r, e)     tf_obj_str((m)->params, k, b, s, r, e)
#define tf_msg_int(m, k, o, lo, hi, r, e) tf_obj_int((m)->params, k, o, lo, hi, r, e)
#define tf_msg_bool(m, k, o, r, e)       tf_obj_bool((m)->params, k, o, r, e)
#define tf_msg_bin(m, k, p, l, x, r, e)  tf_obj_bin((m)->params, k, p, l, x, r, e)

/*
 * tf_out builds a message: tf_out_init(&o, "spawn"), then one call per
 * param, then tf_out_send (or hand it to tf_conn_request).  Nested values:
 * tf_out_key() packs the key and returns the packer for exactly one value.
 */
typedef struct tf_out {
	char cmd[TF_CMD_MAX];
	msgpack_sbuffer params;
	msgpack_packer pk;
	uint32_t n;
} tf_out;

void tf_out_init(tf_out *o, const char *cmd);
void tf_out_fini(tf_out *o);
void tf_out_str(tf_out *o, const char *key, const char *val);
void tf_out_strn(tf_out *o, const char *key, const char *val, size_t len);
void tf_out_int(tf_out *o, const char *key, int64_t val);
void tf_out_bool(tf_out *o, const char *key, bool val);
void tf_out_double(tf_out *o, const char *key, double val);
void tf_out_bin(tf_out *o, const char *key, const void *val, size_t len);
void tf_out_nil(tf_out *o, const char *key);
msgpack_packer *tf_out_key(tf_out *o, const char *key);
/* Copies every entry of a decoded map except the listed keys. */
void tf_out_copy(tf_out *o, const msgpack_object *map, const char *const *skip);

/* Packing helpers for nested values. */
void tf_pack_str(msgpack_packer *pk, const char *s);
void tf_pack_kv_str(msgpack_packer *pk, const char *key, const char *val);
void tf_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val);
void tf_pack_kv_double(msgpack_packer *pk, const char *key, double val);
void tf_pack_kv_bool(msgpack_packer *pk, const char *key, bool val);

/* The size of the header frame o makes when sent with id. */
size_t tf_out_header_size(const tf_out *o, uint64_t id);
/* 0 if that header is within TF_HEADER_MAX; else -1 with errno EMSGSIZE and
 * err naming the command and both sizes.  Nothing larger is ever sent: the
 * peer refuses it unread. */
int tf_out_check_size(const tf_out *o, uint64_t id, tf_err *err);

/* Sends [rid] header [bulk] without blocking.  rid may be NULL (DEALER).
 * Returns 0, or -1 with errno (EAGAIN when the peer's queue is full,
 * EHOSTUNREACH for an unknown routing id, EMSGSIZE for a header over
 * TF_HEADER_MAX, which is not sent). */
int tf_out_send(tf_out *o, void *sock, const void *rid, size_t rid_len,
		uint64_t id, const void *bulk, size_t bulk_len);

/* tf_out_send with the bulk frame handed over instead of copied: frame
 * is a zmq_msg_t, taken in every case (sent, or closed on failure).
 * Large frames then cost no copy of their bytes on the way out. */
int tf_out_send_frame(tf_out *o, void *sock, const void *rid, size_t rid_len,
		      uint64_t id, void *frame);

/* Makes *frame (a zmq_msg_t) a reference to m's bulk frame: ZeroMQ shares
 * the bytes of a large frame between references, so forwarding a message
 * as it came (the location) copies none of them.  -1 when m has no bulk
 * frame. */
int tf_msg_bulk_ref(const tf_msg *m, void *frame);

/* Error reply "!" {error: text}. */
int tf_send_error(void *sock, const void *rid, size_t rid_len, uint64_t id,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Renders a decoded object as JSON into a growing string (tfresources). */
char *tf_obj_to_json(const msgpack_object *o, bool pretty);

void tf_msg_test(bool verbose);

#endif
