#!/bin/sh
# tfcon_logs: log panes.  Container output appears live; a process's output
# and exit status; follow/pause, search with next/previous, filter, wrap,
# timestamps, save to a file; the bounded ring with its "lines dropped"
# marker; and keys that stay responsive while a container floods.
. "$(dirname "$0")/lib.sh"

tui_start 100 30 --log-lines 100
wait_for "Ab3dEf5g:web"
keys /
type_text "Ab3d"
keys Enter
wait_for "1 shown"

# Console output of a container.
keys l
wait_for "\[1 logs Ab3dEf5g:web\]"
wait_for "listening on 10\.20\.1\.5"
wait_for "GET /health 200" 5
wait_for "FOLLOW +[0-9]+ lines"
# Timestamps and pause.
keys T
wait_for "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} [0-9:]+ (starting|listening|ready|GET)"
keys f
wait_for "PAUSED"
keys f
wait_for "FOLLOW"
# Search: hits, next, none left.
keys /
type_text "listening"
keys Enter
wait_for "search:listening"
keys n
wait_for "no more matches for listening"
# Filter hides other lines.
keys "&"
type_text "health"
keys Enter
wait_for "filter:health"
expect_not "listening on"
keys "&" C-u Enter
wait_for "filter cleared"
# Save (the prompt offers a file name; give our own).
keys C-s
wait_for "save to: tfcon-logs"
keys C-u
type_text "$TUI_DIR/saved.log"
keys Enter
wait_for "saved [0-9]+ lines to"
grep -q "listening on 10.20.1.5" "$TUI_DIR/saved.log" || fail "saved file"

# A process: output and exit status into a new pane.
keys Tab
keys x
wait_for "run in Ab3dEf5g:web:"
type_text "echo hello from the container"
keys Enter
wait_for "\[2 run echo hello"
wait_for "^hello from the container"
wait_for "exited with status 0"
# The processes view has it.
keys 6
wait_for "echo hello from the container +exited +0"
keys 2
# The ring keeps 100 lines and says how many it dropped.
keys x
type_text "seq 500"
keys Enter
wait_for "exited with status 0" 5
wait_for "100 lines .* [0-9]+ dropped"
keys Home
wait_for "--- [0-9]+ lines dropped \(the pane keeps the last 100\)"
keys X X X
wait_gone "\[1 logs"

# Flood: a container writing as fast as it can; keys must still work.
keys / C-u Enter
keys :
type_text "spawn flood fl"
keys Enter
wait_for ":fl +flood .*running" 5
keys / 
type_text ":fl"
keys Enter
keys l
wait_for "dropped" 5
start=$(date +%s%N)
keys f
wait_for "PAUSED" 2
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
echo "key under flood answered in ${ms}ms"
[ "$ms" -lt 1500 ] || fail "key took ${ms}ms under a flood"
keys X
wait_gone "\[1 logs" 3
keys d Tab Enter
wait_gone ":fl +flood" 5
pass
