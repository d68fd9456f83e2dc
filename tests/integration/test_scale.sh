#!/bin/sh
# A thousand containers on one node (issue 16), against a real location,
# node and runc: SCALE_N (default 1000) busybox `sleep 3600` spawned at
# once all run; the node holds at most 2 descriptors per container and
# the node's and location's memory per container stay within the figures
# of docs/SCALE.md; tfresources lists them all; a new client gets the
# offer; a new spawn, a process in one of them and a destroy work while
# they run; the node is killed, every owner is told, and the restarted
# node finds every one of them and removes it: no runc container, mount
# or process of the test is left.  Exit 77 without root or runc.
. "$(dirname "$0")/lib-prog.sh"
N=${SCALE_N:-1000}
# The documented ceilings (docs/SCALE.md).
FDS_PER=2		# descriptors per running container
NODE_KIB_PER=${SCALE_NODE_KIB:-160}	# node RSS per container (sanitizer build)
LOC_KIB_PER=${SCALE_LOC_KIB:-64}	# location RSS per container
# A /22 per node: 1021 addresses.
prog_setup --node-prefix 22 --timeout 10
RUNC="runc --root $TFT/node1/runc"

fds() { ls "/proc/$1/fd" | wc -l; }
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
# Processes whose root is inside this test's temp dir: the containers'.
ours() {
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$TFT"/*) echo "${p#/proc/}";; esac
	done
}
# A warm-up container, so that the layers are fetched before the baseline.
"$BUILD/cli/tf" busybox true >/dev/null 2>&1 || true
node_fds0=$(fds "$NODE_PID"); node_rss0=$(rss_kib "$NODE_PID")
loc_rss0=$(rss_kib "$LOC_PID")

prog_bg many scale_many "$N"
wait_for "$TFT/many.out" '^# ready' 1500 || true
echo "# spawn of $N at once: $(value many spawn_ms) ms"
running=$($RUNC list 2>/dev/null | grep -c ' running ' || true)
check "runc runs all $N containers (runs $running)" [ "$running" -eq "$N" ]

node_fds=$(fds "$NODE_PID"); node_rss=$(rss_kib "$NODE_PID")
loc_rss=$(rss_kib "$LOC_PID")
echo "# node: $node_fds0 -> $node_fds descriptors, $node_rss0 -> $node_rss KiB"
echo "# location: $loc_rss0 -> $loc_rss KiB"
check "the node holds at most $FDS_PER descriptors per container" \
	[ $((node_fds - node_fds0)) -le $((FDS_PER * N + 10)) ]
check "the node's memory per container is within $NODE_KIB_PER KiB" \
	[ $((node_rss - node_rss0)) -le $((NODE_KIB_PER * N)) ]
check "the location's memory per container is within $LOC_KIB_PER KiB" \
	[ $((loc_rss - loc_rss0)) -le $((LOC_KIB_PER * N)) ]

t0=$(date +%s%N)
"$BUILD/cli/tfresources" --compact > "$TFT/offer.json" 2>&1 || true
t1=$(date +%s%N)
listed=$(grep -o '"state":"running"' "$TFT/offer.json" | wc -l)
echo "# tfresources: $(wc -c < "$TFT/offer.json") bytes in $(((t1 - t0) / 1000000)) ms"
check "tfresources prints all $N (prints $listed)" [ "$listed" -ge "$N" ]

step many during 300
echo "# one more spawn beside them: $(value many extra_spawn_ms) ms"

kill -9 "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
step many nodekilled 180
left=$($RUNC list -q 2>/dev/null | wc -l)
echo "# runc containers left by the killed node: $left"
t0=$(date +%s)
tf_start_node node1
wait_for "$TFT/node1.log" "removed .* containers left" 900 || true
echo "# the restarted node cleaned up in $(($(date +%s) - t0)) s"
found=$(grep -c "removing leftover runc container" "$TFT/node1.log" || true)
check "the restarted node found all $N left running (found $found)" \
	[ "$found" -ge "$N" ]
check "no runc container is left" [ "$($RUNC list -q 2>/dev/null | wc -l)" -eq 0 ]
check "no process of them is left" [ -z "$(ours)" ]
check "no mount of them is left" sh -c "! grep -q '$TFT' /proc/mounts"
prog_wait many 120
finish
