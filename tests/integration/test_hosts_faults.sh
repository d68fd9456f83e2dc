#!/bin/sh
# A location of three nodes on simulated hosts (lib_hosts.sh) and faults
# of the underlay (issue 14): everything of test_hosts across three nodes;
# a partition between node1 and node2 (both still reach the location) is
# visible as traffic that stops, and heals; node3's host cut off (its link
# down) is reported down within the timeout with its containers gone, the
# other nodes withdraw its routes, and all comes back when the link does;
# node3 killed and restarted likewise.  Exit 77 without root, runc or vxlan.
. "$(dirname "$0")/lib_hosts.sh"
hosts_setup 4 --timeout 2

offer
for i in 1 2 3; do
	eval "sub$i=\$(node_field node$i subnet)"
	check "node$i is in the offer with its address" \
		[ "$(node_field node$i address)" = "$(host_addr $i)" ]
done
for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		eval "s=\$sub$j"
		check "node$i routes node$j's subnet over the overlay" \
			wait_route "$i" "$s" present 10
	done
done

# Everything across three nodes (a ring: server on i, client on i+1).
prog_bg net3 hosts_net node1 node2 node3
wait_for "$TFT/net3.out" '^# client_ip=' 300 || true
step net3 allowed
wait_for "$TFT/net3.out" '^# client destroyed' 60 || true
step net3 destroyed
prog_wait net3 120

$PROG_RUN "$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TFT/watch.out" '^offer' 10

# A partition between node1 and node2.
pair_start p12 node1 node2
expect p12 1 ok
hosts_partition 1 2
expect p12 2 fail
offer
check "both sides of the partition are still up" \
	sh -c "[ '$(node_field node1 state)' = up ] && [ '$(node_field node2 state)' = up ]"
hosts_heal 1 2
expect p12 3 ok
expect p12 4 end

# node3's host cut off: its underlay link goes down.
pair_start p31 node3 node1
expect p31 1 ok
lost0=$(grep -c '^container .*"state":"lost"' "$TFT/watch.out" || true)
up0=$(grep -c '"node":"node3".*"state":"up"\|"state":"up".*"node":"node3"' "$TFT/watch.out" || true)
start=$(date +%s)
host_link_down 3
wait_for "$TFT/watch.out" '^node_gone .*node3' 15 && rc=0 || rc=1
took=$(( $(date +%s) - start ))
check "node3 cut off is reported gone (after ${took}s)" [ "$rc" -eq 0 ]
# The location's timeout is 2 s; the margin is for a loaded machine.
check "within the heartbeat timeout (2 s) and a margin" [ "$took" -le 10 ]
# Cut off is not dead: the containers may still run, so their owners are
# told "lost" (they become destroyed if the node stays away or returns
# without them).
check "its containers are reported lost" \
	wait_for_count "$TFT/watch.out" '^container .*"state":"lost"' $((lost0 + 1)) 10
check "node1 withdraws node3's routes" wait_route 1 "$sub3" absent 10
check "node2 withdraws node3's routes" wait_route 2 "$sub3" absent 10
expect p31 2 end
host_link_up 3
check "node3 is reported up again when its link returns" \
	wait_for_count "$TFT/watch.out" '"node":"node3".*"state":"up"\|"state":"up".*"node":"node3"' $((up0 + 1)) 20
check "node1 routes node3's subnet again" wait_route 1 "$sub3" present 20
check "node2 routes node3's subnet again" wait_route 2 "$sub3" present 20

# node3 killed, then started again.
kill -9 "$node3_PID"
check "node3 killed is reported gone" \
	wait_for_count "$TFT/watch.out" '^node_gone .*node3' 2 15
check "node1 withdraws the killed node's routes" wait_route 1 "$sub3" absent 10
hosts_start_node node3 3
check "node3 restarted: node1 routes its subnet again" wait_route 1 "$sub3" present 20
pair_start p13 node1 node3
expect p13 1 ok
expect p13 2 end
for t in p12 p31 p13; do prog_wait "$t" 60; done
finish
