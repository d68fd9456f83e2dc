#!/bin/sh
# The Debian packages: dpkg-buildpackage -b -us -uc builds them from a copy
# of this tree, lintian finds no errors, their dependencies are right, and
# unpacked into a throwaway root they run: a location and a node started by
# their units' ExecStart lines, and the packaged tf runs busybox echo hi.
# (PID 1 here is not systemd; maintainer scripts are checked for syntax, and
# what they do is what test_install.sh shows of the units.)
. "$(dirname "$0")/lib_prog.sh"
need_root_runc
prog_images
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || skip "needs $t (scripts/deps.txt)"
done

# A copy of the tree as git sees it (tracked and new files, not ignored
# ones such as build directories).
mkdir -p "$TFT/src"
(cd "$TOP" && git ls-files -co --exclude-standard -z |
	xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$TFT/src"
(cd "$TFT/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -b -us -uc) >"$TFT/build.log" 2>&1 &&
	ok "dpkg-buildpackage -b -us -uc" ||
	{ tail -n 30 "$TFT/build.log" | sed 's/^/#   /'; not_ok "dpkg-buildpackage -b -us -uc"; finish; }

for p in tf-location tf-node tfcon tf-tools libtf0 libtf-dev python3-tfnz; do
	check "package $p was built" sh -c "ls '$TFT'/${p}_*.deb >/dev/null 2>&1"
done
deb() { ls "$TFT"/"$1"_*.deb | head -n 1; }
check "tf-node depends on runc, iproute2 and nftables" sh -c \
	"dpkg-deb -f '$(deb tf-node)' Depends | grep runc | grep iproute2 | grep -q nftables"
check "libtf-dev depends on libtf0 of its own version" sh -c \
	"dpkg-deb -f '$(deb libtf-dev)' Depends | grep -q 'libtf0 (= '"
check "libtf0 carries libtf.so.0" sh -c \
	"dpkg-deb -c '$(deb libtf0)' | grep -q 'libtf.so.0'"
check "tf-location ships its unit" sh -c \
	"dpkg-deb -c '$(deb tf-location)' | grep -q 'systemd/system/tf-location.service'"
check "the unit is enabled by the maintainer scripts" sh -c \
	"dpkg-deb -I '$(deb tf-location)' postinst | grep -q 'deb-systemd-helper'"
for p in tf-location tf-node; do
	for s in postinst postrm; do
		dpkg-deb -I "$(deb $p)" $s > "$TFT/$p.$s" 2>/dev/null
		check "$p's $s is valid sh" sh -n "$TFT/$p.$s"
	done
done

lintian --fail-on error --no-tag-display-limit "$TFT"/*.changes \
	>"$TFT/lintian.log" 2>&1 && rc=0 || rc=$?
check "lintian reports no errors" [ "$rc" -eq 0 ]
grep '^E:' "$TFT/lintian.log" | head -n 20 | sed 's/^/#   /'

# --- the packages at work, from a throwaway root ---------------------------
R=$TFT/root
for d in "$TFT"/*.deb; do dpkg-deb -x "$d" "$R"; done
unit_cmd() {	# UNIT KEY STATE ARGS
	sed -n "s/^$2=//p" "$R/lib/systemd/system/$1" | head -n 1 |
		sed -e "s|\${STATE_DIRECTORY}|$3|g" -e "s|\$TF_[A-Z_]*_ARGS|$4|g" \
		    -e "s|^/usr/|$R/usr/|"
}
mkdir -p "$TFT/loc" "$TFT/node1"
$(unit_cmd tf-location.service ExecStartPre "$TFT/loc" "") >/dev/null ||
	not_ok "tf-location init from the package"
$(unit_cmd tf-location.service ExecStart "$TFT/loc" \
	"--bind $ENDPOINT --subnet 10.$((100 + $$ % 100))") >"$TFT/loc.log" 2>&1 &
LOC_PID=$!
PIDS="$PIDS $LOC_PID"
wait_for "$TFT/loc.log" '^ready' 20 || not_ok "the packaged location starts"
tok=$("$R/usr/bin/tf-location" --state "$TFT/loc" invite alice)
export TF_DIR=$TFT/acct-alice
"$R/usr/bin/tf" account local "$tok" --local "127.0.0.1:$PORT" >/dev/null ||
	not_ok "an account from the packaged tf"
cp "$TFT/loc/location.pub" "$TFT/node1/"
key=$($(unit_cmd tf-node.service ExecStartPre "$TFT/node1" ""))
"$R/usr/bin/tf-location" --state "$TFT/loc" node-add node1 "$key" >/dev/null
$(unit_cmd tf-node.service ExecStart "$TFT/node1" \
	"--endpoint $ENDPOINT --name node1") >"$TFT/node1.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TFT/node1.log" 'ready' 30 || not_ok "the packaged node starts"
"$R/usr/bin/tfcache" -q busybox >/dev/null || not_ok "the packaged tfcache"
out=$("$R/usr/bin/tf" -q busybox echo hi 2>&1) || true
check "the packaged tf runs busybox echo hi" [ "$out" = "hi" ]
check "the packaged tfcon answers --help" sh -c \
	"'$R/usr/bin/tfcon' --help | grep -q tfcon"
out=$(PYTHONPATH=$R/usr/lib/python3/dist-packages python3 -c '
from tfnz.location import Location
loc = Location(quiet=True)
ctr = loc.best_node().spawn_container("busybox", sleep=True)
print(ctr.run_process("echo hi from python")[0].decode().strip())
loc.disconnect()' 2>"$TFT/python.err") || true
check "the packaged tfnz runs a process in a container" [ "$out" = "hi from python" ]
finish
