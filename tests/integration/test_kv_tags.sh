#!/bin/sh
# The key/value store and tags against a real location and node (issue 6):
# get, set several, delete, list and their errors; tag validation by the
# SDK and the location; clashes; lookup by uuid, tag and uuid:tag.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2

prog kv_store
prog tags
finish
