#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# build_debian_images.sh: builds OCI images of real services from Debian's
# archive with mmdebstrap: debian (bookworm minbase), postgres (Debian's
# postgresql), redis (redis-server) and python (python3).
#
#   scripts/build_debian_images.sh [options] [OUTDIR]
#
#   OUTDIR      default $TF_IMAGES, else ./build/images
#   --force     rebuild even when the cache holds images for these inputs
#               (also: to pick up packages updated in the archive since)
#   -q          only print errors
#
# Layers: every image starts with the same minbase layer (mmdebstrap's own
# reproducible tarball), so a location stores and a node unpacks it once;
# postgres, redis and python add one layer each.  Those are made in
# mmdebstrap's customize hook: apt-get installs the packages in an
# overlayfs over the finished chroot, and the overlay's upper directory,
# with its whiteouts and opaque directories turned into OCI's .wh. files,
# is the layer.
#
# Reproducible: SOURCE_DATE_EPOCH is fixed, mmdebstrap clamps times to it,
# our layers are tarred in name order with times clamped and owners
# numeric, gzip -n; files that would differ between runs (the snakeoil TLS
# key, postgres's default cluster, logs, apt caches, Python bytecode) are
# left out.  The same script, suite and archive content give the same
# layer digests.
#
# Cached: images are kept in $TF_IMAGE_CACHE/debian/KEY (default
# /var/cache/20ft-images for root, else ~/.cache/20ft), KEY a hash of this
# script, the suite, mirror, epoch and mmdebstrap's version, so a fresh
# clone's next run just links them into OUTDIR.  Two builds at once take
# turns (flock) and the second reuses the first's result.
#
# `alpine` is not built: the tests and examples map it to the busybox
# image (scripts/build_images.sh), which has the same shell and tools.
#
# Needs: root, mmdebstrap, GNU tar, gzip, python3, overlayfs, and Debian's
# archive ($TF_DEBIAN_MIRROR, default http://deb.debian.org/debian).

set -euo pipefail
umask 022
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT_PATH="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"

SUITE=bookworm
MIRROR=${TF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
EPOCH=1700000000
EPOCH_DATE=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
IMAGES="debian postgres redis python"
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# The packages each service image adds to minbase.
packages() {
	case "$1" in
	postgres) echo postgresql ;;
	redis) echo redis-server ;;
	python) echo python3 ;;
	esac
}

QUIET=0
FORCE=0
OUTDIR=

say() { [ "$QUIET" = 1 ] || echo "build-debian-images: $*"; }
die() { echo "build-debian-images: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# The customize hook: runs inside mmdebstrap with the finished chroot.
# Usage (internal): build_debian_images.sh --hook CHROOT WORK

sha256() { sha256sum "$1" | cut -c1-64; }

# overlay_to_oci UPPER: overlayfs whiteouts (0/0 character devices) become
# .wh.NAME files and opaque directories get .wh..wh..opq.
overlay_to_oci() {
	python3 - "$1" <<-'EOF'
	import os, stat, sys
	top = sys.argv[1]
	for root, dirs, files in os.walk(top):
	    for d in dirs:
	        p = os.path.join(root, d)
	        try:
	            if os.getxattr(p, "trusted.overlay.opaque", follow_symlinks=False) == b"y":
	                open(os.path.join(p, ".wh..wh..opq"), "w").close()
	        except OSError:
	            pass
	    for f in files:
	        p = os.path.join(root, f)
	        st = os.lstat(p)
	        if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
	            os.unlink(p)
	            open(os.path.join(root, ".wh." + f), "w").close()
	EOF
}

# The files a package install leaves that differ from run to run or are
# caches; the image must not carry them.
upper_clean() {
	local u=$1
	rm -rf "$u"/var/lib/apt/lists "$u"/var/cache/apt "$u"/var/log/apt \
	    "$u"/var/log/dpkg.log "$u"/var/log/alternatives.log \
	    "$u"/var/cache/ldconfig/aux-cache "$u"/var/cache/debconf/*-old \
	    "$u"/var/lib/dpkg/*-old "$u"/etc/*- \
	    "$u"/usr/sbin/policy-rc.d "$u"/tmp "$u"/run "$u"/dev "$u"/proc "$u"/sys
	find "$u" -name __pycache__ -type d -prune -exec rm -rf {} +
	# The snakeoil TLS pair is made with a fresh random key.
	rm -f "$u"/etc/ssl/private/ssl-cert-snakeoil.key \
	    "$u"/etc/ssl/certs/ssl-cert-snakeoil.pem
	find "$u"/etc/ssl/certs -xtype l -delete 2>/dev/null || true
}

# make_layer DIR OUT: a reproducible tar of DIR's contents.
make_layer() {
	local dir=$1 out=$2 entries
	mapfile -t entries < <(cd "$dir" && ls -A)
	tar --sort=name --mtime="@$EPOCH" --clamp-mtime --numeric-owner \
	    --format=posix \
	    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	    -C "$dir" -cf "$out" -- "${entries[@]}"
}

hook_install() {
	local chroot=$1 work=$2 name=$3 pkgs
	local u="$work/$name/upper" w="$work/$name/work" m="$work/$name/merged"
	pkgs=$(packages "$name")
	mkdir -p "$u" "$w" "$m"
	mount -t overlay overlay -o "lowerdir=$chroot,upperdir=$u,workdir=$w" "$m"
	mount -t proc proc "$m/proc"
	mount --bind /dev "$m/dev"
	# Services must not start while their packages install.
	printf '#!/bin/sh\nexit 101\n' >"$m/usr/sbin/policy-rc.d"
	chmod 0755 "$m/usr/sbin/policy-rc.d"
	local rc=0
	chroot "$m" env DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="$EPOCH" \
	    apt-get install -y -q --no-install-recommends $pkgs || rc=$?
	if [ $rc = 0 ] && [ "$name" = postgres ]; then
		# Each image's data directory is made by its entrypoint,
		# on the volume; the package's default cluster has a random
		# system identifier.
		chroot "$m" sh -c 'for v in /etc/postgresql/*/main; do
			[ -d "$v" ] || continue
			ver=$(basename "$(dirname "$v")")
			pg_dropcluster "$ver" main
		done' || rc=$?
		install -m 0755 /dev/stdin "$m/usr/local/bin/tf-postgres-entrypoint" \
		    <<<"$(postgres_entrypoint)"
	fi
	umount "$m/dev"
	umount "$m/proc"
	umount "$m"
	[ $rc = 0 ] || die "$name: apt-get install $pkgs failed"
	upper_clean "$u"
	overlay_to_oci "$u"
	make_layer "$u" "$work/$name.tar"
	rm -rf "$work/$name"
}

# The postgres image's entrypoint: as root, makes the data directory (on
# the volume mounted at /var/lib/postgresql/data) the postgres user's,
# then drops to that user; initialises the cluster the first time (trust
# for local connections; password auth from other hosts when
# POSTGRES_PASSWORD is set, else trust, as the official image does);
# then runs postgres in the foreground on every address, port 5432.
postgres_entrypoint() {
	cat <<-'EOF'
	#!/bin/sh
	set -eu
	PGDATA=${PGDATA:-/var/lib/postgresql/data/pgdata}
	export PGDATA
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$PGDATA" /run/postgresql
		chown postgres:postgres "$PGDATA" "$(dirname "$PGDATA")" /run/postgresql
		chmod 0700 "$PGDATA"
		exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
	fi
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		auth=trust
		set -- "$@"
		if [ -n "${POSTGRES_PASSWORD:-}" ]; then
			auth=scram-sha-256
			printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
			"$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" \
				--auth-local=trust --auth-host="$auth" --pwfile=/tmp/pwfile
			rm -f /tmp/pwfile
		else
			"$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" \
				--auth-local=trust --auth-host=trust
		fi
		echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
		if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
			echo "CREATE DATABASE \"$POSTGRES_DB\"" |
				"$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
		fi
		echo "tf-postgres-entrypoint: initialised $PGDATA"
	fi
	exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' \
		-c unix_socket_directories=/run/postgresql "$@"
	EOF
}

if [ "${1:-}" = --hook ]; then
	chroot=$2 work=$3
	for name in $IMAGES; do
		[ "$name" = debian ] && continue
		echo "build-debian-images: $name: installing $(packages "$name")"
		hook_install "$chroot" "$work" "$name"
	done
	# mmdebstrap copies these from the host; runc bind-mounts over them.
	: >"$chroot/etc/resolv.conf"
	: >"$chroot/etc/hostname"
	# apt leaves its partial/ directories owned by root or by _apt
	# depending on how it last ran: one owner, as Debian ships them, so
	# the base layer's digest does not depend on it.
	chroot "$chroot" chown _apt:root /var/cache/apt/archives/partial \
		/var/lib/apt/lists/partial 2>/dev/null || true
	exit 0
fi

# ---------------------------------------------------------------------------
# Options

usage() {
	sed -n '/^#   scripts/,/^#   -q/p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--force) FORCE=1; shift ;;
	-q) QUIET=1; shift ;;
	-h|--help) usage 0 ;;
	-*) echo "build-debian-images: unknown option: $1" >&2; usage 2 ;;
	*)
		[ -z "$OUTDIR" ] || die "only one OUTDIR"
		OUTDIR=$1; shift ;;
	esac
done
OUTDIR=${OUTDIR:-${TF_IMAGES:-./build/images}}

[ "$(id -u)" = 0 ] || die "mmdebstrap's root mode and overlayfs need root"
for tool in mmdebstrap tar gzip sha256sum python3; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs it)"
done

if [ -n "${TF_IMAGE_CACHE:-}" ]; then
	CACHE_TOP=$TF_IMAGE_CACHE
else
	CACHE_TOP=/var/cache/20ft-images
fi
KEY=$({
	echo "script $(sha256 "$SCRIPT_PATH")"
	echo "suite $SUITE mirror $MIRROR epoch $EPOCH arch $(dpkg --print-architecture)"
	dpkg-query -W -f='${Package} ${Version}\n' mmdebstrap 2>/dev/null || true
	tar --version | head -1
} | sha256sum | cut -c1-16)
CACHE=$CACHE_TOP/debian/$KEY
mkdir -p "$CACHE_TOP/debian" "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

# ---------------------------------------------------------------------------
# Building into the cache

# write_layout NAME LAYER... : an OCI layout CACHE.new/NAME whose layers are
# the given gzipped blobs ("digest diffid size" triples in LAYERS_name).
write_layout() {
	local name=$1 dir="$CACHE.new/$name" cfg man
	local diff_ids="" layers="" hist="" entry d i s
	mkdir -p "$dir/blobs/sha256"
	for entry in "${LAYERS[@]}"; do
		read -r d i s <<<"$entry"
		ln "$CACHE.new/blobs/$d" "$dir/blobs/sha256/$d" 2>/dev/null ||
			cp "$CACHE.new/blobs/$d" "$dir/blobs/sha256/$d"
		diff_ids+="${diff_ids:+,}\"sha256:$i\""
		layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$s}"
		hist+="${hist:+,}{\"created\":\"$EPOCH_DATE\",\"created_by\":\"build_debian_images.sh: $name\"}"
	done
	printf '{"architecture":"amd64","os":"linux","created":"%s","config":{%s},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
	    "$EPOCH_DATE" "$(image_config "$name")" "$diff_ids" "$hist" \
	    >"$dir/config.json"
	cfg=$(sha256 "$dir/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
	    "$cfg" "$(stat -c %s "$dir/config.json")" "$layers" >"$dir/manifest.json"
	man=$(sha256 "$dir/manifest.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
	    "$man" "$(stat -c %s "$dir/manifest.json")" "$name" >"$dir/index.json"
	mv "$dir/config.json" "$dir/blobs/sha256/$cfg"
	mv "$dir/manifest.json" "$dir/blobs/sha256/$man"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	say "$name: ${#LAYERS[@]} layers, image id ${cfg:0:12}"
}

# The runtime config of each image (the inside of "config":{...}).
image_config() {
	local title="\"Labels\":{\"org.opencontainers.image.title\":\"$1\",\"org.opencontainers.image.source\":\"debian $SUITE\"}"
	case "$1" in
	debian)
		echo "\"Env\":[\"$PATH_ENV\",\"LANG=C.UTF-8\"],\"Cmd\":[\"bash\"],\"WorkingDir\":\"/\",$title" ;;
	postgres)
		echo "\"Env\":[\"$PATH_ENV\",\"LANG=C.UTF-8\",\"PGDATA=/var/lib/postgresql/data/pgdata\"],\"Entrypoint\":[\"/usr/local/bin/tf-postgres-entrypoint\"],\"WorkingDir\":\"/\",\"ExposedPorts\":{\"5432/tcp\":{}},\"StopSignal\":\"SIGINT\",\"Volumes\":{\"/var/lib/postgresql/data\":{}},$title" ;;
	redis)
		echo "\"Env\":[\"$PATH_ENV\",\"LANG=C.UTF-8\"],\"Cmd\":[\"redis-server\",\"--bind\",\"0.0.0.0\",\"--protected-mode\",\"no\",\"--daemonize\",\"no\",\"--logfile\",\"\"],\"User\":\"redis\",\"WorkingDir\":\"/var/lib/redis\",\"ExposedPorts\":{\"6379/tcp\":{}},$title" ;;
	python)
		echo "\"Env\":[\"$PATH_ENV\",\"LANG=C.UTF-8\"],\"Cmd\":[\"python3\"],\"WorkingDir\":\"/\",$title" ;;
	esac
}

# add_blob TAR: gzips TAR into CACHE.new/blobs; prints "digest diffid size".
add_blob() {
	local tarfile=$1 gz="$1.gz" d i
	i=$(sha256 "$tarfile")
	gzip -n -6 -c "$tarfile" >"$gz"
	d=$(sha256 "$gz")
	mkdir -p "$CACHE.new/blobs"
	mv "$gz" "$CACHE.new/blobs/$d"
	echo "$d $i $(stat -c %s "$CACHE.new/blobs/$d")"
}

build_all() {
	local work base name
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/tf-debian-images.XXXXXX")
	trap 'rm -rf "$work"' RETURN
	rm -rf "$CACHE.new"
	mkdir -p "$CACHE.new"
	say "mmdebstrap $SUITE minbase from $MIRROR (a few minutes the first time)"
	local mmq=()
	[ "$QUIET" = 1 ] && mmq=(--quiet)
	SOURCE_DATE_EPOCH=$EPOCH mmdebstrap "${mmq[@]}" --mode=root \
	    --variant=minbase --format=tar \
	    --customize-hook="\"$SCRIPT_PATH\" --hook \"\$1\" \"$work\"" \
	    "$SUITE" "$work/base.tar" "$MIRROR" >&2 ||
		die "mmdebstrap failed"
	base=$(add_blob "$work/base.tar")
	rm -f "$work/base.tar"
	for name in $IMAGES; do
		LAYERS=("$base")
		if [ "$name" != debian ]; then
			LAYERS+=("$(add_blob "$work/$name.tar")")
			rm -f "$work/$name.tar"
		fi
		write_layout "$name"
	done
	rm -rf "$CACHE.new/blobs"
	echo "$KEY" >"$CACHE.new/complete"
	rm -rf "$CACHE"
	mv "$CACHE.new" "$CACHE"
}

# Builds take turns; the second finds the first's result.
exec 9>"$CACHE_TOP/debian/.lock"
flock 9
if [ "$FORCE" = 1 ] || [ ! -f "$CACHE/complete" ]; then
	build_all
else
	say "cached: $CACHE"
fi

# Into OUTDIR: hard links when the cache is on the same file system.
for name in $IMAGES; do
	if [ -f "$OUTDIR/$name/index.json" ] &&
	    cmp -s "$OUTDIR/$name/index.json" "$CACHE/$name/index.json"; then
		continue
	fi
	rm -rf "${OUTDIR:?}/$name.new"
	cp -al "$CACHE/$name" "$OUTDIR/$name.new" 2>/dev/null ||
		cp -a "$CACHE/$name" "$OUTDIR/$name.new"
	rm -rf "${OUTDIR:?}/${name:?}"
	mv "$OUTDIR/$name.new" "$OUTDIR/$name"
	say "$name: $OUTDIR/$name"
done
