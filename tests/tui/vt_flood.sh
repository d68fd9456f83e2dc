#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_flood: `yes` and `cat` of a big file flood the pane, and still the
# loop ticks, a key for the console (C-], leave the pane) is handled, and
# ^C reaches the shell and its prompt shows.  Flow control keeps the
# backlog small: the pane refuses bytes when its inbox is full and vtdemo
# stops reading the pty.  How fast is the bench's business (bench/); here
# the times are only reported, and the waits are for states, with bounds
# wide enough for a loaded machine and a sanitizer build.
. "$(dirname "$0")/vt_lib.sh" "$@"

WAIT=$((30 * VT_SLOW))

# A large pane: libvterm's cost per scrolled line grows with its area.
vt_start 200 60

flood() {
	vt_keys "clear; $1" Enter
	vt_wait "$2" "$WAIT" || vt_fail "flood '$1' did not start"
	in1=$(vt_events in)
	tick1=$(vt_events tick)
	sleep 1
	in2=$(vt_events in)
	tick2=$(vt_events tick)
	[ "$in2" -gt "$in1" ] || vt_fail "no bytes flowing during '$1' ($in1 -> $in2)"
	[ "$tick2" -gt "$tick1" ] ||
	    vt_fail "the loop stopped ticking during '$1': $tick1 -> $tick2"

	# A console key gets through.
	t0=$(vt_now_ms)
	vt_keys C-]
	vt_wait '\| focus side \|' "$WAIT" || vt_fail "C-] not handled during '$1'"
	key_ms=$(( $(vt_now_ms) - t0 ))
	vt_keys C-]
	vt_wait '\| focus shell \|' "$WAIT" || vt_fail "C-] did not return during '$1'"

	# ^C reaches the shell through the flood, and the prompt shows.
	t0=$(vt_now_ms)
	vt_keys C-c
	vt_wait '^\$ *$' "$WAIT" || vt_fail "no prompt after ^C in '$1'"
	took=$(( $(vt_now_ms) - t0 ))
	echo "  $1: $((in2 - in1)) B/s, $((tick2 - tick1)) ticks/s, C-] $key_ms ms, prompt $took ms after ^C"

	vt_keys "clear; echo alive-after-flood" Enter
	vt_wait '^alive-after-flood' "$WAIT" || vt_fail "shell not usable after '$1'"
}

flood yes '^y *$'
seq 1 3000000 > "$VT_TMP/big"
flood "cat '$VT_TMP/big'" '^[0-9]+ *$'

echo "  latest tick: $(vt_events late) ms late"
vt_pass
