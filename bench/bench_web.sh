#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/bench_web.sh: HTTP through the location's HAProxy (issue 18)
# beside the same load straight to the container, in one run.  One nginx
# container is published with tf -w at www.bench.test; each round runs
# wrk (CONC connections, 2 threads, SECS seconds) once straight to the
# container's address and once through the balancer (127.0.0.1, Host:
# www.bench.test), alternating so that both see the same machine; it
# prints the median requests per second and p99 latency of each and the
# ratios.
#
#   bench/bench_web.sh [-B BUILD] [ROUNDS [CONC [SECS]]]   (default 5 16 5)
#
# Needs root, runc, haproxy and wrk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
if [ "${1:-}" = -B ]; then BUILD=$2; shift 2; fi
ROUNDS=${1:-5}
CONC=${2:-16}
SECS=${3:-5}
BUILD=$(cd "$BUILD" && pwd)
export BUILD
TF_IMAGES=${TF_IMAGES:-$BUILD/images}
export TF_IMAGES
. "$here/lib.sh"

command -v wrk >/dev/null || { bench_log "needs wrk"; exit 77; }
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] ||
	{ bench_log "needs haproxy"; exit 77; }
"$top/scripts/build_images.sh" -q "$TF_IMAGES" >/dev/null

HPORT=$((30000 + $$ % 5000))
while ss -Hltn "( sport = :$HPORT )" 2>/dev/null | grep -q .; do
	HPORT=$((HPORT + 1))
done
TFW=
cleanup() {
	[ -z "$TFW" ] || { kill "$TFW" 2>/dev/null || true; wait "$TFW" 2>/dev/null || true; }
	bench_down
}
trap cleanup EXIT INT TERM

BENCH_LOC_ARGS="--http 127.0.0.1:$HPORT"
bench_up >&2
"$TFLOC" --state "$BT/loc" domain-add bench.test bench >/dev/null
"$BUILD/cli/tfcache" -q nginx >/dev/null
# -p to a free port: tf's default tunnels would want port 80 here.
"$BUILD/cli/tf" --local "127.0.0.1:$BPORT" -p "$((HPORT + 1)):80" \
	-w www.bench.test nginx > "$BT/tf.log" 2>&1 &
TFW=$!
i=0
until curl -s --max-time 2 -H 'Host: www.bench.test' \
	"http://127.0.0.1:$HPORT/" 2>/dev/null | grep -q 'Welcome to nginx'; do
	i=$((i + 1))
	[ $i -lt 300 ] || { bench_log "the site never answered"; tail "$BT/tf.log" >&2; exit 1; }
	sleep 0.2
done
IP=$("$BUILD/cli/tfresources" --local "127.0.0.1:$BPORT" --compact |
	grep -o '"ip": *"[0-9.]*"' | head -n 1 | grep -o '[0-9.]*[0-9]')
[ -n "$IP" ] || { bench_log "no container address in the offer"; exit 1; }
bench_log "nginx at $IP, published at www.bench.test through 127.0.0.1:$HPORT"

# wrk_run URL [HOST] -> "RPS P99_MS"
wrk_run() {
	wrk -t2 -c"$CONC" -d"${SECS}s" --latency ${2:+-H "Host: $2"} "$1" 2>&1 |
	awk '/Requests\/sec:/ { rps = $2 }
	     $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	                   ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
	     / Non-2xx/ { bad = 1 }
	     END { if (bad) print "NON2XX"; else printf "%.0f %.3f\n", rps, ms }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: > "$BT/direct"; : > "$BT/lb"
wrk_run "http://$IP/" >/dev/null		# warm both paths
wrk_run "http://127.0.0.1:$HPORT/" www.bench.test >/dev/null
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	d=$(wrk_run "http://$IP/")
	b=$(wrk_run "http://127.0.0.1:$HPORT/" www.bench.test)
	bench_log "round $r: direct $d, balancer $b (req/s p99-ms)"
	case "$d$b" in *NON2XX*) bench_log "non-2xx answers"; exit 1;; esac
	echo "$d" >> "$BT/direct"; echo "$b" >> "$BT/lb"
done
drps=$(cut -d' ' -f1 "$BT/direct" | median); dp99=$(cut -d' ' -f2 "$BT/direct" | median)
brps=$(cut -d' ' -f1 "$BT/lb" | median); bp99=$(cut -d' ' -f2 "$BT/lb" | median)
printf '%-28s %12s %12s\n' "web ($CONC conns, ${SECS}s x $ROUNDS)" "req/s" "p99 ms"
printf '%-28s %12s %12s\n' "straight to the container" "$drps" "$dp99"
printf '%-28s %12s %12s\n' "through the balancer" "$brps" "$bp99"
awk -v a="$brps" -v b="$drps" -v c="$bp99" -v d="$dp99" 'BEGIN {
	printf "%-28s %12.2f %12.2f\n", "balancer / straight", a / b, c / d }'
