#!/bin/sh
# Accounts and authentication against a real tf-location: a client with a
# valid key gets an offer; an unknown key is refused with a clear error; an
# invite token works once; malformed messages get an error reply and the
# connection stays up.
. "$(dirname "$0")/lib.sh"

tf_start_location
tf_add_user alice

out=$(as_user alice "$BUILD/cli/tfresources" --compact 2>&1) || true
check "a valid key gets the resource offer" \
	sh -c "echo '$out' | grep -q '\"nodes\":'"

# An unknown but well-formed key pair.
mkdir -p "$TFT/acct-mallory"
cp "$TFT/acct-alice/local.spub" "$TFT/acct-alice/local.endpoint" \
   "$TFT/acct-alice/default_location" "$TFT/acct-mallory/"
"$BUILD/tests/keygen" "$TFT/acct-mallory/local.pub" "$TFT/acct-mallory/local"
out=$(as_user mallory "$BUILD/cli/tfresources" 2>&1) && rc=0 || rc=$?
check "an unknown key is refused (exit 1)" [ "$rc" -eq 1 ]
check "the refusal says why" sh -c "echo '$out' | grep -q 'refused this key'"

tok=$("$TFLOC" --state "$TFT/loc" invite bob)
check "an invite token works once" \
	env TF_DIR="$TFT/acct-bob" "$BUILD/cli/tf" account local "$tok" --local "127.0.0.1:$PORT"
out=$(TF_DIR="$TFT/acct-bob2" "$BUILD/cli/tf" account local "$tok" --local "127.0.0.1:$PORT" 2>&1) && rc=0 || rc=$?
check "the same token fails the second time" [ "$rc" -ne 0 ]
check "with a clear message" sh -c "echo '$out' | grep -q 'used already'"
out=$(TF_DIR="$TFT/acct-x" "$BUILD/cli/tf" account local "tf1garbage" --local "127.0.0.1:$PORT" 2>&1) && rc=0 || rc=$?
check "a malformed token is refused" [ "$rc" -ne 0 ]

check "malformed and oversized messages get errors, the connection stays up" \
	env TF_DIR="$TFT/acct-alice" "$BUILD/tests/proto_fuzz"
check "the location survived all of it" kill -0 "$LOC_PID"
finish
