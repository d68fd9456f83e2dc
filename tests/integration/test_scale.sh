#!/bin/sh
# A thousand containers on one node (issue 16), against a real location,
# node and runc: SCALE_N (default 1000) busybox `sleep 3600` spawned at
# once all run; the node holds at most 2 descriptors per container and
# the node's and location's memory per container stay within the figures
# of docs/SCALE.md; tfresources lists them all; a new client gets the
# offer; tfcon (in tmux) lists them, stays responsive and opens a shell
# on one of them; a new spawn, a process in one of them and a destroy work
# while they run; a location restart keeps them all; the node is killed,
# every owner is told "lost", the restarted node adopts every one of them
# (they run again, with at most 2 descriptors each, and a process runs in
# one), then all are destroyed: no runc container, mount or process of
# the test is left.  Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
N=${SCALE_N:-1000}
# The documented ceilings (docs/SCALE.md).
FDS_PER=2		# descriptors per running container
NODE_KIB_PER=${SCALE_NODE_KIB:-64}	# node RSS per container (docs/BENCH.md)
LOC_KIB_PER=${SCALE_LOC_KIB:-32}	# location RSS per container
# Under AddressSanitizer freed memory waits in a quarantine of up to 256 MiB
# before reuse, which would be counted as the daemons' own: keep it small.
case ${ASAN_OPTIONS:-} in *quarantine_size_mb*) ;; *)
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8";;
esac
# However the test ends, a thousand containers must not outlive it: the
# node is killed (its orderly stop would take longer than lib.sh waits)
# and started once more, which removes what it left, then stopped.
CG=
TMUX_SOCK=tf-scale-$$
scale_cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	rm -f "/tmp/tmux-$(id -u)/$TMUX_SOCK"
	if [ -n "${NODE_PID:-}" ] && [ -f "$TFT/node1/node.key" ]; then
		kill -9 "$NODE_PID" 2>/dev/null || true
		wait "$NODE_PID" 2>/dev/null || true
		echo "--- cleanup" >> "$TFT/node1.log"
		"$TFNODE" --state "$TFT/node1" --endpoint "$ENDPOINT" \
			--location-key "$TFT/loc/location.pub" --name node1 \
			>>"$TFT/node1.log" 2>&1 &
		NODE_PID=$!
		i=0
		while [ $i -lt 6000 ] && ! sed -n '/^--- cleanup/,$p' "$TFT/node1.log" |
			grep -q -e ': state ' -e 'ERROR'; do
			sleep 0.1; i=$((i + 1))
		done
		kill "$NODE_PID" 2>/dev/null || true
		wait "$NODE_PID" 2>/dev/null || true
	fi
	[ -n "$CG" ] && ours | sed 's|/proc/\([0-9]*\)/.*|\1|' | xargs -r kill -9 2>/dev/null
	tf_cleanup
}
trap scale_cleanup EXIT INT TERM
# A /22 per node: 1021 addresses.
prog_setup --node-prefix 22 --timeout 10
RUNC="runc --root $TFT/node1/runc"

fds() { ls "/proc/$1/fd" | wc -l; }
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
# Processes in the node's cgroups (CG, learnt from a container's init):
# the containers'.
ours() {
	[ -n "$CG" ] && grep -l "/$CG/" /proc/[0-9]*/cgroup 2>/dev/null || true
}
# A warm-up container, so that the layers are fetched before the baseline.
"$BUILD/cli/tf" busybox true >/dev/null 2>&1 || true
node_fds0=$(fds "$NODE_PID"); node_rss0=$(rss_kib "$NODE_PID")
loc_rss0=$(rss_kib "$LOC_PID")

prog_bg many scale_many "$N"
wait_for "$TFT/many.out" '^# ready' 1500 || true
echo "# spawn of $N at once: $(value many spawn_ms) ms"
running=$($RUNC list 2>/dev/null | grep -c ' running ' || true)
pid1=$($RUNC list 2>/dev/null | awk '$3 == "running" { print $2; exit }')
CG=$(awk -F: 'NR == 1 { print $3 }' "/proc/$pid1/cgroup" 2>/dev/null | cut -d/ -f2)
echo "# the node's cgroup: $CG"
check "the containers' processes are found by cgroup" [ -n "$(ours)" ]
check "runc runs all $N containers (runs $running)" [ "$running" -eq "$N" ]

node_fds=$(fds "$NODE_PID"); node_rss=$(rss_kib "$NODE_PID")
loc_rss=$(rss_kib "$LOC_PID")
echo "# node: $node_fds0 -> $node_fds descriptors, $node_rss0 -> $node_rss KiB"
echo "# location: $loc_rss0 -> $loc_rss KiB"
check "the node holds at most $FDS_PER descriptors per container" \
	[ $((node_fds - node_fds0)) -le $((FDS_PER * N + 10)) ]
# Plus 16 MiB that does not grow with N (allocator arenas, caches), which
# dominates when SCALE_N is small.
check "the node's memory per container is within $NODE_KIB_PER KiB" \
	[ $((node_rss - node_rss0)) -le $((NODE_KIB_PER * N + 16384)) ]
check "the location's memory per container is within $LOC_KIB_PER KiB" \
	[ $((loc_rss - loc_rss0)) -le $((LOC_KIB_PER * N + 16384)) ]

t0=$(date +%s%N)
"$BUILD/cli/tfresources" --compact > "$TFT/offer.json" 2>&1 || true
t1=$(date +%s%N)
listed=$(grep -o '"state":"running"' "$TFT/offer.json" | wc -l)
echo "# tfresources: $(wc -c < "$TFT/offer.json") bytes in $(((t1 - t0) / 1000000)) ms"
check "tfresources prints all $N (prints $listed)" [ "$listed" -ge "$N" ]

# The console lists them all, stays responsive and opens a shell on one.
pane() { tmux -L "$TMUX_SOCK" capture-pane -p 2>/dev/null; }
wait_pane() {	# PATTERN SECONDS
	_w=0
	while ! pane | grep -q -- "$1"; do
		_w=$((_w + 1))
		[ $_w -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}
XDG_STATE_HOME=$TFT XDG_CONFIG_HOME=$TFT tmux -L "$TMUX_SOCK" -f /dev/null \
	new-session -d -x 160 -y 50 "$BUILD/tui/tfcon"
t0=$(date +%s%N)
i=0
while [ $i -lt 600 ]; do
	shown=$(pane | sed -n 's/.*ctrs \([0-9]*\).*/\1/p' | head -n 1)
	[ "${shown:-0}" -ge "$N" ] && break
	sleep 0.1; i=$((i + 1))
done
echo "# tfcon counted ${shown:-0} containers after $((($(date +%s%N) - t0) / 1000000)) ms"
check "tfcon counts all $N containers (counts ${shown:-0})" [ "${shown:-0}" -ge "$N" ]
tmux -L "$TMUX_SOCK" send-keys 2
wait_pane 'IMAGE .*STATE' 30 && wait_pane 'busybox.*running' 30 && rc=0 || rc=1
check "tfcon's container view lists them" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || pane | sed 's/^/#   /'
t0=$(date +%s%N)
tmux -L "$TMUX_SOCK" send-keys End
tmux -L "$TMUX_SOCK" send-keys a
wait_pane '[#$] *$' 60 && rc=0 || rc=1
tmux -L "$TMUX_SOCK" send-keys 'echo shell-$((6 * 7))' Enter
wait_pane 'shell-42' 60 && rc=0 || rc=1
echo "# tfcon: a shell on the last container answered in $((($(date +%s%N) - t0) / 1000000)) ms"
check "tfcon stays responsive and opens a shell on one of them" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || pane | sed 's/^/#   /'
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true

step many during 300
echo "# one more spawn beside them: $(value many extra_spawn_ms) ms"

# The location restarts: the node reports all of them again and they are
# all still running.
resumed0=$(grep -c 'session .*(scale_many.*) resumed' "$TFT/loc.log" || true)
tf_stop_location
t0=$(date +%s)
tf_start_location --node-prefix 22 --timeout 10
wait_for_count "$TFT/loc.log" "node node1 is up" 2 120 || true
# scale_many is back in its session before the node dies: otherwise it
# could learn of the loss only from the offer, without the events it
# waits for.
wait_for_count "$TFT/loc.log" "session .*(scale_many.*) resumed" $((resumed0 + 1)) 120 ||
	not_ok "scale_many's session resumed after the location restart"
i=0
while [ $i -lt 600 ]; do
	listed=$("$BUILD/cli/tfresources" --compact 2>/dev/null |
		grep -o '"state":"running"' | wc -l)
	[ "$listed" -ge "$N" ] && break
	sleep 0.2; i=$((i + 1))
done
echo "# the restarted location had all $N back in $(($(date +%s) - t0)) s"
check "after a location restart all $N are still running (lists $listed)" \
	[ "$listed" -ge "$N" ]

kill -9 "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
step many nodekilled 180
left=$($RUNC list 2>/dev/null | grep -c ' running ' || true)
echo "# runc containers left running by the killed node: $left"
t0=$(date +%s)
# tf_start_node, with time to adopt a thousand.
"$TFNODE" --state "$TFT/node1" --endpoint "$ENDPOINT" \
	--location-key "$TFT/loc/location.pub" --name node1 >>"$TFT/node1.log" 2>&1 &
NODE_PID=$!
PIDS="$PIDS $NODE_PID"
wait_for "$TFT/node1.log" "adopted .* containers left running" 900 || true
wait_for_count "$TFT/node1.log" "ready" 2 120 || true
echo "# the restarted node adopted them in $(($(date +%s) - t0)) s"
adopted=$(sed -n 's/.*adopted \([0-9]*\) containers left running.*/\1/p' "$TFT/node1.log" | tail -n 1)
check "the restarted node adopted all $N left running (adopted ${adopted:-0})" \
	[ "${adopted:-0}" -ge "$N" ]
check "runc still runs all $N" \
	[ "$($RUNC list 2>/dev/null | grep -c ' running ' || true)" -ge "$N" ]
node_fds=$(fds "$NODE_PID")
echo "# the restarted node: $node_fds descriptors"
check "the restarted node holds at most $FDS_PER descriptors per adopted container" \
	[ $((node_fds - node_fds0)) -le $((FDS_PER * N + 10)) ]
step many nodeback 900
echo "# destroy of the $N adopted, one after another: $(value many destroy_ms) ms"
i=0
while [ $i -lt 600 ] && [ "$($RUNC list -q 2>/dev/null | wc -l)" -gt 0 ]; do
	sleep 0.1; i=$((i + 1))
done
check "no runc container is left" [ "$($RUNC list -q 2>/dev/null | wc -l)" -eq 0 ]
# SIGKILLed processes take a moment to be gone.
i=0
while [ -n "$(ours)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
for f in $(ours); do
	p=${f#/proc/}; p=${p%/cgroup}
	echo "# left: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" \
		"$(grep -E '^(State|PPid)' "/proc/$p/status" 2>/dev/null | tr '\n\t' '  ')"
done
check "no process of them is left" [ -z "$(ours)" ]
check "no mount of them is left" sh -c "! grep -q '$TFT/node1/containers/' /proc/mounts"
prog_wait many 120
finish
