#!/bin/sh
# tfcon_actions: every action from menus, dialogs and command mode, with
# the location's answers (and errors) shown: spawn from the menu, destroy
# with a confirmation that starts on Cancel, reboot, wake, failures,
# volumes (create, snapshot, rollback, destroy), tunnels, allow.
. "$(dirname "$0")/lib.sh"

tui_start 100 30
wait_for "Ab3dEf5g:web"

# Spawn from the menu: Enter opens it, "Spawn a container..." is first.
keys Enter
wait_for "Spawn a container\.\.\."
keys Enter
wait_for "Spawn a container"
wait_for "Image +< busybox:latest >"
keys Tab Tab
type_text "web2"
keys Enter
wait_for ":web2 +busybox:latest +node-a .* running" 5

# Destroy from the menu: Enter on the confirmation is Cancel.
keys /
type_text "web2"
keys Enter
wait_for "1 shown"
keys Enter
wait_for "Destroy\.\.\."
keys Down Enter
wait_for "Destroy container .*:web2"
keys Enter
wait_for "cancelled"
wait_for ":web2 +busybox"
# Now confirm: move to the Destroy button.
keys d
wait_for "Destroy container .*:web2"
keys Tab Enter
wait_for "destroy .*:web2: done"
wait_gone ":web2 +busybox" 5
keys / C-u Enter

# Reboot and wake.
keys /
type_text "Ab3d"
keys Enter
wait_for "1 shown"
keys r
wait_for "reboot Ab3dEf5g:web: done" 5
keys / C-u Enter
keys :
type_text "wake Ef5gHi7j"
keys Enter
wait_for "wake Ef5gHi7j: done"
wait_for "Ef5gHi7j +busybox:latest .* running"

# Failures are shown, and the console stays up.
keys :
type_text "spawn nosuch"
keys Enter
wait_for "spawn nosuch failed: no such image: nosuch"
keys :
type_text "spawn broken bad1"
keys Enter
wait_for ":bad1 +broken .*failed\(127\)" 5
keys :
type_text "destroy nothing-here"
keys Enter
wait_for "destroy: nothing called 'nothing-here'"

# Volumes: create from command mode (the form opens with the tag).
keys :
type_text "volume create data1"
keys Enter
wait_for "Create volume"
keys Enter
wait_for ":data1 +node-a" 5
keys /
type_text "data1"
keys Enter
wait_for "1 shown"
keys S
wait_for "snapshot .*:data1: done"
wait_for ":data1 +node-a +- +yes"
keys U
wait_for "Roll volume .* back"
keys Tab Enter
wait_for "rollback .*: done"
keys d
wait_for "Destroy volume"
keys Tab Enter
wait_gone ":data1 +node-a" 5
keys / C-u Enter
# A mounted volume cannot be destroyed: the error is shown.
keys /
type_text "pgdata"
keys Enter
keys d
wait_for "Destroy volume"
keys Tab Enter
wait_for "volume is mounted by 1 container"
keys / C-u Enter

# Tunnels: open from a container, see it, close it.
keys 2 /
type_text "Ab3d"
keys Enter
wait_for "1 shown"
keys t
wait_for "Tunnel to Ab3dEf5g:web"
type_text "80"
keys Tab
type_text "9090"
keys Enter
wait_for "tunnel localhost:9090 -> Ab3dEf5g:web:80: done"
keys 3
wait_for "localhost:9090 +Ab3dEf5g:web:80" 5
# The console relays local connections through the tunnel (the demo
# location echoes them back).
if command -v bash >/dev/null 2>&1; then
	got=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090 &&
	    echo ping-through-tunnel >&3 && read -t 3 l <&3 && echo "$l"')
	[ "$got" = "ping-through-tunnel" ] || fail "tunnel relay: got '$got'"
fi
keys /
type_text "9090"
keys Enter
keys d
wait_for "Close the tunnel from localhost:9090"
keys Tab Enter
wait_gone "localhost:9090 +Ab3d" 5
if command -v bash >/dev/null 2>&1; then
	timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090' 2>/dev/null &&
	    fail "the closed tunnel still listens"
fi
keys / C-u Enter

# Allow a connection from an address.
keys 2
keys A
wait_for "allow connections to .* from"
type_text "10.0.0.9"
keys Enter
wait_for "allow 10.0.0.9 -> .*: done"
pass
