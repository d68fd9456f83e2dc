#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/bench_pull.sh: pulling an image from a registry into a location,
# beside its baseline.  A docker-registry of our own on loopback serves the
# postgres image (scripts/build_debian_images.sh, about 100 MB of gzip
# layers); each round, on a fresh location:
#   skopeo    skopeo copy docker://REG/bench/postgres:1 dir:NEW_DIR
#             (download and verify, nothing else: the baseline)
#   cold      tfcache docker://REG/bench/postgres:1 with an empty pull
#             cache: skopeo's download into the cache, then every gzip
#             blob uploaded as it is (the location checks the tar inside
#             it against its diff_id in a child once it has it all)
#   warm      the same again: nothing downloaded, nothing uploaded
# and prints the median of each in ms.
#
#   bench/bench_pull.sh [-B BUILD] [ROUNDS]     (default 3 rounds)
#
# Needs root, skopeo, docker-registry, mmdebstrap (or the cached images).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
if [ "${1:-}" = -B ]; then BUILD=$2; shift 2; fi
ROUNDS=${1:-3}
BUILD=$(cd "$BUILD" && pwd)
export BUILD
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_IMAGES
. "$here/lib.sh"

for t in skopeo docker-registry; do
	command -v "$t" >/dev/null || { bench_log "needs $t"; exit 77; }
done
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null
"$top/scripts/build_debian_images.sh" -q "$TF_IMAGES" >&2

RT=$(mktemp -d /tmp/tfbench-reg.XXXXXX)
REG_PID=
cleanup() {
	bench_down
	[ -z "$REG_PID" ] || kill "$REG_PID" 2>/dev/null || true
	rm -rf "$RT"
}
trap cleanup EXIT INT TERM

port=$((30000 + $$ % 5000))
while ss -Hltn "( sport = :$port )" 2>/dev/null | grep -q .; do
	port=$((port + 1))
done
cat > "$RT/reg.yml" <<EOF
version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: $RT/data}}
http: {addr: 127.0.0.1:$port}
EOF
docker-registry serve "$RT/reg.yml" > "$RT/reg.log" 2>&1 &
REG_PID=$!
bench_wait_for "$RT/reg.log" "listening on" 30
REF=docker://127.0.0.1:$port/bench/postgres:1
skopeo copy -q --dest-tls-verify=false "oci:$TF_IMAGES/postgres" "$REF" >&2
size=$(cat "$TF_IMAGES"/postgres/blobs/sha256/* | wc -c)
bench_log "the postgres image: $((size / 1000000)) MB of blobs"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: > "$RT/skopeo.ms"; : > "$RT/cold.ms"; : > "$RT/warm.ms"; : > "$RT/pull.ms"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	bench_up >&2
	t=$(now_ms)
	skopeo copy -q --src-tls-verify=false "$REF" "dir:$RT/dir-$r" >&2
	echo $(($(now_ms) - t)) >> "$RT/skopeo.ms"
	rm -rf "$RT/dir-$r"
	export TF_IMAGE_CACHE=$RT/cache-$r
	t=$(now_ms)
	"$BUILD/cli/tfcache" "$REF" >/dev/null 2> "$RT/cold-$r.err"
	echo $(($(now_ms) - t)) >> "$RT/cold.ms"
	# The part that was skopeo's download into the pull cache.
	sed -n 's/.*Pulled .* new in \([0-9.]*\) s.*/\1/p' "$RT/cold-$r.err" |
	    awk '{ printf "%d\n", $1 * 1000 }' >> "$RT/pull.ms"
	# The location checks each gzip layer in a child once it has it: a
	# second pull comes later in practice, so it waits for those.
	while ls "$BT"/loc/layers/*.check >/dev/null 2>&1; do sleep 0.1; done
	t=$(now_ms)
	"$BUILD/cli/tfcache" -q "$REF" >/dev/null
	echo $(($(now_ms) - t)) >> "$RT/warm.ms"
	rm -rf "$RT/cache-$r"
	bench_down
	bench_log "round $r: skopeo $(tail -1 "$RT/skopeo.ms") ms," \
	    "tfcache cold $(tail -1 "$RT/cold.ms") ms (of which the download" \
	    "$(tail -1 "$RT/pull.ms") ms), warm $(tail -1 "$RT/warm.ms") ms"
done
s=$(median < "$RT/skopeo.ms"); c=$(median < "$RT/cold.ms"); w=$(median < "$RT/warm.ms")
p=$(median < "$RT/pull.ms")
printf '%-44s %8s\n' "pull of postgres ($((size / 1000000)) MB), median of $ROUNDS" "ms"
printf '%-44s %8d\n' "skopeo copy docker:// -> dir: (baseline)" "$s"
printf '%-44s %8d   %s x skopeo\n' "tfcache docker:// into the location, cold" "$c" \
    "$(awk -v c="$c" -v s="$s" 'BEGIN { printf "%.2f", c / s }')"
printf '%-44s %8d   %s x skopeo\n' "  of which skopeo's download into the cache" "$p" \
    "$(awk -v p="$p" -v s="$s" 'BEGIN { printf "%.2f", p / s }')"
printf '%-44s %8d\n' "tfcache docker://, unchanged image (warm)" "$w"
