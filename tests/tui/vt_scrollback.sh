#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_scrollback: the primary screen's history scrolls from the keyboard
# (Shift-PgUp/PgDn in vtdemo; the console binds its own keys to the same
# calls), is bounded by -s, and is not touched by the alternate screen.
# Also bracketed paste: a paste reaches the program in one piece, with its
# control characters removed.
. "$(dirname "$0")/vt_lib.sh" "$@"

vt_start 100 22 -s 300		# pane 21x75, 300 lines of history

vt_keys 'clear; seq 1 1000' Enter
vt_wait '^1000 *$' 5 || vt_fail "seq output not shown"
vt_wait_screen '│history 0/300' 3 || vt_fail "history not capped at 300"

# Up half a page (10 lines) twice: the live screen starts at 981, so 961
# is on top.
vt_keys S-PPage
vt_wait '\[10/300\]' 3 || vt_fail "no scroll position shown"
vt_keys S-PPage
vt_wait '\[20/300\]' 3 || vt_fail "second S-PgUp did not scroll"
vt_wait '^961 *\[20/300\]' 3 || vt_fail "history lines not shown at the top"
# Further than the history goes: stops at its start.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
	vt_keys S-PPage
done
vt_wait '\[300/300\]' 3 || vt_fail "did not stop at the start of history"
vt_wait '^681 *\[300/300\]' 3 || vt_fail "oldest kept line is not 681"
# Typing returns to the live screen.
vt_keys 'echo back-live' Enter
vt_wait '^back-live' 5 || vt_fail "typing did not return to the live screen"
vt_wait_gone '\[[0-9]+/300\]' 3 || vt_fail "scroll position still shown"

# The alternate screen has no history of its own.
vt_keys 'vi -u NONE -N' Enter
vt_wait '^~ *$' 5 || vt_fail "vi did not start"
vt_keys S-PPage
sleep 0.3
vt_wait_gone '\[[0-9]+/300\]' 1 || vt_fail "scrolled while in the alternate screen"
vt_keys ':q!' Enter
vt_wait '^back-live' 5 || vt_fail "screen not restored after vi"

# Bracketed paste: the program asked for it (mode 2004) and gets the paste
# in brackets, newlines as CR, control characters removed.  A raw tty
# shows the exact bytes.
want=$(printf '\033[200~first line\tend\rsecond \344\270\255 line\033[201~')
vt_keys "clear; cd '$VT_TMP'; printf '\\033[?2004h'; stty raw -echo; head -c ${#want} > pasted.bin; stty sane; printf '\\033[?2004l'; echo done-paste" Enter
sleep 0.5
$VT_TMUX set-buffer -b vt "$(printf 'first \003li\004ne\tend\nsecond \344\270\255 line')"
$VT_TMUX paste-buffer -p -b vt -t vt
vt_wait '^done-paste' 5 || vt_fail "the paste did not arrive whole"
got=$(cat "$VT_TMP/pasted.bin")
[ "$got" = "$want" ] || vt_fail "pasted bytes are '$(printf '%s' "$got" | od -c)'"
vt_pass
