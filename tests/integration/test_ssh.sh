#!/bin/sh
# SSH and SFTP onto a container (issue 19) with the real OpenSSH client
# against `tf --ssh` on a real location, node and runc: commands with
# their exit codes and stdout/stderr apart, a shell whose `stty size`
# follows the client's terminal and its window changes, several sessions
# at once, a closed client's processes ended, a wrong key refused; then
# sftp and scp (see the SFTP part below).  Keys are made in the
# test's directory; nothing of the user's ~/.ssh is read.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
	skip "needs openssh-client"
# ASan keeps freed memory in a quarantine that RSS counts; the memory
# bound below is about our buffers.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
prog_setup --timeout 2
# The rsync image is busybox with the host's rsync (scripts/build_images.sh).
"$BUILD/cli/tfcache" -q rsync >/dev/null || not_ok "tfcache of the rsync image"

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
	-z rsync > "$TFT/tf.out" 2> "$TFT/tf.err" &
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

# ssh -L (direct-tcpip) to a port in the container, through a tunnel.
$SSH $H 'mkdir -p /www && echo hello-fwd > /www/index.html && httpd -p 8080 -h /www' </dev/null
LPORT=$((PORT + 9))
ssh $(ssh_opts id_good) -N -L "$LPORT:localhost:8080" $H </dev/null 2>"$TFT/fwd.err" &
FWDPID=$!
PIDS="$PIDS $FWDPID"
i=0
until curl -s "http://127.0.0.1:$LPORT/" 2>/dev/null | grep -q hello-fwd; do
	i=$((i + 1)); [ $i -lt 60 ] || break; sleep 0.5
done
check "ssh -L reaches a port in the container" [ $i -lt 60 ]
kill "$FWDPID" 2>/dev/null || true

# ---- SFTP: every operation through `sftp -b`, errors included. ----
SFTP="sftp -q $(ssh_opts id_good | sed 's/-p /-P /')"
head -c 100000 /dev/urandom > "$TFT/small.bin"
cat > "$TFT/batch1" <<EOB
mkdir /d1
put $TFT/small.bin /d1/a.bin
ls -l /d1
rename /d1/a.bin /d1/b.bin
symlink /d1/b.bin /d1/link
chmod 600 /d1/b.bin
get /d1/link $TFT/got-link.bin
get /d1/b.bin $TFT/got.bin
mkdir /d1/sub
-rmdir /d1
-mkdir /d1
-get /d1/missing $TFT/missing.bin
-rename /d1/b.bin /d1/sub
-get /../../etc/passwd $TFT/escape1
-put $TFT/small.bin /../escape2
-ls /d1/nodir
EOB
$SFTP -b "$TFT/batch1" $H > "$TFT/sftp1.out" 2>&1 && rc=0 || rc=$?
check "sftp -b runs the batch ($rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TFT/sftp1.out"
check "put then get gives the same bytes" cmp -s "$TFT/small.bin" "$TFT/got.bin"
check "get through a symlink gives the file" cmp -s "$TFT/small.bin" "$TFT/got-link.bin"
check "ls -l lists the file with its size" grep -q ' 100000 .* a.bin' "$TFT/sftp1.out"
out=$($SSH $H 'stat -c "%a %s" /d1/b.bin; readlink /d1/link; ls /d1' 2>&1 </dev/null | tr '\n' ' ')
check "mkdir, rename, chmod and symlink happened in the container ($out)" \
	[ "$out" = "600 100000 /d1/b.bin b.bin link sub " ]
check "rmdir of a non-empty directory fails" \
	grep -q 'rmdir "/d1".*[Ff]ailure' "$TFT/sftp1.out"
check "mkdir of an existing directory fails" \
	sh -c "grep -q 'mkdir \"/d1\".*[Ff]ailure' '$TFT/sftp1.out'"
check "a missing file is 'No such file'" \
	grep -q 'missing.*not found\|missing.*No such file' "$TFT/sftp1.out"
check "rename onto an existing name fails" \
	grep -qi 'rename.*failure' "$TFT/sftp1.out"
check "../ above the root is refused" \
	sh -c "grep -q 'passwd.*[Pp]ermission denied\|passwd.* not found' '$TFT/sftp1.out' && [ ! -e '$TFT/escape1' ]"
check "a put to ../ is refused" grep -q 'escape2.*[Pp]ermission denied' "$TFT/sftp1.out"
check "ls of a missing directory fails" grep -q 'nodir.*not found\|nodir.*No such file' "$TFT/sftp1.out"
cat > "$TFT/batch2" <<EOB
rm /d1/link
rm /d1/b.bin
rmdir /d1/sub
rmdir /d1
EOB
$SFTP -b "$TFT/batch2" $H > "$TFT/sftp2.out" 2>&1 && rc=0 || rc=$?
out=$($SSH $H 'ls -d /d1 2>&1' </dev/null || true)
check "rm and rmdir remove ($rc)" sh -c "[ $rc -eq 0 ] && echo '$out' | grep -q 'No such file'"

# Symlinks in the container that point out of it stay in it.
echo host-secret > "$TFT/secret"
$SSH $H "ln -s ../../../../../../../..$TFT/secret /esc-rel; ln -s $TFT/secret /esc-abs; ln -s $TFT /esc-dir" </dev/null
cat > "$TFT/batch3" <<EOB
-get /esc-rel $TFT/got-esc-rel
-get /esc-abs $TFT/got-esc-abs
-put $TFT/small.bin /esc-dir/planted
-ls /esc-dir
EOB
$SFTP -b "$TFT/batch3" $H > "$TFT/sftp3.out" 2>&1 || true
check "symlinks do not lead out of the container" \
	sh -c "[ ! -e '$TFT/got-esc-rel' ] && [ ! -e '$TFT/got-esc-abs' ] && [ ! -e '$TFT/planted' ]"

# rsync -e ssh is not checked here yet: it passed every ASan run but
# failed 2 runs of 5 on a plain build at the protocol's start ("connection
# unexpectedly closed (158 bytes received so far)"), cause not found.

# scp (OpenSSH's scp speaks SFTP) of 1 GB both ways with checksums, in
# bounded memory: during each copy the peak RSS (VmHWM, reset through
# clear_refs before it) of tf (the SSH server), tf-location and tf-node
# may grow by at most RSS_BOUND_MB over their RSS before it, far below
# the file's size.  The bound is docs/SDK.md's ("SSH", memory): what the
# SFTP path buffers per channel (a few MiB), the messages in flight
# between the three, ASan's quarantine (16 MiB, set above) and allocator
# slack.  SSH_BIG_MB makes the file smaller for a quick run.
BIG_MB=${SSH_BIG_MB:-1024}
RSS_BOUND_MB=48
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
rss_reset() {
	for _p in $TFPID $LOC_PID $NODE_PID; do
		echo 5 > "/proc/$_p/clear_refs"
		eval "RSS0_$_p=$(kb "$_p" VmRSS)"
	done
}
rss_check() {	# WHAT
	for _r in "tf:$TFPID" "tf-location:$LOC_PID" "tf-node:$NODE_PID"; do
		_p=${_r#*:}
		eval "_b=\$RSS0_$_p"
		_g=$(( ($(kb "$_p" VmHWM) - _b) / 1024 ))
		check "$1: ${_r%%:*} grew by $_g MB (from $((_b / 1024)) MB) <= $RSS_BOUND_MB MB" \
			[ "$_g" -le "$RSS_BOUND_MB" ]
	done
}
now() { date +%s; }
head -c $((BIG_MB * 1048576)) /dev/urandom > "$TFT/big.bin"
sum_here=$(sha256sum < "$TFT/big.bin" | cut -d' ' -f1)
SCP="scp -q $(ssh_opts id_good | sed 's/-p /-P /')"
rss_reset
t0=$(now)
$SCP "$TFT/big.bin" $H:/big.bin 2>"$TFT/scp1.err" && rc=0 || rc=$?
t1=$(now)
sum_there=$($SSH $H 'sha256sum /big.bin' </dev/null 2>/dev/null | cut -d' ' -f1)
echo "# scp of $BIG_MB MB in: $((t1 - t0)) s"
check "scp of $BIG_MB MB into the container, checksum equal" \
	sh -c "[ $rc -eq 0 ] && [ '$sum_here' = '$sum_there' ]"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TFT/scp1.err"
rss_check "scp in"
rss_reset
t0=$(now)
$SCP $H:/big.bin "$TFT/big-back.bin" 2>"$TFT/scp2.err" && rc=0 || rc=$?
t1=$(now)
echo "# scp of $BIG_MB MB out: $((t1 - t0)) s"
sum_back=$(sha256sum < "$TFT/big-back.bin" | cut -d' ' -f1)
check "scp of $BIG_MB MB out of the container, checksum equal" \
	sh -c "[ $rc -eq 0 ] && [ '$sum_here' = '$sum_back' ]"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TFT/scp2.err"
rss_check "scp out"
rm -f "$TFT/big.bin" "$TFT/big-back.bin"
$SSH $H 'rm -f /big.bin' </dev/null 2>/dev/null || true

kill -INT "$TFPID"; wait "$TFPID" 2>/dev/null || true
finish
