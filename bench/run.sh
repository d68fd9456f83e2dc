#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/run.sh: runs the benchmarks, each against a private location and
# node of its own (started in a temp dir, stopped and removed afterwards),
# and prints a summary table.  Every number is measured beside its
# baseline in the same run; see docs/BENCH.md for what each includes.
#
#   bench/run.sh [-B BUILD] [-q] [-o FILE] [BENCH ...]
#
#   BENCH       spawn, exec, tunnel, python (default: all four; python
#               is tfnz against the C SDK, bench/bench_python.sh); scale
#               (1000 containers on one node, ~6 minutes, only when named)
#   -B BUILD    the meson build directory (default $BUILD, else ./build)
#   -q          quick: fewer samples, 128 MiB through the tunnel (~1 min)
#   -o FILE     also write the summary table to FILE
#
# Needs root and runc.  Images come from $TF_IMAGES, else BUILD/images
# (built with scripts/build_images.sh when missing).  Extra arguments for
# one bench go in BENCH_SPAWN_ARGS, BENCH_EXEC_ARGS, BENCH_TUNNEL_ARGS;
# BENCH_BIN runs the bench programs of another build (e.g. a sanitizer one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

usage() {
	sed -n '/^#   bench\/run.sh/,/^#   -o/p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

BUILD=${BUILD:-$top/build}
QUICK=0
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	-B) BUILD=$2; shift 2 ;;
	-q) QUICK=1; shift ;;
	-o) OUT=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage 2 >&2 ;;
	*) break ;;
	esac
done
BENCHES=${*:-spawn exec tunnel python}
BUILD=$(cd "$BUILD" && pwd)
export BUILD
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_IMAGES
BBIN=${BENCH_BIN:-$BUILD/bench}

for b in $BENCHES; do
	case "$b" in
	spawn|exec|tunnel|scale) ;;
	python) [ -x "$BBIN/bench-sdkops" ] ||
		{ echo "run.sh: $BBIN/bench-sdkops is not built" >&2; exit 1; }
		continue ;;
	*) echo "run.sh: unknown bench: $b (spawn, exec, tunnel, python, scale)" >&2; exit 2 ;;
	esac
	[ -x "$BBIN/bench-$b" ] || { echo "run.sh: $BBIN/bench-$b is not built" \
	    "(ninja -C $BUILD bench/bench-$b)" >&2; exit 1; }
done
if [ "$(id -u)" -ne 0 ]; then echo "run.sh: needs root (runc)" >&2; exit 77; fi
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null ||
	{ echo "run.sh: cannot build the images" >&2; exit 1; }

RES=$(mktemp /tmp/tfbench-results.XXXXXX)

# Stops the bench running now (its subshell cleans up: the program gets
# SIGTERM and destroys its containers, then the daemons stop and the temp
# dir goes) and waits for that to finish.
stop_current() {
	[ -f "$RES.pid" ] || return 0
	p=$(cat "$RES.pid")
	kill -TERM "$p" 2>/dev/null || true
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
# Cleanup ignores further signals: a second TERM or a broken pipe must not
# cut it short.
trap 'trap "" INT TERM HUP PIPE; stop_current; rm -f "$RES" "$RES".*' EXIT
trap 'exit 130' INT TERM HUP PIPE

# one_bench NAME ARGS...: a subshell with its own location and node, torn
# down by its own trap whatever happens.
one_bench() {
	name=$1; shift
	(
		. "$here/lib.sh"
		BPROG=
		stop_prog() {
			[ -n "$BPROG" ] || return 0
			# TERM, not INT: a background job starts with SIGINT
			# ignored.  The bench catches it and destroys its
			# containers on the way out.
			kill -TERM "$BPROG" 2>/dev/null || true
			i=0
			while kill -0 "$BPROG" 2>/dev/null && [ $i -lt 150 ]; do
				sleep 0.1; i=$((i + 1))
			done
			kill -KILL "$BPROG" 2>/dev/null || true
			BPROG=
		}
		trap 'trap "" INT TERM HUP PIPE; stop_prog; bench_down' EXIT
		trap 'exit 130' INT TERM HUP PIPE
		sh -c 'echo $PPID' >"$RES.pid"
		rc=0
		# A /22 per node: room for a thousand containers.
		[ "$name" = scale ] && BENCH_LOC_ARGS="--node-prefix 22"
		bench_up || rc=$?
		if [ $rc -ne 0 ]; then
			echo "run.sh: $name: cannot start a location and node" >&2
			exit $rc
		fi
		# The node's state (layer cache, runc root) is known only now.
		case $name in
		spawn) set -- -s "$NODE_STATE" -w "$BT/work" "$@" ;;
		exec) set -- -s "$NODE_STATE" "$@" ;;
		tunnel) set -- --cpu "location=$BLOC_PID" --cpu "node=$BNODE_PID" "$@" ;;
		scale) set -- --node-pid "$BNODE_PID" --loc-pid "$BLOC_PID" --cpu-secs 15 "$@" ;;
		esac
		if [ "$name" = python ]; then
			"$here/bench_python.sh" "$@" &
		else
			"$BBIN/bench-$name" "$@" &
		fi
		BPROG=$!
		wait "$BPROG" || rc=$?
		BPROG=
		[ $rc -eq 0 ] || { echo "run.sh: $name failed (exit $rc); the" \
		    "node's log ends:" >&2; tail -n 15 "$BT/node.log" >&2; }
		exit $rc
	)
}

start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=
for b in $BENCHES; do
	echo "=== $b"
	echo 0 >"$RES.rc"
	{
		case "$b" in
		spawn)
			if [ $QUICK = 1 ]; then set -- -n 5 -c 5; else set --; fi
			one_bench spawn "$@" ${BENCH_SPAWN_ARGS:-} || echo $? >"$RES.rc" ;;
		exec)
			if [ $QUICK = 1 ]; then set -- -n 10; else set --; fi
			one_bench exec "$@" ${BENCH_EXEC_ARGS:-} || echo $? >"$RES.rc" ;;
		tunnel)
			if [ $QUICK = 1 ]; then set -- -b 128M -r 200; else set --; fi
			one_bench tunnel "$@" ${BENCH_TUNNEL_ARGS:-} || echo $? >"$RES.rc" ;;
		python)
			if [ $QUICK = 1 ]; then set -- -r 2 -n 3 -b 33554432; else set --; fi
			one_bench python "$@" ${BENCH_PYTHON_ARGS:-} || echo $? >"$RES.rc" ;;
		scale)
			if [ $QUICK = 1 ]; then set -- -n 100; else set --; fi
			one_bench scale "$@" ${BENCH_SCALE_ARGS:-} || echo $? >"$RES.rc" ;;
		esac
	} 2>&1 | tee "$RES.$b" | grep -v '^summary|' || true
	[ "$(cat "$RES.rc")" = 0 ] || failed="$failed $b"
	grep '^summary|' "$RES.$b" >>"$RES" || true
	rm -f "$RES.$b" "$RES.rc" "$RES.pid"
done
end=$(date +%s)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

table() {
	echo
	echo "Summary ($(nproc) cores, $(uname -r), $((end - start)) s in all; ratio = first / second)"
	echo "load average before: $load_start, after: $load_end"
	printf '%-8s %-52s %12s %12s %-5s %7s  %s\n' bench measure ours baseline unit ratio "ratio is"
	awk -F'|' '{ printf "%-8s %-52s %12.2f %12.2f %-5s %7.2f  %s\n", $2, $3, $4, $5, $6, $7, $8 }' "$RES"
	[ -z "$failed" ] || echo "FAILED:$failed"
}
table
[ -z "$OUT" ] || table >"$OUT"
[ -z "$failed" ]
