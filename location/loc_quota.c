/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_quota.c: per-account limits (docs/SECURITY.md, "Quotas").  One
 * account may hold at most so many containers, tunnels, volumes, sessions,
 * KV entries and KV bytes, and volumes of so many bytes in all (each
 * volume counts the size it was created with, which a node on btrfs
 * enforces); the location's operator sets them with
 * `--quota KIND=N` (0: not limited).  Use is counted from the model (and
 * the KV table) when it is checked, never kept in a counter that could
 * drift from what is really there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "tf_codec_quota.h"

static const char *const quota_names[LOC_QUOTA_LAST] = {
	[LOC_QUOTA_CONTAINERS] = "containers",
	[LOC_QUOTA_TUNNELS] = "tunnels",
	[LOC_QUOTA_VOLUMES] = "volumes",
	[LOC_QUOTA_SESSIONS] = "sessions",
	[LOC_QUOTA_KV_ENTRIES] = "kv_entries",
	[LOC_QUOTA_KV_BYTES] = "kv_bytes",
	[LOC_QUOTA_VOLUME_BYTES] = "volume_bytes",
};

/* Generous for a person or a program, small enough that one account
 * cannot fill the location's memory or disk (a thousand containers on
 * one node is what docs/SCALE.md measures). */
static const int64_t quota_defaults[LOC_QUOTA_LAST] = {
	[LOC_QUOTA_CONTAINERS] = 2000,
	[LOC_QUOTA_TUNNELS] = 1000,
	[LOC_QUOTA_VOLUMES] = 200,
	[LOC_QUOTA_SESSIONS] = 200,
	[LOC_QUOTA_KV_ENTRIES] = 100000,
	[LOC_QUOTA_KV_BYTES] = (int64_t)256 << 20,
	[LOC_QUOTA_VOLUME_BYTES] = (int64_t)64 << 30,
};

const char *
loc_quota_name(enum loc_quota_kind k)
{
	return k < LOC_QUOTA_LAST ? quota_names[k] : "?";
}

void
loc_quota_defaults(struct loc_options *opt)
{
	memcpy(opt->quota, quota_defaults, sizeof opt->quota);
}

/* "KIND=N", N as tf_size_parse reads it; kinds may be written with -
 * for _ as on the command line elsewhere. */
int
loc_quota_parse(struct loc_options *opt, const char *spec, tf_err *err)
{
	const char *eq = strchr(spec, '=');
	char kind[TF_QUOTA_KIND_MAX + 1];
	size_t len;
	int64_t n;

	if (eq == NULL || eq == spec || (len = (size_t)(eq - spec)) >= sizeof kind)
		return tf_err_set(err, "--quota %s: KIND=N", spec);
	memcpy(kind, spec, len);
	kind[len] = '\0';
	for (char *p = kind; *p; p++)
		if (*p == '-')
			*p = '_';
	if ((n = tf_size_parse(eq + 1)) < 0)
		return tf_err_set(err, "--quota %s: N is a number from 0 (not "
		    "limited), with K, M or G after it for bytes", spec);
	for (int k = 0; k < LOC_QUOTA_LAST; k++) {
		if (strcmp(kind, quota_names[k]) == 0) {
			opt->quota[k] = n;
			return 0;
		}
	}
	return tf_err_set(err, "--quota %s: no such kind (containers, "
	    "tunnels, volumes, sessions, kv_entries, kv_bytes, "
	    "volume_bytes)", spec);
}

static void
quota_kv_use(struct location *loc, int64_t user, int64_t *entries,
	     int64_t *bytes)
{
	sqlite3_stmt *st = loc_db_prepare(loc, "SELECT count(*), "
	    "coalesce(sum(length(CAST(key AS BLOB)) + length(value)), 0) "
	    "FROM kv WHERE user_id=?");

	*entries = *bytes = 0;
	sqlite3_bind_int64(st, 1, user);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*entries = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

int64_t
loc_quota_used(struct location *loc, int64_t user, enum loc_quota_kind k)
{
	int64_t n = 0, entries, bytes;

	switch (k) {
	case LOC_QUOTA_CONTAINERS:
		for (size_t i = 0; i < loc->n_containers; i++)
			n += !loc->containers[i]->dead &&
			    loc->containers[i]->user_id == user;
		return n;
	case LOC_QUOTA_TUNNELS:
		for (size_t i = 0; i < loc->n_tunnels; i++)
			n += !loc->tunnels[i]->dead &&
			    loc->tunnels[i]->user_id == user;
		return n;
	case LOC_QUOTA_VOLUMES:
		for (size_t i = 0; i < loc->n_volumes; i++)
			n += !loc->volumes[i]->dead &&
			    loc->volumes[i]->user_id == user;
		return n;
	case LOC_QUOTA_VOLUME_BYTES:
		for (size_t i = 0; i < loc->n_volumes; i++)
			if (!loc->volumes[i]->dead &&
			    loc->volumes[i]->user_id == user)
				n += loc->volumes[i]->size;
		return n;
	case LOC_QUOTA_SESSIONS:
		for (size_t i = 0; i < loc->n_sessions; i++)
			n += !loc->sessions[i]->dead &&
			    loc->sessions[i]->user_id == user;
		return n;
	case LOC_QUOTA_KV_ENTRIES:
	case LOC_QUOTA_KV_BYTES:
		quota_kv_use(loc, user, &entries, &bytes);
		return k == LOC_QUOTA_KV_ENTRIES ? entries : bytes;
	case LOC_QUOTA_LAST:
		break;
	}
	return 0;
}

static int
quota_refuse(struct location *loc, enum loc_quota_kind k, int64_t used,
	     tf_err *err)
{
	return tf_err_set(err, "quota reached: at most %lld %s an account "
	    "(%lld in use); free some, or ask the location's operator "
	    "(tf-location --quota %s=N)", (long long)loc->opt.quota[k],
	    k == LOC_QUOTA_KV_BYTES ? "bytes of KV values" :
	    k == LOC_QUOTA_VOLUME_BYTES ? "bytes of volumes" :
	    k == LOC_QUOTA_KV_ENTRIES ? "KV entries" : quota_names[k],
	    (long long)used, quota_names[k]);
}

int
loc_quota_check(struct location *loc, int64_t user, enum loc_quota_kind k,
		int64_t adding, tf_err *err)
{
	int64_t used;

	/* The bound also tells the compiler k indexes the tables (a
	 * release build's -O3 checks it). */
	if (k >= LOC_QUOTA_LAST || loc->opt.quota[k] == 0)
		return 0;
	used = loc_quota_used(loc, user, k);
	if (used + adding <= loc->opt.quota[k])
		return 0;
	return quota_refuse(loc, k, used, err);
}

/* After a kv_set has written its pairs (inside its transaction): both KV
 * limits hold with them in, or the caller rolls back.  A set that only
 * replaces values or shrinks them always passes, even over a limit the
 * operator lowered meanwhile. */
int
loc_quota_check_kv(struct location *loc, int64_t user, int64_t before_entries,
		   int64_t before_bytes, tf_err *err)
{
	int64_t entries, bytes;
	const int64_t *q = loc->opt.quota;

	quota_kv_use(loc, user, &entries, &bytes);
	if (q[LOC_QUOTA_KV_ENTRIES] != 0 && entries > q[LOC_QUOTA_KV_ENTRIES] &&
	    entries > before_entries)
		return quota_refuse(loc, LOC_QUOTA_KV_ENTRIES, before_entries,
		    err);
	if (q[LOC_QUOTA_KV_BYTES] != 0 && bytes > q[LOC_QUOTA_KV_BYTES] &&
	    bytes > before_bytes)
		return quota_refuse(loc, LOC_QUOTA_KV_BYTES, before_bytes, err);
	return 0;
}

void
loc_quota_kv_use(struct location *loc, int64_t user, int64_t *entries,
		 int64_t *bytes)
{
	quota_kv_use(loc, user, entries, bytes);
}

/* The account's limits and use, as the offer's `quota` list. */
void
loc_quota_pack(struct location *loc, int64_t user, tf_out *o)
{
	tf_quota_item items[LOC_QUOTA_LAST];
	tf_quota_msg q = { .quota = items, .n_quota = LOC_QUOTA_LAST };
	int64_t entries, bytes;

	quota_kv_use(loc, user, &entries, &bytes);
	for (int k = 0; k < LOC_QUOTA_LAST; k++) {
		items[k] = (tf_quota_item){ .kind = quota_names[k],
		    .limit = loc->opt.quota[k] };
		items[k].used = k == LOC_QUOTA_KV_ENTRIES ? entries :
		    k == LOC_QUOTA_KV_BYTES ? bytes :
		    loc_quota_used(loc, user, (enum loc_quota_kind)k);
	}
	tf_quota_pack(&q, o);
}
