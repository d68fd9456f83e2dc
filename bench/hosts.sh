#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# bench/hosts.sh: container-to-container throughput and 64-byte round
# trips across nodes against the same on one node, side by side in one run
# (bench-hosts), on simulated hosts: a location and two nodes, each in a
# network namespace of its own on an underlay bridge, made by
# tests/integration/lib_hosts.sh and removed afterwards.
#
#   bench/hosts.sh [-B BUILD] [bench-hosts options]
#
# Needs root, runc and a build with the static tfbench-srv/tfbench-net.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
if [ "${1:-}" = "-B" ]; then BUILD=$2; shift 2; fi
BUILD=$(cd "$BUILD" && pwd)
export BUILD
BENCH_BIN=${BENCH_BIN:-$BUILD/bench}
TF_INTEGRATION_DIR=$top/tests/integration
. "$TF_INTEGRATION_DIR/lib_hosts.sh"
hosts_setup 3
$PROG_RUN "$BENCH_BIN/bench-hosts" "$@" node1 node2 ||
	not_ok "bench-hosts failed"
finish >/dev/null
