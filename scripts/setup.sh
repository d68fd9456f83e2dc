#!/bin/sh
# Installs the Debian packages the project needs (only those missing) and
# builds it.  A second run installs nothing and rebuilds only what changed.
#   scripts/setup.sh [BUILD_DIR] [meson options...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift

missing=""
for p in $(grep -v '^#' "$top/scripts/deps.txt"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# Wait for another apt (a parallel build, unattended upgrades) rather
	# than fail on its lock.
	lock="-o DPkg::Lock::Timeout=600"
	$sudo apt-get $lock update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get $lock install -y -qq \
		$missing >/dev/null
fi

cd "$top"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	# An existing build keeps its options unless told otherwise (a test
	# run turns the demo location on in a build made without it).
	meson configure "$build" "$@" >/dev/null
fi
ninja -C "$build" >/dev/null || ninja -C "$build"
echo "setup: built in $top/$build"
