# Simulated hosts for integration tests and demos (issue 14): N "hosts",
# each a network namespace with its own underlay address, joined by an
# underlay bridge that lives in a namespace of its own, so the machine's
# own interfaces, routes and firewall are never touched.  Host 0 runs the
# location (and the test's clients); hosts 1..N-1 run one tf-node each.
#
#   namespace <id>ul:  bridge br0 (MTU 1550) -- p1 -- p2 ...
#   namespace <id>h0:  ul0 192.168.77.10/24    tf-location, clients
#   namespace <id>h1:  ul0 192.168.77.11/24    tf-node --advertise .11
#   ...
#
# Programs enter a host with `nsenter --net=/run/netns/NAME` only (`ip
# netns exec` remounts /sys, which hides the cgroup mounts runc needs);
# they keep the machine's mount namespace, so state directories, images
# and /run/netns are shared.  The underlay MTU is 1550 so that the VXLAN
# overlay on it carries full 1500-byte container packets.
#
# Names derive from the test's temp dir (unique per run); everything is
# removed at the end, also when the test fails or is killed.
# Source it, then hosts_setup N (or hosts_up N, hosts_start_location,
# hosts_start_node NAME I by hand).  tests/prog programs (prog, prog_bg of
# lib_prog.sh) run on host 0.
. "${TF_INTEGRATION_DIR:-$(dirname "$0")}/lib_prog.sh"

HID=tfh${TFT##*.}
UNDERLAY=192.168.77
HOSTS=""
LOC_ADDR=$UNDERLAY.10
# Each host is its own namespace: the usual port is free in it.
PORT=2020
ENDPOINT=tcp://$LOC_ADDR:$PORT

hosts_cleanup() {
	[ -n "${_hosts_cleaned:-}" ] && return 0
	_hosts_cleaned=1
	tf_stop_all
	# Whatever still runs on a host (the namespaces are ours, so is
	# everything in them) goes before its namespace.
	for h in $HOSTS; do
		for p in $(ip netns pids "$h" 2>/dev/null); do
			kill "$p" 2>/dev/null || true
		done
	done
	for h in $HOSTS; do
		_hc_i=0
		while [ -n "$(ip netns pids "$h" 2>/dev/null)" ] && [ $_hc_i -lt 100 ]; do
			sleep 0.1; _hc_i=$((_hc_i + 1))
		done
		for p in $(ip netns pids "$h" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
	done
	for h in $HOSTS; do ip netns del "$h" 2>/dev/null || true; done
	ip netns del "${HID}ul" 2>/dev/null || true
	tf_cleanup
}
trap hosts_cleanup EXIT
trap 'hosts_cleanup; exit 143' INT TERM

need_hosts() {
	need_root_runc
	command -v nsenter >/dev/null || skip "needs nsenter"
	ip link help vxlan 2>&1 | grep -q vxlan || skip "ip has no vxlan"
}

host_ns() { echo "${HID}h$1"; }		# host index -> namespace
host_addr() { echo "$UNDERLAY.$((10 + $1))"; }

# hosts_up N: the underlay and hosts 0..N-1.
hosts_up() {
	ul=${HID}ul
	ip netns add "$ul"
	ip -n "$ul" link set lo up
	ip -n "$ul" link add br0 type bridge
	ip -n "$ul" link set br0 up
	i=0
	while [ "$i" -lt "$1" ]; do
		h=$(host_ns "$i")
		ip netns add "$h"
		HOSTS="$HOSTS $h"
		ip -n "$h" link set lo up
		ip -n "$ul" link add "p$i" mtu 1550 type veth peer name ul0 \
			mtu 1550 netns "$h"
		ip -n "$ul" link set "p$i" master br0 up
		ip -n "$h" addr add "$(host_addr "$i")/24" dev ul0
		ip -n "$h" link set ul0 up
		i=$((i + 1))
	done
}

# hosts_setup N [LOCATION ARGS]: root, runc and images; the underlay and
# N hosts, the location on host 0 with those arguments, the account alice
# (TF_DIR) with the test images pushed, and nodes node1..node<N-1> on
# hosts 1..N-1.
hosts_setup() {
	_hs_n=$1; shift
	need_hosts
	[ -x "$PROG/hosts_net" ] || skip "tests/prog not built"
	prog_images
	hosts_up "$_hs_n"
	PROG_RUN="nsenter --net=$(host_net 0)"
	hosts_start_location "$@"
	hosts_add_user alice
	export TF_DIR=$TFT/acct-alice
	_hs_i=1
	while [ "$_hs_i" -lt "$_hs_n" ]; do
		hosts_start_node "node$_hs_i" "$_hs_i"
		_hs_i=$((_hs_i + 1))
	done
	in_host 0 "$BUILD/cli/tfcache" -q busybox nginx >/dev/null ||
		not_ok "tfcache of the test images"
}

# in_host I command...: runs command on host I (in the foreground: a
# function run with & is a subshell whose pid is not the program's; start
# daemons with "nsenter --net=$(host_net I) command &" so that $! is the
# program itself, as nsenter execs it).
host_net() { echo "/run/netns/$(host_ns "$1")"; }
in_host() {
	_ih=$1; shift
	nsenter --net=/run/netns/"$(host_ns "$_ih")" "$@"
}

hosts_start_location() {	# [extra args]
	[ -f "$TFT/loc/location.key" ] || "$TFLOC" --state "$TFT/loc" init >/dev/null
	echo "--- start" >> "$TFT/loc.log"
	nsenter --net="$(host_net 0)" "$TFLOC" --state "$TFT/loc" --bind "$ENDPOINT" \
		--subnet "10.$((100 + $$ % 100))" "$@" run >>"$TFT/loc.log" 2>&1 &
	LOC_PID=$!
	PIDS="$PIDS $LOC_PID"
	wait_for_count "$TFT/loc.log" '^ready' $((${STARTS:-0} + 1)) 10
	STARTS=$((${STARTS:-0} + 1))
}

hosts_add_user() {	# NAME [--admin] -> account dir $TFT/acct-NAME
	tok=$("$TFLOC" --state "$TFT/loc" invite "$@")
	TF_DIR=$TFT/acct-$1 in_host 0 "$BUILD/cli/tf" account local "$tok" \
		--local "$LOC_ADDR:$PORT" >/dev/null
}

# hosts_start_node NAME I: tf-node NAME on host I, advertising its
# underlay address; its pid in NODE_PID and in ${NAME}_PID.
hosts_start_node() {
	_hn=$1; _hi=$2
	if [ ! -f "$TFT/$_hn/node.pub" ]; then
		"$TFNODE" --state "$TFT/$_hn" init >/dev/null
		"$TFLOC" --state "$TFT/loc" node-add "$_hn" \
			"$(cat "$TFT/$_hn/node.pub")" >/dev/null
	fi
	echo "--- start" >> "$TFT/$_hn.log"
	_hs=$(grep -c -- '^--- start' "$TFT/$_hn.log")
	nsenter --net="$(host_net "$_hi")" "$TFNODE" --state "$TFT/$_hn" \
		--endpoint "$ENDPOINT" \
		--location-key "$TFT/loc/location.pub" --name "$_hn" \
		--advertise "$(host_addr "$_hi")" >>"$TFT/$_hn.log" 2>&1 &
	NODE_PID=$!
	eval "${_hn}_PID=$NODE_PID"
	PIDS="$PIDS $NODE_PID"
	wait_for_count "$TFT/$_hn.log" 'tf-node: ready$' "$_hs" 30
}

# as_client NAME command...: a client of account NAME on host 0.
as_client() {
	_ac=$1; shift
	TF_DIR=$TFT/acct-$_ac in_host 0 "$@"
}

# Faults on the underlay, from the hub's side of each host's link.
host_link_down() { ip -n "${HID}ul" link set "p$1" down; }
host_link_up() { ip -n "${HID}ul" link set "p$1" up; }
# hosts_partition I J / hosts_heal I J: hosts I and J stop reaching each
# other (both still reach the others, the location included).
hosts_partition() {
	ip -n "$(host_ns "$1")" route add blackhole "$(host_addr "$2")/32"
	ip -n "$(host_ns "$2")" route add blackhole "$(host_addr "$1")/32"
}
hosts_heal() {
	ip -n "$(host_ns "$1")" route del blackhole "$(host_addr "$2")/32"
	ip -n "$(host_ns "$2")" route del blackhole "$(host_addr "$1")/32"
}

# node_field NAME KEY: a field of node NAME's record in the offer in $out
# (tfresources --compact: keys sorted, no nested maps in a node record).
node_field() {
	echo "$out" | tr '}' '\n' | grep "\"node\":\"$1\"" |
		grep '"subnet"' |
		sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" | head -n 1
}
offer() { out=$(as_client alice "$BUILD/cli/tfresources" --compact); }

# route_to I SUBNET: host I routes SUBNET over its overlay device.
route_to() { ip -n "$(host_ns "$1")" route show "$2" | grep -q 'dev tfx'; }
# wait_route I SUBNET present|absent SECONDS
wait_route() {
	_wr_i=0
	while :; do
		if route_to "$1" "$2"; then [ "$3" = present ] && return 0
		else [ "$3" = absent ] && return 0; fi
		_wr_i=$((_wr_i + 1))
		[ $_wr_i -gt $(($4 * 10)) ] && return 1
		sleep 0.1
	done
}

# pair_start TAG SERVER_NODE CLIENT_NODE: hosts_pair in the background,
# with steps of its own in $TF_STEPS/TAG; waits until it is ready.
pair_start() {
	mkdir -p "$TF_STEPS/$1"
	TF_STEPS=$TF_STEPS/$1 $PROG_RUN "$PROG/hosts_pair" "$2" "$3" \
		> "$TFT/$1.out" 2> "$TFT/$1.out.err" &
	echo $! > "$TFT/$1.pid"
	echo hosts_pair > "$TFT/$1.name"
	PIDS="$PIDS $!"
	wait_for "$TFT/$1.out" '^# ready' 120 || not_ok "$1 is ready"
}
# expect TAG K ok|fail|end: step sK of a hosts_pair program (written
# whole before it appears, as the program reads it when it appears).
expect() {
	echo "$3" > "$TF_STEPS/$1/.s$2"
	mv "$TF_STEPS/$1/.s$2" "$TF_STEPS/$1/s$2"
	wait_for "$TFT/$1.out" "^# done s$2\$" 60 ||
		not_ok "$1 finished step s$2"
}
