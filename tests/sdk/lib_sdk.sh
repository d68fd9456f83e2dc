# Shared setup of the SDK and CLI tests: tests/integration/lib.sh's private
# location (and node) on their own ports in a temp dir, plus an account
# for "alice" (TF_DIR) and the test images (TF_IMAGES).  Source it.
#   TF_LOCATION_BIN / TF_NODE_BIN   other daemons to test against
#   SDK_TEST_BIN                    where sdk_offline/sdk_online are
#                                   (default $BUILD/tests/sdk)
. "$(dirname "$0")/../integration/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TFLOC=${TF_LOCATION_BIN:-$TFLOC}
TFNODE=${TF_NODE_BIN:-$TFNODE}
SDKBIN=${SDK_TEST_BIN:-$BUILD/tests/sdk}
EXBIN=$BUILD/examples
CLI=$BUILD/cli
export TF_IMAGES=${TF_IMAGES:-$BUILD/images}

sdk_images() {
	"$TOP/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null 2>&1 ||
		skip "cannot build the test images (scripts/build_images.sh)"
}

# The images from Debian's archive (debian, postgres, ...) that some seeds
# name: built on a machine's first run (minutes), then from the cache.
sdk_debian_images() {
	"$TOP/scripts/build_debian_images.sh" -q "$TF_IMAGES" > "$TFT/debian-images.log" 2>&1 || {
		tail -n 5 "$TFT/debian-images.log" | sed 's/^/#   /'
		not_ok "scripts/build_debian_images.sh built the images"
	}
}

sdk_setup() {	# [node]
	if [ "${1:-}" = node ]; then
		need_root_runc
	fi
	sdk_images
	tf_start_location
	tf_add_user alice
	export TF_DIR=$TFT/acct-alice
	if [ "${1:-}" = node ]; then
		tf_start_node node1
		"$CLI/tfcache" -q busybox nginx env-test ends-test >/dev/null ||
			not_ok "tfcache of the test images"
	fi
}

# run_bg NAME command...: runs in the background, output in $TFT/NAME.out
# and .err, pid in $TFT/NAME.pid (and in PIDS for the cleanup).
run_bg() {
	n=$1; shift
	"$@" > "$TFT/$n.out" 2> "$TFT/$n.err" &
	echo $! > "$TFT/$n.pid"
	PIDS="$PIDS $!"
}

# stop_bg NAME [SIGNAL]: signals and waits; the exit status is in $TFT/NAME.rc
stop_bg() {
	p=$(cat "$TFT/$1.pid")
	kill -"${2:-INT}" "$p" 2>/dev/null || true
	rc=0; wait "$p" || rc=$?
	echo $rc > "$TFT/$1.rc"
}

# wait_bg NAME: waits for it to end by itself (30 s at most)
wait_bg() {
	p=$(cat "$TFT/$1.pid"); i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	rc=0; wait "$p" || rc=$?
	echo $rc > "$TFT/$1.rc"
}

# free_port: a port near ours that nothing listens on.  It is called as
# $(free_port), in a subshell, so the last one handed out is kept in a
# file; ports anything uses (a listener, a connection) are skipped.
free_port() {
	fp=$(cat "$TFT/freeport" 2>/dev/null || echo $((PORT + 100)))
	while :; do
		fp=$((fp + 1))
		command -v ss >/dev/null || break
		[ -z "$(ss -Htan "sport = :$fp" 2>/dev/null)" ] && break
	done
	echo $fp > "$TFT/freeport"
	echo $fp
}

http_get() {	# URL -> body on stdout
	curl -s -m 10 "$1"
}
