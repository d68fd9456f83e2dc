#!/bin/sh
# tfcon_readonly: --readonly refuses every destructive action with a
# message, hides them from hints, marks them in menus, and still allows
# looking (logs) and harmless actions.
. "$(dirname "$0")/lib.sh"

tui_start 100 30 --readonly
wait_for "\[read-only\]"
wait_for "Ab3dEf5g:web"
expect_not " d destroy"
keys d
wait_for "destroy is disabled: tfcon is read-only \(--readonly\)"
wait_for "Ab3dEf5g:web"
keys r
wait_for "reboot is disabled"
keys :
type_text "destroy web"
keys Enter
wait_for "destroy is disabled"
keys Enter
wait_for "Destroy\.\.\. \(read-only\)"
keys Escape
keys 4
keys U
wait_for "rollback is disabled"
# Looking is fine.
keys 2 l
wait_for "\[1 logs"
wait_for "listening on"
pass
