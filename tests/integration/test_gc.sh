#!/bin/sh
# Garbage collection against a real location (--timeout 2 --grace 5),
# node and runc (issue 6): a session that says bye, or disconnects with the
# SDK, loses its containers and tunnels but keeps its volumes; so does one
# stopped (SIGSTOP) or killed for longer than the grace period, and a
# stopped client that continues gets a new session and is told; a break
# shorter than the grace period is recovered transparently, with an open
# tunnel connection losing nothing.  Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2 --grace 5

# An observer session of the same user: every event, in order.
"$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TFT/watch.out" '^offer' 10

prog gc_bye

# hold TAG MODE: a gc_holder, and its ids in $sess $ctr $tun $vol
hold() {
	prog_bg "$1" gc_holder "$2"
	wait_for "$TFT/$1.out" '^# ready' 60 || true
	sess=$(value "$1" session); ctr=$(value "$1" container)
	tun=$(value "$1" tunnel); vol=$(value "$1" volume)
	HOLDER=$(cat "$TFT/$1.pid")
}

# Stopped for less than the grace period, but more than the timeout.
hold short short
kill -STOP "$HOLDER" || true
wait_for "$TFT/loc.log" "session $sess .*went quiet" 10 || true
sleep 1		# well past the timeout, well within the grace period
kill -CONT "$HOLDER" || true
wait_for "$TFT/loc.log" "session $sess .*resumed" 10 || true
check "the location took the short break for a quiet session and resumed it" \
	grep -q "session $sess .*resumed" "$TFT/loc.log"
step short after
prog_wait short
check "the short break collected nothing" sh -c "! grep -q 'session $sess .*collected: gone' '$TFT/loc.log'"

# Stopped for longer than the grace period.
hold long long
kill -STOP "$HOLDER" || true
wait_for "$TFT/loc.log" "session $sess .*collected" 20 && rc=0 || rc=1
check "a session stopped past the grace period is collected" [ "$rc" -eq 0 ]
wait_for "$TFT/watch.out" "^container_gone .*$ctr" 10 || true
check "its container is destroyed" grep -q "^container_gone .*$ctr" "$TFT/watch.out"
check "its tunnel is gone" grep -q "^tunnel_gone .*$tun" "$TFT/watch.out"
check "its volume is kept" sh -c "'$BUILD/cli/tfvolumes' list | grep -q '$vol'"
check "the container is gone from the node (runc)" \
	sh -c "! runc --root '$TFT/node1/runc' list 2>/dev/null | grep -q '$ctr'"
kill -CONT "$HOLDER" || true
step long after
prog_wait long

# Killed: the same, after the grace period.
hold dead long
kill -9 "$HOLDER" || true
wait_for "$TFT/loc.log" "session $sess .*collected" 20 && rc=0 || rc=1
check "a killed client's session is collected after the grace period" [ "$rc" -eq 0 ]
wait_for "$TFT/watch.out" "^container_gone .*$ctr" 10 || true
check "its container is destroyed" grep -q "^container_gone .*$ctr" "$TFT/watch.out"
check "its tunnel is gone" grep -q "^tunnel_gone .*$tun" "$TFT/watch.out"
check "its volume is kept" sh -c "'$BUILD/cli/tfvolumes' list | grep -q '$vol'"
finish
