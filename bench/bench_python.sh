#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench_python.sh: tfnz (the Python SDK) against the C SDK, side by side:
# the same three operations by bench_tfnz.py and bench-sdkops, in
# alternating rounds (C, then Python, ROUNDS times) so that drift on the
# machine hits both alike.  run.sh runs it as the bench "python", with a
# private location and node (TF_DIR set, busybox pushed).
#
#   bench_python.sh [-r ROUNDS] [-n SAMPLES] [-b BYTES] [-t TRANSFERS]
#                   [-o "spawn exec tunnel"]
#
# Prints each side's median per operation and "summary|" lines: tfnz first,
# the C SDK as the baseline; for spawn and exec lower is better, for the
# tunnel higher.  The tunnel is measured twice on the C side: with the loop
# on the main thread and a writer thread, and with the loop on a thread of
# its own and the main thread writing, which is what every tfnz program
# does (the like-for-like baseline).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:?BUILD must name the build directory}"
ROUNDS=5 N=4 BYTES=$((64 * 1024 * 1024)) XFERS=2 OPS="spawn exec tunnel"
while [ $# -gt 0 ]; do
	case "$1" in
	-r) ROUNDS=$2; shift 2 ;;
	-n) N=$2; shift 2 ;;
	-b) BYTES=$2; shift 2 ;;
	-t) XFERS=$2; shift 2 ;;
	-o) OPS=$2; shift 2 ;;
	*) echo "bench_python.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
PY=${TFNZ_PYTHON:-/usr/bin/python3}
SRV=$BUILD/bench/tfbench-srv
C=${BENCH_BIN:-$BUILD/bench}/bench-sdkops
export PYTHONPATH=$BUILD/python PYTHONDONTWRITEBYTECODE=1
pre=$(ldd "$BUILD"/python/tfnz/_tf*.so | awk '/libasan|libubsan/ {print $3}' |
	tr '\n' ' ')
if [ -n "$pre" ]; then
	echo "bench_python.sh: a sanitizer build: numbers mean little" >&2
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
W=$(mktemp -d /tmp/tfbench-py.XXXXXX)
trap 'rm -rf "$W"' EXIT

side() {	# NAME OP ARGS...: one round of one side, samples appended
	name=$1 op=$2; shift 2
	if [ "$name" = c ]; then
		"$C" "$op" "$@"
	else
		LD_PRELOAD="$pre" "$PY" "$here/bench_tfnz.py" "$op" "$@"
	fi | awk '/^sample / { print $2 }' >> "$W/$name.$op"
}

for r in $(seq "$ROUNDS"); do
	for s in c py; do
		for op in $OPS; do
			case $op in
			spawn) side $s spawn "$N" ;;
			exec) side $s exec $((N * 5)) ;;
			tunnel) side $s tunnel "$XFERS" "$BYTES" "$SRV"
				[ $s = py ] || side c tunnel-thread "$XFERS" \
				    "$BYTES" "$SRV" ;;
			esac
		done
	done
	echo "bench_python.sh: round $r of $ROUNDS done" >&2
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END {
	if (NR == 0) { print "nan"; exit }
	print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
count() { wc -l < "$1" | tr -d ' '; }

printf 'bench-python: tfnz vs the C SDK, %d alternating rounds\n' "$ROUNDS"
printf '  %-40s %10s %10s %8s\n' "median" "tfnz" "C SDK" "ratio"
for op in $OPS; do
	py=$(median "$W/py.$op") c=$(median "$W/c.$op")
	case $op in
	spawn) what="spawn + wait_ready (ms, $(count "$W/py.$op") each)"; unit=ms
	       is="tfnz / C, lower is better" ;;
	exec) what="run_process('true') (ms, $(count "$W/py.$op") each)"; unit=ms
	      is="tfnz / C, lower is better" ;;
	tunnel) what="tunnel throughput (MB/s, $(count "$W/py.$op") x $((BYTES >> 20)) MiB)"
		unit=MB/s; is="tfnz / C, higher is better" ;;
	esac
	ratio=$(awk -v a="$py" -v b="$c" 'BEGIN { printf "%.3f", a / b }')
	printf '  %-40s %10.2f %10.2f %8s\n' "$what" "$py" "$c" "$ratio"
	echo "summary|python|$op: tfnz vs C SDK|$py|$c|$unit|$ratio|$is"
	[ $op = tunnel ] || continue
	# Like for like: the C SDK with its loop on a thread of its own.
	c=$(median "$W/c.tunnel-thread")
	ratio=$(awk -v a="$py" -v b="$c" 'BEGIN { printf "%.3f", a / b }')
	printf '  %-40s %10.2f %10.2f %8s\n' "  the same, C with a loop thread" \
	    "$py" "$c" "$ratio"
	echo "summary|python|tunnel: tfnz vs C SDK, loop thread|$py|$c|$unit|$ratio|$is"
done
