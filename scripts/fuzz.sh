#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz) with clang, ASan and UBSan in
# build-fuzz, and runs each from its checked-in corpus.
#   scripts/fuzz.sh [--runs N | --time SECONDS] [NAME...]
# NAME is msg, offer, image, json, keymap, vt or layer (default: all).
# --runs N (default 5000, what CI runs) stops each after N inputs, --time
# after that many seconds.  New inputs go to a scratch copy of the corpus;
# a crash is saved as build-fuzz/crashes/NAME/crash-*, fails the run, and
# belongs in tests/fuzz/corpus/NAME/ once fixed (the ordinary suite then
# replays it for ever: the fuzz_NAME_corpus tests).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build-fuzz
# A fixed seed with a count of runs: the same inputs on every machine, so
# the suite's result is reproducible; --time explores at random.
limit="-runs=5000 -seed=1"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) limit="-runs=$2 -seed=1"; shift 2 ;;
	--time) limit="-max_total_time=$2"; shift 2 ;;
	-*) echo "usage: scripts/fuzz.sh [--runs N | --time SECONDS] [NAME...]" >&2
	    exit 2 ;;
	*) break ;;
	esac
done
names=${*:-msg offer image json keymap vt layer}
command -v clang >/dev/null ||
	{ echo "fuzz: needs clang and libclang-rt-14-dev (scripts/setup.sh installs them)" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
	# Warnings are gcc's business (the ordinary build keeps -Werror).
	CC=clang meson setup "$build" "$top" -Dfuzz=true -Ddemo=true -Dwerror=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
targets=""
for n in $names; do targets="$targets tests/fuzz_$n"; done
ninja -C "$build" $targets >/dev/null || ninja -C "$build" $targets
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/tffuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
printf '%-8s %10s %8s %8s %8s  %s\n' harness execs exec/s cov ft result
for n in $names; do
	mkdir -p "$work/$n" "$build/crashes/$n"
	cp "$top/tests/fuzz/corpus/$n/"* "$work/$n/"
	rc=0
	TMPDIR=$work "$build/tests/fuzz_$n" $limit -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$n/" -max_len=65536 \
		"$work/$n" > "$work/$n.log" 2>&1 || rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$n.log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$n.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$n.log")
	cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc): $(grep -m1 -E 'ERROR|runtime error|crash-' "$work/$n.log" || true)"
		cp "$work/$n.log" "$build/crashes/$n/last.log"
		failed=1
	fi
	printf '%-8s %10s %8s %8s %8s  %s\n' "$n" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "${ft:-?}" "$result"
done
[ $failed -eq 0 ] || echo "logs of failed harnesses: $build/crashes/NAME/last.log"
exit $failed
