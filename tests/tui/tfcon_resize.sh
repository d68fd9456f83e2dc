#!/bin/sh
# tfcon_resize: the layout follows the terminal: 80x24, a large screen
# (panes beside the list from 160 columns), and back, without leftovers.
. "$(dirname "$0")/lib.sh"

tui_start 80 24
wait_for "Ab3dEf5g:web"
[ "$(screen | wc -l)" -eq 24 ] || fail "not 24 lines"
line 1 | grep -q "tfcon" || fail "header at 80x24"
line 24 | grep -q "help" || fail "hints at 80x24"
keys l
wait_for "\[1 logs"
# Large: the pane goes beside the list.
tmux_ resize-window -t t -x 200 -y 50
wait_for "^NAME.*│\[1 logs"
line 1 | grep -q "nodes 2/3" || fail "header at 200x50"
# Small again: the pane goes below the list.
tmux_ resize-window -t t -x 80 -y 24
wait_for "^\[1 logs"
expect_not "│\[1 logs"
line 24 | grep -q "help\|quit" || fail "hints after resize"
# Tiny does not crash.
tmux_ resize-window -t t -x 30 -y 8
sleep 0.3
tmux_ resize-window -t t -x 100 -y 30
wait_for "Ab3dEf5g:web"
keys z
wait_for "^\[1 logs"
keys q
wait_for "TFCON-EXITED 0"
pass
