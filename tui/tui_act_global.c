/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_act_global: actions about the console itself: quit, help, command
 * mode, filter, views, focus and panes, sorting, the actions menu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

int
tui_act_quit(struct tui *t, const char *arg)
{
	TF_UNUSED(t);
	TF_UNUSED(arg);
	return TUI_R_QUIT;
}

int
tui_act_help(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	tui_help_open(t);
	return TUI_R_REDRAW;
}

static void
act_command_cb(struct tui *t, const char *text, void *arg)
{
	TF_UNUSED(arg);
	if (text != NULL && tui_cmd_run(t, text) & TUI_R_QUIT) {
		t->quit = true;
		tf_loop_stop(t->loop);
	}
}

int
tui_act_command(struct tui *t, const char *arg)
{
	if (arg != NULL && *arg != '\0')
		return tui_cmd_run(t, arg);
	tui_prompt_open(t, ":", "", act_command_cb, NULL, false);
	return TUI_R_REDRAW;
}

static void
act_filter_cb(struct tui *t, const char *text, void *arg)
{
	TF_UNUSED(arg);
	if (text != NULL)
		tui_list_set_filter(t, text);
}

int
tui_act_filter(struct tui *t, const char *arg)
{
	if (arg != NULL) {
		tui_list_set_filter(t, arg);
		return TUI_R_REDRAW;
	}
	tui_prompt_open(t, "/", tui_list_filter(t), act_filter_cb, NULL, false);
	return TUI_R_REDRAW;
}

int
tui_act_view(struct tui *t, const char *arg)
{
	int v = arg != NULL ? tui_view_parse(arg) : -1;

	if (v < 0) {
		tui_error(t, "no view named '%s'", arg ? arg : "");
		return TUI_R_REDRAW;
	}
	if (v == TUI_VIEW_PROCS && tui_list_view(t) != TUI_VIEW_PROCS)
		tui_list_set_procs_of(t, NULL);
	tui_list_set_view(t, (enum tui_view_kind)v);
	tui_screen_focus_list(t);
	return TUI_R_REDRAW;
}

int
tui_act_view_next(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	tui_list_set_view(t, (enum tui_view_kind)((tui_list_view(t) + 1) %
	    TUI_VIEW_LAST));
	tui_screen_focus_list(t);
	return TUI_R_REDRAW;
}

int
tui_act_view_prev(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	tui_list_set_view(t, (enum tui_view_kind)((tui_list_view(t) +
	    TUI_VIEW_LAST - 1) % TUI_VIEW_LAST));
	tui_screen_focus_list(t);
	return TUI_R_REDRAW;
}

int
tui_act_focus_next(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	tui_screen_focus_next(t);
	return TUI_R_REDRAW;
}

int
tui_act_pane_next(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	if (t->scr.npanes == 0)
		tui_message(t, "no panes open");
	tui_screen_next_pane(t, 1);
	return TUI_R_REDRAW;
}

int
tui_act_pane_close(struct tui *t, const char *arg)
{
	struct tui_panel *p = tui_screen_current_pane(t);

	TF_UNUSED(arg);
	if (p == NULL) {
		tui_message(t, "no pane to close");
		return TUI_R_REDRAW;
	}
	tui_message(t, "closed %s", p->title);
	tui_screen_close_pane(t, p);
	return TUI_R_REDRAW;
}

int
tui_act_pane_zoom(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	if (t->scr.cur < 0) {
		tui_message(t, "nothing to zoom: open logs (l) or a shell (a)");
		return TUI_R_REDRAW;
	}
	t->scr.zoom = !t->scr.zoom;
	if (t->scr.zoom)
		t->scr.pane_focus = true;
	tui_screen_layout(t);
	return TUI_R_REDRAW;
}

int
tui_act_pane_leave(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	tui_screen_focus_list(t);
	return TUI_R_REDRAW;
}

int
tui_act_redraw(struct tui *t, const char *arg)
{
	TF_UNUSED(arg);
	t->full_redraw = true;
	return TUI_R_REDRAW;
}

int
tui_act_sort(struct tui *t, const char *arg)
{
	char desc[64];

	if (arg == NULL || tui_list_sort_by(t, arg, false) != 0) {
		tui_error(t, "sort: no column '%s'", arg ? arg : "");
		return TUI_R_REDRAW;
	}
	tui_list_describe_sort(t, desc, sizeof desc);
	tui_message(t, "%s", desc);
	return TUI_R_REDRAW;
}

/* Short labels for menu items; other actions show their help line. */
static const struct {
	const char *action;
	const char *label;
} act_menu_labels[] = {
	{ "spawn", "Spawn a container..." },
	{ "create", "Create..." },
	{ "destroy", "Destroy..." },
	{ "logs", "Follow logs" },
	{ "exec", "Run a process..." },
	{ "shell", "Attach a shell" },
	{ "reboot", "Reboot" },
	{ "reset", "Reboot with reset..." },
	{ "wake", "Wake" },
	{ "procs", "Processes" },
	{ "tunnel", "Open a tunnel..." },
	{ "allow", "Allow connections..." },
	{ "disallow", "Disallow connections..." },
	{ "volume.create", "Create a volume..." },
	{ "snapshot", "Snapshot" },
	{ "rollback", "Roll back..." },
};

/* The actions menu lists what applies to the selected item, in table
 * order, with each action's first key. */
int
tui_act_menu(struct tui *t, const char *arg)
{
	struct tui_menu_item items[32];
	const struct tui_action *a;
	const struct tui_view_def *v = tui_view_def(tui_list_view(t));
	const char *sel = tui_list_selected(t);
	char title[96], key[32];
	int n = 0;
	size_t i, k;

	TF_UNUSED(arg);
	for (i = 0; (a = tui_action_at(i)) != NULL && n < 32; i++) {
		if (a->ctx != TUI_CTX_LIST || a->views == 0 ||
		    !(a->views & TUI_V(v->kind)) || strcmp(a->name, "menu") == 0)
			continue;
		/* Actions on an item need one. */
		if (sel == NULL && strcmp(a->name, "spawn") != 0 &&
		    strcmp(a->name, "create") != 0 &&
		    strcmp(a->name, "volume.create") != 0)
			continue;
		memset(&items[n], 0, sizeof items[n]);
		snprintf(items[n].label, sizeof items[n].label, "%s", a->help);
		for (k = 0; k < TF_ARRAY_LEN(act_menu_labels); k++) {
			if (strcmp(act_menu_labels[k].action, a->name) == 0)
				snprintf(items[n].label, sizeof items[n].label,
				    "%s", act_menu_labels[k].label);
		}
		if (a->destructive && t->opts.readonly)
			strncat(items[n].label, " (read-only)",
			    sizeof items[n].label - strlen(items[n].label) - 1);
		snprintf(items[n].action, sizeof items[n].action, "%s", a->name);
		if (tui_keymap_first(t->km, a->name, key, sizeof key) != NULL)
			snprintf(items[n].key, sizeof items[n].key, "%s", key);
		items[n].disabled = a->destructive && t->opts.readonly;
		n++;
	}
	if (n == 0) {
		tui_message(t, "nothing to do here");
		return TUI_R_REDRAW;
	}
	if (sel != NULL && v->kind == TUI_VIEW_CONTAINERS) {
		const tf_model_container *c = tui_list_selected_rec(t);

		tui_describe_container(c, title, sizeof title);
	} else if (sel != NULL)
		snprintf(title, sizeof title, "%s %.12s", v->name, sel);
	else
		snprintf(title, sizeof title, "%s", v->title);
	tui_menu_open(t, title, items, n);
	return TUI_R_REDRAW;
}
