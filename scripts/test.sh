#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and UBSan, and runs
# the whole test suite: unit tests, integration tests against real
# tf-location / tf-node / runc containers, and the console's tmux tests
# (with the demo location, a test fixture built in by -Ddemo=true).
#   scripts/test.sh [--repeat N] [meson test args...]
# --repeat N runs the suite N times, each from a clean state, and reports
# every test that failed in any run (a flaky test is a failing test).
# After each run, anything the run left behind (processes, mounts, runc
# containers, bridges, network namespaces, cgroups with processes: see
# scripts/leftovers.sh) fails it.  The whole suite (no meson test args)
# ends with the fuzz harnesses, a fixed number of inputs each from their
# corpus (scripts/fuzz.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=build-test
repeat=1
if [ "${1:-}" = --repeat ]; then
	repeat=${2:?--repeat needs a count}
	shift 2
fi
"$top/scripts/setup.sh" "$build" -Db_sanitize=address,undefined -Db_lundef=false \
	-Ddemo=true
# Leaks in a daemon killed by a signal are not findings; crashes are.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$top"
logs=$top/$build/meson-logs
failed=""
bad_runs=0
run=1
while [ "$run" -le "$repeat" ]; do
	# A clean state: the run's own temp root, under which every test
	# makes its files, daemon state and mounts (and nothing else).
	dir=$(mktemp -d "${TMPDIR:-/tmp}/tfsuite.XXXXXX")
	rc=0
	# The open-bugs suite holds tests that still fail on known bugs
	# (README, "Status"): run it with  meson test -C build-test --suite open-bugs
	TMPDIR=$dir TF_SUITE_MADE=$dir/made \
		meson test -C "$build" --print-errorlogs --num-processes 1 \
		--logbase "testlog-run$run" --no-suite open-bugs "$@" || rc=$?
	names=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
        print(t["name"].split(" / ", 1)[-1].replace(" ", "_"))
' "$logs/testlog-run$run.json" 2>/dev/null || true)
	[ -z "$names" ] && [ "$rc" -ne 0 ] && names="(meson-test-exit-$rc)"
	if TF_SUITE_DIR=$dir "$top/scripts/leftovers.sh"; then
		rm -rf "$dir"
	else
		echo "run $run left the above behind (kept $dir)"
		names="$names (leftovers)"
	fi
	if [ -n "$(echo $names)" ]; then
		bad_runs=$((bad_runs + 1))
		failed="$failed $names"
		echo "run $run of $repeat: FAILED: $(echo $names)"
	elif [ "$repeat" -gt 1 ]; then
		echo "run $run of $repeat: all passed"
	fi
	run=$((run + 1))
done
if [ "$repeat" -gt 1 ]; then
	echo "--- $repeat runs, $bad_runs with a failure"
	for t in $(echo $failed | tr ' ' '\n' | grep . | sort | uniq -c |
		awk '{ print $2 ":" $1 }'); do
		echo "  ${t%:*} failed in ${t##*:} of $repeat runs"
	done
fi
fuzz_rc=0
if [ $# -eq 0 ]; then
	"$top/scripts/fuzz.sh" || fuzz_rc=$?
fi
[ "$bad_runs" -eq 0 ] && [ "$fuzz_rc" -eq 0 ]
