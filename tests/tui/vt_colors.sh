#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# vt_colors: colours and attributes written in the pane reach the real
# terminal (tmux capture-pane -e shows the SGR it received): 16, 256 and
# RGB colours on a 256-colour terminal; the same text reduced to 8 colours
# on an 8-colour one; attributes only under NO_COLOR.  Wide characters
# keep their two columns.
. "$(dirname "$0")/vt_lib.sh" "$@"

ESC=$(printf '\033')

# has_sgr sgr text: the captured screen has SGR `sgr` right before `text`
# (possibly after other SGRs).
has_sgr() {
	vt_screen -e | grep -q -- "${ESC}\\[$1m\\(${ESC}\\[[0-9;]*m\\)*$2"
}

show_colours() {
	vt_keys 'clear; printf "\033[31mred\033[0m \033[91mbright\033[0m \033[1mbold\033[0m \033[4munder\033[0m \033[7mrev\033[0m \033[44mbluebg\033[0m \033[38;5;208morange\033[0m \033[38;2;10;200;30mrgb\033[0m \344\270\255\346\226\207|end\n"' Enter
	vt_wait 'red bright bold under rev bluebg orange rgb 中文\|end' 5 ||
	    vt_fail "colour line not shown (wide characters misplaced?)"
}

# 256 colours.
vt_start 120 20
show_colours
has_sgr 31 red || vt_fail "no red (SGR 31)"
has_sgr 91 bright || has_sgr '38;5;9' bright || vt_fail "no bright red"
has_sgr 1 bold || vt_fail "no bold"
has_sgr 4 under || vt_fail "no underline"
has_sgr 7 rev || vt_fail "no reverse"
has_sgr 44 bluebg || vt_fail "no blue background"
has_sgr '38;5;208' orange || vt_fail "no 256-colour orange"
has_sgr '38;5;40' rgb || vt_fail "RGB not mapped to the nearest of 256"
# Default colours stay default: nothing but resets before the prompt
# (tmux ends the previous line's colours at the start of the next).
vt_screen -e | grep -q "^\\(${ESC}\\[\\(0\\|39\\|49\\)m\\)*\\$ " ||
    vt_fail "prompt line is coloured"
vt_stop

# 8 colours: 256 and RGB become the nearest of eight, bright becomes bold.
VT_TERM=xterm
vt_start 120 20
show_colours
has_sgr 31 red || vt_fail "8 colours: no red"
vt_screen -e | grep -q -- "${ESC}\\[1m${ESC}\\[31mbright\\|${ESC}\\[31m${ESC}\\[1mbright\\|${ESC}\\[1;31mbright" ||
    vt_fail "8 colours: bright red is not bold red"
has_sgr 33 orange || vt_fail "8 colours: orange is not yellow"
has_sgr 32 rgb || vt_fail "8 colours: RGB green is not green"
if vt_screen -e | grep -q -- "38;5;"; then
	vt_fail "8 colours: a 256-colour SGR reached an 8-colour terminal"
fi
vt_stop

# NO_COLOR: attributes only.
VT_TERM=tmux-256color
infocmp tmux-256color >/dev/null 2>&1 || VT_TERM=xterm-256color
VT_ENV=NO_COLOR=1
vt_start 120 20
show_colours
has_sgr 1 bold || vt_fail "NO_COLOR: no bold"
has_sgr 7 rev || vt_fail "NO_COLOR: no reverse"
if vt_screen -e | sed -n '1,3p' | grep -q -- "${ESC}\\[\\(3[0-7]\\|4[0-7]\\|38;5\\)"; then
	vt_fail "NO_COLOR: colours reached the terminal"
fi
vt_pass
