#!/bin/sh
# tfcon_real: the console against a real tf-location and tf-node (root and
# runc needed, else skipped): the node is listed; spawn from the menu shows
# the container running; the detail pane shows its spec; its output
# appears in a log pane; a process runs;
# destroy from the menu removes it; a custom keymap rebinds destroy;
# --readonly refuses it.
#
# usage: tests/tui/tfcon_real.sh BUILD_DIR   (or $BUILD)
. "$(dirname "$0")/real_lib.sh"

real_tui_begin

tui_start 110 32
wait_for "● up|up  rtt [0-9]+ms" 10
wait_for "img 1"
keys 1
wait_for "node1 +up" 10
# Spawn from the menu (images view: Enter, then "Spawn a container...").
keys 5
wait_for "busybox"
keys Enter
wait_for "Spawn a container\.\.\."
keys Enter
wait_for "Image +< busybox"
keys Tab Tab
type_text "tt1"
keys Tab Tab Tab Tab
type_text "sh -c 'while true; do echo tick-\$((i=i+1)); sleep 1; done'"
keys Enter
wait_for ":tt1 +busybox +node1 .*running" 30
# Its output in a log pane.
keys /
type_text "tt1"
keys Enter
# The detail pane shows what it was spawned with (ctr_spec).
keys i
wait_for "command +sh -c while true; do echo" 15
wait_for "env +\\(the image's\\)"
wait_for "limits +the node's defaults"
keys X
keys l
wait_for "^tick-[0-9]+" 15
# A process, with its output and exit status.
keys Tab x
wait_for "run in .*:tt1:"
type_text "echo hello-from-proc"
keys Enter
wait_for "^hello-from-proc" 15
wait_for "exited with status 0" 15
keys X X Tab
# Destroy from the menu.
keys Enter
wait_for "Destroy\.\.\."
keys Down Enter
wait_for "Destroy container .*:tt1"
keys Tab Enter
wait_gone ":tt1 +busybox" 30
keys q
wait_for "TFCON-EXITED 0"
tmux_ kill-server

# A custom keymap, and --readonly, against the same location, with a
# container another program (tf) started.
"$BUILD/cli/tf" -q --tag keep busybox sleep 600 &
TFPID=$!
PIDS="$PIDS $TFPID"
mkdir -p "$XDG_CONFIG_HOME/tfcon"
printf 'include default\ndestroy K\n' > "$XDG_CONFIG_HOME/tfcon/keymap"
tui_start 110 32 --readonly
wait_for "\[read-only\]"
keys 2
wait_for ":keep +busybox +node1 .*running" 30
keys K
wait_for "destroy is disabled: tfcon is read-only"
keys q
wait_for "TFCON-EXITED 0"
tmux_ kill-server
# Without --readonly the rebound key destroys it (after the confirmation).
tui_start 110 32
keys 2
wait_for ":keep +busybox +node1 .*running" 30
keys K
wait_for "Destroy container .*:keep"
keys Tab Enter
wait_gone ":keep +busybox" 30
keys q
wait_for "TFCON-EXITED 0"
pass
