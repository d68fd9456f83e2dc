#!/bin/sh
# tfcon_endpoints: the console's Endpoints view against a real location
# with its HAProxy (--http on loopback), a node and nginx containers (root,
# runc and haproxy needed, else skipped): `tf -w` publishes one nginx, the
# view shows its FQDN, domain, member (tag, state, up as HAProxy checks
# it) and a request rate while curl sends requests; cluster.add and
# cluster.remove on a second nginx selected in the containers view put it
# in the cluster and take it out.
#
# usage: tests/tui/tfcon_endpoints.sh BUILD_DIR   (or $BUILD)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { echo "SKIP: needs haproxy"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: needs curl"; exit 77; }
# The balancer on a port of the test's own (lib.sh picks PORT per test).
REAL_LOC_ARGS='--http 127.0.0.1:$((PORT + 3))'
. "$(dirname "$0")/real_lib.sh"
HTTP=$((PORT + 3))
FQDN=site.alice.test
TF_IMAGES="$TFT/images" "$BUILD/cli/tfcache" -q nginx >/dev/null ||
    { echo "FAIL: tfcache nginx"; exit 1; }
"$TFLOC" --state "$TFT/loc" domain-add alice.test alice >/dev/null
"$BUILD/cli/tf" -q --tag web1 -w "$FQDN" nginx > "$TFT/tf1.out" 2>&1 &
PIDS="$PIDS $!"
"$BUILD/cli/tf" -q --tag web2 nginx > "$TFT/tf2.out" 2>&1 &
PIDS="$PIDS $!"
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		--resolve "$FQDN:$HTTP:127.0.0.1" "http://$FQDN:$HTTP/" 2>/dev/null
}
i=0
while [ "$(code)" != 200 ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.2; done
[ "$(code)" = 200 ] || { echo "FAIL: $FQDN never answered"; cat "$TFT/tf1.out"; exit 1; }
# Requests flow while the console looks (a rate to show).
( while [ ! -f "$TFT/stop" ]; do code >/dev/null; done ) &
PIDS="$PIDS $!"

real_tui_begin
tui_start 150 32
wait_for "● up|up  rtt [0-9]+ms" 10
keys 8
wait_for " 8 Web .*" 10
wait_for "$FQDN +alice\.test +1/1 +[1-9]" 30
wait_for "web1 running up" 10
# The second nginx joins the cluster from the containers view.
keys 2
wait_for ":web2 +nginx .*running" 30
keys /
type_text "web2"
keys Enter
keys :
type_text "cluster.add $FQDN"
keys Enter
wait_for "added to $FQDN" 15
keys 8
wait_for "$FQDN +alice\.test +2/2" 30
wait_for "web2 running up" 10
# And leaves it.
keys 2 :
type_text "cluster.remove $FQDN"
keys Enter
wait_for "removed from $FQDN" 15
keys 8
wait_for "$FQDN +alice\.test +1/1" 30
wait_gone "web2 running" 10
touch "$TFT/stop"
keys q
wait_for "TFCON-EXITED 0"
pass
