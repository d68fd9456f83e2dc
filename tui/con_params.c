/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_params: builds a msgpack params map entry by entry.  msgpack needs the
 * map's size before its entries, so entries go to a body buffer and the
 * header is written in front when the map is finished.  The result is an
 * unpacked object that either backend can read (con_demo) or copy into a
 * tf_out (con_conn).
 */
#include <string.h>

#include "con_backend.h"

void
con_params_init(struct con_params *p)
{
	memset(p, 0, sizeof *p);
	msgpack_sbuffer_init(&p->body);
	msgpack_sbuffer_init(&p->whole);
	msgpack_packer_init(&p->pk, &p->body, msgpack_sbuffer_write);
	msgpack_unpacked_init(&p->unp);
}

void
con_params_fini(struct con_params *p)
{
	msgpack_sbuffer_destroy(&p->body);
	msgpack_sbuffer_destroy(&p->whole);
	msgpack_unpacked_destroy(&p->unp);
}

msgpack_packer *
con_params_key(struct con_params *p, const char *key)
{
	size_t len = strlen(key);

	msgpack_pack_str(&p->pk, len);
	msgpack_pack_str_body(&p->pk, key, len);
	p->n++;
	return &p->pk;
}

void
con_params_str(struct con_params *p, const char *key, const char *val)
{
	size_t len = strlen(val);

	con_params_key(p, key);
	msgpack_pack_str(&p->pk, len);
	msgpack_pack_str_body(&p->pk, val, len);
}

void
con_params_int(struct con_params *p, const char *key, int64_t val)
{
	con_params_key(p, key);
	msgpack_pack_int64(&p->pk, val);
}

void
con_params_bool(struct con_params *p, const char *key, bool val)
{
	con_params_key(p, key);
	if (val)
		msgpack_pack_true(&p->pk);
	else
		msgpack_pack_false(&p->pk);
}

const msgpack_object *
con_params_done(struct con_params *p)
{
	msgpack_packer whole;

	msgpack_sbuffer_clear(&p->whole);
	msgpack_packer_init(&whole, &p->whole, msgpack_sbuffer_write);
	msgpack_pack_map(&whole, p->n);
	msgpack_sbuffer_write(&p->whole, p->body.data, p->body.size);
	if (msgpack_unpack_next(&p->unp, p->whole.data, p->whole.size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS)
		return NULL;
	return &p->unp.data;
}
