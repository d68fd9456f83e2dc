/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfacctbak: prints a shell script that recreates this machine's account
 * for a location on another machine (its key files and, when missing
 * there, the default location).  The output holds a secret key: treat it
 * like one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tf_util.h"

static const char usage_text[] =
"Usage: tfacctbak [LOCATION]\n"
"\n"
"Prints a shell script that restores your account for LOCATION (default:\n"
"the default location) on another machine: run it there with\n"
"'sh backup.sh', or pipe it straight in: tfacctbak | ssh host sh.\n"
"The script writes ~/.20ft/LOCATION (the secret key, mode 0400),\n"
"LOCATION.pub, LOCATION.spub, LOCATION.endpoint when this machine has\n"
"one, and default_location when the other machine has none.  It honours\n"
"$TF_DIR there as tf does.  The output contains your secret key.\n"
"\n"
"Exit status: 0 on success, 1 when there is no such account, 2 on bad\n"
"usage.\n";

/* Prints one file as a quoted heredoc. */
static int
emit(const char *dir, const char *name, const char *file, int mode)
{
	char path[4400], *text;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	text = tf_read_file(path, &len, 65536);
	if (text == NULL)
		return -1;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (strstr(text, "TF_ACCOUNT_EOF") != NULL) {
		free(text);
		return -1;
	}
	printf("rm -f \"$d/%s\"\n", file);
	printf("cat > \"$d/%s\" <<'TF_ACCOUNT_EOF'\n%s\nTF_ACCOUNT_EOF\n", file,
	    text);
	printf("chmod %o \"$d/%s\"\n", mode, file);
	free(text);
	(void)name;
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[4096], file[600], stamp[64];
	tf_account acct;
	tf_err err;
	time_t now = time(NULL);

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		bool help = argc == 2 && (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0);

		fputs(usage_text, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	if (tf_account_load(&acct, argc == 2 ? argv[1] : NULL, &err) != 0) {
		fprintf(stderr, "tfacctbak: %s\n", err.msg);
		return 1;
	}
	tf_keypair_wipe(&acct.keys);
	if (strchr(acct.location, '\'') != NULL || strchr(acct.location, '/')) {
		fprintf(stderr, "tfacctbak: '%s' is not a location name I can "
		    "write into a script\n", acct.location);
		return 1;
	}
	if (tf_account_dir(dir, sizeof dir, &err) != 0) {
		fprintf(stderr, "tfacctbak: %s\n", err.msg);
		return 1;
	}
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime(&now));
	printf("#!/bin/sh\n");
	printf("# 20ft account for %s, saved by tfacctbak on %s.\n",
	    acct.location, stamp);
	printf("# Restore it on another machine with: sh THIS-FILE\n");
	printf("# It contains a secret key: keep it like one.\n");
	printf("set -e\n");
	printf("d=${TF_DIR:-$HOME/.20ft}\n");
	printf("mkdir -p \"$d\"\nchmod 700 \"$d\"\n");
	if (emit(dir, acct.location, acct.location, 0400) != 0) {
		fprintf(stderr, "tfacctbak: cannot read the secret key of %s\n",
		    acct.location);
		return 1;
	}
	snprintf(file, sizeof file, "%s.pub", acct.location);
	emit(dir, acct.location, file, 0644);
	snprintf(file, sizeof file, "%s.spub", acct.location);
	emit(dir, acct.location, file, 0644);
	snprintf(file, sizeof file, "%s.endpoint", acct.location);
	emit(dir, acct.location, file, 0644);
	printf("[ -s \"$d/default_location\" ] || echo '%s' > "
	    "\"$d/default_location\"\n", acct.location);
	printf("echo \"Restored the 20ft account for %s in $d\"\n",
	    acct.location);
	return 0;
}
