#!/bin/sh
# tfcon_keymap: keymaps are data.  A user keymap in the XDG config
# directory rebinds an action (and the help screen and hints follow it); a
# clash refuses to start, naming the key and both actions; --keymap picks a stock
# keymap; --check-keymap reports problems without starting.
. "$(dirname "$0")/lib.sh"

# Every stock keymap is clean.
for k in default vi emacs; do
	"$TFCON" --check-keymap -k "$k" | grep -q ": ok$" || fail "keymap $k"
done

# A user keymap: destroy moves from d to K, spawn gets F5 too.
mkdir -p "$XDG_CONFIG_HOME/tfcon"
cat > "$XDG_CONFIG_HOME/tfcon/keymap" <<'KM'
# my keys
include default
destroy K
spawn   s F5
KM
"$TFCON" --check-keymap | grep -q "tfcon/keymap: ok$" || fail "user keymap check"
tui_start 100 30
wait_for "Ab3dEf5g:web"
# The status line hints come from the keymap.
wait_for "K destroy"
keys d
wait_for "d is not bound here"
keys K
wait_for "Destroy container"
keys Escape
wait_gone "Destroy container"
keys F5
wait_for "Spawn a container"
keys Escape
keys "?"
wait_for "keymap: .*tfcon/keymap"
keys NPage
wait_for "K +destroy"
keys Escape
keys q
wait_for "TFCON-EXITED 0"
tmux_ kill-server

# A clash: quit on d as well as destroy.
cat > "$XDG_CONFIG_HOME/tfcon/keymap" <<'KM'
include default
quit q d
KM
out=$("$TFCON" --check-keymap)
echo "$out" | grep -q "key d is bound to both destroy .* and quit" ||
    fail "clash not reported: $out"
"$TFCON" --check-keymap >/dev/null && fail "--check-keymap exit status"
# The console refuses to start on it, naming the key and both actions.
out=$("$TFCON" $TFCON_TEST_ARGS </dev/null 2>&1) && fail "started with a clash"
echo "$out" | grep -q "key d is bound to both destroy .* and quit" ||
    fail "clash not named at start: $out"
rm "$XDG_CONFIG_HOME/tfcon/keymap"

# --keymap vi: j/k move, G goes to the bottom.
tui_start 100 30 --keymap vi
wait_for "Ab3dEf5g:web"
keys G
keys Enter
wait_for "─ Jk7mNp2q:migrate"
keys Escape
keys k Enter
wait_for "─ Gh6iJk8m:worker-1"
keys Escape
# An unknown key or action in a keymap is a problem, not a crash.
printf 'frob x\ndestroy NoSuchKey\n' > "$TUI_DIR/bad"
"$TFCON" --check-keymap -k "$TUI_DIR/bad" > "$TUI_DIR/out" && fail "bad keymap passed"
grep -q "unknown action 'frob'" "$TUI_DIR/out" || fail "unknown action"
grep -q "unknown key 'NoSuchKey'" "$TUI_DIR/out" || fail "unknown key"
pass
