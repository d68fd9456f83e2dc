#!/bin/sh
# tfcon_basic: the console starts, connects, lists every kind of resource
# live from the offer, switches views from keys and command mode, filters,
# sorts, shows help generated from the keymap, and quits cleanly.
. "$(dirname "$0")/lib.sh"

tui_start 100 30
wait_for "● up|up  rtt [0-9]+ms" 5
# Header: location, user, state, counts.
line 1 | grep -Eq "nodes [0-9]+/[0-9]+ +ctrs [0-9]+" || fail "header counts"
# Containers view is the default and shows uuid:tag, image, node, state.
wait_for "Ab3dEf5g:web +nginx:latest +node-a +10\.20\.1\.5 +running"
wait_for "exited\(1\)"
# Views by number.
keys 1
wait_for "node-a +up"
wait_for "node-c +down"
keys 3
wait_for "localhost:8080 +Ab3dEf5g:web:80"
keys 4
wait_for "Vo1aBc2d:pgdata +node-a +Cd4eFg6h:db +yes"
keys 5
wait_for "busybox:latest"
keys 6
wait_for "\(procs: none\)"
# Command mode.
keys :
type_text "nodes"
keys Enter
wait_for "node-b +up"
keys :
type_text "co"
keys Enter
wait_for "Ab3dEf5g:web"
# Filter: only the database remains.
keys /
type_text "db"
keys Enter
wait_for "1 shown +/db"
expect_not "Ab3dEf5g:web"
keys /
keys C-u Enter
wait_for "Ab3dEf5g:web"
# Column filter.
keys /
type_text "state:exit"
keys Enter
# The migrate row is there before the filter too: wait for the filter's
# own mark, then for the rows it hides to go (one redraw may reach the
# pane in more than one write).
wait_for "1 shown +/state:exit"
wait_gone "Ab3dEf5g:web "
wait_for "Jk7mNp2q:migrate"
keys / C-u Enter
# Sort: next column (IMAGE), then reverse.
keys ">"
wait_for "by IMAGE"
keys "!"
wait_for "by IMAGE desc"
# Help lists the active keymap's keys.
keys "?"
wait_for "keymap: .*keymaps/default"
keys NPage
wait_for "d Del +destroy"
keys Escape
wait_gone "tfcon help"
# Unknown commands are reported, not fatal.
keys :
type_text "frobnicate"
keys Enter
wait_for "unknown command: frobnicate"
# Quit.
keys q
wait_for "TFCON-EXITED 0"
pass
