#!/bin/sh
# Names are validated at the edge (issue 17): with a real location, node
# and runc, alice owns a tagged container, a tunnel and a tagged volume;
# then alice and the administrator root send every request that names a
# container, volume, tag, node, tunnel or KV key with "", ":", "x:", ":x",
# an overlong name and bytes that are not UTF-8.  Each is refused with an
# error naming the field (tests/unit/name_probe.c), and alice's objects
# are all still there and working afterwards.  Exit 77 without root or
# runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup
tf_add_user root --admin

TAG=named-web
prog_bg owner vis_owner $TAG
wait_for "$TFT/owner.out" '^# ready' 120 || true
c=$(value owner container); v=$(value owner volume); lp=$(value owner localport)
check "the owner made its objects" [ -n "$c" ] && [ -n "$v" ]

for u in alice root; do
	RUNS=$((RUNS + 1))
	out=$TFT/probe-$u.out
	rc=0
	TF_DIR=$TFT/acct-$u "$BUILD/tests/name_probe" "$c" "$v" >"$out" 2>"$out.err" || rc=$?
	prog_count "$out" "name_probe as $u" "$rc"
done
check "the owner's tunnel still serves its page" \
	sh -c "curl -s -m 10 http://127.0.0.1:$lp/ | grep -q \"owner's page\""
# The owner checks that its container runs, its files, KV value, volume
# and tunnel are untouched.
step owner end
prog_wait owner
finish
