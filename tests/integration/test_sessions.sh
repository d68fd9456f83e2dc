#!/bin/sh
# Sessions against a real tf-location: a client stopped (SIGSTOP) for less
# than the grace period resumes the same session; a location restart is
# survived (the client reconnects and resumes; accounts and KV are kept);
# a client gone for longer than the grace period is collected.
. "$(dirname "$0")/lib.sh"

tf_start_location --timeout 2 --grace 6
tf_add_user alice

TF_DIR=$TFT/acct-alice "$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
W=$!
PIDS="$PIDS $W"
wait_for "$TFT/watch.out" 'state connected' 10
sess=$(awk '/state connected/ {print $3; exit}' "$TFT/watch.out")
check "the watcher has a session" [ -n "$sess" ]

kill -STOP $W
sleep 3.5	# past the timeout (2 s), within the grace period (6 s)
check "the location noticed the silence" grep -q "went quiet" "$TFT/loc.log"
kill -CONT $W
sleep 2
check "the session resumed after SIGSTOP/SIGCONT" \
	sh -c "grep 'state connected' '$TFT/watch.out' | tail -1 | grep -q '$sess'"
check "and was not collected" sh -c "! grep -q 'collected' '$TFT/loc.log'"

tf_stop_location
tf_start_location --timeout 2 --grace 6
wait_for "$TFT/watch.out" "resumed" 15 || true
check "after a location restart the same session resumes" \
	sh -c "grep 'state connected' '$TFT/watch.out' | tail -1 | grep -q '$sess'"
check "the account survived the restart" \
	env TF_DIR="$TFT/acct-alice" "$BUILD/cli/tfresources" --compact

n_conn=$(grep -c 'state connected' "$TFT/watch.out")
kill -STOP $W
sleep 9	# past the grace period
check "a client gone for the grace period is collected" \
	grep -q "session $sess.*collected" "$TFT/loc.log"
kill -CONT $W
wait_for_count "$TFT/watch.out" 'state connected' $((n_conn + 1)) 10 || true
check "it then gets a fresh session" \
	sh -c "grep 'state connected' '$TFT/watch.out' | tail -1 | grep -vq '$sess'"
finish
