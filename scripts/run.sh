#!/bin/sh
# The main job on the embedded default: installs what is missing, builds,
# brings up a local location and node with the images (scripts/local_up.sh),
# and opens the operator console on it.  Quit the console with q (or :q); the location and
# node keep running (scripts/local_down.sh stops them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" build
"$top/scripts/local_up.sh" build
if [ -x "$top/build/tui/tfcon" ]; then
	exec "$top/build/tui/tfcon" --location local "$@"
fi
exec "$top/build/cli/tfresources" --location local
