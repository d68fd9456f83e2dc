/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_msg: decoding and encoding of the two-frame wire messages described in
 * tf_msg.h and docs/PROTOCOL.md.  Decoding never trusts a length: the header
 * is structure-checked (tf_msgpack_check.c) before msgpack-c unpacks it, and
 * every accessor checks type and range.  Encoding goes through tf_out.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "tf_log.h"
#include "tf_msg.h"
#include "tf_msgpack_check.h"
#include "tf_util.h"
#include "tf_selftest.h"

/* ---- receiving --------------------------------------------------------- */

static void
msg_reset(tf_msg *m)
{
	memset(m, 0, sizeof *m);
	m->empty.type = MSGPACK_OBJECT_MAP;
	m->params = &m->empty;
}

/* Best effort: the id of a header that failed full validation, so that the
 * sender still gets an error reply for its request. */
static void
msg_salvage_id(tf_msg *m, const uint8_t *p, size_t len)
{
	size_t off = 1;

	/* Walk by hand: [fixarray, command str, id uint, ...]. */
	if (len < 3 || (p[0] & 0xf0) != 0x90)
		return;
	if ((p[off] & 0xe0) == 0xa0)
		off += 1 + (size_t)(p[off] & 0x1f);
	else if (p[off] == 0xd9)
		off += 2 + (size_t)p[off + 1];
	else
		return;
	if (off >= len)
		return;
	if (p[off] <= 0x7f) {
		m->id = p[off];
		return;
	}
	for (int w = 0; w < 4; w++) {
		int bytes = 1 << w;

		if (p[off] != 0xcc + w || off + (size_t)bytes >= len)
			continue;
		m->id = 0;
		for (int i = 1; i <= bytes; i++)
			m->id = (m->id << 8) | p[off + (size_t)i];
	}
}

int
tf_msg_decode(tf_msg *m, const void *data, size_t len, tf_err *err)
{
	const msgpack_object *a;
	const msgpack_object_str *cmd;

	m->empty.type = MSGPACK_OBJECT_MAP;
	m->params = &m->empty;
	/* First, so that every refusal below can still be answered with the
	 * request's id (a full decode sets it again). */
	m->id = 0;
	msg_salvage_id(m, data, len);
	if (len > TF_HEADER_MAX)
		return tf_err_set(err, "header of %zu bytes is over the %u byte limit",
		    len, TF_HEADER_MAX);
	if (tf_msgpack_check(data, len) != 0)
		return tf_err_set(err, "header is not well-formed msgpack");
	msgpack_unpacked_init(&m->unp);
	if (msgpack_unpack_next(&m->unp, data, len, NULL) != MSGPACK_UNPACK_SUCCESS)
		return tf_err_set(err, "header could not be unpacked");
	a = &m->unp.data;
	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 3)
		return tf_err_set(err, "header must be [command, id, params]");
	if (a->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return tf_err_set(err, "request id must be an unsigned integer");
	m->id = a->via.array.ptr[1].via.u64;
	if (a->via.array.ptr[0].type != MSGPACK_OBJECT_STR)
		return tf_err_set(err, "command must be a string");
	cmd = &a->via.array.ptr[0].via.str;
	if (cmd->size == 0 || cmd->size >= TF_CMD_MAX)
		return tf_err_set(err, "command must be 1 to %d characters",
		    TF_CMD_MAX - 1);
	for (uint32_t i = 0; i < cmd->size; i++) {
		unsigned char ch = (unsigned char)cmd->ptr[i];

		if (ch < 0x21 || ch > 0x7e)
			return tf_err_set(err, "command has a non-printable byte");
	}
	memcpy(m->cmd, cmd->ptr, cmd->size);
	m->cmd[cmd->size] = '\0';
	if (a->via.array.ptr[2].type != MSGPACK_OBJECT_MAP &&
	    a->via.array.ptr[2].type != MSGPACK_OBJECT_NIL)
		return tf_err_set(err, "params must be a map");
	if (a->via.array.ptr[2].type == MSGPACK_OBJECT_MAP) {
		const msgpack_object_map *mp = &a->via.array.ptr[2].via.map;

		for (uint32_t i = 0; i < mp->size; i++)
			if (mp->ptr[i].key.type != MSGPACK_OBJECT_STR)
				return tf_err_set(err, "param names must be strings");
		m->params = &a->via.array.ptr[2];
	}
	return 0;
}

int
tf_msg_recv(tf_msg *m, void *sock, bool router, tf_err *err)
{
	zmq_msg_t part, *frames;
	int more, rc = 1;
	size_t nparts = 0;
	const char *uid;

	msg_reset(m);
	zmq_msg_init(&part);
	if (zmq_msg_recv(&part, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&part);
		return 0;
	}
	frames = tf_calloc(2, sizeof *frames);
	m->frames = frames;

	/* ZeroMQ delivers all parts of a message at once, so the remaining
	 * frames are read without waiting. */
	if (router) {
		size_t n = zmq_msg_size(&part);

		if (n > TF_RID_MAX)
			n = TF_RID_MAX;
		memcpy(m->rid, zmq_msg_data(&part), n);
		m->rid_len = n;
		more = zmq_msg_more(&part);
		zmq_msg_close(&part);
		if (!more) {
			tf_err_set(err, "message without a header frame");
			return -1;
		}
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			tf_err_set(err, "lost the header frame");
			return -1;
		}
	}
	frames[0] = part;
	m->nframes = 1;
	nparts = 1;
	more = zmq_msg_more(&frames[0]);
	uid = zmq_msg_gets(&frames[0], "User-Id");
	if (uid != NULL)
		snprintf(m->user_id, sizeof m->user_id, "%s", uid);

	while (more) {
		zmq_msg_t extra;

		zmq_msg_init(&extra);
		if (zmq_msg_recv(&extra, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&extra);
			break;
		}
		more = zmq_msg_more(&extra);
		nparts++;
		if (nparts == 2) {
			frames[1] = extra;
			m->nframes = 2;
		} else {
			zmq_msg_close(&extra);
		}
	}

	if (tf_msg_decode(m, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]),
	    err) != 0)
		rc = -1;
	else if (nparts > 2)
		rc = tf_err_set(err, "message has %zu frames; at most 2 allowed",
		    nparts);
	else if (nparts == 2 && zmq_msg_size(&frames[1]) > TF_BULK_MAX)
		rc = tf_err_set(err, "bulk frame over the limit");
	if (rc == 1 && m->nframes == 2) {
		m->bulk = zmq_msg_data(&frames[1]);
		m->bulk_len = zmq_msg_size(&frames[1]);
	}
	return rc;
}

void
tf_msg_fini(tf_msg *m)
{
	zmq_msg_t *frames = m->frames;

	if (m->unp.zone != NULL)
		msgpack_unpacked_destroy(&m->unp);
	for (int i = 0; frames != NULL && i < m->nframes; i++)
		zmq_msg_close(&frames[i]);
	free(frames);
	m->frames = NULL;
	m->nframes = 0;
	m->params = &m->empty;
	m->bulk = NULL;
	m->bulk_len = 0;
}

/* ---- typed access ------------------------------------------------------ */

const msgpack_object *
tf_obj_get(const msgpack_object *map, const char *key)
{
	size_t klen = strlen(key);

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
		    (klen == 0 || memcmp(k->via.str.ptr, key, klen) == 0))
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

/* Absent (or nil) and not required: 1.  Absent and required: -1. */
static int
obj_absent(const msgpack_object *o, const char *key, bool required, tf_err *err)
{
	if (o != NULL && o->type != MSGPACK_OBJECT_NIL)
		return 0;
	if (required)
		return tf_err_set(err, "missing parameter: %s", key);
	return 1;
}

int
tf_obj_as_str(const msgpack_object *o, char *buf, size_t size)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= size)
		return -1;
	/* An empty str may have a NULL ptr: memchr/memcpy must not see it. */
	if (o->via.str.size == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return -1;
	memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	return 0;
}

int
tf_obj_str(const msgpack_object *map, const char *key, char *buf, size_t size,
	   bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_STR)
		return tf_err_set(err, "parameter %s must be a string", key);
	if (o->via.str.size >= size)
		return tf_err_set(err, "parameter %s is too long (%u bytes, at most %zu)",
		    key, o->via.str.size, size - 1);
	if (tf_obj_as_str(o, buf, size) != 0)
		return tf_err_set(err, "parameter %s contains a NUL byte", key);
	return 0;
}

int
tf_obj_int(const msgpack_object *map, const char *key, int64_t *out,
	   int64_t min, int64_t max, bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);
	int64_t v;

	if (rc != 0)
		return rc;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return tf_err_set(err, "parameter %s is out of range", key);
		v = (int64_t)o->via.u64;
	} else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		v = o->via.i64;
	} else {
		return tf_err_set(err, "parameter %s must be an integer", key);
	}
	if (v < min || v > max)
		return tf_err_set(err, "parameter %s must be between %" PRId64
		    " and %" PRId64, key, min, max);
	*out = v;
	return 0;
}

int
tf_obj_bool(const msgpack_object *map, const char *key, bool *out,
	    bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return tf_err_set(err, "parameter %s must be true or false", key);
	*out = o->via.boolean;
	return 0;
}

int
tf_obj_double(const msgpack_object *map, const char *key, double *out,
	      bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	switch (o->type) {
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		*out = o->via.f64;
		return 0;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		*out = (double)o->via.u64;
		return 0;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		*out = (double)o->via.i64;
		return 0;
	default:
		return tf_err_set(err, "parameter %s must be a number", key);
	}
}

int
tf_obj_bin(const msgpack_object *map, const char *key, const uint8_t **p,
	   size_t *len, size_t max, bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	if (o->type == MSGPACK_OBJECT_BIN) {
		*p = (const uint8_t *)o->via.bin.ptr;
		*len = o->via.bin.size;
	} else if (o->type == MSGPACK_OBJECT_STR) {
		*p = (const uint8_t *)o->via.str.ptr;
		*len = o->via.str.size;
	} else {
		return tf_err_set(err, "parameter %s must be binary", key);
	}
	if (*len > max)
		return tf_err_set(err, "parameter %s is too long (%zu bytes, at most %zu)",
		    key, *len, max);
	return 0;
}

int
tf_obj_array(const msgpack_object *map, const char *key,
	     const msgpack_object_array **out, size_t max, bool required,
	     tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return tf_err_set(err, "parameter %s must be a list", key);
	if (o->via.array.size > max)
		return tf_err_set(err, "parameter %s has %u items, at most %zu allowed",
		    key, o->via.array.size, max);
	*out = &o->via.array;
	return 0;
}

int
tf_obj_map(const msgpack_object *map, const char *key,
	   const msgpack_object **out, bool required, tf_err *err)
{
	const msgpack_object *o = tf_obj_get(map, key);
	int rc = obj_absent(o, key, required, err);

	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_MAP)
		return tf_err_set(err, "parameter %s must be a map", key);
	*out = o;
	return 0;
}

/* ---- building ---------------------------------------------------------- */

void
tf_out_init(tf_out *o, const char *cmd)
{
	assert(strlen(cmd) > 0 && strlen(cmd) < TF_CMD_MAX);
	snprintf(o->cmd, sizeof o->cmd, "%s", cmd);
	msgpack_sbuffer_init(&o->params);
	msgpack_packer_init(&o->pk, &o->params, msgpack_sbuffer_write);
	o->n = 0;
}

void
tf_out_fini(tf_out *o)
{
	msgpack_sbuffer_destroy(&o->params);
	o->n = 0;
}

void
tf_pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

msgpack_packer *
tf_out_key(tf_out *o, const char *key)
{
	o->n++;
	tf_pack_str(&o->pk, key);
	return &o->pk;
}

void
tf_out_str(tf_out *o, const char *key, const char *val)
{
	tf_pack_str(tf_out_key(o, key), val);
}

void
tf_out_strn(tf_out *o, const char *key, const char *val, size_t len)
{
	msgpack_packer *pk = tf_out_key(o, key);

	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, val, len);
}

void
tf_out_int(tf_out *o, const char *key, int64_t val)
{
	msgpack_pack_int64(tf_out_key(o, key), val);
}

void
tf_out_bool(tf_out *o, const char *key, bool val)
{
	msgpack_packer *pk = tf_out_key(o, key);

	if (val)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

void
tf_out_double(tf_out *o, const char *key, double val)
{
	msgpack_pack_double(tf_out_key(o, key), val);
}

void
tf_out_bin(tf_out *o, const char *key, const void *val, size_t len)
{
	msgpack_packer *pk = tf_out_key(o, key);

	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, val, len);
}

void
tf_out_nil(tf_out *o, const char *key)
{
	msgpack_pack_nil(tf_out_key(o, key));
}

void
tf_out_copy(tf_out *o, const msgpack_object *map, const char *const *skip)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];
		bool skipped = false;

		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		for (size_t s = 0; skip != NULL && skip[s] != NULL; s++) {
			if (kv->key.via.str.size == strlen(skip[s]) &&
			    (kv->key.via.str.size == 0 ||
			    memcmp(kv->key.via.str.ptr, skip[s],
			    kv->key.via.str.size) == 0))
				skipped = true;
		}
		if (skipped)
			continue;
		o->n++;
		msgpack_pack_object(&o->pk, kv->key);
		msgpack_pack_object(&o->pk, kv->val);
	}
}

void
tf_pack_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
	tf_pack_str(pk, key);
	if (val == NULL)
		msgpack_pack_nil(pk);
	else
		tf_pack_str(pk, val);
}

void
tf_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val)
{
	tf_pack_str(pk, key);
	msgpack_pack_int64(pk, val);
}

void
tf_pack_kv_double(msgpack_packer *pk, const char *key, double val)
{
	tf_pack_str(pk, key);
	msgpack_pack_double(pk, val);
}

void
tf_pack_kv_bool(msgpack_packer *pk, const char *key, bool val)
{
	tf_pack_str(pk, key);
	if (val)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* [command, id, {  -- everything of the header before o's params. */
static void
out_pack_head(msgpack_packer *pk, const tf_out *o, uint64_t id)
{
	msgpack_pack_array(pk, 3);
	tf_pack_str(pk, o->cmd);
	msgpack_pack_uint64(pk, id);
	msgpack_pack_map(pk, o->n);
}

static int
out_count_write(void *data, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)data += len;
	return 0;
}

size_t
tf_out_header_size(const tf_out *o, uint64_t id)
{
	msgpack_packer pk;
	size_t size = 0;

	/* Counted, not packed: this runs for every message sent. */
	msgpack_packer_init(&pk, &size, out_count_write);
	out_pack_head(&pk, o, id);
	return size + o->params.size;
}

int
tf_out_check_size(const tf_out *o, uint64_t id, tf_err *err)
{
	size_t size = tf_out_header_size(o, id);

	if (size <= TF_HEADER_MAX)
		return 0;
	errno = EMSGSIZE;
	return tf_err_set(err, "%s: the message is %zu bytes, over the %u byte "
	    "limit of a message header", o->cmd, size, TF_HEADER_MAX);
}

/* Sends [rid] header and then either bulk (copied by zmq_send) or frame
 * (a zmq_msg_t, handed over; closed here if it could not be). */
static int
out_send(tf_out *o, void *sock, const void *rid, size_t rid_len, uint64_t id,
	 const void *bulk, size_t bulk_len, zmq_msg_t *frame)
{
	msgpack_sbuffer hdr;
	msgpack_packer pk;
	bool more = bulk != NULL || frame != NULL;
	int rc = -1;

	/* The peer would refuse it unread, without knowing its id. */
	if (tf_out_check_size(o, id, NULL) != 0)
		goto out_frame;
	msgpack_sbuffer_init(&hdr);
	msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
	out_pack_head(&pk, o, id);
	msgpack_sbuffer_write(&hdr, o->params.data, o->params.size);

	if (rid != NULL &&
	    zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		goto out;
	if (zmq_send(sock, hdr.data, hdr.size,
	    (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
		goto out;
	if (frame != NULL) {
		if (zmq_msg_send(frame, sock, ZMQ_DONTWAIT) < 0)
			goto out;
		frame = NULL;		/* ZeroMQ has it */
	} else if (bulk != NULL &&
	    zmq_send(sock, bulk, bulk_len, ZMQ_DONTWAIT) < 0) {
		goto out;
	}
	rc = 0;
out:
	msgpack_sbuffer_destroy(&hdr);
out_frame:
	if (frame != NULL) {
		int e = errno;

		zmq_msg_close(frame);
		errno = e;
	}
	return rc;
}

void
tf_out_verror(tf_out *o, const char *fmt, va_list ap)
{
	char text[TF_ERR_LEN];

	vsnprintf(text, sizeof text, fmt, ap);
	tf_out_init(o, TF_ERROR_REPLY);
	tf_out_str(o, "error", text);
}

int
tf_out_send(tf_out *o, void *sock, const void *rid, size_t rid_len,
	    uint64_t id, const void *bulk, size_t bulk_len)
{
	return out_send(o, sock, rid, rid_len, id, bulk, bulk_len, NULL);
}

int
tf_out_send_frame(tf_out *o, void *sock, const void *rid, size_t rid_len,
		  uint64_t id, void *frame)
{
	return out_send(o, sock, rid, rid_len, id, NULL, 0, frame);
}

int
tf_msg_bulk_ref(const tf_msg *m, void *frame)
{
	zmq_msg_t *frames = m->frames;

	if (m->bulk == NULL || frames == NULL || m->nframes < 2)
		return -1;
	zmq_msg_init(frame);
	/* A reference count on large frames, a copy of small ones. */
	if (zmq_msg_copy(frame, &frames[1]) != 0) {
		zmq_msg_close(frame);
		return -1;
	}
	return 0;
}

int
tf_send_error(void *sock, const void *rid, size_t rid_len, uint64_t id,
	      const char *fmt, ...)
{
	va_list ap;
	tf_out o;
	int rc;

	va_start(ap, fmt);
	tf_out_verror(&o, fmt, ap);
	va_end(ap);
	rc = tf_out_send(&o, sock, rid, rid_len, id, NULL, 0);
	tf_out_fini(&o);
	return rc;
}

/* ---- selftest ---------------------------------------------------------- */

static void
msg_test_decode_bad(const void *data, size_t len)
{
	tf_msg m;
	tf_err err;

	memset(&m, 0, sizeof m);
	m.params = &m.empty;
	TF_TEST_CHECK(tf_msg_decode(&m, data, len, &err) == -1);
	TF_TEST_CHECK(err.msg[0] != '\0');
	tf_msg_fini(&m);
}

/* A header of exactly len bytes (len > 64 KiB): [cmd, id, {"v": bin}].
 * Caller frees. */
static uint8_t *
msg_test_header(const char *cmd, uint64_t id, size_t len)
{
	msgpack_sbuffer head;
	msgpack_packer pk;
	uint8_t *p;

	msgpack_sbuffer_init(&head);
	msgpack_packer_init(&pk, &head, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	tf_pack_str(&pk, cmd);
	msgpack_pack_uint64(&pk, id);
	msgpack_pack_map(&pk, 1);
	tf_pack_str(&pk, "v");
	/* The bin's own header is 5 bytes (bin 32) whatever the length. */
	msgpack_pack_bin(&pk, len - head.size - 5);
	TF_TEST_CHECK(head.size < len);
	p = tf_malloc(len);
	memcpy(p, head.data, head.size);
	memset(p + head.size, 'x', len - head.size);
	msgpack_sbuffer_destroy(&head);
	return p;
}

/* Refusals still carry the request's id, so the sender gets its "!". */
static void
msg_test_salvage(void)
{
	static const uint64_t ids[] = { 0, 5, 0x80, 0x1234, 0x12345678,
	    0x123456789abcULL, UINT64_MAX };
	tf_msg m;
	tf_err err;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		uint8_t *big = msg_test_header("kv_set", ids[i],
		    TF_HEADER_MAX + 1);

		memset(&m, 0, sizeof m);
		TF_TEST_CHECK(tf_msg_decode(&m, big, TF_HEADER_MAX + 1, &err) == -1);
		TF_TEST_CHECK(strstr(err.msg, "limit") != NULL);
		TF_TEST_CHECK(m.id == ids[i]);
		tf_msg_fini(&m);
		free(big);
		/* At the limit it is fine. */
		big = msg_test_header("kv_set", ids[i], TF_HEADER_MAX);
		memset(&m, 0, sizeof m);
		TF_TEST_CHECK(tf_msg_decode(&m, big, TF_HEADER_MAX, &err) == 0);
		TF_TEST_CHECK(m.id == ids[i] && strcmp(m.cmd, "kv_set") == 0);
		tf_msg_fini(&m);
		free(big);
	}
	/* Well-formed msgpack of the wrong shape: four items. */
	memset(&m, 0, sizeof m);
	TF_TEST_CHECK(tf_msg_decode(&m, "\x94\xa1x\xcd\x12\x34\x80\xc0", 8,
	    &err) == -1);
	TF_TEST_CHECK(m.id == 0x1234);
	tf_msg_fini(&m);
	/* A lying length after a readable id. */
	memset(&m, 0, sizeof m);
	TF_TEST_CHECK(tf_msg_decode(&m, "\x93\xa1x\x2a\xdf\xff\xff\xff\xff", 9,
	    &err) == -1);
	TF_TEST_CHECK(m.id == 42);
	tf_msg_fini(&m);
	/* No id to be had. */
	memset(&m, 0, sizeof m);
	m.id = 99;
	TF_TEST_CHECK(tf_msg_decode(&m, "\x93\xa1x\xa1y\x80", 6, &err) == -1);
	TF_TEST_CHECK(m.id == 0);
	tf_msg_fini(&m);
}

/* tf_out_header_size is what tf_out_send makes, and the limit holds. */
static void
msg_test_out_size(void)
{
	static const uint64_t ids[] = { 0, 0x7f, 0x80, 0xffff, 0x10000,
	    UINT64_MAX };
	msgpack_sbuffer hdr;
	msgpack_packer pk;
	tf_out o;
	tf_err err;
	size_t head;
	char *pad;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		tf_out_init(&o, "spawn");
		for (int k = 0; k < 20; k++)
			tf_out_int(&o, "n", k);
		msgpack_sbuffer_init(&hdr);
		msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 3);
		tf_pack_str(&pk, "spawn");
		msgpack_pack_uint64(&pk, ids[i]);
		msgpack_pack_map(&pk, 20);
		TF_TEST_CHECK(tf_out_header_size(&o, ids[i]) ==
		    hdr.size + o.params.size);
		msgpack_sbuffer_destroy(&hdr);
		tf_out_fini(&o);
	}
	/* A str value that brings the header to exactly the limit passes;
	 * one byte more is refused, naming the command. */
	tf_out_init(&o, "kv_set");
	head = tf_out_header_size(&o, 7) + 2 + 5;	/* key "v", str 32 */
	tf_out_fini(&o);
	pad = tf_malloc(TF_HEADER_MAX);
	memset(pad, 'v', TF_HEADER_MAX);
	tf_out_init(&o, "kv_set");
	tf_out_strn(&o, "v", pad, TF_HEADER_MAX - head);
	TF_TEST_CHECK(tf_out_header_size(&o, 7) == TF_HEADER_MAX);
	TF_TEST_CHECK(tf_out_check_size(&o, 7, &err) == 0);
	tf_out_fini(&o);
	tf_out_init(&o, "kv_set");
	tf_out_strn(&o, "v", pad, TF_HEADER_MAX - head + 1);
	errno = 0;
	TF_TEST_CHECK(tf_out_check_size(&o, 7, &err) == -1 && errno == EMSGSIZE);
	TF_TEST_CHECK(strstr(err.msg, "kv_set") != NULL);
	TF_TEST_CHECK(tf_out_send(&o, NULL, NULL, 0, 7, NULL, 0) == -1 &&
	    errno == EMSGSIZE);
	tf_out_fini(&o);
	free(pad);
}

void
tf_msg_test(bool verbose)
{
	msgpack_sbuffer hdr;
	msgpack_packer pk;
	tf_msg m;
	tf_err err;
	char buf[64];
	int64_t v;
	bool b;

	if (verbose)
		tf_info("tf_msg_test");
	/* A good header round-trips. */
	msgpack_sbuffer_init(&hdr);
	msgpack_packer_init(&pk, &hdr, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	tf_pack_str(&pk, "spawn");
	msgpack_pack_uint64(&pk, 42);
	msgpack_pack_map(&pk, 3);
	tf_pack_kv_str(&pk, "image", "busybox");
	tf_pack_kv_int(&pk, "n", -5);
	tf_pack_kv_bool(&pk, "sleep", true);
	memset(&m, 0, sizeof m);
	TF_TEST_CHECK(tf_msg_decode(&m, hdr.data, hdr.size, &err) == 0);
	TF_TEST_CHECK(strcmp(m.cmd, "spawn") == 0 && m.id == 42);
	TF_TEST_CHECK(tf_msg_str(&m, "image", buf, sizeof buf, true, &err) == 0);
	TF_TEST_CHECK(strcmp(buf, "busybox") == 0);
	TF_TEST_CHECK(tf_msg_str(&m, "image", buf, 4, true, &err) == -1);
	TF_TEST_CHECK(tf_msg_int(&m, "n", &v, -10, 10, true, &err) == 0 && v == -5);
	TF_TEST_CHECK(tf_msg_int(&m, "n", &v, 0, 10, true, &err) == -1);
	TF_TEST_CHECK(tf_msg_int(&m, "image", &v, 0, 10, true, &err) == -1);
	TF_TEST_CHECK(tf_msg_bool(&m, "sleep", &b, true, &err) == 0 && b);
	TF_TEST_CHECK(tf_msg_bool(&m, "missing", &b, false, &err) == 1);
	TF_TEST_CHECK(tf_msg_bool(&m, "missing", &b, true, &err) == -1);
	tf_msg_fini(&m);

	/* Every truncation of it is refused, never a crash. */
	for (size_t cut = 0; cut < hdr.size; cut++)
		msg_test_decode_bad(hdr.data, cut);
	/* A lying array count. */
	msg_test_decode_bad("\x93\xa1x\x01\xdd\xff\xff\xff\xff", 9);
	/* Wrong types. */
	msg_test_decode_bad("\x93\x01\x01\x80", 4);
	msg_test_decode_bad("\x93\xa1x\xa1y\x80", 6);
	msg_test_decode_bad("\x93\xa1x\x01\x01", 5);
	/* Deep nesting. */
	{
		uint8_t deep[64];

		deep[0] = 0x93; deep[1] = 0xa1; deep[2] = 'x'; deep[3] = 0x01;
		memset(deep + 4, 0x91, 40);
		deep[44] = 0xc0;
		msg_test_decode_bad(deep, 45);
	}
	msgpack_sbuffer_destroy(&hdr);
	/* An empty string, as a decoder may hand it over: no pointer. */
	{
		msgpack_object empty = { .type = MSGPACK_OBJECT_STR };

		buf[0] = 'x';
		TF_TEST_CHECK(tf_obj_as_str(&empty, buf, sizeof buf) == 0 &&
		    buf[0] == '\0');
		free(tf_strndup(NULL, 0));
	}
	msg_test_salvage();
	msg_test_out_size();
}
