/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfcon: main().  Parses options, sets the locale (UTF-8 drawing needs it),
 * runs the console and restores the terminal before any error is printed.
 * The application state lives in one struct tui on main's stack.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

/* Prints the keymap's problems (or "ok" when asked) on out; 1 when it has
 * any or cannot be read. */
static int
tfcon_keymap_report(const char *keymap, FILE *out, bool say_ok)
{
	struct tui_keymap *km = tui_keymap_new();
	tf_err err;
	size_t i, n;
	int rc = 0;

	if (tui_keymap_load_default(km, keymap, &err) != 0) {
		fprintf(stderr, "tfcon: %s\n", err.msg);
		rc = 1;
	} else {
		n = tui_keymap_problems(km);
		for (i = 0; i < n; i++)
			fprintf(out, "%s: %s\n", tui_keymap_path(km),
			    tui_keymap_problem(km, i));
		if (n == 0 && say_ok)
			fprintf(out, "%s: ok\n", tui_keymap_path(km));
		rc = n > 0;
	}
	tui_keymap_destroy(&km);
	return rc;
}

int
main(int argc, char **argv)
{
	struct tui t;
	tf_err err;
	int rc;

	setlocale(LC_ALL, "");
	memset(&t, 0, sizeof t);
	if (tui_opts_parse(&t.opts, argc, argv) != 0)
		return 2;
	if (t.opts.check_keymap)
		return tfcon_keymap_report(t.opts.keymap, stdout, true);
	/* A keymap with two actions on one key (or a name we do not know)
	 * would start a console that does not do what its user wrote:
	 * refuse, before the terminal is taken, saying what to fix. */
	if (tfcon_keymap_report(t.opts.keymap, stderr, false) != 0) {
		fprintf(stderr, "tfcon: fix the keymap and start again "
		    "(tfcon --check-keymap checks it)\n");
		return 1;
	}
	tf_err_clear(&err);
	if (tui_setup(&t, &err) != 0) {
		tui_teardown(&t);
		fprintf(stderr, "tfcon: %s\n", err.msg);
		if (!t.opts.demo && tui_have_demo() &&
		    strstr(err.msg, "account") != NULL)
			fprintf(stderr, "tfcon: try 'tfcon --demo' to see the "
			    "console without a location\n");
		return 1;
	}
	rc = tui_run(&t);
	tui_teardown(&t);
	return rc;
}
