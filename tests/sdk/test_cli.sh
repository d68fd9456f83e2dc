#!/bin/sh
# The tf command and the utilities against a real location and node
# (issue 7): port mapping serves nginx's page; -e reaches env-test; -f
# replaces nginx's index; a volume mounted with -m by uuid, tag and
# uuid:tag keeps its data across runs; ends-test makes tf exit with the
# three log lines; -q prints nothing; Ctrl-C cleans up; -ti bridges a
# terminal; exit codes; tfcache, tfvolumes, tflocations, tfacctbak,
# tfresources and every --help.  Exit 77 without root, runc or tf-node.
. "$(dirname "$0")/lib_sdk.sh"

for p in tf tfcache tfvolumes tfresources tflocations tfacctbak; do
	check "$p --help prints its usage" sh -c "'$CLI/$p' --help | grep -q '^Usage: $p'"
done

sdk_setup node
TFB=$CLI/tf

# -p serves nginx's page.
lp=$(free_port)
run_bg web "$TFB" -p "$lp:80" nginx
wait_for "$TFT/web.err" "Created tunnel" 30 || true
check "-p $lp:80 serves nginx's page" sh -c "curl -s -m 10 http://127.0.0.1:$lp/ | grep -q 'Welcome to nginx'"
check "tf logs 'Container is running'" grep -q "Container is running" "$TFT/web.err"
check "tf keeps the container's console output on stdout" grep -q "GET / HTTP" "$TFT/web.out"
out=$("$CLI/tfresources" --compact) || true
check "tfresources shows node1 and the running container" \
	sh -c "echo '$out' | grep -q '\"node\":\"node1\"' && echo '$out' | grep -q '\"state\":\"running\"'"
stop_bg web INT
check "Ctrl-C: tf exits 0" [ "$(cat "$TFT/web.rc")" = 0 ]
check "Ctrl-C: it logs 'Container has exited and/or been destroyed'" \
	grep -q "Container has exited and/or been destroyed" "$TFT/web.err"
check "Ctrl-C: then 'Disconnecting'" grep -q "Disconnecting" "$TFT/web.err"
check "Ctrl-C: the local port is closed" sh -c "! curl -s -m 2 http://127.0.0.1:$lp/ >/dev/null"

# --offset tunnels the exposed port (80) from 80 + N; -e reaches env-test.
off=$(( $(free_port) - 80 ))
export TF_TEST_LOCAL=from-the-shell
run_bg env "$TFB" --offset "$off" -e FOO=bar -e TF_TEST_LOCAL -e 'EQ=a=b' env-test
wait_for "$TFT/env.err" "Created tunnel" 30 || true
body=$(http_get "http://127.0.0.1:$((80 + off))/") || true
check "--offset $off tunnels exposed port 80 from $((80 + off))" sh -c "echo '$body' | grep -q TF_IMAGE=env-test"
check "-e FOO=bar reaches env-test" sh -c "echo '$body' | grep -qx FOO=bar"
check "-e NAME passes the local value" sh -c "echo '$body' | grep -qx TF_TEST_LOCAL=from-the-shell"
check "-e keeps '=' in values" sh -c "echo '$body' | grep -qx EQ=a=b"
stop_bg env TERM
check "SIGTERM: tf exits 0" [ "$(cat "$TFT/env.rc")" = 0 ]

# -f replaces nginx's index before boot.
echo "<h1>replaced by tf -f</h1>" > "$TFT/index.html"
lp=$(free_port)
run_bg idx "$TFB" -p "$lp:80" -f "$TFT/index.html:/usr/share/nginx/html/" nginx
wait_for "$TFT/idx.err" "Created tunnel" 30 || true
check "-f SRC:DIR/ replaces nginx's index" sh -c "curl -s -m 10 http://127.0.0.1:$lp/ | grep -q 'replaced by tf -f'"
stop_bg idx

# ends-test ends by itself: the three lines, in order, and exit 0.
run_bg ends "$TFB" ends-test
wait_bg ends
check "ends-test: tf exits 0 by itself" [ "$(cat "$TFT/ends.rc")" = 0 ]
check "ends-test: its output reaches stdout" grep -q "ends-test: finished" "$TFT/ends.out"
check "ends-test: the three log lines, in order" sh -c "
	grep -n -e 'Container is running' -e 'Container has exited and/or been destroyed' \
	    -e 'Disconnecting' '$TFT/ends.err' | cut -d: -f1 | tr '\n' ' ' |
	    awk '{ exit !(NF == 3 && \$1 < \$2 && \$2 < \$3) }'"
check "ends-test: no whiteout trouble" sh -c "! grep -q 'not applied' '$TFT/ends.out'"

# -q: nothing on stderr.
"$TFB" -q ends-test > "$TFT/q.out" 2> "$TFT/q.err" && rc=0 || rc=$?
check "-q: exit 0 and nothing at all on stderr" sh -c "[ $rc = 0 ] && [ ! -s '$TFT/q.err' ]"

# -v: debug messages, as the original's test expected.
"$TFB" -v busybox true > /dev/null 2> "$TFT/v.err" || true
check "-v logs 'Message loop started'" grep -q "Message loop started" "$TFT/v.err"

# Exit codes.
"$TFB" -q busybox sh -c 'exit 3' && rc=0 || rc=$?
check "a container exiting 3 makes tf exit 1" [ "$rc" = 1 ]
"$TFB" -q no-such-image && rc=0 || rc=$?
check "an unknown image exits 7" [ "$rc" = 7 ]
"$TFB" -q -e 'BAD NAME=x' busybox 2>/dev/null && rc=0 || rc=$?
check "a bad -e exits 2" [ "$rc" = 2 ]
"$TFB" -q -p 1:2:3 busybox 2>/dev/null && rc=0 || rc=$?
check "a bad -p exits 2" [ "$rc" = 2 ]
"$TFB" -q -m no-such-volume:/data busybox && rc=0 || rc=$?
check "a missing volume exits 9" [ "$rc" = 9 ]
TF_DIR=$TFT/nobody "$TFB" -q busybox && rc=0 || rc=$?
check "no account exits 5" [ "$rc" = 5 ]
busy=$(free_port)
run_bg hold "$TFB" -p "$busy:80" nginx
wait_for "$TFT/hold.err" "Created tunnel" 30 || true
"$TFB" -q -p "$busy:80" nginx && rc=0 || rc=$?
check "a local port in use exits 8" [ "$rc" = 8 ]
stop_bg hold

# tf . runs the image pushed last.
"$CLI/tfcache" -q ends-test >/dev/null
"$TFB" . > "$TFT/dot.out" 2>&1 && rc=0 || rc=$?
check "tf . runs the last pushed image (ends-test)" sh -c "[ $rc = 0 ] && grep -q 'ends-test: started' '$TFT/dot.out'"

# A command replaces the entrypoint.
out=$("$TFB" -q busybox echo replaced-entrypoint) || true
check "COMMAND replaces the entrypoint" [ "$out" = replaced-entrypoint ]

# A bare name is the location's image even where a directory of that name
# (sources, not an image) is in the way, as debian/ is in this tree.
mkdir -p "$TFT/cwd/busybox"
echo "not an image" > "$TFT/cwd/busybox/README"
out=$(cd "$TFT/cwd" && "$TFB" -q busybox echo by-name) || true
check "a directory that holds no image does not shadow an image name" [ "$out" = by-name ]

# -ti: a terminal bridged through a pty (script(1) provides one).
if command -v script >/dev/null; then
	( sleep 3; printf 'echo tty-$((6*7))\r'; sleep 1; printf 'exit 4\r'; sleep 2 ) |
		script -qec "'$TFB' -ti busybox" /dev/null > "$TFT/ti.out" 2>&1 && rc=0 || rc=$?
	check "-ti: commands typed reach the shell" grep -q "tty-42" "$TFT/ti.out"
	check "-ti: the shell's exit 4 makes tf exit 1" [ "$rc" = 1 ]
	( sleep 3; printf '\035q'; sleep 2 ) |
		script -qec "'$TFB' -ti busybox" /dev/null > "$TFT/esc.out" 2>&1 && rc=0 || rc=$?
	check "-ti: Ctrl-] q ends the session" grep -q "escape - ending the session" "$TFT/esc.out"
fi

# Volumes: by uuid, tag and uuid:tag, kept across runs.
vol=$("$CLI/tfvolumes" create data-$$ 2>"$TFT/vol.err") || true
uuid=${vol%%:*}
check "tfvolumes create prints uuid:tag" sh -c "echo '$vol' | grep -q ':data-$$\$'"
check "tfvolumes list shows it" sh -c "'$CLI/tfvolumes' list | grep -qx '$vol'"
"$TFB" -q -m "$uuid:/data" busybox sh -c 'echo kept > /data/f' >/dev/null 2>&1
out=$("$TFB" -q -m "data-$$:/data" busybox cat /data/f 2>&1) || true
check "-m TAG:/data sees what -m UUID:/data wrote" [ "$out" = kept ]
out=$("$TFB" -q -m "$vol:/data" busybox cat /data/f 2>&1) || true
check "-m UUID:TAG:/data too" [ "$out" = kept ]
"$CLI/tfvolumes" destroy "data-$$" && rc=0 || rc=$?
check "tfvolumes destroy" [ "$rc" = 0 ]
"$CLI/tfvolumes" destroy "data-$$" 2>"$TFT/vd.err" && rc=0 || rc=$?
check "destroying it again: 'Can't find volume', exit 1" \
	sh -c "[ $rc = 1 ] && grep -q \"Can't find volume\" '$TFT/vd.err'"
"$CLI/tfvolumes" destroy 2>/dev/null && rc=0 || rc=$?
check "tfvolumes destroy without a volume exits 2" [ "$rc" = 2 ]

# tfcache of a docker-save archive.
"$TOP/scripts/build_images.sh" -q --docker-save busybox "$TFT/busybox-save.tar" \
	"$TF_IMAGES" >/dev/null 2>&1 || true
if [ -f "$TFT/busybox-save.tar" ]; then
	out=$("$CLI/tfcache" "$TFT/busybox-save.tar" 2>/dev/null) || true
	check "tfcache pushes a docker-save archive" sh -c "echo '$out' | grep -q ': [0-9a-f]\{64\}\$'"
fi
"$TOP/scripts/build_images.sh" -q --oci-tar ends-test "$TFT/ends-oci.tar" \
	"$TF_IMAGES" >/dev/null 2>&1 || true
if [ -f "$TFT/ends-oci.tar" ]; then
	"$TFB" "$TFT/ends-oci.tar" > "$TFT/path.out" 2>&1 && rc=0 || rc=$?
	check "tf PATH pushes and runs a local OCI tarball" \
		sh -c "[ $rc = 0 ] && grep -q 'ends-test: finished' '$TFT/path.out'"
fi
"$CLI/tfcache" -q "$TFT/no-such.tar" 2>/dev/null && rc=0 || rc=$?
check "tfcache of a missing file exits 1" [ "$rc" = 1 ]

# tflocations and tfacctbak.
check "tflocations list marks the default" sh -c "'$CLI/tflocations' list | grep -qx 'local <== default'"
check "tflocations select by prefix" sh -c "'$CLI/tflocations' select lo | grep -qx local"
"$CLI/tflocations" select zz 2>/dev/null && rc=0 || rc=$?
check "tflocations select of nothing exits 1" [ "$rc" = 1 ]
"$CLI/tfacctbak" > "$TFT/restore.sh"
TF_DIR=$TFT/restored sh "$TFT/restore.sh" >/dev/null
check "tfacctbak's script restores a working account" \
	sh -c "TF_DIR=$TFT/restored $CLI/tfresources --compact >/dev/null"

finish
