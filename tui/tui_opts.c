/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_opts: command-line options and the --help text, which is written as
 * a short manual page (the README and the man page quote it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_log.h"
#include "tui.h"

enum {
	OPT_DEMO = 256,
	OPT_DEMO_FEED,
	OPT_CHECK_KEYMAP,
	OPT_NO_COLOR,
	OPT_LOG_LINES,
	OPT_LOG_FILE,
	OPT_VERSION,
};

void
tui_opts_usage(FILE *out)
{
	fputs(
"NAME\n"
"    tfcon - the 20ft operator console\n"
"\n"
"SYNOPSIS\n"
"    tfcon [-l LOCATION]... [-e ENDPOINT] [-k KEYMAP] [-r] [-m] [options]\n"
"    tfcon --demo [--demo-feed FILE]\n"
"    tfcon --check-keymap [-k KEYMAP]\n"
"\n"
"DESCRIPTION\n"
"    tfcon shows the nodes, containers, tunnels, volumes, images and\n"
"    processes of a 20ft location, live from the location's resource offer\n"
"    and its push events, and acts on them from menus, dialogs and a\n"
"    command line: spawn, destroy, reboot, wake, run processes and attach\n"
"    shells, follow console output, open tunnels, manage volumes.\n"
"\n"
"    The screen: a header (location, user, connection state, round-trip\n"
"    time, counts), the view tabs, the selected view, a pane area for log\n"
"    and shell panes, a message line and key hints for the focused panel.\n"
"\n"
"OPTIONS\n"
"    -l, --location NAME     Connect to location NAME, using the account in\n"
"                            ~/.20ft (default: the default location).  Give\n"
"                            it again (up to 8) to watch several locations\n"
"                            in one console: a LOCATION column, merged\n"
"                            views, each one's state in the header.\n"
"    -e, --endpoint URL      Connect to URL (tcp://host:port) with the\n"
"                            account of the first location named.\n"
"        --demo              Use a built-in demo location: no network, a\n"
"                            canned offer, simulated containers (a test\n"
"                            fixture, only in builds with -Ddemo=true).\n"
"        --demo-feed FILE    Demo location whose pushes come from FILE, one\n"
"                            JSON value per line: [\"cmd\", {params}] or\n"
"                            {\"sleep\": ms}.  Implies --demo.\n"
"    -k, --keymap NAME|PATH  Key bindings: default, vi, emacs, or a file.\n"
"                            Default: $XDG_CONFIG_HOME/tfcon/keymap if it\n"
"                            exists, else \"default\".\n"
"        --check-keymap      Load the keymap, print every problem (unknown\n"
"                            actions or keys, clashes) and exit.\n"
"    -r, --readonly          Refuse every destructive action (destroy,\n"
"                            reboot, rollback, disallow, kill).\n"
"    -m, --mouse             Enable the mouse (wheel scrolls, click focuses;\n"
"                            a shell pane's program that asks for the mouse\n"
"                            gets it).\n"
"        --no-color          No colours; as is NO_COLOR set non-empty.\n"
"        --log-lines N       Lines kept by each log pane (default 10000);\n"
"                            older lines are dropped and counted.\n"
"        --log-file PATH     Diagnostics (default\n"
"                            $XDG_STATE_HOME/tfcon/tfcon.log); tfcon never\n"
"                            writes diagnostics to the screen.\n"
"    -v, --verbose           More detail in the log file; twice for debug.\n"
"    -h, --help              This text.\n"
"        --version           The version.\n"
"\n"
"KEYS (default keymap; ? in tfcon lists the active one)\n"
"    1-6 views   Enter/m menu   s spawn   d destroy   l logs   x run\n"
"    a shell   r reboot   R reset   w wake   / filter   > < ! sort\n"
"    : command   Tab focus list/pane   z zoom   X close pane   q quit\n"
"    In a log pane: f follow   / search   n N next/prev   & filter\n"
"    W wrap   T timestamps   C-s save.  In a shell pane: C-] leaves,\n"
"    F7 copy mode (/ search, v select, y copy (OSC 52), s save, q leave).\n"
"\n"
"COMMANDS (after :)\n"
"    nodes containers tunnels volumes images procs   switch view\n"
"    spawn IMAGE [TAG]   destroy|reboot|reset|wake|logs NAME\n"
"    run NAME COMMAND    shell NAME   tunnel NAME PORT [LOCALPORT]\n"
"    allow|disallow NAME IP   volume create [TAG]   snapshot|rollback VOL\n"
"    sort COLUMN [desc]   filter TEXT   help   q\n"
"    location add NAME    connect to one more location\n"
"    location NAME|all    show one location's records, or all again\n"
"    Any action name (see ?) is a command too, e.g. :log.wrap.\n"
"\n"
"FILES\n"
"    ~/.20ft/                 accounts (keys) per location\n"
"    $XDG_CONFIG_HOME/tfcon/keymap         the user's keymap\n"
"    $XDG_CONFIG_HOME/tfcon/keymaps/NAME   more keymaps for --keymap NAME\n"
"\n"
"ENVIRONMENT\n"
"    NO_COLOR   when set and not empty, no colours are used\n"
"    TF_DIR     account directory instead of ~/.20ft\n"
"    TFCON_KEYMAP_DIR   another directory searched for keymaps\n"
"\n"
"EXIT STATUS\n"
"    0 on a normal quit, 1 when the console could not start (no account,\n"
"    no terminal, unreadable keymap), 2 on a usage error.\n"
"\n"
"EXAMPLES\n"
"    tfcon                      the default location\n"
"    tfcon -l prod -r -k vi     location prod, read-only, vi keys\n"
"    tfcon -l eu -l us          two locations in one console\n"
"    tfcon --demo               try the console without a location\n",
	    out);
}

int
tui_opts_parse(struct tui_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, 'l' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "keymap", required_argument, NULL, 'k' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "mouse", no_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "demo-feed", required_argument, NULL, OPT_DEMO_FEED },
		{ "check-keymap", no_argument, NULL, OPT_CHECK_KEYMAP },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "log-lines", required_argument, NULL, OPT_LOG_LINES },
		{ "log-file", required_argument, NULL, OPT_LOG_FILE },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long n;
	int c;

	memset(o, 0, sizeof *o);
	o->log_lines = 10000;
	o->log_level = TF_LOG_INFO;
	while ((c = getopt_long(argc, argv, "l:e:k:rmvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (o->nlocations == TUI_LOCS_MAX) {
				fprintf(stderr, "tfcon: at most %d locations\n",
				    TUI_LOCS_MAX);
				return -1;
			}
			o->locations[o->nlocations++] = optarg;
			break;
		case 'e':
			o->endpoint = optarg;
			break;
		case 'k':
			o->keymap = optarg;
			break;
		case 'r':
			o->readonly = true;
			break;
		case 'm':
			o->mouse = true;
			break;
		case 'v':
			o->log_level = TF_LOG_DEBUG;
			break;
		case 'h':
			tui_opts_usage(stdout);
			exit(0);
		case OPT_DEMO:
			o->demo = true;
			break;
		case OPT_DEMO_FEED:
			o->demo = true;
			o->demo_feed = optarg;
			break;
		case OPT_CHECK_KEYMAP:
			o->check_keymap = true;
			break;
		case OPT_NO_COLOR:
			setenv("NO_COLOR", "1", 1);
			break;
		case OPT_LOG_LINES:
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 10 || n > 10000000) {
				fprintf(stderr, "tfcon: --log-lines wants a "
				    "number from 10 to 10000000\n");
				return -1;
			}
			o->log_lines = (size_t)n;
			break;
		case OPT_LOG_FILE:
			o->log_file = optarg;
			break;
		case OPT_VERSION:
			printf("tfcon %s\n", TFCON_VERSION);
			exit(0);
		default:
			fprintf(stderr, "Try 'tfcon --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tfcon: unexpected argument '%s'\n"
		    "Try 'tfcon --help'.\n", argv[optind]);
		return -1;
	}
	return 0;
}
