/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec: packs and unpacks the plain structs of the message families
 * from their field tables (see tf_codec.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec.h"
#include "tf_msgpack_check.h"
#include "tf_util.h"

static const char codec_empty[] = "";

#define AT(v, off, T) ((T *)(void *)((char *)(v) + (off)))
#define CAT(v, off, T) ((const T *)(const void *)((const char *)(v) + (off)))

bool
tf_codec_has(const tf_codec *c, const void *v, size_t off)
{
	uint64_t has = *CAT(v, c->has_off, uint64_t);

	for (size_t i = 0; i < c->nfields && i < 64; i++) {
		if (c->fields[i].off == off)
			return (has >> i) & 1;
	}
	return false;
}

void
tf_codec_set(const tf_codec *c, void *v, size_t off)
{
	for (size_t i = 0; i < c->nfields && i < 64; i++) {
		if (c->fields[i].off == off)
			*AT(v, c->has_off, uint64_t) |= (uint64_t)1 << i;
	}
}

/* ---- unpacking ---------------------------------------------------------- */

static char *
codec_str(const msgpack_object *o, const tf_field *f, tf_err *err)
{
	uint32_t n;

	if (o->type != MSGPACK_OBJECT_STR) {
		tf_err_set(err, "parameter %s must be a string", f->name);
		return NULL;
	}
	n = o->via.str.size;
	if (f->max > 0 && n > (uint64_t)f->max) {
		tf_err_set(err, "parameter %s is too long (%u bytes, at most %"
		    PRId64 ")", f->name, n, f->max);
		return NULL;
	}
	if (n > 0 && memchr(o->via.str.ptr, '\0', n) != NULL) {
		tf_err_set(err, "parameter %s contains a NUL byte", f->name);
		return NULL;
	}
	return tf_strndup(n > 0 ? o->via.str.ptr : "", n);
}

static int
codec_int(const msgpack_object *o, const tf_field *f, int64_t *out, tf_err *err)
{
	int64_t v;

	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return tf_err_set(err, "parameter %s is out of range",
			    f->name);
		v = (int64_t)o->via.u64;
	} else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		v = o->via.i64;
	} else {
		return tf_err_set(err, "parameter %s must be an integer", f->name);
	}
	if (v < f->min || v > f->max)
		return tf_err_set(err, "parameter %s must be between %" PRId64
		    " and %" PRId64, f->name, f->min, f->max);
	*out = v;
	return 0;
}

static int
codec_items(const msgpack_object *o, const tf_field *f, tf_err *err)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return tf_err_set(err, "parameter %s must be a list", f->name);
	if (o->via.array.size > (uint64_t)f->max)
		return tf_err_set(err, "parameter %s has %u items, at most %"
		    PRId64 " allowed", f->name, o->via.array.size, f->max);
	return 0;
}

static int
codec_field(const tf_field *f, const msgpack_object *o, void *out, tf_err *err)
{
	switch (f->type) {
	case TF_FT_STR: {
		char *s = codec_str(o, f, err);

		if (s == NULL)
			return -1;
		*AT(out, f->off, const char *) = s;
		return 0;
	}
	case TF_FT_INT:
		return codec_int(o, f, AT(out, f->off, int64_t), err);
	case TF_FT_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return tf_err_set(err, "parameter %s must be true or "
			    "false", f->name);
		*AT(out, f->off, bool) = o->via.boolean;
		return 0;
	case TF_FT_DOUBLE:
	case TF_FT_NUM:
		if (o->type == MSGPACK_OBJECT_FLOAT32 ||
		    o->type == MSGPACK_OBJECT_FLOAT64)
			*AT(out, f->off, double) = o->via.f64;
		else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			*AT(out, f->off, double) = (double)o->via.u64;
		else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			*AT(out, f->off, double) = (double)o->via.i64;
		else
			return tf_err_set(err, "parameter %s must be a number",
			    f->name);
		return 0;
	case TF_FT_STRV: {
		const char **v;
		uint32_t n;

		if (codec_items(o, f, err) != 0)
			return -1;
		n = o->via.array.size;
		v = tf_calloc((size_t)n + 1, sizeof *v);
		*AT(out, f->off, const char **) = v;
		for (uint32_t i = 0; i < n; i++) {
			tf_field one = *f;

			one.max = 0;
			v[i] = codec_str(&o->via.array.ptr[i], &one, err);
			if (v[i] == NULL)
				return -1;
			*AT(out, f->count_off, size_t) = i + 1;
		}
		return 0;
	}
	case TF_FT_BIN:
		if (o->type == MSGPACK_OBJECT_BIN) {
			*AT(out, f->off, const uint8_t *) =
			    (const uint8_t *)o->via.bin.ptr;
			*AT(out, f->count_off, size_t) = o->via.bin.size;
		} else if (o->type == MSGPACK_OBJECT_STR) {
			*AT(out, f->off, const uint8_t *) =
			    (const uint8_t *)o->via.str.ptr;
			*AT(out, f->count_off, size_t) = o->via.str.size;
		} else {
			return tf_err_set(err, "parameter %s must be binary",
			    f->name);
		}
		if (f->max > 0 && *AT(out, f->count_off, size_t) > (uint64_t)f->max)
			return tf_err_set(err, "parameter %s is too long (%zu "
			    "bytes, at most %" PRId64 ")", f->name,
			    *AT(out, f->count_off, size_t), f->max);
		return 0;
	case TF_FT_MAP:
		if (o->type != MSGPACK_OBJECT_MAP)
			return tf_err_set(err, "parameter %s must be a map",
			    f->name);
		*AT(out, f->off, const msgpack_object *) = o;
		return 0;
	case TF_FT_OBJ:
		*AT(out, f->off, const msgpack_object *) = o;
		return 0;
	case TF_FT_LIST: {
		char *items;
		uint32_t n;

		if (codec_items(o, f, err) != 0)
			return -1;
		n = o->via.array.size;
		items = tf_calloc(n > 0 ? n : 1, f->sub->size);
		*AT(out, f->off, void *) = items;
		for (uint32_t i = 0; i < n; i++) {
			tf_err why = { "" };

			if (tf_codec_unpack(f->sub, &o->via.array.ptr[i],
			    items + i * f->sub->size, &why) != 0)
				return tf_err_set(err, "parameter %s, item %u: %s",
				    f->name, i + 1, why.msg);
			*AT(out, f->count_off, size_t) = i + 1;
		}
		return 0;
	}
	case TF_FT_STRUCT:
		if (tf_codec_unpack(f->sub, o, AT(out, f->off, void), err) != 0)
			return -1;
		return 0;
	}
	return tf_err_set(err, "parameter %s has an unknown type", f->name);
}

static void codec_free_field(const tf_field *f, void *v);

/* Absent strings read as "" so that no consumer meets NULL. */
static void
codec_defaults(const tf_codec *c, void *out)
{
	for (size_t i = 0; i < c->nfields; i++) {
		const tf_field *f = &c->fields[i];

		if (f->type == TF_FT_STR && *AT(out, f->off, const char *) == NULL)
			*AT(out, f->off, const char *) = codec_empty;
		else if (f->type == TF_FT_STRUCT)
			codec_defaults(f->sub, AT(out, f->off, void));
	}
}

int
tf_codec_unpack(const tf_codec *c, const msgpack_object *o, void *out,
		tf_err *err)
{
	uint64_t has = 0;

	memset(out, 0, c->size);
	if (o == NULL || (c->tuple ? o->type != MSGPACK_OBJECT_ARRAY ||
	    o->via.array.size != c->nfields : o->type != MSGPACK_OBJECT_MAP)) {
		char shape[TF_ERR_LEN] = "";
		size_t k = 0;

		if (!c->tuple)
			return tf_err_set(err, "%s must be a map", c->name);
		for (size_t i = 0; i < c->nfields && k < sizeof shape; i++)
			k += (size_t)snprintf(shape + k, sizeof shape - k, "%s%s",
			    i ? ", " : "", c->fields[i].name);
		return tf_err_set(err, "%s must be [%s]", c->name, shape);
	}
	for (size_t i = 0; i < c->nfields; i++) {
		const tf_field *f = &c->fields[i];
		const msgpack_object *v = c->tuple ? &o->via.array.ptr[i] :
		    tf_obj_get(o, f->name);

		if (v == NULL || v->type == MSGPACK_OBJECT_NIL) {
			if (f->flags & TF_FF_REQUIRED) {
				tf_codec_free(c, out);
				return tf_err_set(err, "missing parameter: %s",
				    f->name);
			}
			continue;
		}
		if (codec_field(f, v, out, err) != 0) {
			if (c->lenient && !(f->flags & TF_FF_REQUIRED)) {
				codec_free_field(f, out);
				continue;
			}
			tf_codec_free(c, out);
			return -1;
		}
		if (i < 64)
			has |= (uint64_t)1 << i;
	}
	codec_defaults(c, out);
	*AT(out, c->has_off, uint64_t) = has;
	return 0;
}

int
tf_codec_unpack_buf(const tf_codec *c, const void *buf, size_t len,
		    msgpack_unpacked *keep, void *out, tf_err *err)
{
	size_t off = 0;

	msgpack_unpacked_init(keep);
	memset(out, 0, c->size);
	if (tf_msgpack_check(buf, len) != 0)
		return tf_err_set(err, "%s: malformed msgpack", c->name);
	if (msgpack_unpack_next(keep, buf, len, &off) != MSGPACK_UNPACK_SUCCESS)
		return tf_err_set(err, "%s: malformed msgpack", c->name);
	return tf_codec_unpack(c, &keep->data, out, err);
}

/* Frees what unpacking field f allocated and clears it. */
static void
codec_free_field(const tf_field *f, void *v)
{
	switch (f->type) {
	case TF_FT_STR: {
		const char *s = *AT(v, f->off, const char *);

		if (s != codec_empty)
			free((void *)(uintptr_t)s);
		*AT(v, f->off, const char *) = NULL;
		break;
	}
	case TF_FT_STRV: {
		const char **sv = *AT(v, f->off, const char **);

		for (size_t k = 0; sv != NULL && sv[k] != NULL; k++)
			free((void *)(uintptr_t)sv[k]);
		free(sv);
		*AT(v, f->off, const char **) = NULL;
		*AT(v, f->count_off, size_t) = 0;
		break;
	}
	case TF_FT_LIST: {
		char *items = *AT(v, f->off, char *);
		size_t n = *AT(v, f->count_off, size_t);

		for (size_t k = 0; items != NULL && k < n; k++)
			tf_codec_free(f->sub, items + k * f->sub->size);
		free(items);
		*AT(v, f->off, char *) = NULL;
		*AT(v, f->count_off, size_t) = 0;
		break;
	}
	case TF_FT_STRUCT:
		tf_codec_free(f->sub, AT(v, f->off, void));
		break;
	case TF_FT_BIN:
		*AT(v, f->off, const uint8_t *) = NULL;
		*AT(v, f->count_off, size_t) = 0;
		break;
	default:
		break;
	}
}

void
tf_codec_free(const tf_codec *c, void *v)
{
	for (size_t i = 0; i < c->nfields; i++)
		codec_free_field(&c->fields[i], v);
	memset(v, 0, c->size);
}

/* ---- packing ------------------------------------------------------------ */

static size_t codec_count(const tf_codec *c, const void *v);

/* Whether field i of v is packed at all. */
static bool
codec_present(const tf_codec *c, size_t i, const void *v)
{
	const tf_field *f = &c->fields[i];
	bool opt = (f->flags & TF_FF_OPT) != 0;

	if ((f->flags & TF_FF_HAS) &&
	    (i >= 64 || !((*CAT(v, c->has_off, uint64_t) >> i) & 1)))
		return false;

	switch (f->type) {
	case TF_FT_STR: {
		const char *s = *CAT(v, f->off, const char *);

		return s != NULL && (!opt || s[0] != '\0');
	}
	case TF_FT_INT:
		return !opt || *CAT(v, f->off, int64_t) != 0;
	case TF_FT_BOOL:
		return !opt || *CAT(v, f->off, bool);
	case TF_FT_DOUBLE:
	case TF_FT_NUM:
		return !opt || *CAT(v, f->off, double) != 0;
	case TF_FT_STRV:	/* NULL absent, empty list present */
	case TF_FT_LIST:
		return *CAT(v, f->off, void *) != NULL &&
		    (!opt || *CAT(v, f->count_off, size_t) > 0);
	case TF_FT_BIN:
		return !opt || *CAT(v, f->count_off, size_t) > 0;
	case TF_FT_MAP:
	case TF_FT_OBJ:
		return *CAT(v, f->off, const msgpack_object *) != NULL;
	case TF_FT_STRUCT:
		return !opt || codec_count(f->sub, CAT(v, f->off, void)) > 0;
	}
	return false;
}

static size_t
codec_count(const tf_codec *c, const void *v)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nfields; i++)
		n += codec_present(c, i, v);
	return n;
}

static void
codec_pack_one(const tf_field *f, const void *v, msgpack_packer *pk)
{
	switch (f->type) {
	case TF_FT_STR: {
		const char *s = *CAT(v, f->off, const char *);

		tf_pack_str(pk, s != NULL ? s : "");
		break;
	}
	case TF_FT_INT:
		msgpack_pack_int64(pk, *CAT(v, f->off, int64_t));
		break;
	case TF_FT_BOOL:
		if (*CAT(v, f->off, bool))
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case TF_FT_DOUBLE:
		msgpack_pack_double(pk, *CAT(v, f->off, double));
		break;
	case TF_FT_NUM: {
		double d = *CAT(v, f->off, double);

		/* 2^63 itself does not fit: the bound is exclusive. */
		if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
		    d == (double)(int64_t)d)
			msgpack_pack_int64(pk, (int64_t)d);
		else
			msgpack_pack_double(pk, d);
		break;
	}
	case TF_FT_STRV: {
		const char *const *sv = *CAT(v, f->off, const char *const *);
		size_t n = sv != NULL ? *CAT(v, f->count_off, size_t) : 0;

		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			tf_pack_str(pk, sv[i] != NULL ? sv[i] : "");
		break;
	}
	case TF_FT_BIN: {
		size_t n = *CAT(v, f->count_off, size_t);

		msgpack_pack_bin(pk, n);
		if (n > 0)
			msgpack_pack_bin_body(pk, *CAT(v, f->off,
			    const uint8_t *), n);
		break;
	}
	case TF_FT_MAP:
	case TF_FT_OBJ:
		msgpack_pack_object(pk, **CAT(v, f->off, const msgpack_object *));
		break;
	case TF_FT_LIST: {
		const char *items = *CAT(v, f->off, const char *);
		size_t n = items != NULL ? *CAT(v, f->count_off, size_t) : 0;

		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			tf_codec_pack_value(f->sub, items + i * f->sub->size, pk);
		break;
	}
	case TF_FT_STRUCT:
		tf_codec_pack_value(f->sub, CAT(v, f->off, void), pk);
		break;
	}
}

void
tf_codec_pack_value(const tf_codec *c, const void *v, msgpack_packer *pk)
{
	if (c->tuple) {
		msgpack_pack_array(pk, c->nfields);
		for (size_t i = 0; i < c->nfields; i++)
			codec_pack_one(&c->fields[i], v, pk);
		return;
	}
	msgpack_pack_map(pk, codec_count(c, v));
	for (size_t i = 0; i < c->nfields; i++) {
		if (!codec_present(c, i, v))
			continue;
		tf_pack_str(pk, c->fields[i].name);
		codec_pack_one(&c->fields[i], v, pk);
	}
}

void
tf_codec_pack(const tf_codec *c, const void *v, tf_out *o)
{
	for (size_t i = 0; i < c->nfields; i++) {
		if (codec_present(c, i, v))
			codec_pack_one(&c->fields[i], v,
			    tf_out_key(o, c->fields[i].name));
	}
}

int
tf_codec_roundtrip(const tf_codec *c, const void *v, tf_err *err)
{
	msgpack_sbuffer a, b;
	msgpack_packer pk;
	msgpack_unpacked keep;
	void *back = tf_calloc(1, c->size);
	int rc = -1;

	msgpack_sbuffer_init(&a);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &a, msgpack_sbuffer_write);
	tf_codec_pack_value(c, v, &pk);
	if (tf_codec_unpack_buf(c, a.data, a.size, &keep, back, err) == 0) {
		msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
		tf_codec_pack_value(c, back, &pk);
		if (a.size == b.size && memcmp(a.data, b.data, a.size) == 0)
			rc = 0;
		else
			tf_err_set(err, "%s: packed again, %zu bytes differ "
			    "from the first %zu", c->name, b.size, a.size);
		tf_codec_free(c, back);
	}
	msgpack_unpacked_destroy(&keep);
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
	free(back);
	return rc;
}
