# bench/lib.sh: a private location and node for one benchmark, in a temp
# dir on ports and a subnet of its own, and everything removed afterwards.
# The approach is tests/integration/lib.sh's; this copy exists so that the
# benches do not depend on the test helpers' exit and reporting rules.
#
# Source it with BUILD (the meson build dir) and TF_IMAGES set, then:
#   bench_up      location + node + account "bench" (TF_DIR exported),
#                 images busybox pushed; sets BT (temp dir), NODE_STATE,
#                 BLOC_PID and BNODE_PID
#   bench_down    stops both daemons and removes BT (also on exit)
# KEEP=1 keeps the temp dir for inspection.

: "${BUILD:?BUILD must name the build directory}"
: "${TF_IMAGES:?TF_IMAGES must name the image directory}"
TFLOC=$BUILD/location/tf-location
TFNODE=$BUILD/node/tf-node
BT=
BPIDS=

bench_log() { echo "bench: $*" >&2; }

# bench_wait_for FILE PATTERN SECONDS
bench_wait_for() {
	_i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt $(($3 * 10)) ]; then
			bench_log "timed out waiting for '$2' in $1:"
			tail -n 20 "$1" | sed 's/^/bench:   /' >&2
			return 1
		fi
		sleep 0.1
	done
}

bench_down() {
	for _p in $BPIDS; do kill "$_p" 2>/dev/null || true; done
	for _p in $BPIDS; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 150 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		kill -9 "$_p" 2>/dev/null || true
	done
	BPIDS=
	if [ -n "$BT" ] && [ -d "$BT" ]; then
		# Baseline containers of a bench that was killed half-way
		# (bench-spawn keeps its own runc root under BT/work).
		for _r in "$BT"/work/*/runc; do
			[ -d "$_r" ] || continue
			for _c in $(ls "$_r"); do
				runc --root "$_r" delete --force "$_c" \
				    >/dev/null 2>&1 || true
			done
		done
		# Their cgroups (empty ones only: rmdir refuses the others).
		for _g in /sys/fs/cgroup/tfbench-* /sys/fs/cgroup/*/tfbench-*; do
			[ -d "$_g" ] || continue
			for _l in "$_g"/*/; do
				rmdir "$_l" 2>/dev/null || true
			done
			rmdir "$_g" 2>/dev/null || true
		done
		# The node removes its containers when stopped; anything left
		# mounted below BT (it was killed) is detached before removal.
		grep -o " $BT/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r |
		    while read -r _m; do umount -l "$_m" 2>/dev/null || true; done
		if [ -n "${KEEP:-}" ]; then
			bench_log "kept $BT"
		else
			rm -rf "$BT"
		fi
	fi
	BT=
}

bench_up() {
	[ "$(id -u)" -eq 0 ] || { bench_log "needs root (runc)"; return 77; }
	command -v runc >/dev/null || { bench_log "needs runc"; return 77; }
	for _b in "$TFLOC" "$TFNODE" "$BUILD/cli/tf" "$BUILD/cli/tfcache"; do
		[ -x "$_b" ] || { bench_log "$_b is not built"; return 1; }
	done
	BT=$(mktemp -d /tmp/tfbench.XXXXXX)
	# Ports and a 10.x range apart from the tests' (10.100-199) and the
	# local location's (10.220).
	BPORT=$((40000 + $$ % 10000))
	[ $((BPORT % 2)) -eq 1 ] && BPORT=$((BPORT + 1))
	BENDPOINT=tcp://127.0.0.1:$BPORT
	"$TFLOC" --state "$BT/loc" init >/dev/null
	"$TFLOC" --state "$BT/loc" --bind "$BENDPOINT" -q \
	    --subnet "10.$((200 + $$ % 20))" ${BENCH_LOC_ARGS:-} run >"$BT/loc.log" 2>&1 &
	BLOC_PID=$!
	BPIDS="$BPIDS $!"
	bench_wait_for "$BT/loc.log" '^ready' 10 || return 1
	_tok=$("$TFLOC" --state "$BT/loc" invite bench) || return 1
	TF_DIR=$BT/acct "$BUILD/cli/tf" account local "$_tok" \
	    --local "127.0.0.1:$BPORT" >/dev/null || return 1
	export TF_DIR=$BT/acct
	NODE_STATE=$BT/node
	"$TFNODE" --state "$NODE_STATE" init >"$BT/node.pub" || return 1
	"$TFLOC" --state "$BT/loc" node-add node1 "$(cat "$NODE_STATE/node.pub")" \
	    >/dev/null || return 1
	"$TFNODE" --state "$NODE_STATE" --endpoint "$BENDPOINT" \
	    --location-key "$BT/loc/location.pub" --name node1 \
	    >"$BT/node.log" 2>&1 &
	BNODE_PID=$!
	BPIDS="$BPIDS $!"
	bench_wait_for "$BT/node.log" 'ready' 30 || return 1
	"$BUILD/cli/tfcache" -q busybox >/dev/null || return 1
	export NODE_STATE
}
