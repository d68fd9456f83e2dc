#!/bin/sh
# A container whose process ignores its image's StopSignal (issue 15): a
# destroy sends the StopSignal, waits out the grace period (10 s), then
# SIGKILLs the container's init, which ends every process in it: none is
# left behind, and runc has no container left.
# Exit 77 without root or runc.
. "$(dirname "$0")/lib_prog.sh"
prog_setup
TF=$BUILD/cli/tf
RUNC="runc --root $TFT/node1/runc"
runc_ids() { $RUNC list -q 2>/dev/null || true; }

# busybox, but its config says StopSignal SIGTERM (busybox's says none,
# which means SIGKILL at once).
python3 - "$TF_IMAGES/busybox" "$TFT/stubborn" <<'PY'
import hashlib, json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def load(d): return json.load(open(os.path.join(blobs, d.split(":")[1])))
def store(obj):
    data = json.dumps(obj).encode()
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, h), "wb").write(data)
    return "sha256:" + h, len(data)
index = json.load(open(os.path.join(dst, "index.json")))
man = load(index["manifests"][0]["digest"])
cfg = load(man["config"]["digest"])
cfg.setdefault("config", {})["StopSignal"] = "SIGTERM"
man["config"]["digest"], man["config"]["size"] = store(cfg)
index["manifests"][0]["digest"], index["manifests"][0]["size"] = store(man)
index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = "stubborn"
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
PY
check "tfcache takes an image whose StopSignal is SIGTERM" \
	"$BUILD/cli/tfcache" -q "$TFT/stubborn"

# Its shell ignores SIGTERM, and so does the sleep it starts.
mark=$((900000 + $$ % 99999))
"$TF" --local "127.0.0.1:$PORT" stubborn sh -c \
	"trap '' TERM; sleep $mark & while :; do sleep 1; done" \
	> "$TFT/s.out" 2> "$TFT/s.err" &
S=$!
PIDS="$PIDS $S"
i=0
while ! pgrep -f "^sleep $mark\$" >/dev/null && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the container runs" pgrep -f "^sleep $mark\$"
kill -INT "$S"
check "destroy sends its StopSignal first" \
	wait_for "$TFT/node1.log" "Terminated (its StopSignal), SIGKILL in 10 s" 60
check "the process ignores it, and SIGKILL follows the grace period" \
	wait_for "$TFT/node1.log" "still running 10 s after its StopSignal: SIGKILL" 60
i=0
while kill -0 "$S" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "tf returns" sh -c "! kill -0 $S 2>/dev/null"
i=0
while pgrep -f "^sleep $mark\$" >/dev/null && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
check "no process of the container is left (no orphan)" \
	sh -c "! pgrep -f '^sleep $mark\$'"
i=0
while [ -n "$(runc_ids)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "runc has no container left" [ -z "$(runc_ids)" ]
finish
