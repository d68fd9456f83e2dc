/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_keys: Curve25519 key pairs (libsodium crypto_box keys, which is what
 * CurveZMQ uses) and the account files of the seeds' ~/.20ft layout:
 *
 *   default_location      the default location's name
 *   <location>            the client's secret key, base64
 *   <location>.pub        the client's public key, base64
 *   <location>.spub       the location's public key, base64
 *   <location>.endpoint   optional: "tcp://host:port" when not host:2020
 *
 * The directory is $TF_DIR if set, else $HOME/.20ft.
 */
#ifndef TF_KEYS_H
#define TF_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

#define TF_KEY_LEN 32
#define TF_KEY_B64_LEN 45	/* base64 of 32 bytes + NUL */
#define TF_DEFAULT_PORT 2020
#define TF_ENROL_PORT_OFFSET 1	/* account creation listens on port + 1 */

typedef struct tf_keypair {
	uint8_t pk[TF_KEY_LEN];
	uint8_t sk[TF_KEY_LEN];
} tf_keypair;

/* Everything a client needs to reach a location as a given user. */
typedef struct tf_account {
	char location[256];		/* name, e.g. "localhost" */
	char endpoint[300];		/* "tcp://127.0.0.1:2020" */
	tf_keypair keys;
	uint8_t server_pk[TF_KEY_LEN];
} tf_account;

void tf_keypair_make(tf_keypair *kp);
void tf_keypair_wipe(tf_keypair *kp);

void tf_key_to_b64(const uint8_t key[TF_KEY_LEN], char out[TF_KEY_B64_LEN]);
int tf_key_from_b64(const char *b64, uint8_t key[TF_KEY_LEN]);

/* Reads/writes one base64 key file (trailing whitespace ignored). */
int tf_key_read(const char *path, uint8_t key[TF_KEY_LEN], tf_err *err);
int tf_key_write(const char *path, const uint8_t key[TF_KEY_LEN], int mode,
		 tf_err *err);

/* The account directory ($TF_DIR or ~/.20ft), into buf. */
int tf_account_dir(char *buf, size_t size, tf_err *err);
/* Loads the account for location (NULL: the default location). */
int tf_account_load(tf_account *acct, const char *location, tf_err *err);
/* Writes an account's four (or five) files; makes it the default if
 * make_default or there is no default yet. */
int tf_account_save(const tf_account *acct, bool make_default, tf_err *err);
/* Names of every location with an account, one per call; returns count. */
int tf_account_list(char names[][256], int max, tf_err *err);
/* Turns "host", "host:port" or "tcp://host:port" into a zmq endpoint. */
int tf_endpoint_from_location(const char *location, int port_offset,
			      char *buf, size_t size);

/*
 * Invite tokens: "tf1" + base64url(16 secret bytes || 32 byte location pk)
 * so that a token alone lets a client reach the location's enrolment socket
 * over CURVE and be sure it talks to the right location.
 */
#define TF_TOKEN_SECRET_LEN 16
#define TF_TOKEN_MAX 96
int tf_token_make(const uint8_t server_pk[TF_KEY_LEN],
		  uint8_t secret[TF_TOKEN_SECRET_LEN], char *out, size_t size);
int tf_token_parse(const char *token, uint8_t secret[TF_TOKEN_SECRET_LEN],
		   uint8_t server_pk[TF_KEY_LEN], tf_err *err);

void tf_keys_test(bool verbose);

#endif
