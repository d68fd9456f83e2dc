#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_attach: a shell in the pane answers, the pty has the pane's size from
# the start, the size follows the terminal when it is resized, and the
# shell's exit marks the pane with its status.
. "$(dirname "$0")/vt_lib.sh" "$@"

vt_start 100 30

# Attach and echo.
vt_keys 'echo hi-from-$((6*7))' Enter
vt_wait '^hi-from-42' 5 || vt_fail "echo did not come back"

# The pty's size is the pane's: 29 rows (status line below), 100 - 24
# (events region) - 1 (separator) = 75 columns.
[ "$(vt_status_size)" = "29x75" ] || vt_fail "pane is $(vt_status_size), want 29x75"
vt_keys 'clear; stty size' Enter
vt_wait '^29 75 *$' 5 || vt_fail "stty size is not 29 75 at start"

# Resizes follow, smaller and larger.
for size in "80 20 19 55" "120 40 39 95"; do
	set -- $size
	$VT_TMUX resize-window -t vt -x "$1" -y "$2"
	vt_wait "\\| pane $3x$4 \\|" 5 || vt_fail "status does not show $3x$4 after resize to $1x$2"
	vt_keys 'clear; stty size' Enter
	vt_wait "^$3 $4 *\$" 5 || vt_fail "stty size is not $3 $4 after resize to $1x$2"
done

# The program in the pane sees SIGWINCH too (bash updates COLUMNS).
vt_keys 'clear; kill -WINCH $$; echo cols=$COLUMNS' Enter
vt_wait '^cols=95' 5 || vt_fail "COLUMNS did not follow"

# Leaving the pane moves the focus; Enter comes back.
vt_keys C-]
vt_wait '\| focus side \|' 3 || vt_fail "C-] did not leave the pane"
vt_keys Enter
vt_wait '\| focus shell \|' 3 || vt_fail "Enter did not return to the pane"

# The shell's exit marks the pane with its status; q then closes it.
vt_keys 'exit 3' Enter
vt_wait '\[shell exited with status 3\]' 5 || vt_fail "no ended banner"
vt_keys q
_deadline=$(( $(vt_now_ms) + 3000 ))
while $VT_TMUX has-session -t vt 2>/dev/null; do
	[ "$(vt_now_ms)" -lt "$_deadline" ] || vt_fail "q did not close vtdemo"
	sleep 0.05
done
vt_pass
