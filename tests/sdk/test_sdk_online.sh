#!/bin/sh
# The SDK against a real tf-location and tf-node (tests/sdk/sdk_online.c):
# files, tunnels both ways with flow control and half-close, wait_tcp,
# sleep/wake, processes, other sessions' tags, disconnect.  Exit 77
# without root, runc or tf-node.
. "$(dirname "$0")/lib_sdk.sh"

sdk_setup node
[ -x "$SDKBIN/sdk_online" ] || skip "sdk_online not built ($SDKBIN)"
"$SDKBIN/sdk_online" && rc=0 || rc=$?
check "sdk_online passed" [ "$rc" = 0 ]
finish
