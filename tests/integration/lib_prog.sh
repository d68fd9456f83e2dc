# Shared by the integration scripts that drive tests/prog programs
# (test_net, test_tunnels, test_volumes, test_kv_tags, test_visibility,
# test_gc, test_recovery): lib.sh's private location and node, the test
# images, and running a program so that its ok/not ok lines count here.
# Source it.  PROG_RUN, when set, is a command prefix for the programs
# (lib_hosts.sh runs them on a simulated host).
. "${TF_INTEGRATION_DIR:-$(dirname "$0")}/lib.sh"
TOP=$(cd "${TF_INTEGRATION_DIR:-$(dirname "$0")}/../.." && pwd)
PROG=$BUILD/tests/prog
export TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_STEPS=$TFT/steps
mkdir -p "$TF_STEPS"
RUNS=0

prog_images() {
	"$TOP/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null 2>&1 ||
		skip "cannot build the test images (scripts/build_images.sh)"
}

# prog_debian_images: the images from Debian's archive (debian, postgres,
# redis, python): built on a machine's first run (minutes), then taken
# from the cache.
prog_debian_images() {
	"$TOP/scripts/build_debian_images.sh" -q "$TF_IMAGES" > "$TFT/debian-images.log" 2>&1 || {
		tail -n 5 "$TFT/debian-images.log" | sed 's/^/#   /'
		not_ok "scripts/build_debian_images.sh built the images"
	}
}

# prog_setup [LOCATION ARGS...]: root, runc and images; a location with
# those arguments, a node, and the account alice (TF_DIR) with the test
# images pushed.
prog_setup() {
	need_root_runc
	[ -x "$PROG/net_addr" ] || skip "tests/prog not built"
	prog_images
	tf_start_location "$@"
	tf_add_user alice
	export TF_DIR=$TFT/acct-alice
	tf_start_node node1
	"$BUILD/cli/tfcache" -q busybox nginx >/dev/null ||
		not_ok "tfcache of the test images"
}

# prog_count FILE NAME RC: adds FILE's ok/not ok lines to our totals and
# shows them, prefixed with NAME; a program that failed without saying
# what (a crash) is one failure.
# (Helpers name their variables _x_* so that they never clobber a script's.)
prog_count() {
	_pc_f=$1; _pc_n=$2; _pc_rc=$3
	sed -n -e "s/^ok - /ok - $_pc_n: /p" -e "s/^not ok - /not ok - $_pc_n: /p" \
		-e '/^# /p' -e '/^SKIP/p' "$_pc_f"
	_pc_p=$(grep -c '^ok - ' "$_pc_f" || true)
	_pc_q=$(grep -c '^not ok - ' "$_pc_f" || true)
	PASSES=$((PASSES + _pc_p))
	FAILS=$((FAILS + _pc_q))
	if [ "$_pc_rc" -eq 77 ]; then
		skip "$_pc_n: $(grep '^SKIP' "$_pc_f" | head -1)"
	elif [ "$_pc_rc" -ne 0 ] && [ "$_pc_q" -eq 0 ]; then
		not_ok "$_pc_n exited with status $_pc_rc"
	fi
	if [ "$_pc_rc" -ne 0 ] && [ -s "$_pc_f.err" ]; then
		tail -n 15 "$_pc_f.err" | sed 's/^/#   stderr: /'
	fi
	return 0
}

# prog NAME [ARGS...]: runs $PROG/NAME to completion and counts its lines.
prog() {
	_p_n=$1; shift
	case " ${ONLY:-$_p_n} " in *" $_p_n "*) ;; *) return 0;; esac
	RUNS=$((RUNS + 1))
	_p_o=$TFT/run$RUNS-$_p_n.out
	_p_rc=0
	${PROG_RUN:-} "$PROG/$_p_n" "$@" > "$_p_o" 2> "$_p_o.err" || _p_rc=$?
	prog_count "$_p_o" "$_p_n" "$_p_rc"
}

# prog_bg TAG NAME [ARGS...]: starts $PROG/NAME in the background; its
# output is $TFT/TAG.out, its pid $TFT/TAG.pid (and in PIDS).
prog_bg() {
	_b_t=$1; _b_n=$2; shift 2
	${PROG_RUN:-} "$PROG/$_b_n" "$@" > "$TFT/$_b_t.out" 2> "$TFT/$_b_t.out.err" &
	echo $! > "$TFT/$_b_t.pid"
	echo "$_b_n" > "$TFT/$_b_t.name"
	PIDS="$PIDS $!"
}

# prog_wait TAG [SECONDS]: waits for a prog_bg program to end (killing it
# after SECONDS, default 120) and counts its lines.
prog_wait() {
	_w_t=$1; _w_p=$(cat "$TFT/$_w_t.pid"); _w_i=0
	while kill -0 "$_w_p" 2>/dev/null && [ $_w_i -lt $((${2:-120} * 10)) ]; do
		sleep 0.1; _w_i=$((_w_i + 1))
	done
	kill -0 "$_w_p" 2>/dev/null && { echo "# $_w_t: still running, killed"; kill -9 "$_w_p"; }
	_w_rc=0; wait "$_w_p" || _w_rc=$?
	prog_count "$TFT/$_w_t.out" "$(cat "$TFT/$_w_t.name")" "$_w_rc"
}

# step TAG NAME [SECONDS]: lets a prog_bg program past its prog_step(NAME)
# and waits until it reports "# done NAME".
step() {
	touch "$TF_STEPS/$2"
	wait_for "$TFT/$1.out" "^# done $2\$" "${3:-60}" || not_ok "$1 finished step $2"
}

# value TAG KEY: the value of "# KEY=VALUE" that a prog_bg program printed.
value() {
	sed -n "s/^# $2=//p" "$TFT/$1.out" | tail -n 1
}
