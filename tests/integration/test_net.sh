#!/bin/sh
# Container networking against a real location, node and runc (issue 5):
# addresses in the node's subnet (status and offer), the firewall's
# default deny, allow and disallow between busybox containers, and the
# seeds' multi-container example; an allowance dies with the container it
# allowed (net_stale takes a lap of the subnet: about a minute).
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2

prog net_addr
prog net_firewall
prog net_stale

# The seeds' "Multi-container Applications" example, as shipped: its
# client is the debian image.
prog_debian_images
out=$("$BUILD/examples/multi_container" 2>"$TFT/multi.err") || true
check "multi_container example: nothing before allow_connection_from" \
	sh -c "echo '$out' | grep -qx 'Before -->'"
check "multi_container example: the page after it" \
	sh -c "echo '$out' | grep -qx 'After -->Hi!'"
finish
