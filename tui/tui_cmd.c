/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_cmd: command mode.  A line typed after ":" is a command word and its
 * arguments; the word is a view name (":containers", ":co"), one of the
 * commands below, or any action name from tui_action.c (":log.wrap"), with
 * the rest of the line as the action's argument.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tf_util.h"
#include "tui.h"

/* Commands that are not action names, or spell them differently. */
static const struct {
	const char *word;
	const char *action;		/* NULL: handled in tui_cmd_run */
} cmd_aliases[] = {
	{ "q", "quit" }, { "quit", "quit" }, { "q!", "quit" }, { "exit", "quit" },
	{ "h", "help" }, { "help", "help" },
	{ "spawn", "spawn" }, { "run", "exec" }, { "exec", "exec" },
	{ "destroy", "destroy" }, { "kill", "destroy" }, { "rm", "destroy" },
	{ "reboot", "reboot" }, { "reset", "reset" }, { "wake", "wake" },
	{ "logs", "logs" }, { "log", "logs" }, { "shell", "shell" },
	{ "sh", "shell" }, { "attach", "shell" },
	{ "tunnel", "tunnel" }, { "allow", "allow" }, { "disallow", "disallow" },
	{ "snapshot", "snapshot" }, { "rollback", "rollback" },
	{ "volume", NULL }, { "vol", NULL }, { "sort", NULL }, { "filter", NULL },
	{ "keymap", NULL }, { "close", "pane.close" }, { "zoom", "pane.zoom" },
};

static int
cmd_volume(struct tui *t, char *args)
{
	char *save = NULL;
	char *sub = strtok_r(args, " ", &save);
	char *rest = strtok_r(NULL, "", &save);

	if (sub == NULL || strcmp(sub, "create") == 0)
		return tui_act_volume_create(t, rest);
	if (strcmp(sub, "destroy") == 0 || strcmp(sub, "rm") == 0) {
		tui_list_set_view(t, TUI_VIEW_VOLUMES);
		return tui_action_run(t, tui_action_find("destroy"), rest);
	}
	if (strcmp(sub, "snapshot") == 0)
		return tui_act_snapshot(t, rest);
	if (strcmp(sub, "rollback") == 0)
		return tui_action_run(t, tui_action_find("rollback"), rest);
	tui_error(t, "volume: create, destroy, snapshot or rollback");
	return TUI_R_REDRAW;
}

int
tui_cmd_run(struct tui *t, const char *line)
{
	char buf[TUI_EDIT_MAX], *word, *args;
	const struct tui_action *a;
	size_t i;
	int v;

	snprintf(buf, sizeof buf, "%s", line);
	word = buf;
	while (isspace((unsigned char)*word))
		word++;
	if (*word == '\0')
		return TUI_R_NONE;
	args = word + strcspn(word, " \t");
	if (*args != '\0')
		*args++ = '\0';
	while (isspace((unsigned char)*args))
		args++;
	/* "tunnel web 80" and "volume create" are commands; "tunnel" or
	 * "volume" alone switch the view. */
	if ((strcmp(word, "volume") == 0 || strcmp(word, "vol") == 0) &&
	    *args != '\0')
		return cmd_volume(t, args);
	if (strcmp(word, "tunnel") == 0 && *args != '\0')
		return tui_action_run(t, tui_action_find("tunnel"), args);
	if ((v = tui_view_parse(word)) >= 0) {
		tui_list_set_view(t, (enum tui_view_kind)v);
		tui_screen_focus_list(t);
		if (*args != '\0')
			tui_list_set_filter(t, args);
		return TUI_R_REDRAW;
	}
	for (i = 0; i < TF_ARRAY_LEN(cmd_aliases); i++) {
		if (strcmp(word, cmd_aliases[i].word) != 0)
			continue;
		if (cmd_aliases[i].action != NULL)
			return tui_action_run(t,
			    tui_action_find(cmd_aliases[i].action),
			    *args ? args : NULL);
		if (strcmp(word, "sort") == 0) {
			char *save = NULL;
			char *col = strtok_r(args, " ", &save);
			char *dir = strtok_r(NULL, " ", &save);

			if (col == NULL || tui_list_sort_by(t, col, dir != NULL &&
			    strncmp(dir, "desc", 4) == 0) != 0)
				tui_error(t, "sort: no column '%s' in this view",
				    col ? col : "");
			return TUI_R_REDRAW;
		}
		if (strcmp(word, "filter") == 0) {
			tui_list_set_filter(t, args);
			return TUI_R_REDRAW;
		}
		if (strcmp(word, "keymap") == 0) {
			tui_message(t, "keymap: %s", tui_keymap_path(t->km));
			return TUI_R_REDRAW;
		}
		return cmd_volume(t, args);
	}
	if ((a = tui_action_find(word)) != NULL)
		return tui_action_run(t, a, *args ? args : NULL);
	tui_error(t, "unknown command: %s (try :help)", word);
	return TUI_R_REDRAW;
}

size_t
tui_cmd_complete(const char *prefix, const char **out, size_t max)
{
	size_t n = 0, i, len = strlen(prefix);
	const struct tui_action *a;

	for (i = 0; i < TUI_VIEW_LAST && n < max; i++) {
		if (strncmp(tui_view_def((enum tui_view_kind)i)->name, prefix,
		    len) == 0)
			out[n++] = tui_view_def((enum tui_view_kind)i)->name;
	}
	for (i = 0; i < TF_ARRAY_LEN(cmd_aliases) && n < max; i++) {
		if (strlen(cmd_aliases[i].word) > 2 &&
		    strncmp(cmd_aliases[i].word, prefix, len) == 0)
			out[n++] = cmd_aliases[i].word;
	}
	for (i = 0; (a = tui_action_at(i)) != NULL && n < max; i++) {
		if (strchr(a->name, '.') != NULL &&
		    strncmp(a->name, prefix, len) == 0)
			out[n++] = a->name;
	}
	return n;
}
