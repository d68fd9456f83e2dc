#!/bin/sh
# Web endpoints across hosts (issue 18 on issue 14's simulated hosts,
# lib_hosts.sh): the location on host 0 joins the nodes' VXLAN overlay
# (--overlay) and serves a cluster of three nginx containers on node1 and
# node2 through its HAProxy.  With curl --resolve to the location on host 0:
# the members of both nodes answer in turn; each member's firewall lets
# the location's overlay address in; a rebooted member comes back; a
# destroyed member drops out with no failed request; member 1 (on node2)
# leaves and comes back (20 reloads in 30 s) while requests run back to back and
# none is lost; unpublish and garbage collection give 404; the location's
# VXLAN device goes with it.  Exit 77 without root, runc, vxlan, haproxy
# or curl.
. "$(dirname "$0")/lib_hosts.sh"
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || skip "needs haproxy"
command -v curl >/dev/null 2>&1 || skip "needs curl"
HTTP=8080	# host 0's own port space
hosts_setup 3 --timeout 10 --grace 10 --http "$LOC_ADDR:$HTTP" --overlay "$LOC_ADDR"
"$TFLOC" --state "$TFT/loc" domain-add alice.test alice >/dev/null

check "the location joined the overlay" \
	sh -c "grep -q 'joined the overlay' '$TFT/loc.log' && ip -n $(host_ns 0) link show tfxloc >/dev/null"
offer
sub1=$(node_field node1 subnet)
sub2=$(node_field node2 subnet)
check "host 0 routes node1's subnet $sub1 over the overlay" wait_route 0 "$sub1" present 10
check "host 0 routes node2's subnet $sub2 over the overlay" wait_route 0 "$sub2" present 10
check "node1 routes the location's block over the overlay" \
	wait_route 1 "$(echo "$sub1" | cut -d. -f1-2).0.0/24" present 10

FQDN=www.alice.test
get() {
	in_host 0 curl -s --max-time 20 --resolve "$FQDN:$HTTP:$LOC_ADDR" \
		"http://$FQDN:$HTTP/" 2>&1 || echo "curl failed $?"
}
code() {
	in_host 0 curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
		--resolve "$FQDN:$HTTP:$LOC_ADDR" "http://$FQDN:$HTTP/" 2>/dev/null
}
until_code() {
	_uc_i=0
	while [ "$(code)" != "$1" ] && [ $_uc_i -lt 150 ]; do
		_uc_i=$((_uc_i + 1)); sleep 0.2
	done
	[ "$(code)" = "$1" ]
}

# Members 0 and 2 on node1, member 1 on node2; the reload step lasts
# 30 s: member 1 out for 1.5 s and in for 1.5 s, ten times (a reload
# each way).
WEB_NODES="node1 node2 node1" WEB_ROUNDS=10 WEB_PAUSE_MS=1500
export WEB_NODES WEB_ROUNDS WEB_PAUSE_MS
prog_bg web web_cluster "$FQDN"
wait_for "$TFT/web.out" '^# ready' 180 || true

seen=""; i=0
while [ $i -lt 60 ]; do
	b=$(get)
	case "$b" in "member "*) seen="$seen ${b#member }";; esac
	if echo "$seen" | grep -q 0 && echo "$seen" | grep -q 1 &&
		echo "$seen" | grep -q 2; then break; fi
	i=$((i + 1)); sleep 0.2
done
check "three nginx on two nodes behind $FQDN all answer ($seen)" \
	sh -c "echo '$seen' | grep -q 0 && echo '$seen' | grep -q 1 && echo '$seen' | grep -q 2"
r1=$(get); r2=$(get); r3=$(get)
check "they answer in turn ($r1 / $r2 / $r3)" \
	sh -c "[ '$r1' != '$r2' ] && [ '$r2' != '$r3' ] && [ '$r1' != '$r3' ]"

# The offer's endpoint record: FQDN, domain, the members HAProxy's checks
# pass, and a request rate once requests flow.
endpoint() {
	as_client alice "$BUILD/cli/tfresources" --compact 2>/dev/null |
		sed -n 's/.*"endpoints":\[\([^]]*\]\{0,1\}[^]]*\][^]]*\)\].*/\1/p'
}
ep_up() {	# all three members up in the record
	_e=$(endpoint)
	echo "$_e" | grep -q '"fqdn":"www.alice.test"' &&
		echo "$_e" | grep -q '"domain":"alice.test"' &&
		[ "$(echo "$_e" | sed -n 's/.*"up":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | grep -c .)" -eq 3 ]
}
ep_rate() {
	_r=$(endpoint | sed -n 's/.*"rate":\([0-9]*\).*/\1/p')
	[ -n "$_r" ] && [ "$_r" -gt 0 ]
}
until_true() {	# SECONDS command...
	_ut_n=$1; shift; _ut_i=0
	while ! "$@"; do
		_ut_i=$((_ut_i + 1)); [ $_ut_i -gt $((_ut_n * 5)) ] && return 1
		sleep 0.2
	done
}
check "the offer's endpoint: FQDN, domain and three members up" until_true 20 ep_up
( i=0; while [ $i -lt 200 ]; do code >/dev/null; i=$((i + 1)); done ) &
BURST=$!
PIDS="$PIDS $BURST"
check "the offer's endpoint counts requests a second" until_true 30 ep_rate
kill "$BURST" 2>/dev/null || true; wait "$BURST" 2>/dev/null || true

# allowed CONTAINER IP: the container's firewall lets IP in.
allowed() {
	_al_ns=$(ls /run/netns | grep -- "-$1\$" | head -n 1)
	[ -n "$_al_ns" ] && nsenter --net="/run/netns/$_al_ns" \
		nft list set inet tf_fw allowed 2>/dev/null | grep -qw "$2"
}
LOC_OVERLAY=$(echo "$sub1" | cut -d. -f1-2).0.1
check "member 1's firewall on node2 lets the location's $LOC_OVERLAY in" \
	allowed "$(value web member1)" "$LOC_OVERLAY"

step web refuse 60
step web reboot 120
i=0; back=0
while [ $i -lt 100 ]; do
	[ "$(get)" = "member 0" ] && { back=1; break; }
	i=$((i + 1)); sleep 0.2
done
check "a rebooted member on another host comes back into the rotation" [ "$back" -eq 1 ]

step web destroy 60
m2=$(value web member2)
wait_for "$TFT/loc.log" "$m2" 10 >/dev/null || true
fails=0; twos=0; i=0
while [ $i -lt 30 ]; do
	b=$(get)
	case "$b" in "member 2") twos=$((twos + 1));; "member "*) ;; *) fails=$((fails + 1));; esac
	i=$((i + 1))
done
check "the destroyed member dropped out with no failed request ($fails failed, $twos from it)" \
	[ "$((fails + twos))" -eq 0 ]

: > "$TFT/loop.out"
( while [ ! -f "$TFT/loop.stop" ]; do code >> "$TFT/loop.out"; echo >> "$TFT/loop.out"; done ) &
LOOP=$!
PIDS="$PIDS $LOOP"
step web reload 180
touch "$TFT/loop.stop"; wait $LOOP 2>/dev/null || true
total=$(grep -c . "$TFT/loop.out" || true)
bad=$(grep -vc '^200$' "$TFT/loop.out" || true)
check "no request lost in 30 s of reloads ($total requests, $bad not 200)" \
	sh -c "[ $total -gt 20 ] && [ $bad -eq 0 ]"

step web unpublish 60
check "unpublished: 404" until_code 404
step web again 60
check "published again: 200" until_code 200
kill -9 "$(cat "$TFT/web.pid")" 2>/dev/null || true
wait_for "$TFT/loc.log" "unpublished: its session was collected" 60 || true
check "garbage collection unpublished the killed client's site" until_code 404
wait "$(cat "$TFT/web.pid")" 2>/dev/null || true
prog_count "$TFT/web.out" web_cluster 0

kill "$LOC_PID"
wait "$LOC_PID" 2>/dev/null || true
check "the location's VXLAN device went with it" \
	sh -c "! ip -n $(host_ns 0) link show tfxloc >/dev/null 2>&1"
finish
