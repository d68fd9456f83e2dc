# real_lib.sh: the common start of the console tests on a real location.
# Given BUILD_DIR as $1 (or $BUILD), it brings up a private tf-location and
# tf-node (skipping, exit 77, without root or runc), an account "alice" in
# $TF_DIR, and pushes busybox.  The test then calls real_tui_begin before
# its first tui_start, which loads the tmux helpers against that location.
BUILD=${1:-${BUILD:-}}
[ -n "$BUILD" ] || { echo "usage: $0 BUILD_DIR"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
export BUILD
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
need_root_runc
# REAL_LOC_ARGS: more location arguments, expanded here (may name $PORT).
eval "tf_start_location --timeout 3 ${REAL_LOC_ARGS:-}"
tf_add_user alice
tf_start_node node1
export TF_DIR="$TFT/acct-alice"
TF_IMAGES="$TFT/images" "$here/../../scripts/build_images.sh" -q "$TFT/images" ||
    skip "cannot build the test images"
TF_IMAGES="$TFT/images" "$BUILD/cli/tfcache" -q busybox >/dev/null ||
    { echo "FAIL: tfcache busybox"; exit 1; }

# From here on the tmux helpers (their wait_for replaces the file one).
real_tui_begin() {
	set +e
	set -- "$BUILD/tui/tfcon"
	. "$here/lib.sh"
	trap 'tui_cleanup; tf_cleanup' EXIT
	trap 'tui_cleanup; tf_cleanup; trap - EXIT; exit 1' INT TERM HUP PIPE
	TFCON_TEST_ARGS=""
}
