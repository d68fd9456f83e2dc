/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tflocations: lists the locations this machine has accounts for and picks
 * the default one.  It reads ~/.20ft (or $TF_DIR) only; nothing connects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tf_util.h"

static const char usage_text[] =
"Usage: tflocations {list,select PREFIX}\n"
"\n"
"  list           print each location you have an account for; the\n"
"                 default one is marked ' <== default'\n"
"  select PREFIX  make the first location whose name starts with PREFIX\n"
"                 the default (writes default_location)\n"
"\n"
"Accounts live in ~/.20ft, or in $TF_DIR when that is set; see tf(1) for\n"
"creating one.  Nothing here connects to a location.\n"
"\n"
"Exit status: 0 on success, 1 when no location matches or the account\n"
"directory cannot be read or written, 2 on bad usage.\n";

static int
read_default(char *buf, size_t size)
{
	char dir[4096], path[4200], *text;
	tf_err err;

	buf[0] = '\0';
	if (tf_account_dir(dir, sizeof dir, &err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/default_location", dir);
	text = tf_read_file(path, NULL, 4096);
	if (text == NULL)
		return 0;
	text[strcspn(text, " \t\r\n")] = '\0';
	snprintf(buf, size, "%s", text);
	free(text);
	return 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
main(int argc, char **argv)
{
	static char names[1024][256];
	char def[256], dir[4096], path[4200];
	tf_err err;
	int n;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	n = tf_account_list(names, 1024, &err);
	if (n < 0) {
		fprintf(stderr, "tflocations: %s\n", err.msg);
		return 1;
	}
	qsort(names, (size_t)n, sizeof names[0], names_cmp);
	read_default(def, sizeof def);
	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		for (int i = 0; i < n; i++)
			printf("%s%s\n", names[i], strcmp(names[i], def) == 0 ?
			    " <== default" : "");
		return 0;
	}
	if (strcmp(argv[1], "select") == 0 && argc == 3) {
		for (int i = 0; i < n; i++) {
			char line[300];
			int len;

			if (strncmp(names[i], argv[2], strlen(argv[2])) != 0)
				continue;
			if (tf_account_dir(dir, sizeof dir, &err) != 0) {
				fprintf(stderr, "tflocations: %s\n", err.msg);
				return 1;
			}
			snprintf(path, sizeof path, "%s/default_location", dir);
			len = snprintf(line, sizeof line, "%s\n", names[i]);
			if (tf_write_file(path, line, (size_t)len, 0644) != 0) {
				fprintf(stderr, "tflocations: cannot write %s: "
				    "%s\n", path, strerror(errno));
				return 1;
			}
			printf("%s\n", names[i]);
			return 0;
		}
		fprintf(stderr, "Could not find a location starting with: %s\n",
		    argv[2]);
		return 1;
	}
	fputs(usage_text, stderr);
	return 2;
}
