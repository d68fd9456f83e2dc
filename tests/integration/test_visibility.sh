#!/bin/sh
# Visibility and ownership against a real location, node and runc
# (issue 6), with three accounts: alice owns a tagged container, a tunnel,
# a tagged volume and a KV pair; another session of alice sees them all,
# marked with the owning session, and can act on them; the admin root
# sees everything; bob sees nothing, hears no event about them, and every
# request of his naming them is refused.  Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup --timeout 2
tf_add_user bob
tf_add_user root --admin
for u in bob root; do
	TF_DIR=$TFT/acct-$u "$BUILD/cli/tfcache" -q busybox >/dev/null || not_ok "tfcache for $u"
done
ALICE=$TFT/acct-alice

# Everyone's event stream, from before alice makes anything.
for u in alice bob root; do
	TF_DIR=$TFT/acct-$u "$BUILD/tests/watch" > "$TFT/watch-$u.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_for "$TFT/watch-$u.out" '^offer' 10
done

TAG=shared-tag
prog_bg owner vis_owner $TAG
wait_for "$TFT/owner.out" '^# ready' 60 || true
c=$(value owner container); t=$(value owner tunnel); v=$(value owner volume)
s=$(value owner session); lp=$(value owner localport)
check "the owner made its objects" [ -n "$c" ] && [ -n "$t" ] && [ -n "$v" ]

export TF_DIR=$ALICE
prog vis_peer "$c" "$t" "$v" "$s" $TAG
export TF_DIR=$TFT/acct-root
prog vis_admin "$c" "$t" "$v" "$s" $TAG
export TF_DIR=$TFT/acct-bob
prog vis_other "$c" "$t" "$v" $TAG
check "bob's tfresources lists none of it" \
	sh -c "! '$BUILD/cli/tfresources' --compact | grep -q -e '$c' -e '$v'"
check "bob's tfvolumes cannot destroy alice's volume" \
	sh -c "! '$BUILD/cli/tfvolumes' destroy '$v' 2>/dev/null"
export TF_DIR=$ALICE
check "the owner's tunnel still serves its page" \
	sh -c "curl -s -m 10 http://127.0.0.1:$lp/ | grep -q \"owner's page\""

step owner end
prog_wait owner

check "alice's other session heard the container's events" grep -q "^container .*$c" "$TFT/watch-alice.out"
check "with the owning session" grep -q "^container .*\"session\":\"$s\"" "$TFT/watch-alice.out"
check "and the tunnel's" grep -q "^tunnel .*$t" "$TFT/watch-alice.out"
check "and the volume's" grep -q "^volume .*$v" "$TFT/watch-alice.out"
check "the admin heard them too" sh -c "grep -q '^container .*$c' '$TFT/watch-root.out' && grep -q '^tunnel .*$t' '$TFT/watch-root.out' && grep -q '^volume .*$v' '$TFT/watch-root.out'"
# heard_with FILE KIND ID TEXT: an event KIND about ID that has TEXT.
heard_with() {
	grep "^$2 .*$3" "$1" | grep -q -F "$4"
}
for k in container:$c tunnel:$t volume:$v; do
	check "the admin's ${k%%:*} record names its owner" \
		heard_with "$TFT/watch-root.out" "${k%%:*}" "${k#*:}" '"user_name":"alice"'
done
check "the tunnel record names the owning session's program" \
	heard_with "$TFT/watch-root.out" tunnel "$t" '"session_name":"vis_owner"'
check "the volume record lists the owner's container while it mounts it" \
	heard_with "$TFT/watch-alice.out" volume "$v" "\"mounts\":[\"$c\"]"
check "bob heard nothing about alice's container, tunnel, volume or session" \
	sh -c "! grep -q -e '$c' -e '$t' -e '$v' -e '$s' '$TFT/watch-bob.out'"
check "bob heard nothing of alice's tag" sh -c "! grep -q '$TAG-vol' '$TFT/watch-bob.out'"
finish
