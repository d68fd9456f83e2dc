#!/bin/sh
# SSH and SFTP onto a container (issue 19) with the real OpenSSH client
# against `tf --ssh` on a real location, node and runc: commands with
# their exit codes and stdout/stderr apart, a shell whose `stty size`
# follows the client's terminal and its window changes, several sessions
# at once, a closed client's processes ended, a wrong key refused; then
# sftp, scp and rsync (see the SFTP part below).  Keys are made in the
# test's directory; nothing of the user's ~/.ssh is read.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
	skip "needs openssh-client"
prog_setup --timeout 2

SSHPORT=$((PORT + 8))
ssh-keygen -q -t ed25519 -N '' -C good -f "$TFT/id_good"
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$TFT/id_wrong"
cp "$TFT/id_good.pub" "$TFT/authorized_keys"
TMUX_SOCK=tf-ssh-$$
cleanup_ssh() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	tf_cleanup
}
trap cleanup_ssh EXIT INT TERM

"$BUILD/cli/tf" --ssh "$SSHPORT" --authorized-keys "$TFT/authorized_keys" \
	-z busybox > "$TFT/tf.out" 2> "$TFT/tf.err" &
TFPID=$!
PIDS="$PIDS $TFPID"
wait_for "$TFT/tf.err" "SSH onto the container" 90 && rc=0 || rc=1
check "tf --ssh prints the ssh command" [ "$rc" -eq 0 ]
check "the command names the port" grep -q "ssh -p $SSHPORT root@127.0.0.1" "$TFT/tf.err"
check "the host key was made in the account directory" \
	[ -f "$TF_DIR/ssh_host_ed25519_key" ]

# ssh_opts KEY: the options of every client run here.
ssh_opts() {
	echo "-F /dev/null -p $SSHPORT -i $TFT/$1 -o IdentitiesOnly=yes" \
		"-o BatchMode=yes -o UserKnownHostsFile=$TFT/known_hosts" \
		"-o StrictHostKeyChecking=accept-new -o ConnectTimeout=30" \
		"-o LogLevel=ERROR"
}
SSH="ssh $(ssh_opts id_good)"
H=root@127.0.0.1

out=$($SSH $H 'echo hello from $(hostname)' 2>"$TFT/e1") && rc=0 || rc=$?
check "exec runs a command in the container" \
	sh -c "[ $rc -eq 0 ] && echo '$out' | grep -q 'hello from'"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TFT/e1"
$SSH $H 'exit 42' </dev/null 2>/dev/null && rc=0 || rc=$?
check "exec returns the exit status (42)" [ "$rc" -eq 42 ]
$SSH $H 'kill -TERM $$' </dev/null 2>/dev/null && rc=0 || rc=$?
check "a command killed by a signal ends ssh with 255 or 128+15 ($rc)" \
	sh -c "[ $rc -eq 255 ] || [ $rc -eq 143 ]"
$SSH $H 'echo to-out; echo to-err >&2' >"$TFT/o2" 2>"$TFT/e2" </dev/null || true
check "stdout and stderr stay apart" \
	sh -c "grep -qx to-out '$TFT/o2' && grep -qx to-err '$TFT/e2' && ! grep -q to-err '$TFT/o2'"
out=$(printf 'line1\nline2\n' | $SSH $H 'wc -l' 2>/dev/null | tr -d ' ')
check "stdin reaches the command and its EOF ends it (wc -l = $out)" [ "$out" = 2 ]

# A PTY of the client's size: script(1) gives ssh a terminal of 33 x 111.
script -qec "stty rows 33 cols 111; ssh -t $(ssh_opts id_good) $H 'stty size'" \
	/dev/null > "$TFT/stty.out" 2>&1 </dev/null || true
check "ssh -t gets a PTY of the client's size (33 111)" \
	grep -q '33 111' "$TFT/stty.out"
grep -q '33 111' "$TFT/stty.out" || sed 's/^/#   /' "$TFT/stty.out"

# Window changes: an interactive shell in tmux, resized.
tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 90 -y 20 \
	"ssh -t $(ssh_opts id_good) $H"
wait_pane() {	# PATTERN SECONDS
	_w=0
	while ! tmux -L "$TMUX_SOCK" capture-pane -p | grep -q -- "$1"; do
		_w=$((_w + 1))
		[ $_w -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}
tmux -L "$TMUX_SOCK" send-keys 'stty size | sed s/^/SZ-/' Enter
wait_pane 'SZ-20 90' 30 && rc=0 || rc=1
check "the shell starts at the terminal's size" [ "$rc" -eq 0 ]
tmux -L "$TMUX_SOCK" resize-window -x 120 -y 40 2>/dev/null ||
	tmux -L "$TMUX_SOCK" resize-pane -x 120 -y 40
tmux -L "$TMUX_SOCK" send-keys 'clear; stty size | sed s/^/SZ-/' Enter
wait_pane 'SZ-40 120' 30 && rc=0 || rc=1
check "window changes reach the shell's PTY" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tmux -L "$TMUX_SOCK" capture-pane -p | sed 's/^/#   /'
tmux -L "$TMUX_SOCK" send-keys 'exit' Enter
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true

# Several sessions at once on one server.
for i in 1 2 3; do
	$SSH $H "sleep 1; echo session-$i" > "$TFT/par$i.out" 2>&1 </dev/null &
	eval "par$i=\$!"
done
rc=0
for i in 1 2 3; do
	eval "wait \$par$i" || rc=1
	grep -qx "session-$i" "$TFT/par$i.out" || rc=1
done
check "three sessions at once" [ "$rc" -eq 0 ]

# A client that goes away ends its processes.
$SSH $H 'sleep 4242' </dev/null >/dev/null 2>&1 &
SPID=$!
i=0
while ! $SSH $H 'ps' 2>/dev/null </dev/null | grep -q '[s]leep 4242'; do
	i=$((i + 1)); [ $i -lt 60 ] || break; sleep 0.5
done
check "the long command runs" [ $i -lt 60 ]
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true
i=0
while $SSH $H 'ps' 2>/dev/null </dev/null | grep -q '[s]leep 4242'; do
	i=$((i + 1)); [ $i -lt 60 ] || break; sleep 0.5
done
check "closing the client ends its process" [ $i -lt 60 ]

# Wrong keys and methods are refused.
ssh $(ssh_opts id_wrong) $H true </dev/null 2>"$TFT/wrong.err" && rc=0 || rc=$?
check "a key not in authorized_keys is refused" \
	sh -c "[ $rc -eq 255 ] && grep -q 'Permission denied' '$TFT/wrong.err'"
ssh $(ssh_opts id_wrong) -o PreferredAuthentications=none,password,keyboard-interactive \
	$H true </dev/null 2>/dev/null && rc=0 || rc=$?
check "no password, keyboard-interactive or none" [ "$rc" -eq 255 ]

if [ -x "$TOP/tests/integration/test_ssh_sftp.sh" ] && [ -z "${NO_SFTP:-}" ]; then
	. "$TOP/tests/integration/test_ssh_sftp.sh"
fi

kill -INT "$TFPID"; wait "$TFPID" 2>/dev/null || true
finish
