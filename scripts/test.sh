#!/bin/sh
# Installs what is missing, builds with AddressSanitizer and UBSan, and runs
# the whole test suite: unit tests, integration tests against real
# tf-location / tf-node / runc containers, and the console's tmux tests
# (with the demo location, a test fixture built in by -Ddemo=true).
#   scripts/test.sh [meson test args...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=build-test
"$top/scripts/setup.sh" "$build" -Db_sanitize=address,undefined -Db_lundef=false \
	-Ddemo=true
# Leaks in a daemon killed by a signal are not findings; crashes are.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$top"
# The open-bugs suite holds tests that still fail on known bugs (README,
# "Status"): run it with  meson test -C build-test --suite open-bugs
meson test -C "$build" --print-errorlogs --num-processes 1 \
	--no-suite open-bugs "$@"
