/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_main: runs a fuzz harness over files and directories of inputs
 * without libFuzzer, so the ordinary (gcc, sanitizer) build replays each
 * harness's corpus as a unit test.
 *   fuzz_NAME FILE|DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "tf_util.h"

#define FUZZ_FILE_MAX (4u << 20)

static int
fuzz_file(const char *path)
{
	size_t len = 0;
	char *data = tf_read_file(path, &len, FUZZ_FILE_MAX);

	if (data == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	int files = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "no such input: %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += fuzz_file(argv[i]);
			files++;
			continue;
		}
		n = scandir(argv[i], &ents, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			char path[4096];

			if (ents[k]->d_name[0] != '.') {
				snprintf(path, sizeof path, "%s/%s", argv[i],
				    ents[k]->d_name);
				bad += fuzz_file(path);
				files++;
			}
			free(ents[k]);
		}
		free(ents);
	}
	printf("%d inputs replayed, %d unreadable\n", files, bad);
	return bad == 0 && files > 0 ? 0 : 1;
}
