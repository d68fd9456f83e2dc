#!/bin/sh
# make-screenshots.sh: PNG pictures of the real console.  tfcon runs (on
# its built-in demo location unless TFCON_ARGS says otherwise) inside a
# private tmux server; an xterm under Xvfb attaches to it and is captured
# with xwd after tmux send-keys has driven the console to each state.
#
# usage: screenshots/make-screenshots.sh [TFCON] [OUTDIR]
# needs: Xvfb, xterm, xwd, ImageMagick (convert), tmux.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TFCON=${1:-$here/../build/tui/tfcon}
OUT=${2:-$here}
TFCON_ARGS=${TFCON_ARGS:---demo}
FONT=${FONT:-DejaVu Sans Mono}
SIZE=${FONTSIZE:-11}

for p in Xvfb xterm xwd convert tmux; do
	command -v "$p" >/dev/null 2>&1 || { echo "missing: $p" >&2; exit 77; }
done
[ -x "$TFCON" ] || { echo "no tfcon at $TFCON" >&2; exit 1; }
mkdir -p "$OUT"

disp=":$((50 + $$ % 40))"
sock="tfconshot$$"
tmp=$(mktemp -d)
Xvfb "$disp" -screen 0 2000x1200x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
xterm_pid=""
cleanup() {
	[ -n "$xterm_pid" ] && kill "$xterm_pid" 2>/dev/null || true
	tmux -L "$sock" kill-server 2>/dev/null || true
	kill "$xvfb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Wait for the X server.
i=0
until xwd -display "$disp" -root -silent >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && { echo "Xvfb did not start" >&2; exit 1; }
	sleep 0.1
done

keys() { tmux -L "$sock" send-keys -t s "$@"; }
text() { tmux -L "$sock" send-keys -t s -l "$1"; }

# start COLS ROWS [tfcon args]: a fresh console in a fresh xterm.
start() {
	cols=$1
	rows=$2
	shift 2
	[ -n "$xterm_pid" ] && kill "$xterm_pid" 2>/dev/null || true
	tmux -L "$sock" kill-server 2>/dev/null || true
	sleep 0.2
	tmux -L "$sock" -f /dev/null new-session -d -s s -x "$cols" -y "$rows" \
	    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$tmp $TFCON $TFCON_ARGS --log-file $tmp/log $*"
	tmux -L "$sock" set-option -g status off >/dev/null
	tmux -L "$sock" set-option -g default-terminal screen-256color >/dev/null
	xterm -display "$disp" -geometry "${cols}x${rows}+0+0" -fa "$FONT" \
	    -fs "$SIZE" -bg '#1b1d1e' -fg '#d8d8d8' -cr '#d8d8d8' -b 4 \
	    -T tfcon-shot -xrm 'XTerm*faceNameDoublesize: Droid Sans Fallback' \
	    -e tmux -L "$sock" attach -t s &
	xterm_pid=$!
	sleep 1.5
}

# shot NAME: waits for the screen to settle, then captures the xterm.
shot() {
	sleep "${2:-0.8}"
	xwd -display "$disp" -name tfcon-shot -silent > "$tmp/shot.xwd"
	convert "xwd:$tmp/shot.xwd" "$OUT/$1.png"
	echo "$OUT/$1.png"
}

# 1. Containers with a log pane following a container's output.
start 120 34
keys Down
keys l
sleep 3
keys Tab
shot containers-logs

# 2. Nodes.
keys 1
shot nodes 0.5

# 3. The spawn dialog, filled in.
keys 2 s
sleep 0.3
keys Right
keys Tab Tab
text "web2"
keys Tab
text "MODE=prod LOG=debug"
shot spawn-dialog 0.5
keys Escape
sleep 0.3

# 4. Destroy confirmation (starts on Cancel).
keys d
shot destroy-confirm 0.5
keys Escape
sleep 0.3

# 5. Help, generated from the keymap.
keys '?'
shot help 0.5
keys Escape

# 6. A shell pane beside a log pane on a wide screen.
start 172 44
keys /
text "Ab3d"
keys Enter l
sleep 2.5
keys Tab a
sleep 0.5
text "uname -a"
keys Enter
text "ls"
keys Enter
text "echo hello from tfcon"
keys Enter
shot shell-and-logs

# 7. 80x24 with a process pane, and a search.
start 80 24
keys x
sleep 0.3
text "seq 40"
keys Enter
sleep 0.8
keys /
text "3$"
keys Enter
shot small-80x24 0.5

# 8. No colour (NO_COLOR).
start 100 30 --no-color
keys 4
shot no-color 0.5
