#!/bin/sh
# make_screenshots.sh: PNG pictures of the real console.  tfcon runs (on
# its built-in demo location unless TFCON_ARGS says otherwise) inside a
# private tmux server; an xterm under Xvfb attaches to it and is captured
# with xwd after tmux send-keys has driven the console to each state.
#
# usage: screenshots/make_screenshots.sh [TFCON] [OUTDIR]
# needs: Xvfb, xterm, xwd, ImageMagick (convert), tmux.  Without TFCON it
# builds ./build with the demo location (a test fixture, -Ddemo=true).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ] || [ -z "$1" ]; then
	"$here/../scripts/setup.sh" build -Ddemo=true >/dev/null
fi
TFCON=${1:-$here/../build/tui/tfcon}
OUT=${2:-$here}
TFCON_ARGS=${TFCON_ARGS:---demo}

. "$here/shot_lib.sh"

# 1. Containers with a log pane following a container's output.
start 120 34
keys Down
keys l
sleep 3
keys Tab
shot containers_logs

# 2. Nodes.
keys 1
shot nodes 0.5

# 3. The spawn dialog, filled in.
keys 2 s
sleep 0.3
keys Right
keys Tab Tab
text "web2"
keys Tab
text "MODE=prod LOG=debug"
shot spawn_dialog 0.5
keys Escape
sleep 0.3

# 4. Destroy confirmation (starts on Cancel).
keys d
shot destroy_confirm 0.5
keys Escape
sleep 0.3

# 5. Help, generated from the keymap.
keys '?'
shot help 0.5
keys Escape

# 6. A shell pane beside a log pane on a wide screen.
start 172 44
keys /
text "Ab3d"
keys Enter l
sleep 2.5
keys Tab a
sleep 0.5
text "uname -a"
keys Enter
text "ls"
keys Enter
text "echo hello from tfcon"
keys Enter
shot shell_and_logs

# 7. 80x24 with a process pane, and a search.
start 80 24
keys x
sleep 0.3
text "seq 40"
keys Enter
sleep 0.8
keys /
text "3$"
keys Enter
shot small_80x24 0.5

# 8. No colour (NO_COLOR).
start 100 30 --no-color
keys 4
shot no_color 0.5

# 9. Monitoring: sorted by CPU, with the detail pane's sparklines.
start 150 40
keys 2
sleep 1
keys :
text "sort cpu desc"
keys Enter
sleep 0.3
keys i
sleep 12
shot monitor_detail

# 10. The Events view, and two marked containers.
keys X 7
shot events 0.8
keys 2 Home Space Space
shot marked 0.5
