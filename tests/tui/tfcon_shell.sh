#!/bin/sh
# tfcon_shell: a shell pane inside the console (libvterm): attach to a
# container, type, see the output, leave the pane with the keymap's key,
# come back, and see the pane marked when the shell exits.
. "$(dirname "$0")/lib.sh"

tui_start 100 30
wait_for "Ab3dEf5g:web"
keys /
type_text "Ab3d"
keys Enter
wait_for "1 shown"
keys a
wait_for "\[1 shell Ab3dEf5g:web\]"
wait_for "C-\]: back to list"
wait_for "^/ #"
type_text "echo hello shell"
keys Enter
wait_for "^hello shell"
# Keys that mean something to the console go to the shell here.
type_text "q"
wait_for "^/ # q"
keys BSpace
# Leave: keys go to the list again (j is not bound there; d is).
keys C-]
wait_for "d destroy"
keys Tab
wait_for "C-\] leave"
type_text "exit 3"
keys Enter
wait_for "shell exited with status 3"
pass
