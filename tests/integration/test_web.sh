#!/bin/sh
# Web endpoints through the location's HAProxy (issue 18), against a real
# location (--http on loopback), node and runc, with curl --resolve: three
# nginx containers behind one FQDN answer in turn; another account and
# malformed names are refused; a destroyed member drops out with no failed
# request; reloads during a request loop lose nothing; unpublish and
# garbage collection take the site away; tf -w publishes a container with a
# Host rewrite; a domain is claimed through a TXT record served by dnsmasq
# on loopback (tf-location --resolver).  Exit 77 without root, runc,
# haproxy or curl.
. "$(dirname "$0")/lib_prog.sh"
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || skip "needs haproxy"
command -v curl >/dev/null 2>&1 || skip "needs curl"
HTTP=$((PORT + 3))
HTTPS=$((PORT + 4))
DNSPORT=$((PORT + 5))
TUNPORT=$((PORT + 8))

# Start-up errors first: no haproxy, and a port already taken.
need_root_runc
"$TFLOC" --state "$TFT/loc" init >/dev/null
"$TFLOC" --state "$TFT/loc" --bind "tcp://127.0.0.1:$((PORT + 20))" \
	--http "127.0.0.1:$HTTP" --haproxy /nonexistent/haproxy run \
	> "$TFT/nohaproxy.out" 2>&1 && rc=0 || rc=$?
check "a missing haproxy is a clear start-up error" \
	sh -c "[ $rc -eq 1 ] && grep -q 'haproxy is not an executable' '$TFT/nohaproxy.out'"

prog_setup --timeout 2 --grace 3 --http "127.0.0.1:$HTTP" \
	--https "127.0.0.1:$HTTPS" \
	--resolver "127.0.0.1:$DNSPORT"
check "the location runs haproxy" wait_for "$TFT/loc.log" 'haproxy .* serving http' 10
"$TFLOC" --state "$TFT/loc" --bind "tcp://127.0.0.1:$((PORT + 20))" \
	--http "127.0.0.1:$HTTP" run > "$TFT/taken.out" 2>&1 && rc=0 || rc=$?
check "a taken --http port is a clear start-up error" \
	sh -c "[ $rc -eq 1 ] && grep -q 'cannot listen on 127.0.0.1:$HTTP' '$TFT/taken.out'"

tf_add_user bob
"$TFLOC" --state "$TFT/loc" domain-add alice.test alice >/dev/null
"$TFLOC" --state "$TFT/loc" domain-add other.test bob >/dev/null
check "domain-add refuses a malformed domain" \
	sh -c "! '$TFLOC' --state '$TFT/loc' domain-add 'a b.test' alice 2>/dev/null"
check "domain-add refuses an unknown account" \
	sh -c "! '$TFLOC' --state '$TFT/loc' domain-add x.test nobody 2>/dev/null"

FQDN=www.alice.test
get() {	# [FQDN] -> the body, or the curl failure
	curl -s --max-time 20 --resolve "${1:-$FQDN}:$HTTP:127.0.0.1" \
		"http://${1:-$FQDN}:$HTTP/" 2>&1 || echo "curl failed $?"
}
code() {	# [FQDN] -> the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
		--resolve "${1:-$FQDN}:$HTTP:127.0.0.1" "http://${1:-$FQDN}:$HTTP/" 2>/dev/null
}
# until_code CODE [FQDN]: a change reaches HAProxy by a reload, which
# takes a moment: waits (up to 30 s) for the status.
until_code() {
	_uc_i=0
	while [ "$(code "${2:-}")" != "$1" ] && [ $_uc_i -lt 150 ]; do
		_uc_i=$((_uc_i + 1)); sleep 0.2
	done
	[ "$(code "${2:-}")" = "$1" ]
}
check "nothing is published yet: 404" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --resolve $FQDN:$HTTP:127.0.0.1 http://$FQDN:$HTTP/)\" = 404 ]"

WEB_OTHER_DIR=$TFT/acct-bob; export WEB_OTHER_DIR
prog_bg web web_cluster "$FQDN"
wait_for "$TFT/web.out" '^# ready' 120 || true

# In turn: every member answers within a few rounds (health checks may
# take a second to see a member up).
seen=""; i=0
while [ $i -lt 60 ]; do
	b=$(get)
	case "$b" in "member "*) seen="$seen ${b#member }";; esac
	if echo "$seen" | grep -q 0 && echo "$seen" | grep -q 1 &&
		echo "$seen" | grep -q 2; then break; fi
	i=$((i + 1)); sleep 0.2
done
check "three nginx behind $FQDN all answer ($seen)" \
	sh -c "echo '$seen' | grep -q 0 && echo '$seen' | grep -q 1 && echo '$seen' | grep -q 2"
r1=$(get); r2=$(get); r3=$(get)
check "they answer in turn ($r1 / $r2 / $r3)" \
	sh -c "[ '$r1' != '$r2' ] && [ '$r2' != '$r3' ] && [ '$r1' != '$r3' ]"
check "an unknown name gets 404" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --resolve nope.alice.test:$HTTP:127.0.0.1 http://nope.alice.test:$HTTP/)\" = 404 ]"
check "the configuration names no client string but validated ones" \
	sh -c "! grep -q 'server x 1.2.3.4' '$TFT/loc/web/haproxy.cfg'"

step web refuse 60

step web reboot 120
i=0; back=0
while [ $i -lt 100 ]; do
	[ "$(get)" = "member 0" ] && { back=1; break; }
	i=$((i + 1)); sleep 0.2
done
check "a rebooted member comes back into the rotation" [ "$back" -eq 1 ]

step web destroy 60
m2=$(value web member2)
wait_for "$TFT/loc.log" "$m2" 10 >/dev/null || true
fails=0; twos=0; i=0
while [ $i -lt 30 ]; do
	b=$(get)
	case "$b" in "member 2") twos=$((twos + 1));; "member "*) ;; *) fails=$((fails + 1));; esac
	i=$((i + 1))
done
check "the destroyed member dropped out with no failed request ($fails failed, $twos from it)" \
	[ "$((fails + twos))" -eq 0 ]

# Reloads during a request loop: member 1 leaves and comes back ten
# times (a reload each) while requests run back to back.
: > "$TFT/loop.out"
( while [ ! -f "$TFT/loop.stop" ]; do code >> "$TFT/loop.out"; echo >> "$TFT/loop.out"; done ) &
LOOP=$!
PIDS="$PIDS $LOOP"
reloads0=$(grep -c 'web balancer: reload' "$TFT/loc.log" || true)
step web reload 120
touch "$TFT/loop.stop"; wait $LOOP 2>/dev/null || true
total=$(grep -c . "$TFT/loop.out" || true)
bad=$(grep -vc '^200$' "$TFT/loop.out" || true)
check "no request lost across the reloads ($total requests, $bad not 200)" \
	sh -c "[ $total -gt 20 ] && [ $bad -eq 0 ]"
check "haproxy's master is the same after the reloads" \
	sh -c "[ \$(cat '$TFT/loc/web/haproxy.pid') -gt 0 ] && kill -0 \$(cat '$TFT/loc/web/haproxy.pid')"

step web unpublish 60
check "unpublished: 404" until_code 404

step web again 60
check "published again: 200" until_code 200
kill -9 "$(cat "$TFT/web.pid")" 2>/dev/null || true
wait_for "$TFT/loc.log" "unpublished: its session was collected" 30 || true
check "garbage collection unpublished the killed client's site" until_code 404
# Killed on purpose: its own lines count, not its status.
wait "$(cat "$TFT/web.pid")" 2>/dev/null || true
prog_count "$TFT/web.out" web_cluster 0

# tf -w with a rewrite: the container sees the rewritten Host.
TF_DIR=$TFT/acct-alice "$BUILD/cli/tf" --local "127.0.0.1:$PORT" -p "$TUNPORT:80" \
	-w site.alice.test:inner.test nginx > "$TFT/tfw.out" 2>&1 &
TFW=$!
PIDS="$PIDS $TFW"
i=0
while [ $i -lt 300 ] && ! get site.alice.test | grep -q 'Welcome to nginx'; do
	i=$((i + 1)); sleep 0.2
done
check "tf -w publishes the container at site.alice.test" \
	sh -c "curl -s --resolve site.alice.test:$HTTP:127.0.0.1 http://site.alice.test:$HTTP/ | grep -q 'Welcome to nginx'"
check "with the Host rewrite in HAProxy's configuration" \
	grep -q 'http-request set-header Host inner.test' "$TFT/loc/web/haproxy.cfg"
check "tfresources shows the endpoint" \
	sh -c "TF_DIR='$TFT/acct-alice' '$BUILD/cli/tfresources' --local 127.0.0.1:$PORT | grep -q site.alice.test"
check "tfdomains list shows the domain and the site" \
	sh -c "TF_DIR='$TFT/acct-alice' '$BUILD/cli/tfdomains' --local 127.0.0.1:$PORT list | grep -q 'site.alice.test'"
# A location restart keeps the site: clusters are in its database, and
# the new HAProxy serves them as soon as it starts.
tf_stop_location
check "haproxy stopped with the location" \
	sh -c "! kill -0 \$(cat '$TFT/loc/web/haproxy.pid') 2>/dev/null"
tf_start_location --timeout 2 --grace 3 --http "127.0.0.1:$HTTP" \
	--https "127.0.0.1:$HTTPS" --resolver "127.0.0.1:$DNSPORT"
check "after a location restart the site is served again" until_code 200 site.alice.test
kill "$TFW" 2>/dev/null || true
wait "$TFW" 2>/dev/null || true
check "tf's exit unpublished it" until_code 404 site.alice.test

# Claiming a domain through DNS: dnsmasq on loopback serves the TXT record.
TFD="$BUILD/cli/tfdomains"
tok=$(TF_DIR=$TFT/acct-alice "$TFD" --local "127.0.0.1:$PORT" prepare claimed.test |
	sed -n 's/.*TXT=//p')
check "tfdomains prepare prints a token" [ -n "$tok" ]
if command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ]; then
	DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
	"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address=127.0.0.1 \
		--port="$DNSPORT" --pid-file= --user=root \
		--txt-record="tf-token.claimed.test,$tok" \
		--txt-record="tf-token.wrong.test,not-the-token" \
		> "$TFT/dnsmasq.log" 2>&1 &
	PIDS="$PIDS $!"
	sleep 0.5
	check "bob cannot claim it with alice's record" \
		sh -c "! TF_DIR='$TFT/acct-bob' '$TFD' --local 127.0.0.1:$PORT claim claimed.test"
	check "alice claims it: the TXT record holds her token" \
		sh -c "TF_DIR='$TFT/acct-alice' '$TFD' --local 127.0.0.1:$PORT claim claimed.test | grep -q 'Claimed successfully'"
	check "bob cannot prepare a domain alice holds" \
		sh -c "! TF_DIR='$TFT/acct-bob' '$TFD' --local 127.0.0.1:$PORT prepare claimed.test 2>/dev/null"
	TF_DIR=$TFT/acct-bob "$TFD" --local "127.0.0.1:$PORT" prepare wrong.test >/dev/null
	out=$(TF_DIR=$TFT/acct-bob "$TFD" --local "127.0.0.1:$PORT" claim wrong.test 2>&1) && rc=0 || rc=$?
	check "a record that does not hold the token is refused ($out)" \
		sh -c "[ $rc -ne 0 ] && echo '$out' | grep -q 'does not hold the token'"
	check "global: bob may then publish under alice's domain" \
		sh -c "TF_DIR='$TFT/acct-alice' '$TFD' --local 127.0.0.1:$PORT global claimed.test >/dev/null &&
		TF_DIR='$TFT/acct-bob' '$TFD' --local 127.0.0.1:$PORT list | grep -q 'claimed.test (global'"
	check "release: the domain is gone" \
		sh -c "TF_DIR='$TFT/acct-alice' '$TFD' --local 127.0.0.1:$PORT release claimed.test >/dev/null &&
		! TF_DIR='$TFT/acct-alice' '$TFD' --local 127.0.0.1:$PORT list | grep -q claimed.test"
else
	echo "# no dnsmasq: domain claims not tested"
fi

# HTTPS: two sites, each with its own certificate, chosen by SNI; a
# certificate whose key does not match is refused and the rest serve on.
if command -v openssl >/dev/null 2>&1; then
	for n in a b; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj "/CN=secure-$n.alice.test" \
			-addext "subjectAltName=DNS:secure-$n.alice.test" \
			-keyout "$TFT/cert-$n.key" -out "$TFT/cert-$n.crt" 2>/dev/null
	done
	cp "$TFT/cert-a.crt" "$TFT/cert-bad.crt"; cp "$TFT/cert-b.key" "$TFT/cert-bad.key"
	tls() {	# NAME CERT -> the body over HTTPS, verified against CERT
		curl -s --max-time 20 --cacert "$TFT/cert-$2.crt" \
			--resolve "$1:$HTTPS:127.0.0.1" "https://$1:$HTTPS/" 2>&1 ||
			echo "curl failed $?"
	}
	TF_DIR=$TFT/acct-alice "$BUILD/cli/tf" --local "127.0.0.1:$PORT" -p "$((PORT + 8)):80" \
		-w "secure-a.alice.test::$TFT/cert-a" nginx > "$TFT/tfa.out" 2>&1 &
	TFA=$!; PIDS="$PIDS $TFA"
	TF_DIR=$TFT/acct-alice "$BUILD/cli/tf" --local "127.0.0.1:$PORT" -p "$((PORT + 9)):80" \
		-w "secure-b.alice.test::$TFT/cert-b" nginx > "$TFT/tfb.out" 2>&1 &
	TFB=$!; PIDS="$PIDS $TFB"
	i=0
	while [ $i -lt 300 ] && ! { tls secure-a.alice.test a | grep -q 'Welcome to nginx' &&
		tls secure-b.alice.test b | grep -q 'Welcome to nginx'; }; do
		i=$((i + 1)); sleep 0.2
	done
	check "HTTPS: secure-a is served with its own certificate" \
		sh -c "curl -s --cacert '$TFT/cert-a.crt' --resolve secure-a.alice.test:$HTTPS:127.0.0.1 https://secure-a.alice.test:$HTTPS/ | grep -q 'Welcome to nginx'"
	check "HTTPS: secure-b is served with its own certificate (SNI)" \
		sh -c "curl -s --cacert '$TFT/cert-b.crt' --resolve secure-b.alice.test:$HTTPS:127.0.0.1 https://secure-b.alice.test:$HTTPS/ | grep -q 'Welcome to nginx'"
	check "HTTPS: secure-b does not verify against secure-a's certificate" \
		sh -c "! curl -s --cacert '$TFT/cert-a.crt' --resolve secure-b.alice.test:$HTTPS:127.0.0.1 https://secure-b.alice.test:$HTTPS/ >/dev/null"
	TF_DIR=$TFT/acct-alice "$BUILD/cli/tf" --local "127.0.0.1:$PORT" -p "$((PORT + 7)):80" \
		-w "bad.alice.test::$TFT/cert-bad" nginx > "$TFT/tfbad.out" 2>&1 && rc=0 || rc=$?
	check "a certificate whose key does not match is refused (exit $rc)" \
		sh -c "[ $rc -eq 12 ] && grep -q 'cannot use the certificate' '$TFT/tfbad.out'"
	check "and the other sites serve on" \
		sh -c "curl -s --cacert '$TFT/cert-a.crt' --resolve secure-a.alice.test:$HTTPS:127.0.0.1 https://secure-a.alice.test:$HTTPS/ | grep -q 'Welcome to nginx'"
	kill "$TFA" "$TFB" 2>/dev/null || true
	wait "$TFA" "$TFB" 2>/dev/null || true
else
	echo "# no openssl: HTTPS not tested"
fi

tf_stop_all
check "haproxy stopped with the location at the end" \
	sh -c "! kill -0 \$(cat '$TFT/loc/web/haproxy.pid') 2>/dev/null"
finish
