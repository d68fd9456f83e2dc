/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_help: the help screen, generated from the action table and the
 * active keymap, so it always tells the truth about the keys.  It also
 * names the keymap file and any problems found loading it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "tui.h"

#define HELP_LINES 160

struct help {
	char lines[HELP_LINES][200];
	bool heading[HELP_LINES];
	int n;
	int top;
	int rows;
};

static void
help_add(struct help *h, bool heading, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
help_add(struct help *h, bool heading, const char *fmt, ...)
{
	va_list ap;

	if (h->n == HELP_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(h->lines[h->n], sizeof h->lines[h->n], fmt, ap);
	va_end(ap);
	h->heading[h->n++] = heading;
}

/* "  KEYS   ACTION   description", the description wrapped under itself. */
static void
help_action(struct help *h, const char *keys, const char *name,
	    const char *text, bool destructive, int width)
{
	char desc[300], line[200];
	const char *p = desc;
	int avail = width - 31, len;

	snprintf(desc, sizeof desc, "%s%s", text, destructive ?
	    " [destructive]" : "");
	if (avail < 20)
		avail = 20;
	snprintf(line, sizeof line, "%-12s %-16s", keys, name);
	while (*p != '\0') {
		len = (int)strlen(p);
		if (len > avail) {
			len = avail;
			while (len > 0 && p[len] != ' ')
				len--;
			if (len == 0)
				len = avail;
		}
		help_add(h, false, "  %s %.*s", line, len, p);
		p += len;
		while (*p == ' ')
			p++;
		snprintf(line, sizeof line, "%-29s", "");
	}
}

static void
help_build(struct help *h, struct tui *t)
{
	static const struct {
		int ctx;
		const char *title;
	} groups[] = {
		{ TUI_CTX_VIEWS, "Everywhere" },
		{ TUI_CTX_LIST, "Resource lists" },
		{ TUI_CTX_LOG, "Log panes" },
		{ TUI_CTX_SHELL, "Shell panes (all other keys go to the shell)" },
		{ TUI_CTX_COPY, "Copy mode in a shell pane (and the moves above)" },
	};
	const struct tui_action *a;
	char keys[96];
	size_t g, i;

	help_add(h, false, "keymap: %s%s", tui_keymap_path(t->km),
	    t->opts.readonly ? "   (read-only: destructive actions refused)" :
	    "");
	for (i = 0; i < tui_keymap_problems(t->km); i++)
		help_add(h, false, "  problem: %s", tui_keymap_problem(t->km, i));
	for (g = 0; g < TF_ARRAY_LEN(groups); g++) {
		help_add(h, false, " ");
		help_add(h, true, "%s", groups[g].title);
		for (i = 0; (a = tui_action_at(i)) != NULL; i++) {
			/* Moves shared with copy mode are listed once,
			 * where they began. */
			if ((a->ctx == TUI_CTX_COPY ? a->ctx : a->ctx &
			    ~TUI_CTX_COPY) != groups[g].ctx)
				continue;
			tui_keymap_keys(t->km, a->name, keys, sizeof keys);
			help_action(h, keys[0] ? keys : "-", a->name, a->help,
			    a->destructive, t->scr.cols - 6);
		}
	}
	help_add(h, false, " ");
	help_add(h, true, "Command mode (:)");
	help_add(h, false, "  :nodes :containers :tunnels :volumes :images "
	    ":procs   (also :no :co :vol ...)");
	help_add(h, false, "  :spawn IMAGE [TAG]  :destroy NAME  :reboot NAME  "
	    ":logs NAME  :run [NAME] CMD");
	help_add(h, false, "  :tunnel [NAME] PORT [LOCALPORT]  :allow IP  "
	    ":volume create [TAG]  :sort COL [desc]  :q");
	help_add(h, false, "  any action name works too, e.g. :log.wrap; Tab "
	    "completes");
	help_add(h, false, " ");
	help_add(h, false, "Dialogs: Tab/arrows move, Enter confirms, Esc "
	    "cancels.  Confirmations start on Cancel.");
}

static int
help_key(struct tui_panel *p, struct tui *t, tui_key k)
{
	struct help *h = p->impl;
	const struct tui_action *a = tui_keymap_lookup(t->km, k,
	    TUI_CTX_VIEWS);
	const char *name = a != NULL ? a->name : "";
	int page = h->rows > 1 ? h->rows - 1 : 1;

	if (k == (TUI_KEY_FN | KEY_UP) || strcmp(name, "move.up") == 0)
		h->top--;
	else if (k == (TUI_KEY_FN | KEY_DOWN) || strcmp(name, "move.down") == 0)
		h->top++;
	else if (k == (TUI_KEY_FN | KEY_PPAGE) || strcmp(name, "page.up") == 0)
		h->top -= page;
	else if (k == (TUI_KEY_FN | KEY_NPAGE) || k == ' ' ||
	    strcmp(name, "page.down") == 0)
		h->top += page;
	else if (k == (TUI_KEY_FN | KEY_HOME) || strcmp(name, "move.top") == 0)
		h->top = 0;
	else if (k == (TUI_KEY_FN | KEY_END) || strcmp(name, "move.bottom") == 0)
		h->top = h->n;
	else
		tui_screen_close_overlay(t, p);
	if (h->top > h->n - h->rows)
		h->top = h->n - h->rows;
	if (h->top < 0)
		h->top = 0;
	return TUI_R_REDRAW;
}

static void
help_draw(struct tui_panel *p, struct tui *t, WINDOW *w, struct tui_rect r,
	  bool focused)
{
	struct help *h = p->impl;
	struct tui_rect box = { 1, 1, r.h - 2, r.w - 2 };
	attr_t dlg = tui_crt_attr(&t->crt, TUI_C_DIALOG);
	int i;

	TF_UNUSED(focused);
	if (box.h < 3 || box.w < 10)
		box = r;
	tui_draw_box(w, box, dlg, "tfcon help (any other key closes)",
	    tui_crt_attr(&t->crt, TUI_C_DIALOG_TITLE));
	h->rows = box.h - 2;
	if (h->top > h->n - h->rows)
		h->top = h->n - h->rows > 0 ? h->n - h->rows : 0;
	for (i = 0; i < h->rows && h->top + i < h->n; i++)
		tui_draw_text(w, box.y + 1 + i, box.x + 2, box.w - 4,
		    h->heading[h->top + i] ? tui_crt_attr(&t->crt,
		    TUI_C_DIALOG_TITLE) : dlg, h->lines[h->top + i], false);
}

static void
help_close(struct tui_panel *p, struct tui *t)
{
	TF_UNUSED(t);
	free(p->impl);
}

static const struct tui_panel_ops help_ops = {
	.kind = "help",
	.ctx = TUI_CTX_LIST,
	.draw = help_draw,
	.key = help_key,
	.close = help_close,
};

void
tui_help_open(struct tui *t)
{
	struct help *h = tf_calloc(1, sizeof *h);

	help_build(h, t);
	tui_screen_push_overlay(t, tui_panel_new(t, &help_ops, h, "help"));
}
