#!/bin/sh
# A location of many hosts (issue 14) on simulated hosts (lib_hosts.sh):
# the location on host 0, node1 and node2 on hosts 1 and 2, each node in
# its own network namespace with its own underlay address.  Nodes show
# their address in the offer and carry container traffic over the VXLAN
# overlay; tunnels, wait_http_200, put/fetch, processes and shells work on
# containers of every node; allow/disallow work across nodes with real
# HTTP (nginx on one node, wget on the other) and an allowance dies with
# the other node's container.  Exit 77 without root, runc or vxlan.
. "$(dirname "$0")/lib_hosts.sh"
hosts_setup 3 --timeout 2

offer
for i in 1 2; do
	a=$(node_field node$i address)
	check "node$i is in the offer with its underlay address ($a)" \
		[ "$a" = "$(host_addr $i)" ]
done
sub1=$(node_field node1 subnet)
sub2=$(node_field node2 subnet)
check "node1 routes node2's subnet $sub2 over the overlay" wait_route 1 "$sub2" present 10
check "node2 routes node1's subnet $sub1 over the overlay" wait_route 2 "$sub1" present 10

# allowed SERVER IP: the server container's firewall lets IP in.
allowed() {
	_al_ns=$(ls /run/netns | grep -- "-$1\$" | head -n 1)
	[ -n "$_al_ns" ] && nsenter --net="/run/netns/$_al_ns" \
		nft list set inet tf_fw allowed 2>/dev/null | grep -qw "$2"
}
wait_not_allowed() {
	_wn_i=0
	while allowed "$1" "$2"; do
		_wn_i=$((_wn_i + 1))
		[ $_wn_i -gt 100 ] && return 1
		sleep 0.1
	done
}

prog_bg net hosts_net node1 node2
wait_for "$TFT/net.out" '^# client_ip=' 240 || true
server=$(value net server); cip=$(value net client_ip)
check "the server's firewall on node1 lets in the client of node2 ($cip)" \
	allowed "$server" "$cip"
step net allowed
wait_for "$TFT/net.out" '^# client destroyed' 60 || true
check "the allowance died with the client on the other node" \
	wait_not_allowed "$server" "$cip"
step net destroyed
prog_wait net 120
finish
