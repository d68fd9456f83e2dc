#!/bin/sh
# tfcon_monitor: the monitoring parts of the console on the demo location:
# CPU/MEM/NET/IO columns filled from metrics, sorting by CPU, the detail
# pane with sparklines, the container's spec and its events, the Events view
# (filterable, newest first) and the ticker; the same with NO_COLOR.
. "$(dirname "$0")/lib.sh"

tui_start 160 40
wait_for "Ab3dEf5g:web"
keys 2
# Running containers get figures; the sleeping one shows "-".
wait_for "Ab3dEf5g:web +nginx:latest .* [0-9]+% +[0-9.]+[BKMG]"
wait_for "Ef5gHi7j +busybox:latest .*sleeping .* - +- +- +-"
keys :
type_text "sort cpu desc"
keys Enter
wait_for "CPU▼"
# The detail pane follows the selection and keeps a history.
keys /
type_text "worker"
keys Enter
keys i
wait_for "detail Gh6iJk8m:worker-1"
# What it was spawned with (ctr_spec).
wait_for "env +NGINX_PORT=80  TZ=UTC"
wait_for "limits +memory 512M  pids 256"
wait_for "CPU +[0-9.]+% +.*[▁▂▃▄▅▆▇█]" 10
wait_for "oom_killed +out of memory"
# The Events view: newest first; a filter keeps what matches.
keys X
keys 7
wait_for "7 Events"
wait_for "oom_killed +Gh6iJk8m:worker-1"
screen | grep -E "oom_killed|spawned" | head -1 | grep -q oom_killed ||
    fail "events are not newest first"
keys /
type_text "kind:exited"
keys Enter
wait_for "exited +Jk7mNp2q:migrate .*status 1"
wait_gone "oom_killed +Gh6iJk8m"
# The ticker: the newest event on the message line once messages go.
wait_for "^[0-9:]{8} oom_killed Gh6iJk8m:worker-1: out of memory" 12
# Marks: Space marks and moves down; logs follow every marked container
# in one pane; destroy asks once, naming the count, Cancel first.
keys 2 /
keys C-u
keys Enter
keys :
type_text "sort name"
keys Enter
wait_for "NAME▲"
keys Home Space Space
wait_for "2 containers marked"
wait_for "Ab3dEf5g:web +\\*nginx"
keys l
wait_for "logs of 2 containers"
wait_for "Ab3dEf5g:web\\| " 10
keys X
keys d
wait_for "Destroy the 2 marked containers\\?"
keys Enter
wait_for "Ab3dEf5g:web"
wait_gone "Destroy the 2 marked"
keys d
wait_for "Destroy the 2 marked containers\\?"
keys Tab Enter
wait_gone "Ab3dEf5g:web" 10
keys q
wait_for "TFCON-EXITED 0"
tmux_ kill-server

# Without colour the thresholds still read: bold (warning) and bold
# underlined (bad) attributes; the columns are the same text.
TFCON_TEST_ARGS="--demo"
tmux_gone
tmux_ new-session -d -s t -x 160 -y 40 \
    "env NO_COLOR=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color $TFCON --demo --log-file $TUI_DIR/tfcon.log; echo TFCON-EXITED \$?; sleep 30"
wait_for "Ab3dEf5g:web"
keys 2
wait_for "Ab3dEf5g:web +nginx:latest .* [0-9]+% +[0-9.]+[BKMG]"
keys q
wait_for "TFCON-EXITED 0"
pass
