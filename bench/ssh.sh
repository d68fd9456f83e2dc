#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/ssh.sh: the SSH server onto a container (issue 19) beside
# OpenSSH's sshd, in one run.  The bench starts a private location and
# node, `tf --ssh` on a busybox container, and an sshd of its own on a
# loopback port with its own config, host key and authorized_keys (the
# system's sshd and its files are never used).  Each round, alternating:
#   - scp of SIZE_MB into the container through our server, and scp of
#     the same file into a local directory through sshd (MB/s);
#   - keystroke round trips (bench/ssh_rtt.py): one byte typed into
#     `ssh -tt HOST cat` and its echo by the remote terminal, KEYS times,
#     median in ms, through our server and through sshd.
# It prints the medians of each and the ratios (targets: throughput
# >= 0.5x sshd's, keystroke round trip <= 2x sshd's).
#
#   bench/ssh.sh [-B BUILD] [ROUNDS [SIZE_MB [KEYS]]]   (default 3 1024 200)
#
# Run it against a plain build (no sanitizers).  Needs root, runc,
# openssh-client, openssh-server (/usr/sbin/sshd) and python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
if [ "${1:-}" = -B ]; then BUILD=$2; shift 2; fi
ROUNDS=${1:-3}
SIZE_MB=${2:-1024}
KEYS=${3:-200}
BUILD=$(cd "$BUILD" && pwd)
export BUILD
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_IMAGES
. "$here/lib.sh"

SSHD=/usr/sbin/sshd
for t in ssh scp ssh-keygen python3; do
	command -v $t >/dev/null || { bench_log "needs $t"; exit 77; }
done
[ -x "$SSHD" ] || { bench_log "needs openssh-server ($SSHD)"; exit 77; }
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null

TFS= SSHDPID= MADE_RUN_SSHD=
cleanup() {
	for p in $TFS $SSHDPID; do
		kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
	done
	# sshd's privilege separation directory, when this bench made it.
	[ -z "$MADE_RUN_SSHD" ] || rmdir /run/sshd 2>/dev/null || true
	bench_down
}
trap cleanup EXIT INT TERM

free_port() {	# FROM
	_fp=$1
	while ss -Htan "( sport = :$_fp )" 2>/dev/null | grep -q .; do
		_fp=$((_fp + 1))
	done
	echo "$_fp"
}

bench_up >&2
TPORT=$(free_port $((BPORT + 20)))
SPORT=$(free_port $((TPORT + 1)))
ssh-keygen -q -t ed25519 -N '' -C bench -f "$BT/id"
ssh-keygen -q -t ed25519 -N '' -C sshd-host -f "$BT/sshd_host"
cp "$BT/id.pub" "$BT/authorized_keys"
mkdir -p "$BT/dst"

"$BUILD/cli/tf" --local "127.0.0.1:$BPORT" --ssh "$TPORT" \
	--authorized-keys "$BT/authorized_keys" -z busybox \
	> "$BT/tf.out" 2> "$BT/tf.err" &
TFS=$!
bench_wait_for "$BT/tf.err" "SSH onto the container" 120

# sshd as OpenSSH ships it (its default ciphers and MACs), told only
# where to listen and which keys to use.  It wants /run/sshd (privilege
# separation), which a machine without a running sshd may lack.
[ -d /run/sshd ] || { mkdir -m 0755 /run/sshd; MADE_RUN_SSHD=1; }
cat > "$BT/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $SPORT
HostKey $BT/sshd_host
AuthorizedKeysFile $BT/authorized_keys
PidFile $BT/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PrintMotd no
Subsystem sftp internal-sftp
EOF
"$SSHD" -D -e -f "$BT/sshd_config" 2> "$BT/sshd.log" &
SSHDPID=$!

OPTS="-F /dev/null -i $BT/id -o IdentitiesOnly=yes -o BatchMode=yes \
-o UserKnownHostsFile=$BT/known_hosts -o StrictHostKeyChecking=accept-new \
-o LogLevel=ERROR"
i=0
until ssh $OPTS -p "$SPORT" root@127.0.0.1 true </dev/null 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { bench_log "sshd never answered"; cat "$BT/sshd.log" >&2; exit 1; }
	sleep 0.1
done
i=0
until ssh $OPTS -p "$TPORT" root@127.0.0.1 true </dev/null 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { bench_log "tf --ssh never answered"; cat "$BT/tf.err" >&2; exit 1; }
	sleep 0.1
done

head -c $((SIZE_MB * 1048576)) /dev/urandom > "$BT/big.bin"
ms() { date +%s%N | cut -c1-13; }
# cpu_ticks: CPU time (user + system, clock ticks) of tf, tf-location and
# tf-node together, to see where a copy's cost goes.
cpu_ticks() {
	for _p in $TFS $BLOC_PID $BNODE_PID; do
		awk '{ print $14 + $15 }' "/proc/$_p/stat"
	done | awk '{ s += $1 } END { print s }'
}
# scp_mbs PORT DEST -> MB/s
scp_mbs() {
	_t0=$(ms)
	scp -q $OPTS -P "$1" "$BT/big.bin" "root@127.0.0.1:$2" </dev/null >&2 ||
		{ bench_log "scp to port $1 failed"; exit 1; }
	_t1=$(ms)
	awk -v n="$SIZE_MB" -v t=$((_t1 - _t0)) 'BEGIN { printf "%.1f\n", n * 1000 / t }'
}
rtt_ms() {	# PORT -> median ms of KEYS keystrokes
	python3 "$here/ssh_rtt.py" "$KEYS" ssh -tt $OPTS -p "$1" root@127.0.0.1 cat
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: > "$BT/tp-tf"; : > "$BT/tp-sshd"; : > "$BT/rtt-tf"; : > "$BT/rtt-sshd"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	c0=$(cpu_ticks)
	a=$(scp_mbs "$TPORT" /big.bin)
	cpu=$(( ($(cpu_ticks) - c0) * 100 / $(getconf CLK_TCK) ))
	b=$(scp_mbs "$SPORT" "$BT/dst/big.bin")
	rm -f "$BT/dst/big.bin"
	c=$(rtt_ms "$TPORT")
	d=$(rtt_ms "$SPORT")
	bench_log "round $r: scp $a MB/s (tf; $((cpu / 100)).$((cpu % 100)) CPU-s in tf, tf-location, tf-node) $b MB/s (sshd), keystroke $c ms (tf) $d ms (sshd)"
	echo "$a" >> "$BT/tp-tf"; echo "$b" >> "$BT/tp-sshd"
	echo "$c" >> "$BT/rtt-tf"; echo "$d" >> "$BT/rtt-sshd"
done
ssh $OPTS -p "$TPORT" root@127.0.0.1 'rm -f /big.bin' </dev/null || true
ta=$(median < "$BT/tp-tf"); tb=$(median < "$BT/tp-sshd")
ra=$(median < "$BT/rtt-tf"); rb=$(median < "$BT/rtt-sshd")
printf '%-34s %14s %14s\n' "ssh ($SIZE_MB MB scp, $KEYS keys, x $ROUNDS)" "scp MB/s" "key RTT ms"
printf '%-34s %14s %14s\n' "tf --ssh into a container" "$ta" "$ra"
printf '%-34s %14s %14s\n' "OpenSSH sshd, local directory" "$tb" "$rb"
awk -v a="$ta" -v b="$tb" -v c="$ra" -v d="$rb" 'BEGIN {
	printf "%-34s %14.2f %14.2f\n", "tf / sshd", a / b, c / d }'
