/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_panel: the small object every drawable thing is built on (list, log
 * and shell panes, dialogs).  Panels get an id so that timers and stream
 * callbacks can find them by id and simply miss a panel that was closed.
 * tui_screen.c decides where panels go and when they are freed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tf_util.h"
#include "tui.h"

struct tui_panel *
tui_panel_new(struct tui *t, const struct tui_panel_ops *ops, void *impl,
	      const char *title)
{
	struct tui_panel *p = tf_calloc(1, sizeof *p);

	p->ops = ops;
	p->impl = impl;
	p->id = ++t->next_id;
	p->needs_redraw = true;
	snprintf(p->title, sizeof p->title, "%s", title ? title : "");
	return p;
}

void
tui_panel_set_title(struct tui_panel *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->title, sizeof p->title, fmt, ap);
	va_end(ap);
	p->needs_redraw = true;
}

void
tui_panel_free(struct tui_panel **p_p, struct tui *t)
{
	struct tui_panel *p = *p_p;

	if (p == NULL)
		return;
	if (p->ops->close != NULL)
		p->ops->close(p, t);
	free(p);
	*p_p = NULL;
}
