/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pane_mouse: curses mouse events to a shell pane's program.
 *
 * curses reports presses and releases apart (tui_crt sets mouseinterval
 * 0); a terminal that reports only a click still gives the program a press
 * then a release, as xterm would have sent.
 */
#include "tf_util.h"
#include "pane_mouse.h"

bool
pane_mouse_send(vt_pane *vt, unsigned *buttons, const MEVENT *ev, int row,
		int col)
{
	static const struct {
		mmask_t mask;
		int button;
		bool pressed;
	} map[] = {
		{ BUTTON1_PRESSED, 1, true }, { BUTTON1_RELEASED, 1, false },
		{ BUTTON2_PRESSED, 2, true }, { BUTTON2_RELEASED, 2, false },
		{ BUTTON3_PRESSED, 3, true }, { BUTTON3_RELEASED, 3, false },
		{ BUTTON4_PRESSED, 4, true }, { BUTTON5_PRESSED, 5, true },
	};
	unsigned mods = 0;
	bool sent = false;

	if (!vt_pane_wants_mouse(vt))
		return false;
	if (ev->bstate & BUTTON_SHIFT)
		mods |= VT_MOD_SHIFT;
	if (ev->bstate & BUTTON_CTRL)
		mods |= VT_MOD_CTRL;
	if (ev->bstate & BUTTON_ALT)
		mods |= VT_MOD_ALT;
	for (size_t i = 0; i < TF_ARRAY_LEN(map); i++) {
		unsigned bit = 1u << map[i].button;

		if (!(ev->bstate & map[i].mask))
			continue;
		/* A release whose press curses did not report. */
		if (!map[i].pressed && !(*buttons & bit))
			vt_pane_mouse(vt, row, col, map[i].button, true, mods);
		if (map[i].pressed && map[i].button <= 3)
			*buttons |= bit;
		else
			*buttons &= ~bit;
		vt_pane_mouse(vt, row, col, map[i].button, map[i].pressed,
		    mods);
		sent = true;
	}
	if (!sent && (ev->bstate & BUTTON1_CLICKED)) {
		vt_pane_mouse(vt, row, col, 1, true, mods);
		vt_pane_mouse(vt, row, col, 1, false, mods);
	}
	return true;
}
