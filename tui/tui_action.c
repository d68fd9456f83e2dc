/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_action: the table of every action the console has.  Keymaps bind
 * keys to these names, the help screen and status line are generated from
 * it, menus list it, and command mode can call any of them by name.  An
 * action either has a function, or (fn NULL) is a panel action handled by
 * the focused panel's command op (movement, log pane controls, shell).
 *
 * The destructive flag is the single place --readonly is enforced.
 */
#include <string.h>

#include "tf_util.h"
#include "tui.h"

#define V_CTR TUI_V(TUI_VIEW_CONTAINERS)
#define V_NODE TUI_V(TUI_VIEW_NODES)
#define V_TUN TUI_V(TUI_VIEW_TUNNELS)
#define V_VOL TUI_V(TUI_VIEW_VOLUMES)
#define V_IMG TUI_V(TUI_VIEW_IMAGES)
#define V_PROC TUI_V(TUI_VIEW_PROCS)
#define VIEWS TUI_CTX_VIEWS
#define LIST TUI_CTX_LIST
#define LOG TUI_CTX_LOG
#define SHELL TUI_CTX_SHELL
#define COPY TUI_CTX_COPY
/* Movement also walks a shell pane's copy mode. */
#define MOVE (TUI_CTX_VIEWS | TUI_CTX_COPY)

/* Order matters: the help screen and the status line follow it. */
static const struct tui_action tui_actions[] = {
	/* name, ctx, destructive, views, hint, help, fn, arg */
	{ "help", VIEWS, false, 0, "help", "Show this help: every key of the active keymap", tui_act_help, NULL },
	{ "quit", VIEWS, false, 0, "quit", "Leave tfcon", tui_act_quit, NULL },
	{ "menu", LIST, false, 0, "menu", "Open the actions menu for the selected item", tui_act_menu, NULL },
	{ "spawn", LIST, false, V_CTR | V_NODE | V_IMG, "spawn", "Spawn a container (image, node, tag, env, files, volumes)", tui_act_spawn, NULL },
	{ "create", LIST, false, V_TUN | V_VOL, "create", "Create a volume or a tunnel (in their views)", tui_act_create, NULL },
	{ "destroy", LIST, true, V_CTR | V_TUN | V_VOL | V_PROC, "destroy", "Destroy the selected container, tunnel or volume; kill a process", tui_act_destroy, NULL },
	{ "logs", LIST, false, V_CTR, "logs", "Follow the container's console output in a log pane", tui_act_logs, NULL },
	{ "mark", LIST, false, V_CTR, "mark", "Mark or unmark the container; destroy, reboot and logs act on all marked", tui_act_mark, NULL },
	{ "mark.all", LIST, false, V_CTR, NULL, "Mark every container shown (or unmark them when all are marked)", tui_act_mark_all, NULL },
	{ "detail", LIST, false, V_CTR, "detail", "Open the detail pane: metrics with their last 5 minutes, record, events", tui_act_detail, NULL },
	{ "exec", LIST, false, V_CTR, "run", "Run a process in the container; its output goes to a log pane", tui_act_exec, NULL },
	{ "shell", LIST, false, V_CTR, "shell", "Attach an interactive shell in a terminal pane", tui_act_shell, NULL },
	{ "reboot", LIST, true, V_CTR, "reboot", "Reboot the container", tui_act_reboot, NULL },
	{ "reset", LIST, true, V_CTR, NULL, "Reboot the container with its filesystem reset to the image", tui_act_reset, NULL },
	{ "wake", LIST, false, V_CTR, NULL, "Wake a sleeping container", tui_act_wake, NULL },
	{ "procs", LIST, false, V_CTR, NULL, "Show the processes this console runs in the container", tui_act_procs, NULL },
	{ "tunnel", LIST, false, V_CTR, NULL, "Open a tunnel from a local port to a port of the container", tui_act_tunnel, NULL },
	{ "allow", LIST, false, V_CTR, NULL, "Allow connections to the container from an address or container", tui_act_allow, NULL },
	{ "disallow", LIST, true, V_CTR, NULL, "Disallow connections from an address or container", tui_act_disallow, NULL },
	{ "volume.create", LIST, false, V_VOL | V_NODE, NULL, "Create a volume", tui_act_volume_create, NULL },
	{ "snapshot", LIST, false, V_VOL, "snapshot", "Snapshot the volume (one snapshot point)", tui_act_snapshot, NULL },
	{ "rollback", LIST, true, V_VOL, "rollback", "Roll the volume back to its snapshot", tui_act_rollback, NULL },
	{ "filter", LIST, false, 0, "filter", "Filter the list: text, or column:text (node:a state:run)", tui_act_filter, NULL },
	{ "sort.next", LIST, false, 0, "sort", "Sort by the next column", tui_act_sort, "next" },
	{ "sort.prev", LIST, false, 0, NULL, "Sort by the previous column", tui_act_sort, "prev" },
	{ "sort.reverse", LIST, false, 0, NULL, "Reverse the sort order", tui_act_sort, "reverse" },
	{ "command", VIEWS, false, 0, "cmd", "Command mode: :containers :spawn busybox :destroy web :q ...", tui_act_command, NULL },
	{ "view.nodes", VIEWS, false, 0, NULL, "Show nodes", tui_act_view, "nodes" },
	{ "view.containers", VIEWS, false, 0, NULL, "Show containers", tui_act_view, "containers" },
	{ "view.tunnels", VIEWS, false, 0, NULL, "Show tunnels", tui_act_view, "tunnels" },
	{ "view.volumes", VIEWS, false, 0, NULL, "Show volumes", tui_act_view, "volumes" },
	{ "view.images", VIEWS, false, 0, NULL, "Show images", tui_act_view, "images" },
	{ "view.procs", VIEWS, false, 0, NULL, "Show processes", tui_act_view, "procs" },
	{ "view.events", VIEWS, false, 0, NULL, "Show the location's events", tui_act_view, "events" },
	{ "view.next", VIEWS, false, 0, NULL, "Next view", tui_act_view_next, NULL },
	{ "view.prev", VIEWS, false, 0, NULL, "Previous view", tui_act_view_prev, NULL },
	{ "focus.next", VIEWS, false, 0, "focus", "Move the focus between the list and the pane", tui_act_focus_next, NULL },
	{ "pane.next", VIEWS, false, 0, NULL, "Show the next pane", tui_act_pane_next, NULL },
	{ "pane.zoom", VIEWS, false, 0, "zoom", "Zoom the focused panel to the full screen, or back", tui_act_pane_zoom, NULL },
	{ "pane.close", VIEWS, false, 0, "close", "Close the current pane (ends its stream or process)", tui_act_pane_close, NULL },
	{ "pane.scroll-up", SHELL, false, 0, NULL, "Scroll a shell pane back into its history", NULL, NULL },
	{ "pane.scroll-down", SHELL, false, 0, NULL, "Scroll a shell pane forward, towards the live screen", NULL, NULL },
	{ "pane.copy", SHELL, false, 0, "copy", "Copy mode: walk the scrollback, search, select, copy or save text", NULL, NULL },
	{ "copy.select", COPY, false, 0, "select", "Start a selection at the cursor (again: drop it)", NULL, NULL },
	{ "copy.copy", COPY, false, 0, "copy", "Copy the selection (or the line) to the clipboard (OSC 52); leave copy mode", NULL, NULL },
	{ "copy.save", COPY, false, 0, "save", "Save the selection (or the line) to a file", NULL, NULL },
	{ "copy.search", COPY, false, 0, "search", "Search back through the scrollback for text", NULL, NULL },
	{ "copy.next", COPY, false, 0, "next", "Next (older) search hit", NULL, NULL },
	{ "copy.prev", COPY, false, 0, NULL, "Previous (newer) search hit", NULL, NULL },
	{ "copy.exit", COPY, false, 0, "leave", "Leave copy mode", NULL, NULL },
	{ "pane.leave", SHELL, false, 0, "leave", "Leave the shell pane: keys go to the console again", tui_act_pane_leave, NULL },
	{ "move.up", MOVE, false, 0, NULL, "Move up", NULL, NULL },
	{ "move.down", MOVE, false, 0, NULL, "Move down", NULL, NULL },
	{ "page.up", MOVE, false, 0, NULL, "Page up", NULL, NULL },
	{ "page.down", MOVE, false, 0, NULL, "Page down", NULL, NULL },
	{ "move.top", MOVE, false, 0, NULL, "Go to the top", NULL, NULL },
	{ "move.bottom", MOVE, false, 0, NULL, "Go to the bottom", NULL, NULL },
	{ "move.left", LOG | COPY, false, 0, NULL, "Scroll left (log without wrap)", NULL, NULL },
	{ "move.right", LOG | COPY, false, 0, NULL, "Scroll right (log without wrap)", NULL, NULL },
	{ "log.follow", LOG, false, 0, "follow", "Follow new output, or pause", NULL, NULL },
	{ "log.search", LOG, false, 0, "search", "Search (regular expression); hits are highlighted", NULL, NULL },
	{ "log.next", LOG, false, 0, "next", "Next search hit", NULL, NULL },
	{ "log.prev", LOG, false, 0, NULL, "Previous search hit", NULL, NULL },
	{ "log.filter", LOG, false, 0, "filter", "Show only lines matching a regular expression", NULL, NULL },
	{ "log.wrap", LOG, false, 0, "wrap", "Wrap long lines, or cut them", NULL, NULL },
	{ "log.timestamps", LOG, false, 0, "time", "Show the time each line arrived", NULL, NULL },
	{ "log.save", LOG, false, 0, "save", "Save the log (as filtered) to a file", NULL, NULL },
	{ "log.clear", LOG, false, 0, NULL, "Clear the log pane", NULL, NULL },
	{ "log.stop", LOG, true, 0, NULL, "Stop the pane's process (SIGTERM)", NULL, NULL },
	{ "location", VIEWS, false, 0, NULL, ":location add NAME connects to one more location; :location NAME shows only its records, all every one's", tui_act_location, NULL },
	{ "redraw", VIEWS, false, 0, NULL, "Redraw the whole screen", tui_act_redraw, NULL },
};

const struct tui_action *
tui_action_find(const char *name)
{
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(tui_actions); i++) {
		if (strcmp(tui_actions[i].name, name) == 0)
			return &tui_actions[i];
	}
	return NULL;
}

const struct tui_action *
tui_action_at(size_t i)
{
	return i < TF_ARRAY_LEN(tui_actions) ? &tui_actions[i] : NULL;
}

size_t
tui_action_count(void)
{
	return TF_ARRAY_LEN(tui_actions);
}

bool
tui_action_applies(struct tui *t, const struct tui_action *a)
{
	if (a->destructive && t->opts.readonly)
		return false;
	if (!(a->ctx & tui_screen_focus_ctx(t)))
		return false;
	if (a->views != 0 && tui_screen_focus_ctx(t) == TUI_CTX_LIST &&
	    !(a->views & TUI_V(tui_list_view(t))))
		return false;
	return true;
}

int
tui_action_run(struct tui *t, const struct tui_action *a, const char *arg)
{
	struct tui_panel *p;
	int r;

	if (a->destructive && t->opts.readonly) {
		tui_error(t, "%s is disabled: tfcon is read-only (--readonly)",
		    a->name);
		return TUI_R_REDRAW;
	}
	if (arg == NULL)
		arg = a->arg;
	/* An action goes to the location of the selected row, unless it
	 * names a record of another (tui_locs_container switches). */
	tui_list_focus_loc(t);
	if (a->fn != NULL)
		return a->fn(t, arg);
	p = tui_screen_focused(t);
	if (p != NULL && p->ops->command != NULL) {
		r = p->ops->command(p, t, a->name, arg);
		if (!(r & TUI_R_UNHANDLED))
			return r;
	}
	tui_error(t, "%s does not apply here", a->name);
	return TUI_R_REDRAW;
}
