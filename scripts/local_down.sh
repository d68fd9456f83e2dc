#!/bin/sh
# Stops the embedded location and node started by local_up.sh.  The node
# destroys its containers on the way out.
set -u
state=${TF_LOCAL_STATE:-$HOME/.local/state/20ft-local}
for p in node location; do
	f=$state/$p.pid
	if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
		kill "$(cat "$f")"
		i=0
		while kill -0 "$(cat "$f")" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		echo "local-down: stopped $p"
	fi
	rm -f "$f"
done
