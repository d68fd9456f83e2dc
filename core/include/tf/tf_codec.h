/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec: one table per message family says how a plain C struct maps to
 * a msgpack map, and these functions pack and unpack any such struct.  The
 * wire key of a field is its C member name (the TF_F_* macros stringify
 * it), so every key of the protocol is written once, in the struct of its
 * family (core/include/tf/tf_codec_<family>.h).  See docs/PROTOCOL.md,
 * "How to add a message".
 *
 * Conventions of a codec struct:
 *   - its first member is `uint64_t has`: unpacking sets bit i when field i
 *     of the table was present (TF_HAS() reads it);
 *   - strings are `const char *`; a list of strings, a binary value or a
 *     list of structs is a pointer plus a `size_t n_<name>` member.
 *
 * Unpacking validates everything: types, string lengths and NULs, integer
 * ranges, list sizes, required fields.  On success strings and lists are
 * owned by the struct (free with tf_codec_free); binary values and raw maps
 * borrow from the msgpack object they came from.  An absent string reads
 * as "" (never NULL), an absent list as NULL with count 0.  On failure the
 * struct is left zeroed and err names the field.
 */
#ifndef TF_CODEC_H
#define TF_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "tf_err.h"
#include "tf_msg.h"

enum tf_ftype {
	TF_FT_STR,	/* const char *; max = longest length in bytes */
	TF_FT_INT,	/* int64_t in [min, max] */
	TF_FT_BOOL,	/* bool */
	TF_FT_DOUBLE,	/* double */
	TF_FT_STRV,	/* const char *const *, NULL-terminated when unpacked; n_<name> */
	TF_FT_BIN,	/* const uint8_t *; n_<name> bytes (bin, or str accepted) */
	TF_FT_MAP,	/* const msgpack_object *: any map, passed through as is */
	TF_FT_LIST,	/* pointer to sub structs; n_<name> items */
	TF_FT_STRUCT,	/* an embedded sub struct, packed as a map */
	TF_FT_OBJ,	/* const msgpack_object *: any value, passed through */
	TF_FT_NUM,	/* double; packed as an integer when it is whole, so
			 * a count kept as an integer goes out as one */
};

#define TF_FF_REQUIRED	0x1	/* unpack: absent (or nil) is an error */
#define TF_FF_OPT	0x2	/* pack: left out when 0, "", NULL, false or empty */
#define TF_FF_HAS	0x4	/* pack: sent only when set with TF_SET() */

typedef struct tf_codec tf_codec;

typedef struct tf_field {
	const char *name;
	uint8_t type;
	uint8_t flags;
	size_t off;
	size_t count_off;	/* STRV, BIN, LIST */
	int64_t min, max;	/* INT range; max bytes (STR, BIN) or items */
	const tf_codec *sub;	/* LIST, STRUCT */
} tf_field;

struct tf_codec {
	const char *name;	/* for error messages */
	size_t size;		/* sizeof the struct */
	size_t has_off;
	const tf_field *fields;
	size_t nfields;
	bool tuple;		/* packed as an array in field order */
	/* Unpack: a field of the wrong type (or too long, or with too many
	 * items) is left out as if absent instead of refusing the whole
	 * value; required fields are still checked.  For records a client
	 * displays (tf_codec_offer.h): one odd field must not hide the rest. */
	bool lenient;
};

/* Table entries: T is the struct type, f the member (and wire key). */
#define TF_F_STR(T, f, mx, fl) \
	{ #f, TF_FT_STR, fl, offsetof(T, f), 0, 0, mx, NULL }
#define TF_F_INT(T, f, lo, hi, fl) \
	{ #f, TF_FT_INT, fl, offsetof(T, f), 0, lo, hi, NULL }
#define TF_F_BOOL(T, f, fl) \
	{ #f, TF_FT_BOOL, fl, offsetof(T, f), 0, 0, 0, NULL }
#define TF_F_DOUBLE(T, f, fl) \
	{ #f, TF_FT_DOUBLE, fl, offsetof(T, f), 0, 0, 0, NULL }
#define TF_F_STRV(T, f, items, fl) \
	{ #f, TF_FT_STRV, fl, offsetof(T, f), offsetof(T, n_##f), 0, items, NULL }
#define TF_F_BIN(T, f, mx, fl) \
	{ #f, TF_FT_BIN, fl, offsetof(T, f), offsetof(T, n_##f), 0, mx, NULL }
#define TF_F_MAP(T, f, fl) \
	{ #f, TF_FT_MAP, fl, offsetof(T, f), 0, 0, 0, NULL }
#define TF_F_NUM(T, f, fl) \
	{ #f, TF_FT_NUM, fl, offsetof(T, f), 0, 0, 0, NULL }
#define TF_F_OBJ(T, f, fl) \
	{ #f, TF_FT_OBJ, fl, offsetof(T, f), 0, 0, 0, NULL }
#define TF_F_LIST(T, f, items, codec, fl) \
	{ #f, TF_FT_LIST, fl, offsetof(T, f), offsetof(T, n_##f), 0, items, codec }
#define TF_F_STRUCT(T, f, codec, fl) \
	{ #f, TF_FT_STRUCT, fl, offsetof(T, f), 0, 0, 0, codec }

#define TF_CODEC(T, nm, tbl, is_tuple) { nm, sizeof(T), offsetof(T, has), \
	tbl, sizeof(tbl) / sizeof((tbl)[0]), is_tuple, false }
#define TF_CODEC_LENIENT(T, nm, tbl) { nm, sizeof(T), offsetof(T, has), \
	tbl, sizeof(tbl) / sizeof((tbl)[0]), false, true }

/* A family's named functions: pfx_pack (adds the fields to a message),
 * pfx_unpack (from a decoded map: the fuzz harnesses' entry) and pfx_free. */
#define TF_CODEC_DECLARE(pfx, T) \
	void pfx##_pack(const T *v, tf_out *o); \
	int pfx##_unpack(const msgpack_object *params, T *v, tf_err *err); \
	void pfx##_free(T *v)
#define TF_CODEC_DEFINE(pfx, T, codec) \
	void pfx##_pack(const T *v, tf_out *o) \
	{ tf_codec_pack(&(codec), v, o); } \
	int pfx##_unpack(const msgpack_object *params, T *v, tf_err *err) \
	{ return tf_codec_unpack(&(codec), params, v, err); } \
	void pfx##_free(T *v) { tf_codec_free(&(codec), v); }

/* Presence of member f in an unpacked struct *v of codec c. */
#define TF_HAS(c, v, f) tf_codec_has(c, v, offsetof(__typeof__(*(v)), f))
bool tf_codec_has(const tf_codec *c, const void *v, size_t off);
/* Marks member f of *v present, for a TF_FF_HAS field. */
#define TF_SET(c, v, f) tf_codec_set(c, v, offsetof(__typeof__(*(v)), f))
void tf_codec_set(const tf_codec *c, void *v, size_t off);

/* Unpacks the map (or, for a tuple codec, the array) o into *out. */
int tf_codec_unpack(const tf_codec *c, const msgpack_object *o, void *out,
		    tf_err *err);
/* The same from raw bytes holding one msgpack value (fuzzers, tests).  The
 * unpacked struct borrows from *keep, released by msgpack_unpacked_destroy
 * after tf_codec_free. */
int tf_codec_unpack_buf(const tf_codec *c, const void *buf, size_t len,
			msgpack_unpacked *keep, void *out, tf_err *err);
/* Frees what tf_codec_unpack allocated and zeroes *v. */
void tf_codec_free(const tf_codec *c, void *v);

/* Adds the fields of *v to a message's params. */
void tf_codec_pack(const tf_codec *c, const void *v, tf_out *o);
/* Packs *v as one value (a map, or an array for a tuple codec). */
void tf_codec_pack_value(const tf_codec *c, const void *v, msgpack_packer *pk);

/* Round trip for self tests: packs *v, unpacks it, packs the result and
 * compares the bytes.  0 when equal; -1 with err saying what differed. */
int tf_codec_roundtrip(const tf_codec *c, const void *v, tf_err *err);

#endif
