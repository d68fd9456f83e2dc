#!/bin/sh
# Images from registries (issue 15): Debian's docker-registry on loopback,
# with and without htpasswd auth, serves images pushed to it with skopeo;
# tfcache and tf pull them (docker://127.0.0.1:PORT/...) into the location
# and they run: gzip and zstd layers, whiteouts, opaque directories, hard
# links and symlinks (unpack-test), a multi-arch index (linux/amd64 is
# picked), credentials from --creds and from an auth file, a second pull
# that downloads and uploads nothing, tfcache --prune, and a gzip layer
# whose tar is not its diff_id (deleted by the location's check).
# Exit 77 without root, runc, skopeo or docker-registry.
. "$(dirname "$0")/lib_prog.sh"
need_root_runc
command -v skopeo >/dev/null || skip "needs skopeo"
command -v docker-registry >/dev/null || skip "needs docker-registry"
command -v htpasswd >/dev/null || skip "needs htpasswd (apache2-utils)"
prog_images
tf_start_location
tf_add_user alice
export TF_DIR=$TFT/acct-alice
tf_start_node node1
# A pull cache of this test's own: the first pull downloads everything.
export TF_IMAGE_CACHE=$TFT/cache
TFC=$BUILD/cli/tfcache
TFB=$BUILD/cli/tf

# free_port N: a loopback port from N up that nothing listens on.
free_port() {
	_fp=$1
	while ss -Hltn "( sport = :$_fp )" 2>/dev/null | grep -q .; do
		_fp=$((_fp + 1))
	done
	echo "$_fp"
}

# registry NAME PORT [HTPASSWD]: a docker-registry of our own on loopback.
registry() {
	mkdir -p "$TFT/$1-data"
	{
		echo "version: 0.1"
		echo "log: {level: info}"
		echo "storage: {filesystem: {rootdirectory: $TFT/$1-data}}"
		echo "http: {addr: 127.0.0.1:$2}"
		if [ -n "${3:-}" ]; then
			echo "auth: {htpasswd: {realm: tf-test, path: $3}}"
		fi
	} > "$TFT/$1.yml"
	docker-registry serve "$TFT/$1.yml" > "$TFT/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for "$TFT/$1.log" "listening on" 30
}

REG_PORT=$(free_port $((PORT + 7000)))
registry reg "$REG_PORT" || not_ok "the registry started"
REG=127.0.0.1:$REG_PORT
AUTH_PORT=$(free_port $((REG_PORT + 1)))
htpasswd -Bbn tester s3cret > "$TFT/htpasswd"
registry areg "$AUTH_PORT" "$TFT/htpasswd" || not_ok "the registry with auth started"
AREG=127.0.0.1:$AUTH_PORT

push() {	# SRC DEST [skopeo options]
	_src=$1; _dst=$2; shift 2
	skopeo copy -q --dest-tls-verify=false "$@" "$_src" "docker://$_dst" \
		>> "$TFT/skopeo.log" 2>&1
}
# zstd first: the registry would reuse the gzip blobs of a layer it has.
check "skopeo pushes unpack-test with zstd layers" \
	push "oci:$TF_IMAGES/unpack-test" "$REG/test/unpack:zstd" \
	--dest-compress-format zstd
skopeo inspect --raw --tls-verify=false "docker://$REG/test/unpack:zstd" \
	> "$TFT/zstd.manifest" 2>&1 || true
check "the zstd image's layers are all zstd" sh -c "grep -q 'tar+zstd' '$TFT/zstd.manifest' &&
	! grep -q 'tar+gzip' '$TFT/zstd.manifest'"
check "skopeo pushes busybox to the registry" \
	push "oci:$TF_IMAGES/busybox" "$REG/test/busybox:1"
check "skopeo pushes unpack-test (gzip layers)" \
	push "oci:$TF_IMAGES/unpack-test" "$REG/test/unpack:gzip"

# A multi-arch index: ends-test claims linux/arm64, busybox linux/amd64
# (second, so the pick is by platform, not by place).
multi_layout() {
	_m=$TFT/multi
	mkdir -p "$_m/blobs/sha256"
	cp -u "$TF_IMAGES"/busybox/blobs/sha256/* "$TF_IMAGES"/ends-test/blobs/sha256/* \
		"$_m/blobs/sha256/"
	python3 - "$TF_IMAGES" "$_m" <<-'EOF'
	import hashlib, json, sys
	images, out = sys.argv[1], sys.argv[2]
	def desc(name, arch):
	    d = json.load(open(f"{images}/{name}/index.json"))["manifests"][0]
	    return {"mediaType": d["mediaType"], "digest": d["digest"],
	            "size": d["size"],
	            "platform": {"architecture": arch, "os": "linux"}}
	index = json.dumps({"schemaVersion": 2,
	    "mediaType": "application/vnd.oci.image.index.v1+json",
	    "manifests": [desc("ends-test", "arm64"),
	                  desc("busybox", "amd64")]}).encode()
	h = hashlib.sha256(index).hexdigest()
	open(f"{out}/blobs/sha256/{h}", "wb").write(index)
	json.dump({"schemaVersion": 2, "manifests": [{
	    "mediaType": "application/vnd.oci.image.index.v1+json",
	    "digest": "sha256:" + h, "size": len(index),
	    "annotations": {"org.opencontainers.image.ref.name": "multi"}}]},
	    open(f"{out}/index.json", "w"))
	open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
	EOF
}
multi_layout
check "skopeo pushes a multi-arch index" \
	push "oci:$TFT/multi:multi" "$REG/test/multi:1" --all

# The id of the local busybox, as tfcache reports it.
bb_id=$("$TFC" -q busybox | sed 's/.*: //')

# The first pull: everything comes from the registry; progress on stderr.
"$TFC" "docker://$REG/test/busybox:1" > "$TFT/pull1.out" 2> "$TFT/pull1.err" &&
	rc=0 || rc=$?
check "tfcache docker://REG/test/busybox:1 pulls and pushes it" [ "$rc" = 0 ]
check "... as the same image (id) as the local busybox" \
	grep -q ": $bb_id\$" "$TFT/pull1.out"
check "... with the pull's bytes and rate on stderr" \
	grep -q "Pulled docker://$REG/test/busybox:1: [0-9.]* MB new in .*MB/s" "$TFT/pull1.err"
sed 's/^/#   /' "$TFT/pull1.err" | tail -n 4

check "the offer names the image's origin (the console's Images view)" \
	sh -c "'$BUILD/cli/tfresources' | grep -q '\"origin\": *\"docker://$REG/test/busybox:1\"'"

# It runs, by its reference and by its name at the location.
"$TFB" -q "docker://$REG/test/busybox:1" echo hello-from-registry \
	> "$TFT/run1.out" 2>&1 || true
check "tf docker://... runs the pulled image" grep -q hello-from-registry "$TFT/run1.out"
"$TFB" -q "$REG/test/busybox:1" echo by-name > "$TFT/run2.out" 2>&1 || true
check "tf REG/REPO:TAG runs it by the name the location knows" \
	grep -q by-name "$TFT/run2.out"

# A second pull of the unchanged image: nothing downloaded, nothing
# uploaded, in well under the first one's time.
start=$(date +%s%N)
"$TFC" "docker://$REG/test/busybox:1" > "$TFT/pull2.out" 2> "$TFT/pull2.err" &&
	rc=0 || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "# second pull of an unchanged image: $ms ms"
check "a second pull downloads nothing" sh -c "[ $rc = 0 ] && grep -q 'Pulled .*: 0.0 MB new' '$TFT/pull2.err'"
check "... and uploads nothing" grep -q "No layers need uploading" "$TFT/pull2.err"
"$TFC" -q "docker://$REG/test/busybox:1" > /dev/null 2> "$TFT/q.err" && rc=0 || rc=$?
check "-q: nothing on stderr" sh -c "[ $rc = 0 ] && [ ! -s '$TFT/q.err' ]"

# Whiteouts, opaque dirs, hard links and symlinks, with gzip and zstd.
for c in gzip zstd; do
	"$TFB" "docker://$REG/test/unpack:$c" > "$TFT/unpack-$c.out" 2>&1 || true
	check "unpack-test ($c layers from the registry) unpacks exactly" \
		grep -q "unpack-test: ok" "$TFT/unpack-$c.out"
	grep '^unpack-test' "$TFT/unpack-$c.out" | sed 's/^/#   /'
done

"$TFC" "docker://$REG/test/multi:1" > "$TFT/multi.out" 2> "$TFT/multi.err" || true
check "a multi-arch index gives the linux/amd64 image" grep -q ": $bb_id\$" "$TFT/multi.out"

"$TFC" "docker://$REG/test/busybox:nope" > /dev/null 2> "$TFT/nope.err" && rc=0 || rc=$?
check "an unknown tag fails with the registry's reason" \
	sh -c "[ $rc = 1 ] && grep -q 'manifest unknown' '$TFT/nope.err'"
sed 's/^/#   /' "$TFT/nope.err"

# The registry with htpasswd auth.
check "skopeo pushes busybox to the registry with auth" \
	push "oci:$TF_IMAGES/busybox" "$AREG/private/busybox:1" --dest-creds tester:s3cret
"$TFC" "docker://$AREG/private/busybox:1" > /dev/null 2> "$TFT/noauth.err" && rc=0 || rc=$?
check "without credentials the pull is refused, and says why" \
	sh -c "[ $rc = 1 ] && grep -qi 'auth' '$TFT/noauth.err'"
sed 's/^/#   /' "$TFT/noauth.err"
"$TFC" --creds tester:wrong "docker://$AREG/private/busybox:1" > /dev/null 2>&1 && rc=0 || rc=$?
check "wrong credentials are refused" [ "$rc" = 1 ]
"$TFC" --creds tester:s3cret "docker://$AREG/private/busybox:1" > "$TFT/auth1.out" 2>&1 || true
check "--creds USER:PASS pulls it" grep -q ": $bb_id\$" "$TFT/auth1.out"
check "... and the password is left nowhere in the cache" \
	sh -c "! grep -rq s3cret '$TF_IMAGE_CACHE' && ! ls -a '$TF_IMAGE_CACHE/pulled' | grep -q '^.auth'"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$AREG" \
	"$(printf tester:s3cret | base64)" > "$TFT/auth.json"
"$TFC" --authfile "$TFT/auth.json" "docker://$AREG/private/busybox:1" > "$TFT/auth2.out" 2>&1 || true
check "--authfile FILE pulls it" grep -q ": $bb_id\$" "$TFT/auth2.out"
REGISTRY_AUTH_FILE=$TFT/auth.json "$TFC" "docker://$AREG/private/busybox:1" > "$TFT/auth3.out" 2>&1 || true
check "the standard auth file (\$REGISTRY_AUTH_FILE) pulls it" grep -q ": $bb_id\$" "$TFT/auth3.out"
"$TFB" -q --creds tester:s3cret "docker://$AREG/private/busybox:1" echo private-run \
	> "$TFT/auth-run.out" 2>&1 || true
check "tf --creds runs it" grep -q private-run "$TFT/auth-run.out"

# Other transports skopeo reads: an OCI archive.
tar -C "$TF_IMAGES/busybox" -cf "$TFT/bb-oci.tar" .
"$TFC" "oci-archive:$TFT/bb-oci.tar" > "$TFT/ociarch.out" 2>&1 || true
check "tfcache oci-archive:FILE pulls it" grep -q ": $bb_id\$" "$TFT/ociarch.out"

# The pull cache is emptied on demand; the next pull downloads again.
"$TFC" --prune > "$TFT/prune.out" 2>&1
check "tfcache --prune empties the pull cache" sh -c "grep -Eq 'pull cache pruned: [1-9][0-9.]* MB freed' '$TFT/prune.out' &&
	[ -z \"\$(ls -A '$TF_IMAGE_CACHE/pulled/blobs/sha256' 2>/dev/null)\" ]"
"$TFC" "docker://$REG/test/busybox:1" > "$TFT/repull.out" 2> "$TFT/repull.err"
check "... and the next pull downloads the image again" sh -c "grep -q ': $bb_id\$' '$TFT/repull.out' &&
	grep -Eq 'Pulled .*: (0\.[1-9]|[1-9])[0-9.]* MB new' '$TFT/repull.err'"
"$TFC" --prune > "$TFT/prune2.out" 2>&1
check "... and a second prune frees what that pull added" grep -q 'pull cache pruned' "$TFT/prune2.out"

# A gzip layer goes to the location as its blob, and the location checks
# the tar inside it after the upload: a layout whose config names another
# diff_id for busybox's layer is taken, then its layer deleted, and no
# node runs it.
forged() {
	python3 - "$TF_IMAGES/busybox" "$TFT/forged" <<'PY'
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
fake = hashlib.sha256(b"forged-%d" % os.getpid()).hexdigest()
cfg["rootfs"]["diff_ids"] = ["sha256:" + fake]
man["config"]["digest"], man["config"]["size"] = store(cfg)
index["manifests"][0]["digest"], index["manifests"][0]["size"] = store(man)
index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = "forged"
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
print(fake)
PY
}
fake=$(forged)
"$TFC" "$TFT/forged" > "$TFT/forged.out" 2>&1
check "a gzip layer is taken as it is" grep -q "forged: " "$TFT/forged.out"
check "... and deleted when the tar in it is not its diff_id" \
	wait_for "$TFT/loc.log" "layer $(echo "$fake" | cut -c1-12): the gzip blob does not hold that tar" 60
check "... so the layer is gone" sh -c "! ls '$TFT'/loc/layers/$fake* 2>/dev/null | grep -q ."
"$TFB" -q forged echo forged-ran > "$TFT/forged.run" 2>&1 || true
check "... and no container runs it" sh -c "! grep -q forged-ran '$TFT/forged.run'"
finish
