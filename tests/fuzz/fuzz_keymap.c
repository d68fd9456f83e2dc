/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_keymap: a keymap file as tfcon reads it (tui_keymap_load: lines of
 * action and key names, includes, comments), then every check and lookup
 * made of it.  The input is written to a file, since keymaps are loaded by
 * path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "tf_log.h"
#include "tf_util.h"
#include "tui.h"

static char path[4096];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_keymap *km;
	char buf[128];
	tf_err err;

	if (path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		tf_log_setup(TF_LOG_ERROR, "fuzz_keymap", NULL);
		snprintf(path, sizeof path, "%s/fuzz_keymap.%d",
		    tmp != NULL && *tmp ? tmp : "/tmp", (int)getpid());
	}
	if (tf_write_file(path, data, size, 0600) != 0)
		return 0;
	km = tui_keymap_new();
	if (tui_keymap_load(km, path, &err) == 0) {
		for (size_t i = 0; i < tui_keymap_problems(km); i++)
			(void)tui_keymap_problem(km, i);
		tui_keymap_keys(km, "destroy", buf, sizeof buf);
		tui_keymap_first(km, "quit", buf, sizeof buf);
		for (tui_key k = 0; k < 600; k += 7)
			(void)tui_keymap_lookup(km, k, ~0);
	}
	tui_keymap_destroy(&km);
	unlink(path);
	return 0;
}
