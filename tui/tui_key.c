/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_key: names of keys as keymap files write them and the help screen
 * shows them.  A name is a single character ("d", "?", "é"), "C-x" for
 * control, "M-x" for Alt (or Esc then x), or one of the names in the table
 * below.  Decoding keys from the terminal is tui_crt.c's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tui.h"

static const struct {
	const char *name;
	tui_key key;
} tui_key_names[] = {
	{ "Enter", TUI_KEY_ENTER },
	{ "Tab", TUI_KEY_TAB },
	{ "BTab", TUI_KEY_FN | KEY_BTAB },
	{ "Esc", TUI_KEY_ESC },
	{ "Space", ' ' },
	{ "BSpace", 127 },
	{ "Up", TUI_KEY_FN | KEY_UP },
	{ "Down", TUI_KEY_FN | KEY_DOWN },
	{ "Left", TUI_KEY_FN | KEY_LEFT },
	{ "Right", TUI_KEY_FN | KEY_RIGHT },
	{ "PgUp", TUI_KEY_FN | KEY_PPAGE },
	{ "PgDn", TUI_KEY_FN | KEY_NPAGE },
	{ "Home", TUI_KEY_FN | KEY_HOME },
	{ "End", TUI_KEY_FN | KEY_END },
	{ "Ins", TUI_KEY_FN | KEY_IC },
	{ "Del", TUI_KEY_FN | KEY_DC },
	{ "Hash", '#' },
	{ "S-Up", TUI_KEY_FN | KEY_SR },
	{ "S-Down", TUI_KEY_FN | KEY_SF },
	{ "S-Left", TUI_KEY_FN | KEY_SLEFT },
	{ "S-Right", TUI_KEY_FN | KEY_SRIGHT },
	{ "S-PgUp", TUI_KEY_FN | KEY_SPREVIOUS },
	{ "S-PgDn", TUI_KEY_FN | KEY_SNEXT },
};

tui_key
tui_key_parse(const char *name)
{
	tui_key base;
	wchar_t wc;
	size_t i, n;
	int f;

	if (name == NULL || *name == '\0')
		return TUI_KEY_NONE;
	for (i = 0; i < TF_ARRAY_LEN(tui_key_names); i++) {
		if (strcasecmp(name, tui_key_names[i].name) == 0)
			return tui_key_names[i].key;
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' &&
	    name[1] <= '9') {
		f = atoi(name + 1);
		if (f >= 1 && f <= 24)
			return TUI_KEY_FN | KEY_F(f);
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] != '\0') {
		if (name[3] == '\0' && ((name[2] >= '@' && name[2] <= '_') ||
		    (name[2] >= 'a' && name[2] <= 'z')))
			return TUI_KEY_CTRL(name[2]);
		if (name[2] == '?' && name[3] == '\0')
			return 127;
		return TUI_KEY_NONE;
	}
	if (name[0] == 'M' && name[1] == '-' && name[2] != '\0') {
		base = tui_key_parse(name + 2);
		return base == TUI_KEY_NONE ? base : base | TUI_KEY_META;
	}
	n = mbrtowc(&wc, name, strlen(name), &(mbstate_t){ 0 });
	if (n == (size_t)-1 || n == (size_t)-2 || name[n] != '\0')
		return TUI_KEY_NONE;
	return (tui_key)wc;
}

const char *
tui_key_name(tui_key k, char *buf, size_t size)
{
	char base[32];
	size_t i;
	int n;

	if (k == TUI_KEY_NONE) {
		snprintf(buf, size, "none");
		return buf;
	}
	if (k & TUI_KEY_META) {
		tui_key_name(k & ~TUI_KEY_META, base, sizeof base);
		snprintf(buf, size, "M-%s", base);
		return buf;
	}
	for (i = 0; i < TF_ARRAY_LEN(tui_key_names); i++) {
		if (tui_key_names[i].key == k && k != '#') {
			snprintf(buf, size, "%s", tui_key_names[i].name);
			return buf;
		}
	}
	if ((k & TUI_KEY_FN) && (k & ~TUI_KEY_FN) >= KEY_F(1) &&
	    (k & ~TUI_KEY_FN) <= KEY_F(24)) {
		snprintf(buf, size, "F%d", (k & ~TUI_KEY_FN) - KEY_F0);
		return buf;
	}
	if (k & TUI_KEY_FN) {
		snprintf(buf, size, "key%d", k & ~TUI_KEY_FN);
		return buf;
	}
	if (k < 32) {
		snprintf(buf, size, "C-%c", k == 0 ? '@' : k <= 26 ?
		    (char)(k + 'a' - 1) : (char)(k + '@'));
		return buf;
	}
	if (k == 127) {
		snprintf(buf, size, "BSpace");
		return buf;
	}
	n = (int)wcrtomb(base, (wchar_t)k, &(mbstate_t){ 0 });
	if (n <= 0)
		snprintf(buf, size, "U+%04X", (unsigned)k);
	else
		snprintf(buf, size, "%.*s", n, base);
	return buf;
}
