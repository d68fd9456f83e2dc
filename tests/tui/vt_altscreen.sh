#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_altscreen: full-screen programs draw on the alternate screen and the
# shell's screen comes back when they quit: vi (edit and save a file), top
# and less.
. "$(dirname "$0")/vt_lib.sh" "$@"

vt_start 100 30
vt_keys "clear; cd '$VT_TMP'; echo marker-one; echo marker-two" Enter
vt_wait '^marker-two' 5 || vt_fail "markers not shown"

# vi: the primary screen is replaced, then restored on :wq.
if command -v vi >/dev/null 2>&1; then
	vt_keys 'vi -u NONE -N edited.txt' Enter
	vt_wait '^~ *$' 5 || vt_fail "vi did not draw its empty-buffer lines"
	vt_wait_gone '^marker-one' 3 || vt_fail "vi did not take the whole pane"
	vt_wait_screen '│alt yes' 2 || vt_fail "pane not in the alternate screen under vi"
	vt_keys i 'typed in vi' Escape
	vt_wait '^typed in vi' 3 || vt_fail "text typed in vi not shown"
	# A resize reaches vi (SIGWINCH on the pty) and it redraws to fit.
	$VT_TMUX resize-window -t vt -x 80 -y 20
	vt_wait '\| pane 19x55 \|' 5 || vt_fail "pane not resized under vi"
	vt_keys ':echo "size" &lines &columns' Enter
	vt_wait '^size 19 55' 5 || vt_fail "vi did not see the new size"
	vt_wait '^typed in vi' 3 || vt_fail "vi did not redraw after the resize"
	$VT_TMUX resize-window -t vt -x 100 -y 30
	vt_wait '\| pane 29x75 \|' 5 || vt_fail "pane not resized back under vi"
	vt_keys ':echo "size" &lines &columns' Enter
	vt_wait '^size 29 75' 5 || vt_fail "vi did not see the size restored"
	vt_keys ':wq' Enter
	vt_wait '^marker-one' 5 || vt_fail "screen not restored after vi"
	vt_wait '^marker-two' 1 || vt_fail "screen not restored after vi"
	vt_wait_gone '^typed in vi' 3 || vt_fail "vi's screen left behind"
	vt_wait_screen '│alt no' 2 || vt_fail "still in the alternate screen after vi"
	[ "$(cat "$VT_TMP/edited.txt")" = "typed in vi" ] || vt_fail "vi did not write the file"
fi

# top: draws its header and table in the pane, refreshes, and q gives the
# prompt back.  procps top does not use the alternate screen (its last frame
# stays, as in xterm or a plain tmux pane), so nothing is restored here.
if command -v top >/dev/null 2>&1; then
	vt_keys 'top -d 0.5' Enter
	vt_wait '^top - ' 5 || vt_fail "top did not draw"
	vt_wait '^ *PID ' 5 || vt_fail "top has no process table"
	# Its clock moves: the pane follows top's redraws.
	t1=$(vt_pane_text | sed -n 's/^top - \([0-9:]*\).*/\1/p')
	[ -n "$t1" ] || vt_fail "top's clock line not found"
	vt_wait "^top - " 1
	vt_wait_gone "^top - $t1" 4 || vt_fail "top's clock did not move"
	vt_wait '^ *PID ' 1 || vt_fail "top's table went away"
	vt_keys q
	_deadline=$(( $(vt_now_ms) + 5000 ))
	until vt_pane_text | sed -n '29p' | grep -Eq '^\$ *$'; do
		[ "$(vt_now_ms)" -lt "$_deadline" ] ||
		    vt_fail "no prompt on the last row after top"
		sleep 0.05
	done
	vt_keys 'clear' Enter
	vt_wait_gone '^ *PID ' 3 || vt_fail "clear did not clear top's frame"
	vt_keys 'echo marker-one; echo marker-two' Enter
	vt_wait '^marker-two' 5 || vt_fail "shell not usable after top"
fi

# less: cursor keys in application mode page through a file, q restores.
if command -v less >/dev/null 2>&1; then
	seq 1 500 > "$VT_TMP/numbers"
	vt_keys 'less numbers' Enter
	vt_wait '^1 *$' 5 || vt_fail "less did not show the file"
	vt_keys NPage
	vt_wait '^30 *$' 3 || vt_fail "PgDn did not page in less"
	vt_keys End
	vt_wait '^500 *$' 3 || vt_fail "End did not reach the end in less"
	vt_keys q
	vt_wait '^marker-one' 5 || vt_fail "screen not restored after less"
fi
vt_pass
