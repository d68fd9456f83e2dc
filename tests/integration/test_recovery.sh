#!/bin/sh
# Recovery against a real location, node and runc (issue 6): after a
# location restart the accounts, images, volumes, KV pairs and tags are
# all there, the node and live clients reconnect, and the clients'
# containers keep running (and their tunnels serving) whichever comes back
# first, the node or the client; the same for the tf command.  When the
# node is killed its containers are reported lost (not destroyed: they may
# still run) to their owners; when it returns it adopts them (the same
# processes, network and bundle) and they are reported running again;
# destroyed after that, nothing of them is left while volumes survive.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2 --grace 30

"$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TFT/watch.out" '^offer' 10

# The tf command: a container with a tunnel on a port of ours.
TFPORT=$((PORT + 7))
"$BUILD/cli/tf" -p "$TFPORT:80" nginx > "$TFT/tf.out" 2> "$TFT/tf.err" &
TFPID=$!
PIDS="$PIDS $TFPID"
wait_for "$TFT/tf.err" "Created tunnel" 60 || true

# Two live SDK clients: "first" comes back before the node does, "late"
# after it.
prog_bg first rec_holder first
prog_bg late rec_holder late
wait_for "$TFT/first.out" '^# ready' 60 || true
wait_for "$TFT/late.out" '^# ready' 60 || true
sess=$(value first session); ctr=$(value first container)
sess2=$(value late session); ctr2=$(value late container)
check "the holders are set up" [ -n "$ctr" ] && [ -n "$ctr2" ]
RUNC="runc --root $TFT/node1/runc"
BRIDGE=$(sed -n 's/.*bridge \(tfb[0-9a-f]*\) up.*/\1/p' "$TFT/node1.log" | tail -n 1)

# The location restarts.  The node and "late" are held (SIGSTOP) so that
# the order is fixed: "first" and tf resume, then the node reports its
# containers, then "late" resumes.
kill -STOP "$NODE_PID" "$(cat "$TFT/late.pid")"
tf_stop_location
check "while the location is down the containers run on" \
	sh -c "$RUNC list | grep '$ctr' | grep -q running && $RUNC list | grep '$ctr2' | grep -q running"
tf_start_location --timeout 2 --grace 30
wait_for "$TFT/loc.log" "session $sess .*resumed" 15 && rc=0 || rc=1
check "a live client resumed its session before the node was back" [ "$rc" -eq 0 ]
wait_for "$TFT/tf.err" "Reconnected" 15 || true
kill -CONT "$NODE_PID"
wait_for_count "$TFT/loc.log" "node node1 is up" 2 15 && rc=0 || rc=1
check "the node reconnects to the restarted location" [ "$rc" -eq 0 ]
check "the node process did not restart" kill -0 "$NODE_PID"
kill -CONT "$(cat "$TFT/late.pid")"
wait_for "$TFT/loc.log" "session $sess2 .*resumed" 15 && rc=0 || rc=1
check "a live client resumed its session after the node was back" [ "$rc" -eq 0 ]
wait_for_count "$TFT/watch.out" "state connected" 2 15 || true
check "the watching client reconnected and resumed its session" \
	sh -c "grep 'state connected' '$TFT/watch.out' | tail -n 1 | grep -q resumed"
step first first-restarted 90
step late late-restarted 90
check "tf (the command) is still running after the location restart" sh -c "kill -0 $TFPID 2>/dev/null"
check "and its tunnel still serves nginx" sh -c "curl -s -m 10 http://127.0.0.1:$TFPORT/ | grep -q 'Welcome to nginx'"
kill "$TFPID" 2>/dev/null || true
prog rec_check first "$sess" "$ctr"
check "tfresources still works" sh -c "'$BUILD/cli/tfresources' --compact | grep -q '$ctr2'"

# The node dies.
kill -9 "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
wait_for "$TFT/watch.out" "^container .*\"container\":\"$ctr2\".*\"state\":\"lost\"" 10 && rc=0 || rc=1
check "a killed node's containers are reported lost to their owner's sessions" [ "$rc" -eq 0 ]
check "not destroyed while they may still run" sh -c "! grep -q '^container_gone .*$ctr2' '$TFT/watch.out'"
step first first-nodekilled
step late late-nodekilled
left=$($RUNC list -q 2>/dev/null | grep -c -e "$ctr" -e "$ctr2" || true)
echo "# runc state left by the killed node: $left container(s)"

# It comes back and adopts them.
tf_start_node node1
wait_for "$TFT/node1.log" "adopted 2 containers" 15 && rc=0 || rc=1
check "the returning node adopted both containers" [ "$rc" -eq 0 ]
for c in "$ctr" "$ctr2"; do
	check "runc still runs $c" sh -c "$RUNC list | grep '$c' | grep -q running"
	check "its network namespace is kept" [ -e "/run/netns/tfc-$BRIDGE-$c" ]
done
wait_for "$TFT/watch.out" "^container .*\"container\":\"$ctr2\".*\"state\":\"running\"" 15 && rc=0 || rc=1
check "the owners are told they run again" [ "$rc" -eq 0 ]
check "not that they were destroyed" sh -c "! grep -q '^container_gone .*$ctr2' '$TFT/watch.out'"
check "the node is up in the offer" sh -c "'$BUILD/cli/tfresources' --compact | grep -q '\"state\":\"up\"'"
step first first-nodeback
step late late-nodeback
# The holders destroyed their adopted containers: nothing of them is left.
for c in "$ctr" "$ctr2"; do
	i=0
	while [ "$i" -lt 150 ] && $RUNC list -q 2>/dev/null | grep -q "$c"; do
		sleep 0.1; i=$((i + 1))
	done
	check "the destroyed adopted container $c left no runc state" \
		sh -c "! $RUNC list -q 2>/dev/null | grep -q '$c'"
	check "nor its bundle" [ ! -e "$TFT/node1/containers/$c" ]
	check "nor its network namespace" [ ! -e "/run/netns/tfc-$BRIDGE-$c" ]
	check "nor its mounts" sh -c "! grep -q '$c' /proc/mounts"
done
check "no process of them is left (their httpd)" sh -c "! pgrep -f 'http[d] -f -p 80 -h /www' >/dev/null"
prog_wait first
prog_wait late
finish
