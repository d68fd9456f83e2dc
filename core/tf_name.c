/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_name: the validators for every kind of name a request carries (see
 * tf_name.h for the grammar of each).  The location calls them before any
 * lookup, so an empty or malformed name is refused with the field it came
 * in, and never reaches a match that would take it as a prefix of
 * everything.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tf_name.h"
#include "tf_util.h"
#include "tf_selftest.h"

bool
tf_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* A name as an error may show it: printable ASCII, anything else as '?',
 * cut at 40 bytes, so a hostile name cannot garble a terminal or a log. */
static const char *
name_shown(const char *s, char *buf, size_t size)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && i + 4 < size && i < 40; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

/* What every kind shares: present, not empty, not over max bytes, UTF-8,
 * no control characters. */
static int
name_common(const char *field, const char *s, size_t max, tf_err *err)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0)
		return tf_err_set(err, "parameter %s: the name is empty", field);
	if (len > max)
		return tf_err_set(err, "parameter %s: the name is %zu bytes, at "
		    "most %zu", field, len, max);
	if (!tf_utf8_valid(s, len))
		return tf_err_set(err, "parameter %s: the name is not valid "
		    "UTF-8", field);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return tf_err_set(err, "parameter %s: the name has a "
			    "control character", field);
	return 0;
}

/* uuid, tag or uuid:tag: what names a container or a volume. */
static int
name_ref(const char *field, const char *what, const char *s, tf_err *err)
{
	char shown[48], uuid[TF_UUID_LEN + 1];
	const char *colon;

	if (name_common(field, s, TF_NAME_REF_MAX, err) != 0)
		return -1;
	colon = strchr(s, ':');
	if (colon == NULL) {
		if (tf_uuid_valid(s) || tf_tag_valid(s))
			return 0;
	} else if ((size_t)(colon - s) == TF_UUID_LEN) {
		memcpy(uuid, s, TF_UUID_LEN);
		uuid[TF_UUID_LEN] = '\0';
		if (tf_uuid_valid(uuid) && tf_tag_valid(colon + 1))
			return 0;
	}
	return tf_err_set(err, "parameter %s: '%s' does not name a %s (a "
	    "uuid, a tag, or uuid:tag)", field,
	    name_shown(s, shown, sizeof shown), what);
}

int
tf_name_container(const char *field, const char *s, tf_err *err)
{
	return name_ref(field, "container", s, err);
}

int
tf_name_volume(const char *field, const char *s, tf_err *err)
{
	return name_ref(field, "volume", s, err);
}

int
tf_name_tag(const char *field, const char *s, tf_err *err)
{
	char shown[48];

	if (name_common(field, s, TF_NAME_TAG_MAX, err) != 0)
		return -1;
	if (!tf_tag_valid(s))
		return tf_err_set(err, "parameter %s: invalid tag '%s': use "
		    "0-9 a-z - _ . only, and not shaped like a uuid", field,
		    name_shown(s, shown, sizeof shown));
	return 0;
}

int
tf_name_uuid(const char *field, const char *s, tf_err *err)
{
	char shown[48];

	if (name_common(field, s, TF_UUID_LEN, err) != 0)
		return -1;
	if (!tf_uuid_valid(s))
		return tf_err_set(err, "parameter %s: '%s' is not a uuid (22 "
		    "characters)", field, name_shown(s, shown, sizeof shown));
	return 0;
}

int
tf_name_node(const char *field, const char *s, tf_err *err)
{
	char shown[48];

	if (name_common(field, s, TF_NAME_NODE_MAX, err) != 0)
		return -1;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_' ||
		    *p == '.'))
			return tf_err_set(err, "parameter %s: '%s' is not a node "
			    "name (A-Z a-z 0-9 - _ . only)", field,
			    name_shown(s, shown, sizeof shown));
	return 0;
}

int
tf_name_domain(const char *field, const char *s, tf_err *err)
{
	char shown[48];
	size_t label = 0;

	if (name_common(field, s, TF_NAME_DOMAIN_MAX, err) != 0)
		return -1;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				break;
			if (*p == '\0')
				return 0;
			label = 0;
			continue;
		}
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p == '-' && label > 0)))
			break;
		label++;
	}
	return tf_err_set(err, "parameter %s: '%s' is not a domain name "
	    "(dot-separated labels of 1-63 a-z 0-9 -)", field,
	    name_shown(s, shown, sizeof shown));
}

int
tf_name_key(const char *field, const char *s, tf_err *err)
{
	return name_common(field, s, TF_NAME_KEY_MAX, err);
}

int
tf_msg_name(const tf_msg *m, const char *field, tf_name_fn *check,
	    char *buf, size_t size, bool required, tf_err *err)
{
	int rc = tf_msg_str(m, field, buf, size, required, err);

	if (rc != 0) {
		if (rc > 0)
			buf[0] = '\0';
		return rc;
	}
	return check(field, buf, err);
}

/* ---- self test --------------------------------------------------------- */

void
tf_name_test(bool verbose)
{
	static const char *const bad_refs[] = { "", ":", "x:", ":x",
	    "\xff\xfe", "a\tb", "Upper", "a:b:c",
	    "23456789ABCDEFGHJKLMNP:", "23456789ABCDEFGHJKLMNP:x:y", NULL };
	char over[400];
	tf_err err;

	TF_UNUSED(verbose);
	for (size_t i = 0; bad_refs[i] != NULL; i++) {
		TF_TEST_CHECK(tf_name_container("container", bad_refs[i], &err) == -1);
		TF_TEST_CHECK(strstr(err.msg, "parameter container") == err.msg);
		TF_TEST_CHECK(tf_name_volume("volume", bad_refs[i], &err) == -1);
	}
	TF_TEST_CHECK(tf_name_container("c", "web", &err) == 0);
	TF_TEST_CHECK(tf_name_container("c", "23456789ABCDEFGHJKLMNP", &err) == 0);
	TF_TEST_CHECK(tf_name_container("c", "23456789ABCDEFGHJKLMNP:web", &err) == 0);
	memset(over, 'a', sizeof over - 1);
	over[sizeof over - 1] = '\0';
	TF_TEST_CHECK(tf_name_container("c", over, &err) == -1 &&
	    strstr(err.msg, "at most") != NULL);
	TF_TEST_CHECK(tf_name_key("key", over, &err) == -1);
	TF_TEST_CHECK(tf_name_key("key", "", &err) == -1 &&
	    strcmp(err.msg, "parameter key: the name is empty") == 0);
	TF_TEST_CHECK(tf_name_key("key", "a/b c:d", &err) == 0);
	TF_TEST_CHECK(tf_name_key("key", "caf\xc3\xa9", &err) == 0);
	TF_TEST_CHECK(tf_name_key("key", "caf\xc3", &err) == -1 &&
	    strstr(err.msg, "UTF-8") != NULL);
	TF_TEST_CHECK(tf_name_key("key", "\xc0\xaf", &err) == -1);	/* overlong */
	TF_TEST_CHECK(tf_name_key("key", "\xed\xa0\x80", &err) == -1);	/* surrogate */
	TF_TEST_CHECK(tf_name_key("key", "\xf4\x90\x80\x80", &err) == -1);
	TF_TEST_CHECK(tf_name_key("key", "\xf0\x9f\x98\x80", &err) == 0);
	TF_TEST_CHECK(tf_name_tag("tag", "web-1", &err) == 0);
	TF_TEST_CHECK(tf_name_tag("tag", "Web", &err) == -1);
	TF_TEST_CHECK(tf_name_uuid("tunnel", "23456789ABCDEFGHJKLMNP", &err) == 0);
	TF_TEST_CHECK(tf_name_uuid("tunnel", "x", &err) == -1);
	TF_TEST_CHECK(tf_name_node("node", "node-1.local", &err) == 0);
	TF_TEST_CHECK(tf_name_node("node", "12", &err) == 0);
	TF_TEST_CHECK(tf_name_node("node", ":", &err) == -1);
	TF_TEST_CHECK(tf_name_node("node", "", &err) == -1);
	TF_TEST_CHECK(tf_name_domain("domain", "www.example.com", &err) == 0);
	TF_TEST_CHECK(tf_name_domain("domain", "a", &err) == 0);
	TF_TEST_CHECK(tf_name_domain("domain", "a..b", &err) == -1);
	TF_TEST_CHECK(tf_name_domain("domain", "-a.b", &err) == -1);
	TF_TEST_CHECK(tf_name_domain("domain", "a-.b", &err) == -1);
	TF_TEST_CHECK(tf_name_domain("domain", "a.b.", &err) == -1);
	TF_TEST_CHECK(tf_name_domain("domain", "A.b", &err) == -1);
	/* Shown in errors without the raw bytes. */
	TF_TEST_CHECK(tf_name_container("container", "\x1b[2J", &err) == -1 &&
	    strchr(err.msg, '\x1b') == NULL);
}
