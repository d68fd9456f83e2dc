#!/bin/sh
# Brings up the embedded default: a location and a node on this machine,
# an account called "local" for the current user, and the images pushed to
# it: the small ones made from host binaries and the seeds' real ones made
# from Debian's archive.  Idempotent: what is already running or present is kept.
#   scripts/local_up.sh [BUILD_DIR]
# Environment: TF_LOCAL_STATE (default ~/.local/state/20ft-local),
#              TF_LOCAL_PORT (default 2020), TF_DIR (default ~/.20ft).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/${1:-build}
state=${TF_LOCAL_STATE:-$HOME/.local/state/20ft-local}
port=${TF_LOCAL_PORT:-2020}
acct=${TF_DIR:-$HOME/.20ft}
mkdir -p "$state"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_ready() {	# file pattern seconds
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && { echo "local-up: $1 did not say '$2':"; tail -5 "$1"; exit 1; }
		sleep 0.1
	done
}

if ! alive "$state/location.pid"; then
	[ -f "$state/location/location.key" ] ||
		"$build/location/tf-location" --state "$state/location" init >/dev/null
	: > "$state/location.log"
	"$build/location/tf-location" --state "$state/location" \
		--bind "tcp://127.0.0.1:$port" run >"$state/location.log" 2>&1 &
	echo $! > "$state/location.pid"
	wait_ready "$state/location.log" '^ready' 10
	echo "local-up: location running on 127.0.0.1:$port (log $state/location.log)"
fi

if [ ! -f "$acct/local.spub" ]; then
	token=$("$build/location/tf-location" --state "$state/location" invite "$(id -un)" --admin)
	TF_DIR=$acct "$build/cli/tf" account local "$token" --local "127.0.0.1:$port" >/dev/null
	echo "local-up: account 'local' created in $acct"
fi

if ! alive "$state/node.pid"; then
	if [ ! -f "$state/node/node.pub" ]; then
		"$build/node/tf-node" --state "$state/node" init >/dev/null
		"$build/location/tf-location" --state "$state/location" \
			node-add "$(hostname -s)" "$(cat "$state/node/node.pub")" >/dev/null
	fi
	: > "$state/node.log"
	"$build/node/tf-node" --state "$state/node" \
		--endpoint "tcp://127.0.0.1:$port" \
		--location-key "$state/location/location.pub" \
		--name "$(hostname -s)" >"$state/node.log" 2>&1 &
	echo $! > "$state/node.pid"
	wait_ready "$state/node.log" 'ready' 30
	echo "local-up: node running (log $state/node.log)"
fi

images=$state/images
TF_IMAGES=$images "$top/scripts/build_images.sh" "$images" >/dev/null
for img in busybox alpine nginx env-test ends-test; do
	TF_DIR=$acct "$build/cli/tfcache" -q --location local "$images/$img"
done
echo "local-up: images busybox alpine nginx env-test ends-test are at the location"

# The seeds' real images, built from Debian's archive: minutes the first
# time on a machine, then taken from the cache.  Without the archive the
# rest still works.
echo "local-up: images debian postgres redis python (built once from Debian's archive; cached after)"
if TF_IMAGES=$images "$top/scripts/build_debian_images.sh" "$images"; then
	for img in debian postgres redis python; do
		TF_DIR=$acct "$build/cli/tfcache" -q --location local "$images/$img"
	done
	echo "local-up: images debian postgres redis python are at the location"
else
	echo "local-up: the Debian images could not be built (is deb.debian.org reachable?); the others are there" >&2
fi
