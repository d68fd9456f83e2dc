# tests/tui/lib.sh: helpers for tmux-driven tests of the real tfcon.
#
# A test runs tfcon in a private tmux server (its own -L socket), sends keys
# with `keys`, and waits for text on the screen with `wait_for` (polling the
# pane, never a fixed sleep where a condition can be checked).  By default
# tfcon runs against its built-in demo location; set TFCON_TEST_ARGS (e.g.
# "-l localhost") to drive a real location instead.
#
# usage in a test:  . "$(dirname "$0")/lib.sh"; tui_start 100 30 [args]
set -u

TFCON=${1:-${TFCON:-}}
if [ -z "$TFCON" ]; then
	for c in build/tui/tfcon build-tfcon/tui/tfcon; do
		[ -x "$(dirname "$0")/../../$c" ] && TFCON=$(cd "$(dirname "$0")/../.." && pwd)/$c
	done
fi
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux not installed"
	exit 77
fi
if [ -z "$TFCON" ] || [ ! -x "$TFCON" ]; then
	echo "FAIL: tfcon binary not found (pass its path)"
	exit 1
fi
TFCON_TEST_ARGS=${TFCON_TEST_ARGS:---demo}
TUI_SOCK=tfcontest$$
TUI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tfcon-test.XXXXXX")
TUI_NAME=$(basename "$0" .sh)
export XDG_CONFIG_HOME="$TUI_DIR/config"
export XDG_STATE_HOME="$TUI_DIR/state"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

tmux_() {
	tmux -L "$TUI_SOCK" -f /dev/null "$@"
}

tui_cleanup() {
	tmux_ kill-server >/dev/null 2>&1
	rm -rf "$TUI_DIR"
}
trap tui_cleanup EXIT
# A killed test (Ctrl-C, or its output piped to head) must not leave its
# tmux server behind either.
trap 'tui_cleanup; trap - EXIT; exit 1' INT TERM HUP PIPE

# Waits until the test's tmux server process has gone: a new-session sent
# while a killed server is still exiting joins it and dies with it.  (The
# server's command line is the one that started it: tmux -L SOCK ...)
tmux_gone() {
	_i=0
	while pgrep -f "tmux -L $TUI_SOCK " >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || break
		sleep 0.1
	done
}

# tui_start COLS ROWS [extra tfcon args...]
tui_start() {
	cols=$1
	rows=$2
	shift 2
	tmux_gone
	tmux_ new-session -d -s t -x "$cols" -y "$rows" \
	    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} $TFCON $TFCON_TEST_ARGS --log-file $TUI_DIR/tfcon.log $*; echo TFCON-EXITED \$?; sleep 30"
	tmux_ set-option -t t remain-on-exit on >/dev/null 2>&1
	wait_for "tfcon" 5
}

keys() {
	tmux_ send-keys -t t "$@"
}

# Sends text literally (no key names).
type_text() {
	tmux_ send-keys -t t -l "$1"
}

screen() {
	tmux_ capture-pane -p -t t
}

fail() {
	echo "FAIL: $TUI_NAME: $*"
	echo "---- screen ----"
	screen
	echo "---- log (last lines) ----"
	tail -n 15 "$TUI_DIR/tfcon.log" 2>/dev/null
	exit 1
}

# wait_for REGEX [SECONDS]: until the screen matches (grep -E).
wait_for() {
	pattern=$1
	limit=${2:-5}
	n=0
	while [ "$n" -lt $((limit * 20)) ]; do
		if screen | grep -Eq -- "$pattern"; then
			return 0
		fi
		sleep 0.05
		n=$((n + 1))
	done
	fail "timed out waiting for /$pattern/"
}

# wait_gone REGEX [SECONDS]: until the screen no longer matches.
wait_gone() {
	pattern=$1
	limit=${2:-5}
	n=0
	while [ "$n" -lt $((limit * 20)) ]; do
		if ! screen | grep -Eq -- "$pattern"; then
			return 0
		fi
		sleep 0.05
		n=$((n + 1))
	done
	fail "timed out waiting for /$pattern/ to go"
}

# expect_not REGEX: the screen must not match now.
expect_not() {
	if screen | grep -Eq -- "$1"; then
		fail "unexpected /$1/"
	fi
}

# line N: one screen line (1-based).
line() {
	screen | sed -n "${1}p"
}

pass() {
	echo "PASS: $TUI_NAME"
	exit 0
}
