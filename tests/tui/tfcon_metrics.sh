#!/bin/sh
# tfcon_metrics: container metrics from a real tf-node's cgroups, through
# the location, into tfcon and tfresources (root and runc needed, else
# skipped).  A container spinning on a core shows its CPU in the
# Containers view and in `tfresources --metrics` (near 100% on an idle
# machine; the test asks only for 10%, since on a loaded one other work
# takes its share); sorting by CPU puts it above an idle container; the
# detail pane shows its figures with sparklines; a memory hog with a limit
# shows its memory against the limit and is OOM-killed (its OOM count
# rises) as an event; the Events view shows exits with their status,
# destroys with who did them and the node coming up; two marked
# containers are destroyed with one confirmation.
#
# usage: tests/tui/tfcon_metrics.sh BUILD_DIR   (or $BUILD)
. "$(dirname "$0")/real_lib.sh"

# CPU of at least a tenth of a core, as the CPU column writes it.
BUSY='([1-9][0-9]|1[0-9][0-9])%'

"$BUILD/cli/tf" -q --tag spin busybox sh -c 'while :; do :; done' \
    >/dev/null 2>&1 &
PIDS="$PIDS $!"
# A hog that is OOM-killed again and again in a container that lives on:
# each round the inner shell doubles a string until the 24 MiB limit.
"$BUILD/cli/tf" -q --tag hog --memory 24 busybox sh -c \
    'while :; do sh -c "x=aaaaaaaa; while :; do x=\$x\$x; done"; sleep 2; done' \
    >/dev/null 2>&1 &
PIDS="$PIDS $!"
"$BUILD/cli/tf" -q --tag idle busybox sleep 600 >/dev/null 2>&1 &
PIDS="$PIDS $!"

# tfresources --metrics sees both (the nodes send figures only after
# their second sample, so ask until they are there).
n=0
while :; do
	out=$("$BUILD/cli/tfresources" --metrics 2>&1)
	if echo "$out" | grep -Eq ":spin +node1 +([1-9][0-9]|1[0-9][0-9])\.[0-9] " &&
	    echo "$out" | grep -Eq ":hog +node1 +[0-9.]+ +[0-9.]+[BKMG] +24\.0M"; then
		break
	fi
	n=$((n + 1))
	[ $n -lt 60 ] || { echo "FAIL: tfresources --metrics:"; echo "$out"; exit 1; }
	sleep 0.5
done
echo "$out" | grep -Eq "^node node1 +up " || { echo "FAIL: no node sums"; echo "$out"; exit 1; }

real_tui_begin
tui_start 150 40
wait_for "● up|up  rtt [0-9]+ms" 10
keys 2
wait_for ":spin +busybox +node1 .*running +[0-9a-z]+ +$BUSY" 30
# The hog's memory against its 24 MiB limit.
wait_for ":hog +busybox +node1 .*running +[0-9a-z]+ +[0-9]+% +[0-9.]+[BKM]/24M" 30
# Sorted by CPU, busiest first: the spinner is the first row.
keys :
type_text "sort cpu desc"
keys Enter
wait_for "CPU▼"
wait_for ":idle +busybox +node1 .*running +[0-9a-z]+ +[0-9]%" 30
screen | grep -E ":spin |:idle " | head -1 | grep -q ":spin " ||
    fail "the spinner is not above the idle container by CPU"
# The detail pane of the selected container, with sparklines.
keys /
type_text "spin"
keys Enter
keys i
wait_for "detail .*:spin" 10
wait_for "CPU +[0-9.]+% .*[▁▂▃▄▅▆▇█]" 15
wait_for "MEM +[0-9.]+[BKMG]" 5
wait_for "pids [0-9]+ +page cache" 5
# The hog's OOM kills are counted.
keys /
keys C-u
type_text "hog"
keys Enter
wait_for "detail .*:hog" 10
wait_for "OOM kills [1-9]" 60
wait_for "oom_killed +out of memory" 10

# Events: every kill of the hog, an exit with its code, a destroy and who
# did it, and the node coming up.
"$BUILD/cli/tf" -q --tag quick busybox sh -c 'exit 3' >/dev/null 2>&1
keys X 7
wait_for "7 Events"
keys /
keys C-u
type_text "hog"
keys Enter
wait_for "oom_killed +[A-Za-z0-9]{8}:hog .*out of memory"
wait_for "running +[A-Za-z0-9]{8}:hog"
wait_for "spawned +[A-Za-z0-9]{8}:hog +node1 +alice +busybox"
keys /
keys C-u
type_text "quick"
keys Enter
wait_for "exited +[A-Za-z0-9]{8}:quick .*exited with status 3" 20
wait_for "destroyed +[A-Za-z0-9]{8}:quick .*destroyed by alice \\(tf\\)" 20
keys /
keys C-u
type_text "kind:node"
keys Enter
wait_for "node_up +node node1 +node1 .*node node1 is up"

# Bulk destroy: mark the spinner and the idle one, destroy both at once.
keys 2 /
keys C-u
type_text "spin"
keys Enter
wait_for ":spin +busybox"
keys Space
keys /
keys C-u
type_text "idle"
keys Enter
wait_for ":idle +busybox"
keys Space
wait_for "2 containers marked"
keys /
keys C-u
keys Enter
keys d
wait_for "Destroy the 2 marked containers\\?"
keys Tab Enter
wait_gone ":spin +busybox" 30
wait_gone ":idle +busybox" 30
wait_for ":hog +busybox"
keys 7 /
keys C-u
type_text "destroyed"
keys Enter
wait_for "destroyed +[A-Za-z0-9]{8}:spin .*destroyed by alice \\(tfcon\\)" 20
wait_for "destroyed +[A-Za-z0-9]{8}:idle .*destroyed by alice \\(tfcon\\)" 20
keys q
wait_for "TFCON-EXITED 0"
pass
