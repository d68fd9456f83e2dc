# shot_lib.sh: an xterm under Xvfb attached to a private tmux server
# running tfcon, captured with xwd.  Sourced by the screenshot scripts,
# which set TFCON, OUT and TFCON_ARGS first.
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
	convert "xwd:$tmp/shot.xwd" "$OUT/$1.png" || return 1
	echo "$OUT/$1.png"
}

