#!/bin/sh
# tfcon_real_pane: what a shell pane on a real container hands on besides
# keys (root and runc needed, else skipped): tfcon's mouse (-m) reaches a
# program that asked for it (cat -v shows the report; vim's cursor moves to
# a click); copy mode finds, selects and saves text and copies a line to
# the clipboard (OSC 52, into tmux's buffer); a bracketed paste reaches a
# program that enabled it with its markers.
#
# usage: tests/tui/tfcon_real_pane.sh BUILD_DIR   (or $BUILD)
. "$(dirname "$0")/real_lib.sh"
# busybox has no program that uses the mouse: this host's vim goes into
# the container with the libraries it links, put there through the Python
# SDK (tfnz), which also holds the container (tag pn1) as tf would.  Without
# vim or tfnz, tf holds a plain busybox and the vim click is not checked.
vim=$(command -v vim 2>/dev/null) && vim=$(readlink -f "$vim")
if [ -n "$vim" ] && ls "$BUILD"/python/tfnz/_tf*.so >/dev/null 2>&1; then
	files="$vim:/usr/bin/vim"
	for lib in $(ldd "$vim" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib/ { print $1 }'); do
		files="$files $(readlink -f "$lib"):$lib"
	done
	pre=$(ldd "$BUILD"/python/tfnz/_tf*.so | awk '/libasan|libubsan/ {print $3}' | tr '\n' ' ')
	LD_PRELOAD="$pre" PYTHONPATH="$BUILD/python" python3 -c '
import sys, time
from tfnz.location import Location
loc = Location(quiet=True)
c = loc.node().spawn_container("busybox", command="sleep 900", tag="pn1")
for pair in sys.argv[1:]:
    src, dst = pair.split(":")
    c.put(dst, open(src, "rb").read())
c.put("/tmp/vim-ready", "yes")
time.sleep(900)
' $files &
else
	files=""
	"$BUILD/cli/tf" -q --tag pn1 busybox sleep 900 &
fi
PIDS="$PIDS $!"

real_tui_begin

tui_start 120 40 -m
tmux_ set-option -s set-clipboard on
keys 2
wait_for ":pn1 +busybox +node1 .*running" 60
keys a
wait_for "shell .*:pn1" 10
wait_for "^/ # ?$" 15
keys C-] z
type_text "echo ready"
keys Enter
wait_for "^ready" 10

# --- bracketed paste ------------------------------------------------------
# tfcon asks tmux for bracketed paste; a program that asked tfcon for it
# (2004) gets the paste between ESC [ 200~ and ESC [ 201~.
type_text "printf '\\033[?2004h'; stty -icanon -echo; echo paste-on; cat -v"
keys Enter
wait_for "^paste-on" 10
tmux_ set-buffer -b tfpn "pasted-text"
tmux_ paste-buffer -p -b tfpn -t t
# (cat's output is line-buffered: Enter shows the line)
keys Enter
wait_for '\^\[\[200~pasted-text\^\[\[201~' 10
keys C-c
# A prompt on the screen is not enough: until clear has run, what is
# typed next is echoed and then wiped.  The marker comes after it.
type_text "stty sane; printf '\\033[?2004l'; clear; echo pane-cleared"
keys Enter
wait_for "^pane-cleared" 10
wait_for "^/ # ?$" 10

# --- copy mode ------------------------------------------------------------
type_text "printf 'copy-%s\\n' one two three"
keys Enter
wait_for "^copy-three" 10
keys F7
wait_for "copy mode: v select" 5
# Search back for a line, select it from its start, save it to a file.
keys /
wait_for "search back:" 5
type_text "copy-two"
keys Enter
keys v Right Right Right Right Right Right Right s
wait_for "save to:" 5
type_text "$TUI_DIR/sel.txt"
keys Enter
wait_for "saved 8 bytes to" 10
[ "$(cat "$TUI_DIR/sel.txt")" = "copy-two" ] ||
    fail "saved selection is '$(cat "$TUI_DIR/sel.txt" 2>/dev/null)'"
# Copy mode ended with the save: keys reach the shell again.  In it once
# more, y copies the cursor's line to the clipboard: OSC 52 makes it
# tmux's newest buffer.
keys F7
wait_for "copy mode: v select" 5
keys /
wait_for "search back:" 5
type_text "copy-one"
keys Enter
keys y
wait_for "copied 9 bytes to the clipboard" 5
n=0
until tmux_ show-buffer 2>/dev/null | grep -q "^copy-one$"; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "OSC 52 did not reach tmux's buffer"
	sleep 0.05
done
type_text "echo after-copy"
keys Enter
wait_for "^after-copy" 10

# --- the mouse ----------------------------------------------------------
# A program that turns on mouse reports (1000) in SGR encoding (1006) gets
# a click.  tmux (TERM=screen) reports to tfcon in X10 form: ESC [ M, then
# 32 + button (3: release), 33 + column, 33 + row (0-based).  Column 10 of
# the screen is column 10 of the zoomed pane: SGR says 11 (1-based).  cat
# writes its line only at Enter (stdio line buffering), which is why an
# earlier version of this check never saw the click.
type_text "printf '\\033[?1000h\\033[?1006h'; stty -icanon -echo; echo mouse-on; cat -v"
keys Enter
wait_for "^mouse-on" 10
type_text "$(printf '\033[M ++')"
type_text "$(printf '\033[M#++')"
keys Enter
wait_for '\^\[\[<0;11;[0-9]+M\^\[\[<0;11;[0-9]+m' 10
keys C-c
type_text "stty sane; printf '\\033[?1000l\\033[?1006l'; clear; echo mouse-off"
keys Enter
wait_for "^mouse-off" 10
wait_for "^/ # ?$" 10

# --- vim: a click moves its cursor -------------------------------------------
if [ -n "$files" ]; then
	type_text "until [ -e /tmp/vim-ready ]; do sleep 0.2; done; chmod +x /usr/bin/vim /lib64/*; seq 1 30 | sed 's/^/vimline-/' > /tmp/v.txt; clear; echo vim-prepared"
	keys Enter
	wait_for "^vim-prepared" 30
	wait_for "^/ # ?$" 10
	type_text "TERM=xterm vim -u NONE -N -i NONE -c 'set mouse=a ttymouse=sgr ruler' /tmp/v.txt"
	keys Enter
	wait_for "^vimline-7 *$" 20
	wait_for " 1,1 " 10
	# Click on vimline-7, column 4 (x 3): the ruler says 7,4.
	y=$(screen | grep -n "^vimline-7 *$" | cut -d: -f1)
	yc=$(printf "\\$(printf %o $((32 + y)))")
	type_text "$(printf '\033[M $%s' "$yc")"
	type_text "$(printf '\033[M#$%s' "$yc")"
	wait_for " 7,4 " 10
	keys Escape
	sleep 0.2
	type_text ":q!"
	keys Enter
	wait_for "^/ # ?$" 10
else
	echo "# no vim on this host: the vim click is not checked"
fi
keys C-] q
wait_for "TFCON-EXITED 0" 10
pass
