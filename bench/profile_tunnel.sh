#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/profile_tunnel.sh: where a tunnel's CPU goes.  Starts a private
# location and node (bench/lib.sh), runs bench-tunnel on the tunnel path
# only, and samples each of the three processes with `perf record`
# (cpu-clock, frame-pointer call graphs) for the whole run: the bench
# process (client + SDK relay), tf-location and tf-node.  Prints, per
# process, the share of its samples by shared object and the top symbols,
# and leaves the perf.data files in OUT for `perf report -i`.
#
#   bench/profile_tunnel.sh [-B BUILD] [-o OUT] [-b BYTES]
#
#   -B BUILD   the meson build directory (default $BUILD, else ./build)
#   -o OUT     where the perf.data files go (default /tmp/tfprof.XXXXXX)
#   -b BYTES   bytes through the tunnel (default 1G)
#
# Needs root, runc and perf (Debian's linux-perf).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
OUTD=
BYTES=1G
while [ $# -gt 0 ]; do
	case "$1" in
	-B) BUILD=$2; shift 2 ;;
	-o) OUTD=$2; shift 2 ;;
	-b) BYTES=$2; shift 2 ;;
	-h|--help) sed -n '/^#   bench\/profile/,/^#   -b/p' "$0" |
		sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "profile_tunnel.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
command -v perf >/dev/null || { echo "profile_tunnel.sh: needs perf" \
    "(apt-get install linux-perf)" >&2; exit 77; }
BUILD=$(cd "$BUILD" && pwd)
export BUILD
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_IMAGES
[ -n "$OUTD" ] || OUTD=$(mktemp -d /tmp/tfprof.XXXXXX)
mkdir -p "$OUTD"
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null

. "$here/lib.sh"
PERFS=
BPROG=
cleanup() {
	trap '' INT TERM HUP PIPE
	[ -z "$BPROG" ] || kill -TERM "$BPROG" 2>/dev/null || true
	for p in $PERFS; do kill -INT "$p" 2>/dev/null || true; done
	for p in $PERFS; do wait "$p" 2>/dev/null || true; done
	[ -z "$BPROG" ] || wait "$BPROG" 2>/dev/null || true
	bench_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
bench_up

"$BUILD/bench/bench-tunnel" -p tunnel -b "$BYTES" -R 1 -r 1 -c 1 \
    --cpu "location=$BLOC_PID" --cpu "node=$BNODE_PID" >"$OUTD/bench.txt" 2>&1 &
BPROG=$!
for who in bench:$BPROG location:$BLOC_PID node:$BNODE_PID; do
	perf record -q -g -e cpu-clock -F 2000 -p "${who#*:}" \
	    -o "$OUTD/${who%%:*}.data" >/dev/null 2>&1 &
	PERFS="$PERFS $!"
done
rc=0
wait "$BPROG" || rc=$?
BPROG=
for p in $PERFS; do kill -INT "$p" 2>/dev/null || true; done
for p in $PERFS; do wait "$p" 2>/dev/null || true; done
PERFS=
cat "$OUTD/bench.txt"
[ $rc -eq 0 ] || { echo "profile_tunnel.sh: bench-tunnel failed" >&2; exit $rc; }
for who in bench location node; do
	echo
	echo "=== $who: by shared object, then by symbol (self time)"
	perf report -i "$OUTD/$who.data" --no-children --sort dso --stdio \
	    2>/dev/null | grep -v '^#' | grep -v '^$' | head -12
	perf report -i "$OUTD/$who.data" --no-children --sort dso,sym --stdio \
	    -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
done
echo
echo "perf data in $OUTD (perf report -i $OUTD/location.data)"
