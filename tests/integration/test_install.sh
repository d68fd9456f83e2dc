#!/bin/sh
# Install and operation, as an operator meets them: `meson install` into a
# throwaway root puts every program, tf-init, the keymaps, the man pages,
# the systemd units and the SDK (headers, libtf, pkg-config) in place; the
# daemons started by their units' own ExecStart lines tell $NOTIFY_SOCKET
# they are ready, reopen their logs on SIGHUP and stop cleanly on SIGTERM;
# a program built against the installed libtf through pkg-config runs a
# container, and so does the installed tf; tf --systemd writes a user unit
# whose command line runs.  (PID 1 here is not systemd, so the units'
# command lines are run as systemd would run them.)
. "$(dirname "$0")/lib_prog.sh"
need_root_runc
prog_images
command -v pkg-config >/dev/null || skip "needs pkg-config"

ROOT=$TFT/root
meson install -C "$BUILD" --destdir "$ROOT" --no-rebuild --quiet \
	>"$TFT/install.log" 2>&1 || { cat "$TFT/install.log"; not_ok "meson install"; finish; }
ok "meson install --destdir"

# The build's own options: where things went, and whether the SDK needs
# the sanitizer runtime to link.
opt() {
	meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o["name"] == sys.argv[1]:
        print(o["value"] if not isinstance(o["value"], list) else ",".join(o["value"]))' "$1"
}
prefix=$(opt prefix)
P=$ROOT$prefix
bindir=$P/$(opt bindir)
libdir=$P/$(opt libdir)
mandir=$P/$(opt mandir)
sanitize=$(opt b_sanitize)

for f in "$bindir/tf" "$bindir/tfcon" "$bindir/tf-location" "$bindir/tf-node" \
	"$bindir/tfcache" "$bindir/tfresources" "$bindir/tfvolumes" \
	"$P/libexec/tf-node/tf-init" "$P/share/tfcon/keymaps/default" \
	"$P/include/tf/tf.h" "$libdir/pkgconfig/libtf.pc" "$libdir/libtf.so.0" \
	"$P/lib/systemd/system/tf-location.service" \
	"$P/lib/systemd/system/tf-node.service"; do
	check "installed: ${f#"$P"/}" [ -e "$f" ]
done
# Every program has its page, and every page renders without a warning.
for prog in tf tfcache tfvolumes tfresources tflocations tfacctbak tfcon; do
	check "man page for $prog" [ -f "$mandir/man1/$prog.1" ]
done
for prog in tf-location tf-node; do
	check "man page for $prog" [ -f "$mandir/man8/$prog.8" ]
done
for page in "$mandir"/man*/*; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "$(basename "$page") renders without warnings" [ -z "$w" ]
	[ -z "$w" ] || echo "$w" | head -5 | sed 's/^/#   /'
done

# --- the daemons by their units' command lines ---------------------------

# The listener a service manager would be: one line per notice.
notify_listen() {	# NAME
	python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", " ") + "\n")' \
		"$TFT/$1.sock" "$TFT/$1.notify" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -S "$TFT/$1.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

# unit_exec UNIT KEY STATE ARGS: the unit's KEY= command line with the
# variables systemd would fill in, run from the throwaway root.
unit_cmd() {
	sed -n "s/^$2=//p" "$P/lib/systemd/system/$1" | head -n 1 |
		sed -e "s|\${STATE_DIRECTORY}|$3|g" -e "s|\$TF_[A-Z_]*_ARGS|$4|g" \
		    -e "s|^$prefix/|$P/|"
}

notify_listen loc
mkdir -p "$TFT/loc"
# shellcheck disable=SC2046
check "tf-location.service's ExecStartPre (init) runs" \
	$(unit_cmd tf-location.service ExecStartPre "$TFT/loc" "")
NOTIFY_SOCKET=$TFT/loc.sock $(unit_cmd tf-location.service ExecStart "$TFT/loc" \
	"--bind $ENDPOINT --subnet 10.$((100 + $$ % 100)) --log $TFT/loc.log") \
	>"$TFT/loc.out" 2>&1 &
LOC_PID=$!
PIDS="$PIDS $LOC_PID"
wait_for "$TFT/loc.notify" 'READY=1' 20 &&
	ok "the location tells systemd it is ready" ||
	not_ok "the location tells systemd it is ready"
check "with its status" grep -q 'STATUS=serving' "$TFT/loc.notify"
check "--log takes what went to stderr" grep -q 'location listening' "$TFT/loc.log"

tok=$("$bindir/tf-location" --state "$TFT/loc" invite alice)
TF_DIR=$TFT/acct-alice "$bindir/tf" account local "$tok" --local "127.0.0.1:$PORT" \
	>/dev/null || not_ok "an account from the installed tf"
export TF_DIR=$TFT/acct-alice

notify_listen node
mkdir -p "$TFT/node1"
cp "$TFT/loc/location.pub" "$TFT/node1/location.pub"
key=$($(unit_cmd tf-node.service ExecStartPre "$TFT/node1" ""))
check "tf-node.service's ExecStartPre prints the node's key" [ -n "$key" ]
"$bindir/tf-location" --state "$TFT/loc" node-add node1 "$key" >/dev/null
NOTIFY_SOCKET=$TFT/node.sock $(unit_cmd tf-node.service ExecStart "$TFT/node1" \
	"--endpoint $ENDPOINT --name node1 --log $TFT/node1.log") \
	>"$TFT/node1.out" 2>&1 &
NODE_PID=$!
PIDS="$PIDS $NODE_PID"
wait_for "$TFT/node.notify" 'READY=1' 30 &&
	ok "the node tells systemd it is ready once it reached the location" ||
	not_ok "the node tells systemd it is ready once it reached the location"

"$bindir/tfcache" -q busybox >/dev/null || not_ok "installed tfcache pushes busybox"
out=$("$bindir/tf" -q busybox echo hi 2>&1) || true
check "the installed tf runs busybox echo hi" [ "$out" = "hi" ]

# --- a program built against the installed SDK ---------------------------
cat > "$TFT/hello.c" <<'EOF'
#include <stdio.h>
#include <tf/tf.h>

int
main(void)
{
	tf_location *loc = tf_location_connect(NULL, NULL);
	tf_spawn_opts so = { .sleep = true };
	tf_run_result r;
	tf_container *c;
	tf_node *node;
	tf_err err;
	int rc = 1;

	if (loc == NULL)
		return 1;
	if ((node = tf_location_best_node(loc, &err)) == NULL ||
	    (c = tf_node_spawn_container(node, "busybox", &so, &err)) == NULL ||
	    tf_container_run_process(c, "echo hello from the sdk", 30000, &r,
	    &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
	} else {
		fwrite(r.out, 1, r.out_len, stdout);
		tf_run_result_fini(&r);
		rc = 0;
	}
	tf_location_destroy(&loc);
	return rc;
}
EOF
san=""
[ -n "$sanitize" ] && [ "$sanitize" != none ] && san="-fsanitize=$sanitize"
pc="pkg-config --define-variable=prefix=$P"
# shellcheck disable=SC2046
PKG_CONFIG_PATH=$libdir/pkgconfig cc $san -o "$TFT/hello" "$TFT/hello.c" \
	$(PKG_CONFIG_PATH=$libdir/pkgconfig $pc --cflags --libs libtf) \
	-Wl,-rpath,"$libdir" 2>"$TFT/cc.err" &&
	ok "a program compiles against the installed libtf (pkg-config)" ||
	{ not_ok "a program compiles against the installed libtf (pkg-config)"; sed 's/^/#   /' "$TFT/cc.err"; }
if [ -x "$TFT/hello" ]; then
	check "it links the installed libtf.so.0" sh -c \
		"ldd '$TFT/hello' | grep -q '$libdir/libtf.so.0'"
	out=$("$TFT/hello" 2>"$TFT/hello.err") || true
	check "and runs a container" [ "$out" = "hello from the sdk" ]
fi

# --- tf --systemd: a user unit here ---------------------------------------
export HOME=$TFT/home
mkdir -p "$HOME"
echo "hello from the unit" > "$TFT/msg.txt"
rc=0
"$bindir/tf" --systemd -f "$TFT/msg.txt:/msg.txt" busybox sort -f /msg.txt \
	>"$TFT/sd.out" 2>"$TFT/sd.err" || rc=$?
unit=$HOME/.config/systemd/user/tf-busybox.service
check "tf --systemd writes the user unit" [ -f "$unit" ]
check "and copies the -f file beside it" \
	cmp -s "$TFT/msg.txt" "$HOME/.local/share/20ft/tf-busybox/msg.txt"
if [ -f /run/systemd/system ] || [ -d /run/systemd/system ]; then
	check "and starts it with systemctl --user" [ "$rc" -eq 0 ]
else
	check "without a user manager it says so (exit 11)" [ "$rc" -eq 11 ]
	check "naming the command to start it" \
		grep -q 'systemctl --user enable --now tf-busybox' "$TFT/sd.err"
fi
# What systemd would run: the unit's environment, directory and words.
out=$(python3 - "$unit" <<'EOF'
import os, shlex, subprocess, sys
env, wd, cmd = dict(os.environ), None, None
for line in open(sys.argv[1]):
    k, _, v = line.rstrip("\n").partition("=")
    if k == "Environment":
        n, _, val = shlex.split(v)[0].partition("=")
        env[n] = val
    elif k == "WorkingDirectory":
        wd = v
    elif k == "ExecStart":
        cmd = shlex.split(v.replace("$$", "$").replace("%%", "%"))
r = subprocess.run(cmd, cwd=wd, env=env, capture_output=True, timeout=120)
sys.stdout.write(r.stdout.decode())
EOF
)
check "the unit's command line runs the container with the copied file" \
	[ "$out" = "hello from the unit" ]

# --- reload and stop ------------------------------------------------------
mv "$TFT/loc.log" "$TFT/loc.log.1"
kill -HUP "$LOC_PID"
wait_for "$TFT/loc.log" 'log reopened' 10 &&
	ok "SIGHUP reopens the location's log (after logrotate moved it)" ||
	not_ok "SIGHUP reopens the location's log (after logrotate moved it)"
check "and says RELOADING then READY" grep -q 'RELOADING=1' "$TFT/loc.notify"
check "the location is still serving" kill -0 "$LOC_PID"
mv "$TFT/node1.log" "$TFT/node1.log.1"
kill -HUP "$NODE_PID"
wait_for "$TFT/node1.log" 'log reopened' 10 &&
	ok "SIGHUP reopens the node's log" || not_ok "SIGHUP reopens the node's log"

kill -TERM "$NODE_PID"
rc=0; wait "$NODE_PID" || rc=$?
check "SIGTERM stops the node cleanly (exit 0)" [ "$rc" -eq 0 ]
check "having told systemd it is stopping" grep -q 'STOPPING=1' "$TFT/node.notify"
kill -TERM "$LOC_PID"
rc=0; wait "$LOC_PID" || rc=$?
check "SIGTERM stops the location cleanly (exit 0)" [ "$rc" -eq 0 ]
check "having told systemd it is stopping" grep -q 'STOPPING=1' "$TFT/loc.notify"
cat "$TFT/loc.log.1" "$TFT/loc.log" > "$TFT/loc-all.log"
finish
