#!/bin/sh
# TCP tunnels against a real location, node and runc (issue 5): nginx's
# welcome page, a pre-boot index.html, wait_http_200 (the seeds'
# examples), 200 MB each way with matching checksums, 50 concurrent
# connections, a slow reader keeping every process's memory bounded, and
# reboots (with and without reset) keeping the tunnel.  Exit 77 without
# root or runc.
. "$(dirname "$0")/lib_prog.sh"
# ASan holds freed memory in a quarantine (256 MB by default) that RSS
# counts; tun_slow's bounds are about our buffers, so keep it small.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
prog_setup --timeout 2

prog tun_http
prog tun_reboot
prog tun_many
prog tun_bulk
prog tun_slow "$LOC_PID" "$NODE_PID"

finish
