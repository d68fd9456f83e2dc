/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_input: what the operator types into a shell pane.  Curses keys (from
 * get_wch) become libvterm key events, so the bytes sent follow the modes
 * the remote program set (cursor keys in application mode for vi and less,
 * xterm modifier encoding, bracketed paste); libvterm hands them back
 * through the output callback in vt_pane.c.
 *
 * Curses reports modified keys in three ways: named codes (KEY_SLEFT,
 * KEY_BTAB), function keys past F12 (xterm numbers Shift-F1 as F13, Ctrl-F1
 * as F25...), and codes it invents at run time for terminfo's extended
 * capabilities (kUP5 is Ctrl-Up).  The last kind is looked up when the pane
 * is made, per pane, since it depends on the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_util.h"
#include "vt_private.h"

struct input_keycode {
	int		code;
	VTermKey	key;
	unsigned	mods;
};

static const struct input_keycode input_keycodes[] = {
	{ KEY_UP, VTERM_KEY_UP, 0 },
	{ KEY_DOWN, VTERM_KEY_DOWN, 0 },
	{ KEY_LEFT, VTERM_KEY_LEFT, 0 },
	{ KEY_RIGHT, VTERM_KEY_RIGHT, 0 },
	{ KEY_HOME, VTERM_KEY_HOME, 0 },
	{ KEY_END, VTERM_KEY_END, 0 },
	{ KEY_PPAGE, VTERM_KEY_PAGEUP, 0 },
	{ KEY_NPAGE, VTERM_KEY_PAGEDOWN, 0 },
	{ KEY_IC, VTERM_KEY_INS, 0 },
	{ KEY_DC, VTERM_KEY_DEL, 0 },
	{ KEY_BACKSPACE, VTERM_KEY_BACKSPACE, 0 },
	{ KEY_ENTER, VTERM_KEY_ENTER, 0 },
	{ KEY_BTAB, VTERM_KEY_TAB, VT_MOD_SHIFT },
	{ KEY_SR, VTERM_KEY_UP, VT_MOD_SHIFT },
	{ KEY_SF, VTERM_KEY_DOWN, VT_MOD_SHIFT },
	{ KEY_SLEFT, VTERM_KEY_LEFT, VT_MOD_SHIFT },
	{ KEY_SRIGHT, VTERM_KEY_RIGHT, VT_MOD_SHIFT },
	{ KEY_SHOME, VTERM_KEY_HOME, VT_MOD_SHIFT },
	{ KEY_SEND, VTERM_KEY_END, VT_MOD_SHIFT },
	{ KEY_SPREVIOUS, VTERM_KEY_PAGEUP, VT_MOD_SHIFT },
	{ KEY_SNEXT, VTERM_KEY_PAGEDOWN, VT_MOD_SHIFT },
	{ KEY_SIC, VTERM_KEY_INS, VT_MOD_SHIFT },
	{ KEY_SDC, VTERM_KEY_DEL, VT_MOD_SHIFT },
	/* The keypad's corners and centre, and vt220 Find/Select. */
	{ KEY_A1, VTERM_KEY_HOME, 0 },
	{ KEY_A3, VTERM_KEY_PAGEUP, 0 },
	{ KEY_B2, VTERM_KEY_KP_5, 0 },
	{ KEY_C1, VTERM_KEY_END, 0 },
	{ KEY_C3, VTERM_KEY_PAGEDOWN, 0 },
	{ KEY_FIND, VTERM_KEY_HOME, 0 },
	{ KEY_SELECT, VTERM_KEY_END, 0 },
};

/* Extended terminfo names of modified cursor and editing keys; a digit
 * suffix is xterm's modifier parameter (2 shift, 3 alt, 5 ctrl...), one
 * more than the VT_MOD_* bits. */
static const struct {
	const char	*name;
	VTermKey	 key;
} input_extended[] = {
	{ "kUP", VTERM_KEY_UP }, { "kDN", VTERM_KEY_DOWN },
	{ "kLFT", VTERM_KEY_LEFT }, { "kRIT", VTERM_KEY_RIGHT },
	{ "kHOM", VTERM_KEY_HOME }, { "kEND", VTERM_KEY_END },
	{ "kPRV", VTERM_KEY_PAGEUP }, { "kNXT", VTERM_KEY_PAGEDOWN },
	{ "kDC", VTERM_KEY_DEL }, { "kIC", VTERM_KEY_INS },
};

void
vt_keys_init(struct vt_keys *keys)
{
	memset(keys, 0, sizeof *keys);
	/* No curses screen (unit tests): only the fixed codes. */
	if (stdscr == NULL)
		return;
	for (size_t i = 0; i < TF_ARRAY_LEN(input_extended); i++) {
		for (int m = 2; m <= 8; m++) {
			char name[16];
			char *seq;
			int code;

			if (!tf_snprintf(name, sizeof name, "%s%d",
			    input_extended[i].name, m))
				continue;
			seq = tigetstr(name);
			if (seq == NULL || seq == (char *)-1)
				continue;
			code = key_defined(seq);
			if (code <= 0 || keys->n == VT_KEYS_EXTRA_MAX)
				continue;
			keys->extra[keys->n].code = code;
			keys->extra[keys->n].key = input_extended[i].key;
			keys->extra[keys->n].mods = (unsigned)(m - 1);
			keys->n++;
		}
	}
}

/* A keycode as a libvterm key and modifiers; false if not a terminal key. */
static bool
input_keycode(const struct vt_keys *keys, int code, VTermKey *key,
    unsigned *mods)
{
	/* xterm numbers modified function keys in groups of twelve. */
	static const unsigned fkey_mods[] = {
		0, VT_MOD_SHIFT, VT_MOD_CTRL, VT_MOD_CTRL | VT_MOD_SHIFT,
		VT_MOD_ALT, VT_MOD_ALT | VT_MOD_SHIFT,
	};

	for (size_t i = 0; i < TF_ARRAY_LEN(input_keycodes); i++) {
		if (input_keycodes[i].code == code) {
			*key = input_keycodes[i].key;
			*mods = input_keycodes[i].mods;
			return true;
		}
	}
	if (code >= KEY_F(1) && code <= KEY_F(63)) {
		int n = code - KEY_F(1);

		if ((size_t)(n / 12) >= TF_ARRAY_LEN(fkey_mods))
			return false;
		*key = VTERM_KEY_FUNCTION(n % 12 + 1);
		*mods = fkey_mods[n / 12];
		return true;
	}
	for (int i = 0; i < keys->n; i++) {
		if (keys->extra[i].code == code) {
			*key = (VTermKey)keys->extra[i].key;
			*mods = keys->extra[i].mods;
			return true;
		}
	}
	return false;
}

int
vt_pane_key(vt_pane *pane, wint_t key, bool is_keycode, unsigned mods)
{
	VTermKey vkey;
	unsigned kmods = 0;

	if (pane->ended != NULL)
		return 0;
	mods &= VT_MOD_SHIFT | VT_MOD_ALT | VT_MOD_CTRL;
	if (is_keycode) {
		if (!input_keycode(&pane->keys, (int)key, &vkey, &kmods))
			return 0;
		vterm_keyboard_key(pane->vt, vkey,
		    (VTermModifier)(mods | kmods));
	} else if (key == '\r' || key == '\n') {
		vterm_keyboard_key(pane->vt, VTERM_KEY_ENTER,
		    (VTermModifier)mods);
	} else if (key == '\t') {
		vterm_keyboard_key(pane->vt, VTERM_KEY_TAB,
		    (VTermModifier)mods);
	} else if (key < 0x20 || key == 0x7f) {
		/* Control characters (^C, ^D, ESC, DEL, ^H) go as they are;
		 * Alt adds the ESC prefix xterm sends. */
		if (mods & VT_MOD_ALT)
			vterm_keyboard_unichar(pane->vt, 0x1b, VTERM_MOD_NONE);
		vterm_keyboard_unichar(pane->vt, (uint32_t)key,
		    VTERM_MOD_NONE);
	} else if (key <= 0x10ffff && !(key >= 0xd800 && key <= 0xdfff)) {
		vterm_keyboard_unichar(pane->vt, (uint32_t)key,
		    (VTermModifier)mods);
	} else
		return 0;

	/* Typing is about the live screen. */
	vt_pane_scroll_reset(pane);
	return 1;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if s does not
 * start with a valid, shortest-form sequence of a scalar value. */
static size_t
input_utf8_get(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void
vt_pane_paste(vt_pane *pane, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out;
	size_t i = 0, n = 0;

	if (pane->ended != NULL || len == 0)
		return;
	out = tf_malloc(len);
	while (i < len) {
		uint32_t cp;
		size_t k = input_utf8_get(s + i, len - i, &cp);

		if (k == 0) {
			i++;		/* invalid byte: dropped */
			continue;
		}
		if (cp == '\r' || cp == '\n') {
			/* CR LF and LF alike become the CR of Enter. */
			if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
				k++;
			out[n++] = '\r';
		} else if (cp == '\t' ||
		    (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0))) {
			memcpy(out + n, s + i, k);
			n += k;
		}
		/* Everything else is a control character: dropped, so the
		 * paste cannot end the bracket early or interrupt. */
		i += k;
	}
	if (n > 0) {
		vterm_keyboard_start_paste(pane->vt);
		pane->cbs.write(pane, out, n, pane->arg);
		vterm_keyboard_end_paste(pane->vt);
		vt_pane_scroll_reset(pane);
	}
	free(out);
}

/* --- mouse ------------------------------------------------------------ */

bool
vt_pane_wants_mouse(const vt_pane *pane)
{
	return pane->mouse_mode != 0 && pane->ended == NULL;
}

void
vt_pane_mouse(vt_pane *pane, int row, int col, int button, bool pressed,
	      unsigned mods)
{
	if (!vt_pane_wants_mouse(pane) || row < 0 || col < 0 ||
	    row >= pane->rows || col >= pane->cols)
		return;
	/* libvterm encodes the report in the protocol the program chose
	 * (X10, UTF-8, SGR 1006) and only for the events its mode asks. */
	vterm_mouse_move(pane->vt, row, col, (VTermModifier)mods);
	if (button > 0)
		vterm_mouse_button(pane->vt, button, pressed,
		    (VTermModifier)mods);
}
