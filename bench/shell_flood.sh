#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# shell_flood.sh: how soon a terminal answers while a program floods it
# (issue 23), in three terminals side by side in one run, each a tmux pane
# of the same size on a private tmux server:
#
#   tfcon       tfcon's shell pane (zoomed) on a busybox container
#   tf -ti      `tf -ti busybox`: the container both reach (tf -ti makes
#               it, tfcon attaches a second shell to it by its tag)
#   tmux        a plain local busybox sh in a tmux pane (the baseline)
#
# Two figures per terminal, each the median of N tries (default 10):
#
#   ctrl-c      `yes` has flooded the pane for 1 s; Ctrl-C is sent; the
#               time until the shell's prompt shows on the screen (the
#               flood stopped and everything in flight was shown)
#   echo        the shell writes `CR flood` in a loop, flooding one row
#               without scrolling (each write is one syscall, so the tty's
#               echo of a key lands after "flood" and stays there); a
#               letter is typed; the time until its echo shows
#
# Times are from just before `tmux send-keys` to the first capture of the
# pane that shows the result; captures are taken back to back (a few ms
# each), so every figure includes up to one capture of delay.
#
# usage: bench/shell_flood.sh [-B BUILD] [-n TRIES] [-o FILE]
# Needs root and runc (a private location and node, bench/lib.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
TRIES=10
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	-B) BUILD=$2; shift 2 ;;
	-n) TRIES=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-h|--help) sed -n '/^# shell_flood.sh/,/^# Needs/p' "$0" |
	    sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "shell_flood.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd)
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export BUILD TF_IMAGES
command -v tmux >/dev/null || { echo "shell_flood.sh: needs tmux" >&2; exit 77; }
command -v busybox >/dev/null || { echo "shell_flood.sh: needs busybox" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "shell_flood.sh: needs root (runc)" >&2; exit 77; }
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null ||
	{ echo "shell_flood.sh: cannot build the images" >&2; exit 1; }

. "$here/lib.sh"
SOCK=tfshellflood$$
TMUX_="tmux -L $SOCK -f /dev/null"
RES=$(mktemp /tmp/tfshellflood.XXXXXX)
trap 'trap "" INT TERM HUP PIPE; $TMUX_ kill-server 2>/dev/null || true;
    bench_down; rm -f "$RES"' EXIT
trap 'exit 130' INT TERM HUP PIPE
bench_up

COLS=120
ROWS=40
PROMPT='/ # '
PROMPT_RE='(\^C)?/ # ?$'	# (a capture drops trailing blanks)

now_ms() { date +%s%3N; }

cap() { $TMUX_ capture-pane -p -t "$1"; }

# wait_screen SESSION ERE SECONDS: polls the pane until a line matches.
wait_screen() {
	_end=$(( $(now_ms) + $3 * 1000 ))
	while ! cap "$1" | grep -Eq -- "$2"; do
		if [ "$(now_ms)" -gt "$_end" ]; then
			echo "shell_flood.sh: $1: no '$2' after $3 s; screen:" >&2
			cap "$1" | sed 's/^/  | /' >&2
			return 1
		fi
	done
}

# elapsed SESSION ERE: ms from now until a line matches (60 s at most).
elapsed() {
	_t0=$(now_ms)
	wait_screen "$1" "$2" 60 || return 1
	echo $(( $(now_ms) - _t0 ))
}

median() {	# numbers on stdin
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
	    if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# try_ctrlc SESSION: one Ctrl-C-to-prompt time.
try_ctrlc() {
	$TMUX_ send-keys -t "$1" -l "clear; yes"
	$TMUX_ send-keys -t "$1" Enter
	wait_screen "$1" '^y$' 30
	sleep 1
	t0=$(now_ms)
	$TMUX_ send-keys -t "$1" C-c
	wait_screen "$1" "^$PROMPT_RE" 60
	echo $(( $(now_ms) - t0 ))
}

# bench_echo SESSION: N key-to-echo times under a flood that does not scroll.
bench_echo() {
	$TMUX_ send-keys -t "$1" -l "clear; while :; do printf '\\rflood'; done"
	$TMUX_ send-keys -t "$1" Enter
	wait_screen "$1" '^flood$' 30
	sleep 1
	for _i in $(seq 1 "$TRIES"); do
		_k=$(echo abcdefghijklmnoprstuvwxyz | cut -c "$(( (_i - 1) % 25 + 1 ))")
		_t0=$(now_ms)
		$TMUX_ send-keys -t "$1" -l "$_k"
		wait_screen "$1" "^flood$_k\$" 60
		echo $(( $(now_ms) - _t0 ))
	done
	$TMUX_ send-keys -t "$1" C-c
	wait_screen "$1" "^$PROMPT_RE" 60
}

# run_one NAME SESSION: both figures for one terminal, into $RES.
run_one() {
	: >"$RES.c"
	for _i in $(seq 1 "$TRIES"); do
		try_ctrlc "$2" >>"$RES.c"
	done
	bench_echo "$2" >"$RES.e"
	printf '%-8s %8s %8s   ctrl-c: %s   echo: %s\n' "$1" \
	    "$(median <"$RES.c")" "$(median <"$RES.e")" \
	    "$(tr '\n' ' ' <"$RES.c")" "$(tr '\n' ' ' <"$RES.e")" >>"$RES"
	rm -f "$RES.c" "$RES.e"
}

# tf -ti makes the container; tfcon attaches to it by its tag.
$TMUX_ new-session -d -s ti -x $COLS -y $ROWS \
    "env TF_DIR=$TF_DIR $BUILD/cli/tf -q -ti --tag shflood busybox /bin/sh"
wait_screen ti "^$PROMPT_RE" 60
$TMUX_ new-session -d -s con -x $COLS -y $ROWS \
    "env TF_DIR=$TF_DIR LANG=C.UTF-8 TERM=screen-256color $BUILD/tui/tfcon --log-file $BT/tfcon.log"
wait_screen con 'tfcon' 30
$TMUX_ send-keys -t con 2
wait_screen con ':shflood +busybox .*(running|sleeping)' 30
$TMUX_ send-keys -t con a
wait_screen con "^$PROMPT_RE" 30
$TMUX_ send-keys -t con C-] z
$TMUX_ new-session -d -s plain -x $COLS -y $ROWS \
    "env PS1='$PROMPT' ENV= busybox sh"
wait_screen plain "^$PROMPT_RE" 10

: >"$RES"
run_one tfcon con
run_one "tf -ti" ti
run_one tmux plain

{
	echo "shell_flood: ${COLS}x${ROWS} tmux panes, median of $TRIES (ms)"
	printf '%-8s %8s %8s\n' terminal ctrl-c echo
	cat "$RES"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee ${OUT:+"$OUT"}
