#!/bin/sh
# tfcon_idle.sh: CPU used by an idle tfcon over a period (default 30 s),
# measured from /proc/PID/stat, beside a baseline in the same run: top(1)
# refreshing once a second in the same kind of terminal.  tfcon runs on its
# demo location, which pushes node statistics every 2 s, and redraws once
# a second for uptimes: an honest "idle", not a frozen one.
#
# usage: bench/tfcon_idle.sh [TFCON] [SECONDS]
# Without TFCON it builds ./build with the demo location (-Ddemo=true).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ] || [ -z "$1" ]; then
	"$here/../scripts/setup.sh" build -Ddemo=true >/dev/null
fi
TFCON=${1:-$here/../build/tui/tfcon}
SECS=${2:-30}
sock=tfconidle$$
command -v tmux >/dev/null || { echo "tmux missing"; exit 77; }
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT

ticks() {	# utime + stime of a pid, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

measure() {	# measure NAME COMMAND
	name=$1
	tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x 120 -y 40 "$2"
	sleep 2
	pid=$(tmux -L "$sock" list-panes -t "$name" -F '#{pane_pid}')
	# The pane runs the command through sh -c when it has arguments.
	child=$(pgrep -P "$pid" | head -1 || true)
	[ -n "$child" ] && pid=$child
	a=$(ticks "$pid")
	sleep "$SECS"
	b=$(ticks "$pid")
	hz=$(getconf CLK_TCK)
	awk -v n="$name" -v t=$((b - a)) -v hz="$hz" -v s="$SECS" 'BEGIN {
		printf "%-22s %6.2f%% cpu  (%d ticks in %d s)\n", n,
		    100 * t / hz / s, t, s }'
	tmux -L "$sock" kill-session -t "$name"
}

echo "idle CPU over ${SECS}s"
measure tfcon "exec env LANG=C.UTF-8 $TFCON --demo --log-file /dev/null"
measure "top -d 1 (baseline)" "exec top -d 1"
