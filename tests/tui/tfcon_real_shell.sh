#!/bin/sh
# tfcon_real_shell: a shell pane attached to a real container (root and
# runc needed, else skipped): the remote pty has the pane's size from the
# start and follows a resize of the terminal; vi and top draw and restore
# the screen; a flood (yes) does not stop a key from getting through; the
# leave-pane key returns to the list; a destroyed container is shown as such.
#
# usage: tests/tui/tfcon_real_shell.sh BUILD_DIR   (or $BUILD)
. "$(dirname "$0")/real_lib.sh"
# A container started by another program (tf), which the console attaches to.
"$BUILD/cli/tf" -q --tag sh1 busybox sleep 900 &
PIDS="$PIDS $!"

real_tui_begin

tui_start 120 40
keys 2
wait_for ":sh1 +busybox +node1 .*running" 30
keys a
wait_for "shell .*:sh1" 10
wait_for "^/ # ?$" 15
# Zoomed, the pane is the whole screen between the title and status lines.
keys C-] z
type_text "echo hello-\$((6*7))"
keys Enter
wait_for "^hello-42" 10
type_text "stty size"
keys Enter
wait_for "^[0-9]+ 120 *$" 10
size1=$(screen | grep -E "^[0-9]+ 120 *$" | tail -1)
case $size1 in 3[0-9]" 120"*) ;; *) fail "stty size '$size1' is not the pane's (~3x rows, 120 cols)" ;; esac
# Resize the terminal: the remote pty follows.
tmux_ resize-window -t t -x 100 -y 30
sleep 0.3
type_text "clear; stty size"
keys Enter
wait_for "^2[0-9] 100 *$" 10
# vi draws on the alternate screen and restores the shell's screen.
type_text "echo before-vi"
keys Enter
wait_for "^before-vi"
type_text "vi /tmp/x"
keys Enter
wait_for "/tmp/x" 10
wait_gone "^before-vi" 5
type_text "ihello from vi"
# (a person's pause after Escape: tmux would otherwise send Escape and
# ':' within curses' 25 ms escape delay, which reads as Alt-:)
keys Escape
sleep 0.2
type_text ":wq"
keys Enter
wait_for "^before-vi" 10
type_text "cat /tmp/x"
keys Enter
wait_for "^hello from vi" 10
# top draws its table and quits on q.
type_text "top"
keys Enter
wait_for "PID +PPID +USER" 10
type_text "q"
wait_for "^/ # ?$" 10
# A flood: yes runs; Ctrl-C gets through it and the shell answers again.
# (How soon is measured by the bench, not asserted here: on a loaded
# machine the backlog in flight takes its time; see issue 23.)
type_text "yes flood-line"
keys Enter
wait_for "^flood-line" 10
start=$(date +%s)
keys C-c
type_text "echo after-flood"
keys Enter
wait_for "^after-flood" 120
echo "# Ctrl-C to the prompt through the flood: $(( $(date +%s) - start )) s"
# Leave the pane with the keymap's key: keys go to the list again.
keys C-]
wait_for "d destroy" 5
# Destroy the container from under the shell: the pane says so.
keys d
wait_for "Destroy container .*:sh1" 5
keys Tab Enter
wait_gone ":sh1 +busybox" 30
keys z
wait_for "container was destroyed" 15
keys C-] q
wait_for "TFCON-EXITED 0" 10
pass
