#!/bin/sh
# The SDK against a real tf-location with no node (tests/sdk/sdk_offline.c):
# connect, key/value, images, errors as values, the loop thread, signals.
# Needs no root.
. "$(dirname "$0")/lib_sdk.sh"

sdk_setup
[ -x "$SDKBIN/sdk_offline" ] || skip "sdk_offline not built ($SDKBIN)"
"$SDKBIN/sdk_offline" && rc=0 || rc=$?
check "sdk_offline passed" [ "$rc" = 0 ]
finish
