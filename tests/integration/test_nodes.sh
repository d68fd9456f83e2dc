#!/bin/sh
# Nodes against a real tf-location: a registered node is in a client's
# offer with its statistics; a killed node is reported gone within the
# heartbeat timeout and reported again when it comes back; node and client
# both survive a location restart.
. "$(dirname "$0")/lib.sh"
need_root_runc

tf_start_location --timeout 2
tf_add_user alice
tf_start_node node1

out=$(as_user alice "$BUILD/cli/tfresources" --compact)
check "the node is in the offer" sh -c "echo '$out' | grep -q '\"node\":\"node1\"'"
check "with its memory" sh -c "echo '$out' | grep -q '\"mem_total_mb\":[1-9]'"

TF_DIR=$TFT/acct-alice "$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
W=$!
PIDS="$PIDS $W"
wait_for "$TFT/watch.out" '^offer' 10

kill -9 "$NODE_PID"
start=$(date +%s)
wait_for "$TFT/watch.out" '^node_gone' 10 && rc=0 || rc=1
took=$(( $(date +%s) - start ))
check "a killed node is reported gone (after ${took}s)" [ "$rc" -eq 0 ]
check "within the heartbeat timeout (2 s) plus a second" [ "$took" -le 4 ]

n_before=$(grep -c '"state":"up"' "$TFT/watch.out")
tf_start_node node1
wait_for_count "$TFT/watch.out" '"state":"up"' $((n_before + 1)) 10 && rc=0 || rc=1
check "the node is reported again when it comes back" [ "$rc" -eq 0 ]

tf_stop_location
tf_start_location --timeout 2
sleep 4
out=$(as_user alice "$BUILD/cli/tfresources" --compact)
check "after a location restart the node is back in the offer" \
	sh -c "echo '$out' | grep -q '\"node\":\"node1\",\"paging\".*\"state\":\"up\"' || echo '$out' | grep -q '\"state\":\"up\"'"
check "and the watching client resumed its session" \
	sh -c "grep 'state connected' '$TFT/watch.out' | tail -1 | grep -q resumed"
finish
