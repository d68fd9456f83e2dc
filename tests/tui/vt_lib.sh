# SPDX-License-Identifier: BSD-2-Clause
#
# vt_lib.sh: sourced by the vt_*.sh tests of the shell pane.  Each test runs
# vtdemo (tui/vtdemo_main.c: a vt_pane on a local shell) inside a private
# tmux server (-L with the test's pid, -f /dev/null, as tmux's own regress
# scripts do), types into it with send-keys and reads the screen back with
# capture-pane.  Waits poll the screen for what the test expects, with a
# deadline, instead of sleeping a fixed time.
#
# usage in a test:  . "$(dirname "$0")/vt_lib.sh" "$@"; vt_start 100 30
# The first argument (or $VTDEMO) is the vtdemo binary.  Exit 77 (meson's
# skip) when tmux or vtdemo is missing.

VTDEMO=${1:-${VTDEMO:-}}
if [ -z "$VTDEMO" ] || [ ! -x "$VTDEMO" ]; then
	echo "vtdemo not given or not executable: '$VTDEMO'" >&2
	exit 77
fi
command -v tmux >/dev/null 2>&1 || { echo "no tmux" >&2; exit 77; }
command -v bash >/dev/null 2>&1 || { echo "no bash" >&2; exit 77; }

# Sanitizer builds run several times slower: time bounds are scaled.
VT_SLOW=1
if grep -qa -e __asan_init -e __ubsan_handle "$VTDEMO" 2>/dev/null; then
	VT_SLOW=4
fi

# Wide characters need a UTF-8 locale in tmux and in vtdemo alike.
LC_ALL=C.UTF-8
export LC_ALL

VT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vt_test.XXXXXX")
VT_TMUX="tmux -L vt_test_$$ -f /dev/null"
VT_NAME=$(basename "$0" .sh)

vt_cleanup() {
	$VT_TMUX kill-server 2>/dev/null
	rm -rf "$VT_TMP"
}
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

# The terminal vtdemo draws on (tmux understands either), and extra
# environment for it (e.g. VT_ENV=NO_COLOR=1).
if [ -z "${VT_TERM:-}" ]; then
	VT_TERM=xterm-256color
	infocmp tmux-256color >/dev/null 2>&1 && VT_TERM=tmux-256color
fi
VT_ENV=${VT_ENV:-}

# vt_stop: ends the session (and vtdemo) so a test can start another.
vt_stop() {
	$VT_TMUX kill-server 2>/dev/null
	sleep 0.1
}

# vt_start cols rows [vtdemo options...]: a session of that size running
# vtdemo with bash as its shell, prompt "$ ".
vt_start() {
	_cols=$1
	_rows=$2
	shift 2
	$VT_TMUX new-session -d -s vt -x "$_cols" -y "$_rows" \
	    "env -u TMUX TERM='$VT_TERM' $VT_ENV HOME='$VT_TMP' PS1='$ ' HISTFILE=/dev/null '$VTDEMO' $* -- bash --norc --noprofile" ||
	    vt_fail "tmux new-session failed"
	vt_wait '^\$ ' 5 || vt_fail "no shell prompt in the pane"
}

vt_screen() {
	$VT_TMUX capture-pane -p -t vt "$@"
}

# The shell pane's columns only (left of the events region).
vt_pane_text() {
	vt_screen | sed -e 's/│.*$//'
}

vt_keys() {
	$VT_TMUX send-keys -t vt "$@"
}

vt_now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# vt_wait regex [seconds]: until a line of the pane (or the status line)
# matches regex (grep -E).  Returns 1 on timeout.
vt_wait() {
	_deadline=$(( $(vt_now_ms) + ${2:-5} * 1000 ))
	while [ "$(vt_now_ms)" -lt "$_deadline" ]; do
		vt_pane_text | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# vt_wait_fixed string [seconds]: as vt_wait, for a fixed string.
vt_wait_fixed() {
	_deadline=$(( $(vt_now_ms) + ${2:-5} * 1000 ))
	while [ "$(vt_now_ms)" -lt "$_deadline" ]; do
		vt_pane_text | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# vt_wait_screen regex [seconds]: as vt_wait, on the whole screen
# (events region included).
vt_wait_screen() {
	_deadline=$(( $(vt_now_ms) + ${2:-5} * 1000 ))
	while [ "$(vt_now_ms)" -lt "$_deadline" ]; do
		vt_screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# vt_wait_gone regex [seconds]: until no line of the pane matches.
vt_wait_gone() {
	_deadline=$(( $(vt_now_ms) + ${2:-5} * 1000 ))
	while [ "$(vt_now_ms)" -lt "$_deadline" ]; do
		vt_pane_text | grep -Eq -- "$1" || return 0
		sleep 0.05
	done
	return 1
}

# vt_status_size: "ROWSxCOLS" as vtdemo's status line reports the pane.
vt_status_size() {
	vt_screen | sed -n 's/.*| pane \([0-9]*x[0-9]*\) |.*/\1/p' | tail -1
}

# vt_events field: a number from the events region ("tick 123").
vt_events() {
	vt_screen | sed -n "s/.*│$1 \\([0-9]*\\).*/\\1/p" | head -1
}

vt_fail() {
	echo "FAIL $VT_NAME: $*" >&2
	echo "--- screen:" >&2
	vt_screen >&2 2>/dev/null
	exit 1
}

vt_pass() {
	echo "PASS $VT_NAME"
	exit 0
}
