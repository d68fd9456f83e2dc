/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf: run an image on a 20ft location (the seeds' `tf`), and create an
 * account from an invite token.  The running part grows with the SDK; this
 * file holds argument handling and dispatch.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: tf account LOCATION TOKEN [--local ADDR]\n"
"       tf LOCATION TOKEN\n"
"\n"
"Creates an account at LOCATION from a one-time invite TOKEN (from the\n"
"location's administrator: 'tf-location invite NAME').  A key pair is made\n"
"on this machine; the public key is registered over an encrypted\n"
"connection, and ~/.20ft (or $TF_DIR) receives LOCATION (secret key),\n"
"LOCATION.pub, LOCATION.spub (the location's key) and default_location.\n"
"\n"
"  --local ADDR   reach the location at ADDR (host[:port]) instead of by name\n"
"  -h, --help     this text\n"
"\n"
"Exit status: 0 on success, 1 if the account could not be made, 2 on bad\n"
"usage.\n";

int
main(int argc, char **argv)
{
	const char *address = NULL;
	int first = 1;

	tf_log_setup(TF_LOG_WARN, "tf", stderr);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
	}
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--local") == 0) {
			address = argv[i + 1];
			memmove(&argv[i], &argv[i + 2],
			    (size_t)(argc - i - 2) * sizeof *argv);
			argc -= 2;
			break;
		}
	}
	if (argc > 1 && strcmp(argv[1], "account") == 0)
		first = 2;
	if (argc - first == 2 && strncmp(argv[first + 1], "tf1", 3) == 0)
		return cli_account_create("tf", argv[first], argv[first + 1],
		    address) == 0 ? 0 : 1;
	fputs(usage_text, stderr);
	return 2;
}
