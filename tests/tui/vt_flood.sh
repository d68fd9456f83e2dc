#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_flood: `yes` and `cat` of a big file flood the pane, and still the
# loop keeps its 100 ms tick, a key for the console (C-], leave the pane)
# is handled within 2 s, and ^C reaches the shell and its prompt shows
# within 2 s.  Flow control keeps the backlog small: the pane refuses bytes
# when its inbox is full and vtdemo stops reading the pty.
. "$(dirname "$0")/vt_lib.sh" "$@"

# The bound for a key to take effect (scaled for sanitizer builds).
BOUND_MS=$((2000 * VT_SLOW))

# A large pane: libvterm's cost per scrolled line grows with its area.
vt_start 200 60

flood() {
	vt_keys "clear; $1" Enter
	vt_wait "$2" 5 || vt_fail "flood '$1' did not start"
	in1=$(vt_events in)
	tick1=$(vt_events tick)
	sleep 1
	in2=$(vt_events in)
	tick2=$(vt_events tick)
	[ "$in2" -gt "$in1" ] || vt_fail "no bytes flowing during '$1' ($in1 -> $in2)"
	# About ten ticks a second; five shows the loop is not starved.
	[ $((tick2 - tick1)) -ge $((VT_SLOW > 1 ? 2 : 5)) ] ||
	    vt_fail "ticks starved during '$1': $tick1 -> $tick2 in 1 s"

	# A console key gets through.
	t0=$(vt_now_ms)
	vt_keys C-]
	vt_wait '\| focus side \|' 5 || vt_fail "C-] not handled during '$1'"
	took=$(( $(vt_now_ms) - t0 ))
	[ "$took" -le "$BOUND_MS" ] || vt_fail "C-] took $took ms during '$1'"
	vt_keys C-]
	vt_wait '\| focus shell \|' 5 || vt_fail "C-] did not return during '$1'"

	# ^C reaches the shell through the flood, and the prompt shows.
	t0=$(vt_now_ms)
	vt_keys C-c
	vt_wait '^\$ *$' 5 || vt_fail "no prompt after ^C in '$1'"
	took=$(( $(vt_now_ms) - t0 ))
	[ "$took" -le "$BOUND_MS" ] || vt_fail "prompt took $took ms after ^C in '$1'"
	echo "  $1: $((in2 - in1)) B/s, $((tick2 - tick1)) ticks/s, prompt $took ms after ^C"

	vt_keys "clear; echo alive-after-flood" Enter
	vt_wait '^alive-after-flood' 5 || vt_fail "shell not usable after '$1'"
}

flood yes '^y *$'
seq 1 3000000 > "$VT_TMP/big"
flood "cat '$VT_TMP/big'" '^[0-9]+ *$'

late=$(vt_events late)
[ "$late" -le $((500 * VT_SLOW)) ] || vt_fail "a tick came $late ms late"
vt_pass
