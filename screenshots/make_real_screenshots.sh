#!/bin/sh
# make_real_screenshots.sh: pictures of tfcon on a real location: a private
# tf-location and tf-node with runc containers (an nginx started by `tf`,
# serving through its tunnel, and a busybox), the console's container list
# with nginx's log pane, and a shell pane in the busybox beside it.
# Needs root and runc, plus what make_screenshots.sh needs.
#
# usage: screenshots/make_real_screenshots.sh [BUILD_DIR] [OUTDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$here/../build}" && pwd)
OUT=${2:-$here}
export BUILD
. "$here/../tests/integration/lib.sh"
need_root_runc
tf_start_location --timeout 3
tf_add_user operator --admin
tf_start_node node1
export TF_DIR="$TFT/acct-operator"
TF_IMAGES="$TFT/images" "$here/../scripts/build_images.sh" -q "$TFT/images"
for i in busybox nginx; do
	TF_IMAGES="$TFT/images" "$BUILD/cli/tfcache" -q "$i" >/dev/null
done
"$BUILD/cli/tf" -q --tag web --offset 18000 nginx > /dev/null &
PIDS="$PIDS $!"
"$BUILD/cli/tf" -q --tag box busybox sleep 900 &
PIDS="$PIDS $!"
sleep 3
for n in 1 2 3; do
	timeout 5 wget -q -O /dev/null "http://127.0.0.1:18080/?visit=$n" || true
done

TFCON=$BUILD/tui/tfcon
TFCON_ARGS=""
set +e
. "$here/shot_lib.sh"
trap 'cleanup; tf_cleanup' EXIT

start 172 44
keys 2
sleep 1
keys /
text "web"
keys Enter l
sleep 1.5
keys Tab
sleep 0.5
keys /
sleep 0.3
keys BSpace BSpace BSpace
text "box"
keys Enter
sleep 0.5
keys a
sleep 1.5
# Each command once the last has finished: typed ahead, the pty would echo
# it in the middle of the previous command's output, as a terminal does.
text "ps"
keys Enter
sleep 1
text "ip -4 addr show eth0 | grep inet"
keys Enter
sleep 1
text "echo hello from a real container"
keys Enter
shot real_shell_and_logs 1.5 || { tail -5 "$tmp/log"; exit 1; }
