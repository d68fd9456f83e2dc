/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kv_store: the per-user key/value store (issue 6, "KV"): set several at
 * once, get, overwrite, list (all and by prefix), delete, and the errors
 * (a missing key, deleting a missing key, an empty key, a value over
 * 1 MiB, which must not leave the other pairs of the same set half
 * written).  Values persist for other sessions of the user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

static int
count(char **keys)
{
	int n = 0;

	while (keys != NULL && keys[n] != NULL)
		n++;
	return n;
}

static bool
has(char **keys, const char *k)
{
	for (int i = 0; keys != NULL && keys[i] != NULL; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

int
main(void)
{
	tf_location *loc = prog_connect("kv_store"), *other;
	char *v = NULL, **keys = NULL, *big;
	tf_err err;
	int rc;

	{
		const char *pairs[] = { "kvt/prod/db", "vol-1", "kvt/dev/db",
		    "vol-2", "kvt/other", "x y z", NULL };

		rc = tf_kv_set(loc, pairs, &err);
		prog_check(rc == 0, "set three pairs at once%s%s", rc ? ": " : "",
		    rc ? err.msg : "");
	}
	rc = tf_kv_get(loc, "kvt/prod/db", &v, &err);
	prog_check(rc == 0 && strcmp(v, "vol-1") == 0, "get the first: %s",
	    rc ? err.msg : v);
	free(v);
	rc = tf_kv_get(loc, "kvt/other", &v, &err);
	prog_check(rc == 0 && strcmp(v, "x y z") == 0, "get the third: %s",
	    rc ? err.msg : v);
	free(v);
	rc = tf_kv_set1(loc, "kvt/prod/db", "vol-9", &err);
	rc |= tf_kv_get(loc, "kvt/prod/db", &v, &err);
	prog_check(rc == 0 && strcmp(v, "vol-9") == 0, "overwrite: %s",
	    rc ? err.msg : v);
	free(v);
	rc = tf_kv_set1(loc, "kvt/empty", "", &err);
	rc |= tf_kv_get(loc, "kvt/empty", &v, &err);
	prog_check(rc == 0 && strcmp(v, "") == 0, "an empty value is a value");
	free(v);
	rc = tf_kv_set1(loc, "kvt/utf8", "caf\xc3\xa9 \xe2\x9c\x93", &err);
	rc |= tf_kv_get(loc, "kvt/utf8", &v, &err);
	prog_check(rc == 0 && strcmp(v, "caf\xc3\xa9 \xe2\x9c\x93") == 0,
	    "UTF-8 values come back unchanged");
	free(v);

	rc = tf_kv_list(loc, "kvt/", &keys, &err);
	prog_check(rc == 0 && count(keys) == 5 && has(keys, "kvt/dev/db") &&
	    has(keys, "kvt/prod/db") && has(keys, "kvt/other"),
	    "list by prefix gives the five keys (%d)", count(keys));
	tf_strv_free(keys);
	rc = tf_kv_list(loc, "kvt/prod/", &keys, &err);
	prog_check(rc == 0 && count(keys) == 1 && has(keys, "kvt/prod/db"),
	    "a narrower prefix gives one");
	tf_strv_free(keys);
	rc = tf_kv_list(loc, NULL, &keys, &err);
	prog_check(rc == 0 && count(keys) >= 5, "list of everything (%d)",
	    count(keys));
	tf_strv_free(keys);
	rc = tf_kv_list(loc, "kvt/%", &keys, &err);
	prog_check(rc == 0 && count(keys) == 0,
	    "a prefix is not a pattern ('kvt/%%' matches nothing: %d)",
	    count(keys));
	tf_strv_free(keys);

	rc = tf_kv_del(loc, "kvt/dev/db", &err);
	prog_check(rc == 0, "delete");
	rc = tf_kv_get(loc, "kvt/dev/db", &v, &err);
	prog_check(rc == -1 && strstr(err.msg, "no such key") != NULL,
	    "a deleted key: %s", err.msg);
	rc = tf_kv_del(loc, "kvt/dev/db", &err);
	prog_check(rc == -1, "deleting it again is an error: %s", err.msg);
	rc = tf_kv_get(loc, "kvt/never", &v, &err);
	prog_check(rc == -1 && strstr(err.msg, "kvt/never") != NULL,
	    "a missing key names it: %s", err.msg);
	rc = tf_kv_set1(loc, "", "x", &err);
	prog_check(rc == -1, "an empty key is refused: %s", rc ? err.msg : "");

	big = malloc((1u << 20) + 10);
	memset(big, 'b', (1u << 20) + 9);
	big[(1u << 20) + 9] = '\0';
	{
		const char *pairs[] = { "kvt/first", "1", "kvt/big", big, NULL };
		uint64_t t0 = prog_now_ms();

		rc = tf_kv_set(loc, pairs, &err);
		prog_check(rc == -1, "a value over 1 MiB is refused: %s",
		    rc ? err.msg : "it was stored");
		prog_check(prog_now_ms() - t0 < 5000, "at once, not after a "
		    "timeout (%.1f s)", (double)(prog_now_ms() - t0) / 1000);
	}
	rc = tf_kv_get(loc, "kvt/first", &v, &err);
	prog_check(rc == -1, "and the set it came in stored nothing%s%s",
	    rc ? "" : ": kvt/first=", rc ? "" : v);
	if (rc == 0)
		free(v);
	big[(1u << 19)] = '\0';
	rc = tf_kv_set1(loc, "kvt/half", big, &err);
	rc |= tf_kv_get(loc, "kvt/half", &v, &err);
	prog_check(rc == 0 && strlen(v) == (1u << 19), "a 512 KiB value "
	    "round-trips");
	free(v);
	free(big);

	other = tf_location_new(&(tf_location_opts){ .program = "kv_store2" },
	    &err);
	if (other == NULL)
		prog_bail(&loc, "a second session", &err);
	rc = tf_kv_get(other, "kvt/prod/db", &v, &err);
	prog_check(rc == 0 && strcmp(v, "vol-9") == 0,
	    "another session of the user reads the same store");
	free(v);
	tf_location_destroy(&other);
	tf_location_destroy(&loc);
	return prog_finish();
}
