#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_keys: keys typed on the real terminal reach the program in the pane as
# xterm encodes them: cursor and editing keys, function keys, and the
# Ctrl/Alt/Shift combinations curses reports (named codes, F13+, and the
# extended kLFT5-style capabilities), Alt as an ESC prefix.  `cat -v` in
# the pane shows the bytes.
. "$(dirname "$0")/vt_lib.sh" "$@"

vt_start 120 20
# Keys typed before cat runs wait in the tty's queue, and their encoding
# does not depend on the pane's modes: no need to wait for cat here.
vt_keys 'clear; cat -v' Enter
vt_keys C-Left M-x Up F5 S-F1 C-Right Home End BTab DC PPage M-Left
vt_keys Enter
want='^[[1;5D^[x^[[A^[[15~^[[1;2P^[[1;5C^[[H^[[F^[[Z^[[3~^[[5~^[[1;3D'
vt_wait_fixed "$want" 3 || vt_fail "keys arrived as something else, want $want"

# Application cursor mode (as vi and less set it) changes the arrows.
# ^C flushes the tty's input queue: type the next line only once the
# shell's prompt is back.  The arrows are encoded by the pane's mode, so
# they are sent only once the mode is set (the marker comes after it).
vt_keys C-c
vt_wait '^\$ *$' 5 || vt_fail "no prompt after ^C"
vt_keys "clear; printf '\\033[?1h'; echo app-mode-on; cat -v" Enter
vt_wait '^app-mode-on' 5 || vt_fail "application mode not set"
vt_keys Up Down Enter
vt_wait '^\^\[OA\^\[OB' 3 || vt_fail "arrows not in application mode"
vt_keys C-c
vt_pass
