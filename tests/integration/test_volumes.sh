#!/bin/sh
# Volumes against a real location, node and runc (issue 6): create
# (tagged or not), mount at spawn, data persisting across containers and
# sessions, destroy and its errors, nested mount points, the seeds'
# snapshot/rollback and "best way" examples, node_and_volume, and tfvolumes.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2

# Another session of alice's, from before any volume is made: the volume
# events it hears must keep each volume's mounts current.
"$BUILD/tests/watch" > "$TFT/watch.out" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TFT/watch.out" '^offer' 10 || not_ok "the watcher got its offer"

prog vol_basic
# volume_mounts_kept: some volume was heard with a container mounting it
# and later, the same volume, with none (the container ended).
volume_mounts_kept() {
	awk '/^volume / {
		if (!match($0, /"volume":"[^"]*"/)) next
		id = substr($0, RSTART, RLENGTH)
		if ($0 ~ /"mounts":\["/) mounted[id] = 1
		else if ($0 ~ /"mounts":\[\]/ && mounted[id]) seen = 1
	} END { exit !seen }' "$TFT/watch.out"
}
check "another session heard a volume's mounts when its container came and went" \
	volume_mounts_kept
check "the volume events name the owner" grep -q '^volume .*"user_name":"alice"' "$TFT/watch.out"
prog vol_snapshot

# The seeds' "best way": the first dev run makes the volume and records it
# in the KV store; the second finds it there (and its data); prod gets its
# own.
prog_bg dev1 vol_bestway new 1; prog_wait dev1
prog_bg dev2 vol_bestway reuse 2; prog_wait dev2
prog_bg prod1 vol_bestway --prod new 1; prog_wait prod1
dev=$(value dev1 volume)
check "the second dev run used the first one's volume" [ -n "$dev" ] && [ "$dev" = "$(value dev2 volume)" ]
check "prod has a volume of its own" [ -n "$(value prod1 volume)" ] && [ "$dev" != "$(value prod1 volume)" ]
check "the volumes outlived their sessions (tfvolumes list)" \
	sh -c "'$BUILD/cli/tfvolumes' list | grep -q '$dev'"

# A second node keeps its volumes on btrfs (a loop file): snapshots are
# subvolume snapshots.
if command -v mkfs.btrfs >/dev/null; then
	"$TFNODE" --state "$TFT/node2" init >/dev/null
	"$TFLOC" --state "$TFT/loc" node-add node2 "$(cat "$TFT/node2/node.pub")" >/dev/null
	"$TFNODE" --state "$TFT/node2" --endpoint "$ENDPOINT" \
		--location-key "$TFT/loc/location.pub" --name node2 \
		--btrfs-volumes 1G >"$TFT/node2.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for "$TFT/node2.log" 'ready' 60 || true
	check "node2 keeps its volumes on btrfs" grep -q "btrfs: snapshots are subvolume" "$TFT/node2.log"
	prog vol_snapshot node2 "$TFT/node2/volumes"

	# A volume's size: counted by the volume_bytes quota (64G by
	# default) and, on btrfs, a limit that a write inside a container
	# meets as a full disk.
	rc=0
	"$BUILD/cli/tfvolumes" --node node2 --size 65G create huge \
		> "$TFT/huge.out" 2>&1 || rc=$?
	check "a volume larger than the volume_bytes quota is refused" [ "$rc" -eq 1 ]
	check "and the refusal names the quota" grep -q "volume_bytes" "$TFT/huge.out"
	rc=0
	"$BUILD/cli/tfvolumes" --size 0 create > "$TFT/zero.out" 2>&1 || rc=$?
	check "tfvolumes --size 0 is a usage error" [ "$rc" -eq 2 ]
	small=$("$BUILD/cli/tfvolumes" --node node2 --size 32M create small 2>&1) ||
		not_ok "a 32M volume is created on node2: $small"
	"$BUILD/cli/tf" --quota > "$TFT/vquota.txt" 2>&1
	sed 's/^/#   /' "$TFT/vquota.txt"
	# The others were made at the default size, 1G each.
	check "tf --quota counts the 32M volume's size" awk '
		$1 == "volume_bytes" && $2 % 1073741824 == 33554432 &&
		$3 == 68719476736 { found = 1 } END { exit !found }' "$TFT/vquota.txt"
	"$BUILD/cli/tf" -m small:/data busybox sh -c \
		'dd if=/dev/zero of=/data/f bs=1M count=64 2>&1; echo "dd=$?"' \
		> "$TFT/dd.out" 2>&1 || true
	sed 's/^/#   /' "$TFT/dd.out"
	check "a write past the volume's size fails in the container" \
		grep -q '^dd=1' "$TFT/dd.out"
	check "with the disk quota error" grep -qi 'quota' "$TFT/dd.out"
	"$BUILD/cli/tfvolumes" destroy small >/dev/null 2>&1 ||
		not_ok "the sized volume is destroyed"
else
	echo "# no mkfs.btrfs: the btrfs volume store is not tested"
fi
finish
