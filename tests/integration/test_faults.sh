#!/bin/sh
# Faults injected (issue 17 item 6; table in docs/RELIABILITY.md), each
# ending with the platform consistent: no orphan (runc container, process,
# bundle), no lost volume data, and clients told the truth.
#   1. the node killed (SIGKILL) in the middle of a spawn;
#   2. the location killed (SIGKILL) while a client streams a process's
#      output and a tunnel carries data;
#   3. the node's disk (a 4 MiB tmpfs state dir) filled by an image's
#      layers during a spawn;
#   4. (issue 15) a destroy sends the image's StopSignal first.
# The network cut between node and location is test_hosts_faults.sh's.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"

faults_cleanup() {
	tf_stop_all
	mountpoint -q "$TFT/node2" 2>/dev/null && umount -l "$TFT/node2"
	tf_cleanup
}
trap faults_cleanup EXIT INT TERM

prog_setup --timeout 2 --grace 30
TF=$BUILD/cli/tf
RUNC="runc --root $TFT/node1/runc"

# runc containers of node1 (ids), one a line.
runc_ids() { $RUNC list -q 2>/dev/null || true; }

# ---- 1. the node killed during a spawn --------------------------------
"$TF" --local "127.0.0.1:$PORT" busybox sleep 3600 > "$TFT/s1.out" 2> "$TFT/s1.err" &
S1=$!
PIDS="$PIDS $S1"
wait_for "$TFT/node1.log" "^.*spawn [A-Za-z0-9]*: " 60 || true
kill -9 "$NODE_PID"
ctr=$(sed -n 's/.*spawn \([A-Za-z0-9]*\): .*/\1/p' "$TFT/node1.log" | tail -n 1)
echo "# killed the node while spawning $ctr"
i=0
while kill -0 "$S1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sed 's/^/#   tf: /' "$TFT/s1.err"
check "tf is told, and ends" sh -c "! kill -0 $S1 2>/dev/null"
check "it says the node was lost, not that the container runs" \
	grep -Eqi "lost|failed" "$TFT/s1.err"
tf_start_node node1
wait_for "$TFT/loc.log" "node node1 is up" 30 || true
# A container that got as far as running is adopted by the restarted node
# and goes with tf's session when its grace (30 s) is over; one that did
# not is removed at once.
i=0
while [ -n "$(runc_ids)" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
check "the restarted node leaves no runc container behind" [ -z "$(runc_ids)" ]
check "nor a bundle" sh -c "[ -z \"\$(ls '$TFT/node1/containers' 2>/dev/null)\" ]"
H1=$(fnv1a "$(realpath "$TFT/node1")")
cg_procs() {	# processes in node1's container cgroups
	find /sys/fs/cgroup -path "*tf-$H1*" -name cgroup.procs \
		-exec cat {} + 2>/dev/null | wc -l
}
check "nor a process in its cgroups" [ "$(cg_procs)" -eq 0 ]

check "the location holds no record of it" \
	sh -c "! '$BUILD/cli/tfresources' --local 127.0.0.1:$PORT --compact | grep -q '$ctr'"

# ---- 2. the location killed while a process streams and a tunnel carries
# data --------------------------------------------------------------------
TP=$((PORT + 7))
"$TF" --local "127.0.0.1:$PORT" -p "$TP:8080" busybox sh -c \
	'mkdir /w && dd if=/dev/urandom of=/w/big bs=1M count=16 2>/dev/null &&
	sha256sum /w/big && httpd -p 8080 -h /w && i=0 &&
	while :; do i=$((i + 1)); echo tick $i; sleep 0.2; done' \
	> "$TFT/s2.out" 2> "$TFT/s2.err" &
S2=$!
PIDS="$PIDS $S2"
wait_for "$TFT/s2.out" "^tick 5$" 90 || true
sum=$(sed -n 's/^\([0-9a-f]\{64\}\) .*/\1/p' "$TFT/s2.out")
check "a container streams its output through tf" grep -q "^tick 5$" "$TFT/s2.out"
# A slow download through the tunnel, in flight when the location dies.
curl -s --limit-rate 1M -o "$TFT/dl1" "http://127.0.0.1:$TP/big" &
CURL=$!
PIDS="$PIDS $CURL"
wait_for_size() { i=0; while [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -lt "$2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; }
wait_for_size "$TFT/dl1" 1000000
ticks=$(grep -c '^tick' "$TFT/s2.out")
kill -9 "$LOC_PID"
wait "$LOC_PID" 2>/dev/null || true
tf_start_location --timeout 2 --grace 30
wait_for "$TFT/s2.err" "Reconnected" 30 || true
wait_for "$TFT/s2.out" "^tick $((ticks + 25))$" 60 || true
check "after the location's restart the stream goes on (tick $((ticks + 25)))" \
	grep -q "^tick $((ticks + 25))$" "$TFT/s2.out"
check "with no tick lost or repeated" sh -c "grep '^tick' '$TFT/s2.out' |
	awk '{ if (\$2 != NR) exit 1 }'"
rc=0; wait "$CURL" || rc=$?
got=$(sha256sum "$TFT/dl1" | cut -d' ' -f1)
echo "# the download in flight: curl status $rc, $(stat -c %s "$TFT/dl1") bytes"
check "the download in flight ends whole or as a failure, never as wrong data" \
	[ "$rc" -ne 0 ] || [ "$got" = "$sum" ]
curl -s -o "$TFT/dl2" "http://127.0.0.1:$TP/big" || true
check "a new download through the same tunnel is whole" \
	[ "$(sha256sum "$TFT/dl2" | cut -d' ' -f1)" = "$sum" ]
kill -INT "$S2"
i=0
while kill -0 "$S2" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
i=0
while [ -n "$(runc_ids)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "tf's container is gone after Ctrl-C" [ -z "$(runc_ids)" ]

# ---- 4. the image's StopSignal on destroy (issue 15 item 3) -------------
# nginx's image says SIGQUIT (a graceful stop); busybox's says nothing.
"$TF" --local "127.0.0.1:$PORT" -p "$((PORT + 8)):80" nginx > "$TFT/s5.out" 2> "$TFT/s5.err" &
S5=$!
PIDS="$PIDS $S5"
wait_for "$TFT/s5.err" "Created tunnel" 90 || true
kill -INT "$S5"
wait_for "$TFT/node1.log" "stopped by its StopSignal" 30 || true
check "destroy sends the image's StopSignal (SIGQUIT) first" \
	grep -q "Quit (its StopSignal), SIGKILL in 10 s" "$TFT/node1.log"
check "and nginx stops on it, before the grace period" \
	grep -q "stopped by its StopSignal (exited 0)" "$TFT/node1.log"
i=0
while kill -0 "$S5" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
i=0
while [ -n "$(runc_ids)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "and is gone" [ -z "$(runc_ids)" ]

# ---- 3. the node's disk filled by an image's layers during a spawn --------
# node2's state directory is a 4 MiB tmpfs: busybox (1 MiB) fits, nginx's
# layers (5 MiB) do not.
mkdir -p "$TFT/node2"
mount -t tmpfs -o size=4m tmpfs "$TFT/node2"
tf_start_node node2
NODE2_PID=$NODE_PID
wait_for "$TFT/loc.log" "node node2 is up" 30 || true
rc=0
timeout 120 "$TF" --local "127.0.0.1:$PORT" --node node2 nginx \
	> "$TFT/s3.out" 2> "$TFT/s3.err" || rc=$?
sed 's/^/#   tf: /' "$TFT/s3.err" | tail -n 3
check "a spawn whose layers fill the node's disk fails (tf status $rc)" \
	[ "$rc" -eq 7 ]
check "and says why" grep -qi "space" "$TFT/s3.err"
check "the node stays up" kill -0 "$NODE2_PID"
# The other layer's fetch may still be running when the spawn fails.
i=0
while ls "$TFT/node2/layers" | grep -q '\.part$' && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
check "no partial layer is left on its disk" \
	sh -c "! ls '$TFT/node2/layers' | grep -q '\\.part\$'"
RUNC2="runc --root $TFT/node2/runc"
check "nor a runc container" sh -c "[ -z \"\$($RUNC2 list -q 2>/dev/null)\" ]"
rc=0
timeout 120 "$TF" --local "127.0.0.1:$PORT" --node node2 busybox echo fits \
	> "$TFT/s4.out" 2> "$TFT/s4.err" || rc=$?
check "a spawn that fits still runs there (status $rc)" grep -q "^fits" "$TFT/s4.out"
kill "$NODE2_PID"; wait "$NODE2_PID" 2>/dev/null || true

finish
