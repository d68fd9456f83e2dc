/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * selftest: runs the core objects' self tests (czmq style), all of them or
 * the ones named on the command line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tf_keys.h"
#include "tf_log.h"
#include "tf_loop.h"
#include "tf_msg.h"
#ifdef HAVE_TF_IMAGE
#include "tf_image.h"
#endif
#include "tf_model.h"

static const struct {
	const char *name;
	void (*fn)(bool verbose);
} all_tests[] = {
	{ "tf_loop", tf_loop_test },
	{ "tf_msg", tf_msg_test },
	{ "tf_keys", tf_keys_test },
	{ "tf_model", tf_model_test },
#ifdef HAVE_TF_IMAGE
	{ "tf_image", tf_image_test },
#endif
};

int
main(int argc, char **argv)
{
	size_t n = sizeof all_tests / sizeof all_tests[0];
	int passed = 0;

	tf_log_setup(TF_LOG_INFO, "selftest", stderr);
	for (size_t i = 0; i < n; i++) {
		bool wanted = argc < 2;

		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], all_tests[i].name) == 0)
				wanted = true;
		if (!wanted)
			continue;
		all_tests[i].fn(true);
		printf("ok %s\n", all_tests[i].name);
		passed++;
	}
	printf("%d passed, 0 failed\n", passed);
	return 0;
}
