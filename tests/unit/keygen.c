/* SPDX-License-Identifier: BSD-2-Clause */
/* keygen PUBFILE SECFILE: writes a fresh Curve25519 key pair (tests). */
#include <stdio.h>

#include "tf_keys.h"

int
main(int argc, char **argv)
{
	tf_keypair kp;
	tf_err err;

	if (argc != 3) {
		fprintf(stderr, "usage: keygen PUBFILE SECFILE\n");
		return 2;
	}
	tf_keypair_make(&kp);
	if (tf_key_write(argv[1], kp.pk, 0644, &err) != 0 ||
	    tf_key_write(argv[2], kp.sk, 0600, &err) != 0) {
		fprintf(stderr, "keygen: %s\n", err.msg);
		return 1;
	}
	tf_keypair_wipe(&kp);
	return 0;
}
