#!/bin/sh
# Lists what a run of the test suite left behind, and exits 1 if anything.
#   TF_SUITE_DIR=DIR scripts/leftovers.sh
# Only what this run made is counted, since other suites may run on the
# same machine at the same time: scripts/test.sh points $TMPDIR at DIR, so
# every test's temp dir, daemon state and mount lies under it, and
# tests/integration/lib.sh appends to DIR/made a line "node HASH" for each
# tf-node it starts (the node names its bridge tfbHASH, its namespaces
# tfc-tfbHASH-*, its cgroups /tf-HASH after a hash of its state dir).
# DIR is passed in the environment, not as an argument, so that this
# script's own processes do not match it.
set -u
dir=${TF_SUITE_DIR:?TF_SUITE_DIR must name the suite run\'s directory}
found=0
left() {
	echo "leftover: $*"
	found=1
}

# Processes: daemons, tmux servers, consoles started with a path under
# the run's directory.
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	[ "$pid" != "$$" ] || continue
	# (A process may end while we look.)
	args=$( (tr '\0' ' ' < "$p/cmdline") 2>/dev/null) || continue
	case $args in
	*"$dir"*) left "process $pid: $args" ;;
	esac
done

# Mounts (container root file systems, volumes) under it.
awk -v d="$dir" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo |
while read -r m; do
	echo "leftover: mount $m"
done | grep . && found=1

# runc containers in any runc root still under it.
if command -v runc >/dev/null 2>&1; then
	for root in $(find "$dir" -xdev -type d -name runc 2>/dev/null); do
		for c in $(runc --root "$root" list -q 2>/dev/null); do
			left "runc container $c (root $root)"
		done
	done
fi

# What each node of this run named after its state dir.
if [ -f "$dir/made" ]; then
	for h in $(sed -n 's/^node //p' "$dir/made" | sort -u); do
		ip link show "tfb$h" >/dev/null 2>&1 && left "bridge tfb$h"
		for ns in $(ls /run/netns 2>/dev/null | grep "^tfc-tfb$h-"); do
			left "network namespace $ns"
		done
		for cg in /sys/fs/cgroup/tf-$h /sys/fs/cgroup/*/tf-$h; do
			[ -d "$cg" ] || continue
			# A cgroup with a process in it anywhere below.
			if find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null |
				grep -q .; then
				left "processes in cgroup $cg"
			fi
		done
	done
fi
exit $found
