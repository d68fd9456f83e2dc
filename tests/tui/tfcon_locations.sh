#!/bin/sh
# tfcon_locations: one console on two real locations (root and runc
# needed, else skipped).  Two tf-location + tf-node pairs, each with its
# own state directory, ports and subnet; one account in each ("local" and
# "second", in one $TF_DIR).  tfcon -l local -l second shows both
# locations' states in the header, a LOCATION column, both locations'
# containers merged in one view, ":location NAME" narrows the views to one
# and ":location all" merges them again; a destroy goes to the location of
# the selected row, on each location, and the other location keeps its
# container until its own destroy.
#
# usage: tests/tui/tfcon_locations.sh BUILD_DIR   (or $BUILD)
. "$(dirname "$0")/real_lib.sh"

# The second location: lib.sh's helpers are for one, so by hand, on
# another block of ports and another subnet, under the same $TFT (which
# tf_cleanup removes) and with its daemons in $PIDS (which it stops).
ENDPOINT1=$ENDPOINT
PORT1=$PORT
port_pick 5
[ "$PORT" != "$PORT1" ] || port_pick 11
TEST_SUBNET1=$TEST_SUBNET
TEST_SUBNET=""
subnet_pick
[ "$TEST_SUBNET" != "$TEST_SUBNET1" ] ||
	TEST_SUBNET=10.$(( (${TEST_SUBNET1#10.} + 37) % 100 + 100 ))
L2=$TFT/second
mkdir -p "$L2"
"$TFLOC" --state "$L2/loc" init >/dev/null
"$TFLOC" --state "$L2/loc" --bind "$ENDPOINT" --subnet "$TEST_SUBNET" run \
	>>"$L2/loc.log" 2>&1 &
L2PID=$!
PIDS="$PIDS $L2PID"
wait_ready "$L2/loc.log" '^ready' 1 "$L2PID" ||
	{ echo "FAIL: the second location did not start"; exit 1; }
tok=$("$TFLOC" --state "$L2/loc" invite alice)
"$BUILD/cli/tf" account second "$tok" --local "127.0.0.1:$PORT" >/dev/null
"$TFNODE" --state "$L2/node2" init >/dev/null
"$TFLOC" --state "$L2/loc" node-add node2 "$(cat "$L2/node2/node.pub")" >/dev/null
: > "$L2/node2.log"
"$TFNODE" --state "$L2/node2" --endpoint "$ENDPOINT" \
	--location-key "$L2/loc/location.pub" --name node2 >>"$L2/node2.log" 2>&1 &
N2PID=$!
PIDS="$PIDS $N2PID"
[ -z "${TF_SUITE_MADE:-}" ] ||
	echo "node $(fnv1a "$(realpath "$L2/node2")")" >> "$TF_SUITE_MADE"
wait_ready "$L2/node2.log" 'ready' 1 "$N2PID" ||
	{ echo "FAIL: the second node did not start"; exit 1; }
TF_IMAGES="$TFT/images" "$BUILD/cli/tfcache" --location second -q busybox \
	>/dev/null || { echo "FAIL: tfcache busybox to second"; exit 1; }

# A container in each location, started by tf (which stays in the
# foreground until its container goes).
"$BUILD/cli/tf" --location local -q --tag one busybox sleep 600 \
	>"$TFT/tf1.out" 2>&1 &
PIDS="$PIDS $!"
"$BUILD/cli/tf" --location second -q --tag two busybox sleep 600 \
	>"$TFT/tf2.out" 2>&1 &
PIDS="$PIDS $!"

real_tui_begin

tui_start 160 36 -l local -l second
# Each location's state in the header, both up.
wait_for "local ● up.* second ● up" 20
keys 2
wait_for "LOCATION" 10
# Both locations' containers in one view, each with its location.
wait_for ":one +local +busybox .*running" 30
wait_for ":two +second +busybox .*running" 30
keys 1
wait_for "node1 +local +up" 10
wait_for "node2 +second +up" 10
# One location only, then both again.
keys 2 :
type_text "location second"
keys Enter
wait_for "second\\(only\\)"
wait_gone ":one +local" 10
wait_for ":two +second"
keys :
type_text "location all"
keys Enter
wait_for ":one +local +busybox" 10
wait_for ":two +second +busybox" 10
# Destroy on each: the selected row's location gets the request.
keys /
type_text "two"
keys Enter
wait_for "1 shown"
keys d
wait_for "Destroy container .*:two"
keys Tab Enter
wait_gone ":two +second" 30
keys /
keys C-u
type_text "one"
keys Enter
# The other location's container is still there.
wait_for ":one +local +busybox .*running"
keys d
wait_for "Destroy container .*:one"
keys Tab Enter
wait_gone ":one +local" 30
# ":location add" of one already there says so.
keys :
type_text "location add second"
keys Enter
wait_for "already connected to second"
keys q
wait_for "TFCON-EXITED 0"
pass
