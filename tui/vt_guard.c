/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_guard: caps the arguments of CSI sequences before libvterm sees them
 * (vt_guard.h says why).
 */
#include <stdbool.h>

#include "vt_guard.h"

enum { GUARD_TEXT, GUARD_ESC, GUARD_CSI };

size_t
vt_guard_filter(struct vt_guard *g, char *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)buf[i];
		int keep = 1;

		if (c == 0x1b) {
			g->state = GUARD_ESC;
		} else if (c == 0x18 || c == 0x1a) {
			/* CAN and SUB abort a sequence. */
			g->state = GUARD_TEXT;
		} else if (c < 0x20) {
			/* Other C0 controls act inside a sequence too. */
		} else if (g->state == GUARD_ESC) {
			g->state = c == '[' ? GUARD_CSI : GUARD_TEXT;
			g->seps = 0;
		} else if (g->state == GUARD_CSI) {
			bool arg = (c >= '0' && c <= '9') || c == ':' ||
			    c == ';';

			if (arg && g->seps >= VT_GUARD_CSI_ARGS - 1)
				keep = 0;	/* past the last argument kept */
			else if (c == ':' || c == ';')
				g->seps++;
			else if (c >= 0x40)
				g->state = GUARD_TEXT;	/* the final byte */
		}
		if (keep)
			buf[out++] = (char)c;
	}
	return out;
}
