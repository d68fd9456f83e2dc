# Shared helpers for integration tests: each test gets a private location
# (and node) in a temp dir on its own ports, and removes everything it made.
# Source it, then call tf_start_location / tf_start_node / tf_add_user.
# Expects $BUILD (the meson build dir) in the environment.
set -eu
: "${BUILD:?BUILD must name the build directory}"
TFLOC=$BUILD/location/tf-location
TFNODE=$BUILD/node/tf-node
# Under $TMPDIR: scripts/test.sh gives each run of the suite its own, and
# counts what is left under it at the end as leftovers.
TFT=$(mktemp -d "${TMPDIR:-/tmp}/tftest.XXXXXX")
# port_pick [SALT]: sets PORT (even) and ENDPOINT.  The location listens
# on PORT and PORT+1 (enrolment), tests use a few ports above (tunnels from
# PORT+7, lib_sdk.sh's free_port from PORT+100).  All of them lie below
# the kernel's ephemeral range, where any outgoing connection may take a
# port after we looked; and a block that anything (another test, a bench,
# a connection in any state) uses is stepped past.  A bind can still lose
# a race with another test that picked the same block: tf_start_location
# then picks again.
port_pick() {
	_pp_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$_pp_lo" -gt 12000 ] || _pp_lo=32768
	_pp_span=$(( (_pp_lo - 10000 - 400) / 2 ))
	PORT=$((10000 + 2 * (($$ + ${1:-0} * 7919) % _pp_span)))
	_pp_n=0
	while ss -Htan "( sport >= :$PORT and sport <= :$((PORT + 9)) )" 2>/dev/null |
		grep -q . && [ $_pp_n -lt "$_pp_span" ]; do
		PORT=$((PORT + 10))
		[ $((PORT + 200)) -lt "$_pp_lo" ] || PORT=10000
		_pp_n=$((_pp_n + 1))
	done
	ENDPOINT=tcp://127.0.0.1:$PORT
}
port_pick
PIDS=""
FAILS=0
PASSES=0

tf_stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null || true
	done
	PIDS=""
}
tf_cleanup() {
	tf_stop_all
	if [ -n "${KEEP:-}" ]; then echo "kept $TFT"; else rm -rf "$TFT"; fi
}
trap tf_cleanup EXIT INT TERM

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
not_ok() { FAILS=$((FAILS + 1)); echo "not ok - $*"; }
check() {	# description command...
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# A daemon's sanitizer report fails nothing by itself (the daemon may
# even carry on), so the logs are read once the daemons have stopped.
sanitizer_check() {
	found=$(find "$TFT" -maxdepth 2 -type f \( -name '*.log' -o -name '*.err' \
		-o -name '*.out' \) -size -64M -exec grep -l -E \
		'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' {} + \
		2>/dev/null || true)
	if [ -n "$found" ]; then
		for f in $found; do
			not_ok "no sanitizer report in $(basename "$f")"
			grep -m1 -A12 -E 'ERROR: AddressSanitizer|runtime error:' "$f" |
				sed 's/^/#   /'
		done
	fi
}
finish() {
	tf_stop_all
	sanitizer_check
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
skip() { echo "SKIP: $*"; exit 77; }
need_root_runc() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v runc >/dev/null || skip "needs runc"
	[ -x "$TFNODE" ] || skip "tf-node not built"
}

# wait_for FILE PATTERN SECONDS
wait_for() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $(($3 * 10)) ]; then
			echo "# timed out waiting for '$2' in $1:"; tail -n 20 "$1" | sed 's/^/#   /'
			return 1
		fi
		sleep 0.1
	done
}

# subnet_pick: sets TEST_SUBNET to the first 10.N (N from 100 + $$ % 100
# on) that no interface of this host has an address in.  tf-node refuses a
# bridge whose subnet overlaps another's and runs its containers without a
# network, so a test must not be handed the range of a node that another
# test (or a local location) runs at the same time.
subnet_pick() {
	_sp_i=0
	while [ $_sp_i -lt 100 ]; do
		_sp_n=$((100 + ($$ + _sp_i) % 100))
		ip -o -4 addr show 2>/dev/null | grep -q " inet 10\.$_sp_n\." || break
		_sp_i=$((_sp_i + 1))
	done
	TEST_SUBNET=10.$_sp_n
}

tf_start_location() {	# [extra args]
	[ -f "$TFT/loc/location.key" ] || "$TFLOC" --state "$TFT/loc" init >/dev/null
	echo "--- start" >> "$TFT/loc.log"
	# Each test's location hands out its own 10.X range (the same one on
	# every restart), so two bridges on one machine never share a subnet.
	[ -n "${TEST_SUBNET:-}" ] || subnet_pick
	_sl_try=0
	while :; do
		"$TFLOC" --state "$TFT/loc" --bind "$ENDPOINT" --subnet "$TEST_SUBNET" \
			"$@" run >>"$TFT/loc.log" 2>&1 &
		LOC_PID=$!
		PIDS="$PIDS $LOC_PID"
		if wait_ready "$TFT/loc.log" '^ready' $((${STARTS:-0} + 1)) "$LOC_PID"; then
			break
		fi
		# Lost a race for the port on the first start (no account names
		# it yet): pick another block and try again.
		_sl_try=$((_sl_try + 1))
		if [ "${STARTS:-0}" -eq 0 ] && [ $_sl_try -lt 5 ] &&
			tail -n 3 "$TFT/loc.log" | grep -q 'Address already in use'; then
			echo "# port $PORT was taken meanwhile; picking another"
			port_pick $_sl_try
			continue
		fi
		return 1
	done
	STARTS=$((${STARTS:-0} + 1))
}

tf_stop_location() {
	kill "$LOC_PID"; wait "$LOC_PID" 2>/dev/null || true
}

tf_add_user() {	# NAME [--admin] -> account dir $TFT/acct-NAME
	tok=$("$TFLOC" --state "$TFT/loc" invite "$@")
	TF_DIR=$TFT/acct-$1 "$BUILD/cli/tf" account local "$tok" --local "127.0.0.1:$PORT" >/dev/null
}

tf_start_node() {	# [NAME]
	n=${1:-node1}
	if [ ! -f "$TFT/$n/node.pub" ]; then
		"$TFNODE" --state "$TFT/$n" init >/dev/null
		"$TFLOC" --state "$TFT/loc" node-add "$n" "$(cat "$TFT/$n/node.pub")" >/dev/null
	fi
	: > "$TFT/$n.log"
	"$TFNODE" --state "$TFT/$n" --endpoint "$ENDPOINT" \
		--location-key "$TFT/loc/location.pub" --name "$n" >>"$TFT/$n.log" 2>&1 &
	NODE_PID=$!
	PIDS="$PIDS $NODE_PID"
	# The node names its bridge, namespaces and cgroup after a hash of
	# its state directory: the suite's leftover check looks for those.
	[ -z "${TF_SUITE_MADE:-}" ] ||
		echo "node $(fnv1a "$(realpath "$TFT/$n")")" >> "$TF_SUITE_MADE"
	wait_ready "$TFT/$n.log" 'ready' 1 "$NODE_PID"
}

as_user() {	# NAME command...
	u=$1; shift
	TF_DIR=$TFT/acct-$u "$@"
}

# wait_for_count FILE PATTERN COUNT SECONDS: until PATTERN occurs COUNT times
wait_for_count() {
	i=0
	while [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		i=$((i + 1))
		if [ $i -gt $(($4 * 10)) ]; then
			echo "# timed out waiting for '$2' x$3 in $1"; return 1
		fi
		sleep 0.1
	done
}

# wait_ready FILE PATTERN COUNT PID: until PATTERN occurs COUNT times in
# FILE (a daemon said it is ready), or the daemon PID has exited (it will
# never be), whichever comes first: a loaded machine makes a start slower,
# never wrong.  The 300 s bound only stops a hung daemon hanging the suite.
wait_ready() {
	_wr_i=0
	while [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		if ! kill -0 "$4" 2>/dev/null; then
			# It may have said it just before it went.
			[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
			echo "# $(basename "$1" .log) exited before '$2' x$3:"
			tail -n 5 "$1" | sed 's/^/#   /'
			return 1
		fi
		_wr_i=$((_wr_i + 1))
		if [ $_wr_i -gt 3000 ]; then
			echo "# timed out waiting for '$2' x$3 in $1"; return 1
		fi
		sleep 0.1
	done
}

# fnv1a STRING: the 32-bit FNV-1a hash tf-node names things with, in hex.
fnv1a() {
	_fh=2166136261
	for _fb in $(printf %s "$1" | od -An -v -tu1); do
		_fh=$(( ((_fh ^ _fb) * 16777619) & 4294967295 ))
	done
	printf '%08x\n' "$_fh"
}
