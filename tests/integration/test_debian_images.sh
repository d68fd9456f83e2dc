#!/bin/sh
# Images built from Debian's archive (issue 15): scripts/build_debian_images.sh
# makes debian, postgres, redis and python (the first run on a machine
# builds them with mmdebstrap, minutes; later runs take them from the
# cache); tfcache uploads their shared base layer once; each runs, with
# its config honoured (Cmd, Entrypoint, Env, User, WorkingDir); the
# seeds' "best way" runs a real postgres on a volume with psql in a
# Debian client across allow_connection_from, and its rows survive a
# reboot, a new db container and a new session.
# Exit 77 without root, runc or mmdebstrap.
. "$(dirname "$0")/lib_prog.sh"
need_root_runc
command -v mmdebstrap >/dev/null || skip "needs mmdebstrap"
[ -x "$PROG/pg_bestway" ] || skip "tests/prog not built"
prog_images
start=$(date +%s)
"$TOP/scripts/build_debian_images.sh" -q "$TF_IMAGES" > "$TFT/build.log" 2>&1 &&
	rc=0 || rc=$?
echo "# build_debian_images.sh: $(($(date +%s) - start)) s"
if [ "$rc" != 0 ]; then
	tail -n 20 "$TFT/build.log" | sed 's/^/#   /'
	not_ok "scripts/build_debian_images.sh built the images"
	finish
fi
ok "scripts/build_debian_images.sh built the images"
base=""
for i in debian postgres redis python; do
	m=$(sed 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/' "$TF_IMAGES/$i/index.json")
	b=$(sed 's/.*"layers":\[{[^}]*"digest":"sha256:\([0-9a-f]*\)".*/\1/' \
		"$TF_IMAGES/$i/blobs/sha256/$m")
	[ -n "$base" ] || base=$b
	[ "$b" = "$base" ] || not_ok "$i starts with the shared base layer"
done

tf_start_location
tf_add_user alice
export TF_DIR=$TFT/acct-alice
tf_start_node node1
TFC=$BUILD/cli/tfcache
TFB=$BUILD/cli/tf
# A bare image name that is also a path here is taken as the path (the
# source tree has a python/ directory).
cd "$TFT"

"$TFC" debian > /dev/null 2> "$TFT/push-debian.err" ||
	not_ok "tfcache debian"
for i in postgres redis python; do
	"$TFC" "$i" > /dev/null 2> "$TFT/push-$i.err" || not_ok "tfcache $i"
done
check "the shared Debian base layer is uploaded once (1 of 2 for the others)" \
	sh -c "grep -q 'Layers to upload: 1 of 1' '$TFT/push-debian.err' &&
	grep -q 'Layers to upload: 1 of 2' '$TFT/push-postgres.err' &&
	grep -q 'Layers to upload: 1 of 2' '$TFT/push-redis.err' &&
	grep -q 'Layers to upload: 1 of 2' '$TFT/push-python.err'"

"$TFB" -q debian sh -c 'cat /etc/debian_version; echo "lang=$LANG"' \
	> "$TFT/debian.out" 2>&1 || true
check "debian runs: Debian 12, its Env" sh -c "grep -q '^12' '$TFT/debian.out' &&
	grep -q 'lang=C.UTF-8' '$TFT/debian.out'"
"$TFB" -q python python3 -c 'print("py", 6 * 7)' > "$TFT/python.out" 2>&1 || true
check "python runs python3" grep -q "py 42" "$TFT/python.out"
"$TFB" -q redis sh -c 'id -un; pwd; redis-server --daemonize yes --logfile "" >/dev/null
	for i in $(seq 100); do redis-cli ping 2>/dev/null && break; sleep 0.1; done
	redis-cli set k v >/dev/null; redis-cli get k' > "$TFT/redis.out" 2>&1 || true
check "redis runs as its User in its WorkingDir" sh -c "grep -qx redis '$TFT/redis.out' &&
	grep -qx /var/lib/redis '$TFT/redis.out'"
check "redis-server answers redis-cli" sh -c "grep -qx PONG '$TFT/redis.out' && grep -qx v '$TFT/redis.out'"
sed 's/^/#   /' "$TFT/redis.out" | head -n 6

# The best way, with postgres: a new volume, then the same one from the
# KV store in a later session.
prog pg_bestway new 1
prog pg_bestway reuse 2
finish
