/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_keys: Curve25519 key pairs, the ~/.20ft account files and invite
 * tokens.  Secret keys are wiped with sodium_memzero once used.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tf_keys.h"
#include "tf_log.h"
#include "tf_util.h"
#include "tf_selftest.h"

void
tf_keypair_make(tf_keypair *kp)
{
	if (sodium_init() < 0)
		tf_panic("libsodium failed to initialise");
	crypto_box_keypair(kp->pk, kp->sk);
}

void
tf_keypair_wipe(tf_keypair *kp)
{
	sodium_memzero(kp, sizeof *kp);
}

void
tf_key_to_b64(const uint8_t key[TF_KEY_LEN], char out[TF_KEY_B64_LEN])
{
	sodium_bin2base64(out, TF_KEY_B64_LEN, key, TF_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
tf_key_from_b64(const char *b64, uint8_t key[TF_KEY_LEN])
{
	size_t n = 0;
	const char *end;

	if (sodium_base642bin(key, TF_KEY_LEN, b64, strlen(b64), " \t\r\n", &n,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || n != TF_KEY_LEN)
		return -1;
	while (*end != '\0' && isspace((unsigned char)*end))
		end++;
	return *end == '\0' ? 0 : -1;
}

int
tf_key_read(const char *path, uint8_t key[TF_KEY_LEN], tf_err *err)
{
	char *text = tf_read_file(path, NULL, 4096);
	int rc;

	if (text == NULL)
		return tf_err_errno(err, "cannot read key file %s", path);
	rc = tf_key_from_b64(text, key);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != 0)
		return tf_err_set(err, "key file %s is broken: it must hold the "
		    "base64 of 32 bytes", path);
	return 0;
}

int
tf_key_write(const char *path, const uint8_t key[TF_KEY_LEN], int mode,
	     tf_err *err)
{
	char b64[TF_KEY_B64_LEN + 1];
	size_t n;

	tf_key_to_b64(key, b64);
	n = strlen(b64);
	b64[n] = '\n';
	if (tf_write_file(path, b64, n + 1, mode) != 0) {
		sodium_memzero(b64, sizeof b64);
		return tf_err_errno(err, "cannot write %s", path);
	}
	sodium_memzero(b64, sizeof b64);
	return 0;
}

int
tf_account_dir(char *buf, size_t size, tf_err *err)
{
	const char *dir = getenv("TF_DIR");
	const char *home = getenv("HOME");

	if (dir != NULL && *dir != '\0') {
		if (!tf_snprintf(buf, size, "%s", dir))
			return tf_err_set(err, "TF_DIR is too long");
		return 0;
	}
	if (home == NULL || *home == '\0')
		return tf_err_set(err, "neither TF_DIR nor HOME is set");
	if (!tf_snprintf(buf, size, "%s/.20ft", home))
		return tf_err_set(err, "HOME is too long");
	return 0;
}

static void
keys_trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Location names become file names: refuse anything path-like. */
static int
keys_check_name(const char *location, tf_err *err)
{
	if (location[0] == '\0' || location[0] == '.' ||
	    strchr(location, '/') != NULL || strlen(location) > 200)
		return tf_err_set(err, "'%s' is not a valid location name",
		    location);
	return 0;
}

int
tf_endpoint_from_location(const char *location, int port_offset, char *buf,
			  size_t size)
{
	char host[256];
	const char *colon;
	long port = TF_DEFAULT_PORT;

	if (strncmp(location, "tcp://", 6) == 0)
		location += 6;
	colon = strrchr(location, ':');
	if (colon != NULL) {
		char *end;

		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port <= 0 || port > 65535)
			return -1;
		if ((size_t)(colon - location) >= sizeof host)
			return -1;
		memcpy(host, location, (size_t)(colon - location));
		host[colon - location] = '\0';
	} else if (!tf_snprintf(host, sizeof host, "%s", location)) {
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	return tf_snprintf(buf, size, "tcp://%s:%ld", host,
	    port + port_offset) ? 0 : -1;
}

int
tf_account_load(tf_account *acct, const char *location, tf_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], *text;

	memset(acct, 0, sizeof *acct);
	if (tf_account_dir(dir, sizeof dir, err) != 0)
		return -1;
	if (location == NULL) {
		snprintf(path, sizeof path, "%s/default_location", dir);
		text = tf_read_file(path, NULL, 4096);
		if (text == NULL)
			return tf_err_set(err, "no default location: %s is missing. "
			    "Create an account with 'tf account LOCATION TOKEN' "
			    "or name a location with --location", path);
		keys_trim(text);
		snprintf(acct->location, sizeof acct->location, "%s", text);
		free(text);
	} else {
		snprintf(acct->location, sizeof acct->location, "%s", location);
	}
	if (keys_check_name(acct->location, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir, acct->location);
	if (access(path, R_OK) != 0)
		return tf_err_set(err, "no account for location '%s' in %s",
		    acct->location, dir);
	if (tf_key_read(path, acct->keys.sk, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.pub", dir, acct->location);
	if (tf_key_read(path, acct->keys.pk, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.spub", dir, acct->location);
	if (tf_key_read(path, acct->server_pk, NULL) != 0)
		return tf_err_set(err, "the server public key record is broken: %s",
		    path);
	snprintf(path, sizeof path, "%s/%s.endpoint", dir, acct->location);
	text = tf_read_file(path, NULL, 4096);
	if (text != NULL) {
		keys_trim(text);
		snprintf(acct->endpoint, sizeof acct->endpoint, "%s", text);
		free(text);
	} else if (tf_endpoint_from_location(acct->location, 0, acct->endpoint,
	    sizeof acct->endpoint) != 0) {
		return tf_err_set(err, "cannot make an address from '%s'",
		    acct->location);
	}
	return 0;
}

int
tf_account_save(const tf_account *acct, bool make_default, tf_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];

	if (keys_check_name(acct->location, err) != 0)
		return -1;
	if (tf_account_dir(dir, sizeof dir, err) != 0)
		return -1;
	if (tf_mkdir_p(dir, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", dir);
	snprintf(path, sizeof path, "%s/%s", dir, acct->location);
	if (tf_key_write(path, acct->keys.sk, 0400, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.pub", dir, acct->location);
	if (tf_key_write(path, acct->keys.pk, 0644, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s.spub", dir, acct->location);
	if (tf_key_write(path, acct->server_pk, 0644, err) != 0)
		return -1;
	if (acct->endpoint[0] != '\0') {
		char def[300];

		snprintf(path, sizeof path, "%s/%s.endpoint", dir, acct->location);
		if (tf_endpoint_from_location(acct->location, 0, def, sizeof def) != 0 ||
		    strcmp(def, acct->endpoint) != 0) {
			char line[320];
			int n = snprintf(line, sizeof line, "%s\n", acct->endpoint);

			if (tf_write_file(path, line, (size_t)n, 0644) != 0)
				return tf_err_errno(err, "cannot write %s", path);
		}
	}
	snprintf(path, sizeof path, "%s/default_location", dir);
	if (make_default || access(path, F_OK) != 0) {
		char line[300];
		int n = snprintf(line, sizeof line, "%s\n", acct->location);

		if (tf_write_file(path, line, (size_t)n, 0644) != 0)
			return tf_err_errno(err, "cannot write %s", path);
	}
	return 0;
}

int
tf_account_list(char names[][256], int max, tf_err *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (tf_account_dir(dir, sizeof dir, err) != 0)
		return -1;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : tf_err_errno(err, "cannot read %s", dir);
	while ((de = readdir(d)) != NULL && n < max) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".spub") == 0 &&
		    len - 5 < 256) {
			memcpy(names[n], de->d_name, len - 5);
			names[n][len - 5] = '\0';
			n++;
		}
	}
	closedir(d);
	return n;
}

int
tf_token_make(const uint8_t server_pk[TF_KEY_LEN],
	      uint8_t secret[TF_TOKEN_SECRET_LEN], char *out, size_t size)
{
	uint8_t raw[TF_TOKEN_SECRET_LEN + TF_KEY_LEN];
	char b64[TF_TOKEN_MAX];

	randombytes_buf(secret, TF_TOKEN_SECRET_LEN);
	memcpy(raw, secret, TF_TOKEN_SECRET_LEN);
	memcpy(raw + TF_TOKEN_SECRET_LEN, server_pk, TF_KEY_LEN);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return tf_snprintf(out, size, "tf1%s", b64) ? 0 : -1;
}

int
tf_token_parse(const char *token, uint8_t secret[TF_TOKEN_SECRET_LEN],
	       uint8_t server_pk[TF_KEY_LEN], tf_err *err)
{
	uint8_t raw[TF_TOKEN_SECRET_LEN + TF_KEY_LEN];
	size_t n = 0;

	if (strncmp(token, "tf1", 3) != 0 ||
	    sodium_base642bin(raw, sizeof raw, token + 3, strlen(token + 3),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof raw)
		return tf_err_set(err, "this is not an invite token: tokens start "
		    "with 'tf1' and come from 'tf-location invite'");
	memcpy(secret, raw, TF_TOKEN_SECRET_LEN);
	memcpy(server_pk, raw + TF_TOKEN_SECRET_LEN, TF_KEY_LEN);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

void
tf_keys_test(bool verbose)
{
	tf_keypair kp;
	uint8_t back[TF_KEY_LEN], secret[TF_TOKEN_SECRET_LEN], s2[16], pk2[32];
	char b64[TF_KEY_B64_LEN], token[TF_TOKEN_MAX], ep[300];

	if (verbose)
		tf_info("tf_keys_test");
	tf_keypair_make(&kp);
	tf_key_to_b64(kp.pk, b64);
	TF_TEST_CHECK(tf_key_from_b64(b64, back) == 0);
	TF_TEST_CHECK(memcmp(back, kp.pk, TF_KEY_LEN) == 0);
	TF_TEST_CHECK(tf_key_from_b64("short", back) == -1);
	TF_TEST_CHECK(tf_token_make(kp.pk, secret, token, sizeof token) == 0);
	TF_TEST_CHECK(tf_token_parse(token, s2, pk2, NULL) == 0);
	TF_TEST_CHECK(memcmp(s2, secret, 16) == 0 && memcmp(pk2, kp.pk, 32) == 0);
	TF_TEST_CHECK(tf_token_parse("tf1xyz", s2, pk2, NULL) == -1);
	TF_TEST_CHECK(tf_endpoint_from_location("localhost", 0, ep, sizeof ep) == 0);
	TF_TEST_CHECK(strcmp(ep, "tcp://127.0.0.1:2020") == 0);
	TF_TEST_CHECK(tf_endpoint_from_location("h.example:3000", 1, ep, sizeof ep) == 0);
	TF_TEST_CHECK(strcmp(ep, "tcp://h.example:3001") == 0);
	tf_keypair_wipe(&kp);
}
