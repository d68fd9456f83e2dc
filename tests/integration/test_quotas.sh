#!/bin/sh
# Per-account quotas (issue 17 item 5): a location with small limits;
# tests/prog/quota_limits reaches each (containers, tunnels, volumes,
# sessions, KV entries and bytes) and checks the refusal names it; while
# it holds them, `tf --quota` and tfresources show the use beside each
# limit.  Bad --quota values are refused at start.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"

for bad in nosuch=1 containers=-1 containers=x kv_bytes=1T =3 containers; do
	rc=0
	"$TFLOC" --state "$TFT/badq" --quota "$bad" run > "$TFT/badq.log" 2>&1 || rc=$?
	check "--quota $bad is refused with usage status 2" [ "$rc" -eq 2 ]
	check "and its message names the option" grep -q -- "--quota" "$TFT/badq.log"
done

prog_setup --timeout 2 --quota containers=2 --quota tunnels=1 \
	--quota volumes=1 --quota sessions=3 --quota kv-entries=5 \
	--quota kv_bytes=4K

prog_bg q quota_limits
if wait_for "$TFT/q.out" "^# at_quota=1" 180; then
	"$BUILD/cli/tf" --quota --local "127.0.0.1:$PORT" > "$TFT/quota.txt" 2>&1 ||
		not_ok "tf --quota ran"
	sed 's/^/#   /' "$TFT/quota.txt"
	check "tf --quota: containers 1 of 2" \
		grep -Eq '^containers +1 +2$' "$TFT/quota.txt"
	check "tf --quota: tunnels 1 of 1" \
		grep -Eq '^tunnels +1 +1$' "$TFT/quota.txt"
	check "tf --quota: volumes 1 of 1" \
		grep -Eq '^volumes +1 +1$' "$TFT/quota.txt"
	# quota_limits' own session and raw one, and tf's.
	check "tf --quota: sessions 3 of 3" \
		grep -Eq '^sessions +3 +3$' "$TFT/quota.txt"
	check "tf --quota: kv_entries 3 of 5" \
		grep -Eq '^kv_entries +3 +5$' "$TFT/quota.txt"
	check "tf --quota: kv_bytes limit 4096" \
		grep -Eq '^kv_bytes +[0-9]+ +4096$' "$TFT/quota.txt"
	# tf --quota's session is gone (it said goodbye) before the next one.
	wait_for "$TFT/loc.log" "collected" 30 >/dev/null || true
	"$BUILD/cli/tfresources" --local "127.0.0.1:$PORT" --compact \
		> "$TFT/offer.json" 2>&1 || not_ok "tfresources ran"
	check "tfresources shows the quota list" \
		grep -Eq '"kind": ?"kv_entries", ?"limit": ?5' "$TFT/offer.json"
else
	not_ok "quota_limits reached every limit"
fi
touch "$TF_STEPS/quota_shown"
prog_wait q 120

# After it: what it held is freed, and the stored data stays.
"$BUILD/cli/tf" --quota --local "127.0.0.1:$PORT" > "$TFT/quota2.txt" 2>&1
sed 's/^/#   /' "$TFT/quota2.txt"
check "KV entries and volumes outlive the session" \
	grep -Eq '^kv_entries +3 +5$' "$TFT/quota2.txt"
finish
