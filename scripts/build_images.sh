#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# build_images.sh: builds the small OCI image layouts that the tests and
# examples run (busybox, alpine, nginx, env-test, ends-test, unpack-test)
# from files already on this Debian host, with no registry and no docker
# (and rsync: busybox plus the host's rsync, for `rsync -e ssh` onto a
# container through tf --ssh).
# The images built from Debian's archive (debian, postgres, redis, python)
# are made by scripts/build_debian_images.sh.
#
#   scripts/build_images.sh [options] [OUTDIR]
#
#   OUTDIR                default $TF_IMAGES, else ./build/images
#   --docker-save NAME OUT.tar
#                         also write image NAME as a `docker save` archive
#                         (old form: <id>/layer.tar, manifest.json,
#                         <config>.json, repositories) to test the importer
#   --oci-tar NAME OUT.tar
#                         also write image NAME's OCI layout as one tarball
#   --force               rebuild even when the inputs are unchanged
#   -q                    only print errors
#
# Each image becomes OUTDIR/<name>/, a complete OCI image layout (oci-layout,
# index.json, blobs/sha256/...) whose index names the image with the
# org.opencontainers.image.ref.name annotation.  Every image starts with
# the same busybox base layer, so its digest is shared (uploaded once); the
# others add one layer each.  ends-test's layer also deletes /etc/motd of
# the base with a whiteout, so running it exercises whiteout handling;
# unpack-test has two more layers, the second of which removes files and a
# directory of the first with whiteouts, hides a directory's old content
# with an opaque marker and adds hard links and symlinks; its command
# checks them all and prints "unpack-test: ok".  alpine is the busybox
# image under its own name (its config's title differs, so it has an id of
# its own and its one layer is busybox's): the seeds run alpine for its
# shell and small tools, which busybox has too; there is no musl or apk.
#
# Layers are reproducible (sorted names, mtime 0, owner 0, gzip -n), so the
# same inputs give the same digests on every run and every machine with the
# same Debian packages.  OUTDIR/.stamps/<name> records a hash of the inputs;
# an image whose inputs are unchanged is left alone.
#
# Needs: bash, GNU tar, gzip, sha256sum, cc with static glibc (libc6-dev),
# busybox-static, nginx-light (or nginx), rsync.

set -euo pipefail
umask 022
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT_PATH="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
ENVSERVER_SRC="$SCRIPT_DIR/images/envserver.c"

BUSYBOX=${BUSYBOX:-/bin/busybox}
NGINX=${NGINX:-/usr/sbin/nginx}
NGINX_HTML=/usr/share/nginx/html/index.html
NGINX_MIME=/etc/nginx/mime.types
RSYNC=${RSYNC:-/usr/bin/rsync}

IMAGES="busybox alpine nginx rsync env-test ends-test unpack-test"
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The date in every config and history entry: fixed, for reproducibility.
EPOCH_DATE="1970-01-01T00:00:00Z"

QUIET=0
FORCE=0
OUTDIR=
DOCKER_SAVES=()
OCI_TARS=()

say() { [ "$QUIET" = 1 ] || echo "build-images: $*"; }
die() { echo "build-images: error: $*" >&2; exit 1; }

usage() {
	sed -n '/^#   scripts/,/^#   -q/p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--docker-save|--oci-tar)
		[ $# -ge 3 ] || die "$1 needs NAME and OUT.tar"
		case " $IMAGES " in *" $2 "*) ;; *) die "unknown image: $2 (have: $IMAGES)";; esac
		if [ "$1" = --docker-save ]; then
			DOCKER_SAVES+=("$2" "$3")
		else
			OCI_TARS+=("$2" "$3")
		fi
		shift 3 ;;
	--force) FORCE=1; shift ;;
	-q) QUIET=1; shift ;;
	-h|--help) usage 0 ;;
	-*) echo "build-images: unknown option: $1" >&2; usage 2 ;;
	*)
		[ -z "$OUTDIR" ] || die "only one OUTDIR"
		OUTDIR=$1; shift ;;
	esac
done
OUTDIR=${OUTDIR:-${TF_IMAGES:-./build/images}}

for tool in tar gzip sha256sum cc ldd; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is needed"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: apt-get install busybox-static"
"$BUSYBOX" --list >/dev/null 2>&1 ||
	die "$BUSYBOX does not list its applets (is it busybox?)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked; install busybox-static"
fi

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tf-build-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

sha256() { sha256sum "$1" | cut -c1-64; }
sha256_str() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# ---------------------------------------------------------------------------
# Layers

# make_layer STAGE_DIR NAME: tars STAGE_DIR reproducibly, gzips it into the
# blob store of the layout being built ($LAYOUT) and sets LAYER_DIFF (sha256
# of the tar), LAYER_DIGEST and LAYER_SIZE (of the gzip blob).
make_layer() {
	local stage=$1 name=$2 tarfile="$WORK/$2.tar" gzfile="$WORK/$2.tar.gz"
	local entries
	# Top-level names without "./", in C order; --sort=name does the rest.
	mapfile -t entries < <(cd "$stage" && ls -A)
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	    --format=posix \
	    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	    -C "$stage" -cf "$tarfile" -- "${entries[@]}"
	gzip -n -9 -c "$tarfile" >"$gzfile"
	LAYER_DIFF=$(sha256 "$tarfile")
	LAYER_DIGEST=$(sha256 "$gzfile")
	LAYER_SIZE=$(stat -c %s "$gzfile")
	mv "$gzfile" "$LAYOUT/blobs/sha256/$LAYER_DIGEST"
	rm -f "$tarfile"
}

# The busybox base: the static binary, a symlink per applet in /bin, users
# and the directories a container expects to find.
stage_busybox() {
	local root=$1 applet
	mkdir -p "$root"/{bin,etc,dev,proc,sys,root,home,run,var/log,var/spool,usr/bin,usr/sbin,usr/local/bin}
	mkdir -m 1777 "$root/tmp" "$root/var/tmp"
	chmod 0700 "$root/root"
	ln -s ../run "$root/var/run"
	ln -s ../run/lock "$root/var/lock"
	cp "$BUSYBOX" "$root/bin/busybox"
	chmod 0755 "$root/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		case "$applet" in busybox|*/*) continue ;; esac
		ln -s busybox "$root/bin/$applet"
	done
	write_passwd "$root" ""
	cat >"$root/etc/nsswitch.conf" <<-'EOF'
	passwd: files
	group: files
	shadow: files
	hosts: files dns
	EOF
	printf 'welcome to the 20ft busybox base image\n' >"$root/etc/motd"
	printf 'root:*::0:::::\nnobody:*::0:::::\n' >"$root/etc/shadow"
	chmod 0640 "$root/etc/shadow"
	# runc bind-mounts these; they must exist as files to mount onto.
	: >"$root/etc/hosts"
	: >"$root/etc/resolv.conf"
	: >"$root/etc/hostname"
}

# write_passwd ROOT EXTRA_USER_LINE: /etc/passwd and /etc/group like the
# busybox image's, plus one extra service user if given ("name:uid").
write_passwd() {
	local root=$1 extra=$2
	cat >"$root/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/bin/false
	bin:x:2:2:bin:/bin:/bin/false
	sys:x:3:3:sys:/dev:/bin/false
	www-data:x:33:33:www-data:/var/www:/bin/false
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root/etc/group" <<-'EOF'
	root:x:0:
	daemon:x:1:
	bin:x:2:
	sys:x:3:
	tty:x:5:
	www-data:x:33:
	nogroup:x:65534:
	EOF
	if [ -n "$extra" ]; then
		local name=${extra%%:*} id=${extra##*:}
		echo "$name:x:$id:$id:$name:/nonexistent:/bin/false" >>"$root/etc/passwd"
		echo "$name:x:$id:" >>"$root/etc/group"
	fi
}

# nginx with its shared libraries, the dynamic loader, and a configuration
# like the official image's: the welcome page on port 80, in the
# foreground, logs to stdout/stderr.  No modules: nginx-light's
# /etc/nginx/modules-enabled is not copied, and our nginx.conf loads none.
stage_nginx() {
	local root=$1 lib dest
	mkdir -p "$root"/{usr/sbin,etc/nginx/conf.d,usr/share/nginx/html,var/log/nginx,var/lib/nginx,var/cache/nginx}
	cp "$NGINX" "$root/usr/sbin/nginx"
	chmod 0755 "$root/usr/sbin/nginx"
	for lib in $(nginx_libs); do
		dest="$root$lib"
		mkdir -p "$(dirname "$dest")"
		cp -L "$lib" "$dest"
		chmod 0644 "$dest"
		case "$lib" in */ld-linux*) chmod 0755 "$dest" ;; esac
	done
	write_passwd "$root" "nginx:101"
	cp "$NGINX_MIME" "$root/etc/nginx/mime.types"
	chmod 0644 "$root/etc/nginx/mime.types"
	cp "$NGINX_HTML" "$root/usr/share/nginx/html/index.html"
	chmod 0644 "$root/usr/share/nginx/html/index.html"
	cat >"$root/usr/share/nginx/html/50x.html" <<-'EOF'
	<!DOCTYPE html>
	<html>
	<head><title>Error</title></head>
	<body>
	<h1>An error occurred.</h1>
	<p>Sorry, the page you are looking for is currently unavailable.</p>
	</body>
	</html>
	EOF
	ln -s /dev/stdout "$root/var/log/nginx/access.log"
	ln -s /dev/stderr "$root/var/log/nginx/error.log"
	cat >"$root/etc/nginx/nginx.conf" <<-'EOF'
	user  nginx;
	worker_processes  auto;

	error_log  /var/log/nginx/error.log notice;
	pid        /var/run/nginx.pid;

	events {
	    worker_connections  1024;
	}

	http {
	    include       /etc/nginx/mime.types;
	    default_type  application/octet-stream;

	    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
	                      '$status $body_bytes_sent "$http_referer" '
	                      '"$http_user_agent" "$http_x_forwarded_for"';

	    access_log  /var/log/nginx/access.log  main;

	    client_body_temp_path /var/cache/nginx/client_temp;
	    proxy_temp_path       /var/cache/nginx/proxy_temp;
	    fastcgi_temp_path     /var/cache/nginx/fastcgi_temp;
	    uwsgi_temp_path       /var/cache/nginx/uwsgi_temp;
	    scgi_temp_path        /var/cache/nginx/scgi_temp;

	    sendfile        on;
	    keepalive_timeout  65;

	    include /etc/nginx/conf.d/*.conf;
	}
	EOF
	cat >"$root/etc/nginx/conf.d/default.conf" <<-'EOF'
	server {
	    listen       80;
	    server_name  localhost;

	    location / {
	        root   /usr/share/nginx/html;
	        index  index.html index.htm;
	    }

	    error_page   500 502 503 504  /50x.html;
	    location = /50x.html {
	        root   /usr/share/nginx/html;
	    }
	}
	EOF
}

# The shared libraries nginx loads, and the loader, as ldd names them.
nginx_libs() { bin_libs "$NGINX"; }
bin_libs() {
	ldd "$1" | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | sort -u
}

# rsync with its shared libraries and the loader, at the paths ldd names,
# on top of the busybox base: `rsync -e ssh` runs `rsync --server` here.
stage_rsync() {
	local root=$1 lib dest
	mkdir -p "$root/usr/bin"
	cp "$RSYNC" "$root/usr/bin/rsync"
	chmod 0755 "$root/usr/bin/rsync"
	for lib in $(bin_libs "$RSYNC"); do
		dest="$root$lib"
		mkdir -p "$(dirname "$dest")"
		cp -L "$lib" "$dest"
		chmod 0644 "$dest"
		case "$lib" in */ld-linux*) chmod 0755 "$dest" ;; esac
	done
}

stage_envtest() {
	local root=$1
	mkdir -p "$root/usr/local/bin"
	cc -static -O2 -Wall -Wextra -o "$root/usr/local/bin/envserver" \
	    "$ENVSERVER_SRC"
	strip "$root/usr/local/bin/envserver" 2>/dev/null || true
	chmod 0755 "$root/usr/local/bin/envserver"
}

stage_endstest() {
	local root=$1
	mkdir -p "$root/etc"
	# A whiteout: the base layer's /etc/motd is gone in this image.
	: >"$root/etc/.wh.motd"
	printf 'ends-test\n' >"$root/etc/ends-test"
}

# unpack-test's middle layer: what the top layer then changes.
stage_unpack_mid() {
	local root=$1
	mkdir -p "$root/data/dir" "$root/data/opq/sub" "$root/data/gone-dir"
	printf 'a\n' >"$root/data/dir/a"
	printf 'b\n' >"$root/data/dir/b"
	printf 'old\n' >"$root/data/opq/old"
	printf 'old\n' >"$root/data/opq/sub/old"
	printf 'f\n' >"$root/data/gone-dir/f"
}

# unpack-test's top layer: whiteouts of a file and a directory, an opaque
# directory, a hard link pair, symlinks to a file and to a directory.
stage_unpack_top() {
	local root=$1
	mkdir -p "$root/data/dir" "$root/data/opq" "$root/usr/local/bin"
	: >"$root/data/dir/.wh.a"
	: >"$root/data/.wh.gone-dir"
	: >"$root/data/opq/.wh..wh..opq"
	printf 'new\n' >"$root/data/opq/new"
	printf 'hard\n' >"$root/data/hl1"
	ln "$root/data/hl1" "$root/data/hl2"
	ln -s dir/b "$root/data/sl"
	ln -s dir "$root/data/sld"
	cat >"$root/usr/local/bin/unpack-check" <<-'EOF'
	#!/bin/sh
	bad=0
	no() { echo "unpack-test: $*"; bad=1; }
	[ -e /data/dir/a ] && no "whiteout of /data/dir/a not applied"
	[ "$(cat /data/dir/b)" = b ] || no "/data/dir/b lost"
	[ -e /data/gone-dir ] && no "whiteout of the directory /data/gone-dir not applied"
	[ -e /data/opq/old ] || [ -e /data/opq/sub ] && no "opaque /data/opq shows the lower layer"
	[ "$(cat /data/opq/new)" = new ] || no "/data/opq/new missing"
	[ "$(stat -c %i /data/hl1)" = "$(stat -c %i /data/hl2)" ] || no "hl1 and hl2 are not one file"
	[ "$(stat -c %h /data/hl1)" = 2 ] || no "hl1 has $(stat -c %h /data/hl1) links, not 2"
	[ "$(readlink /data/sl)" = dir/b ] && [ "$(cat /data/sl)" = b ] || no "symlink sl wrong"
	[ "$(readlink /data/sld)" = dir ] && [ -f /data/sld/b ] || no "symlink sld wrong"
	[ $bad = 0 ] && echo "unpack-test: ok"
	exit $bad
	EOF
	chmod 0755 "$root/usr/local/bin/unpack-check"
}

# ---------------------------------------------------------------------------
# Inputs and stamps

tool_versions() {
	tar --version | head -1
	gzip --version | head -1
}

# inputs_hash NAME: one hash over everything that goes into image NAME.
inputs_hash() {
	local name=$1 lib
	{
		echo "script $(sha256 "$SCRIPT_PATH")"
		tool_versions
		echo "busybox $(sha256 "$BUSYBOX")"
		case "$name" in
		nginx)
			echo "nginx $(sha256 "$NGINX")"
			for lib in $(nginx_libs); do
				echo "lib $lib $(sha256 "$lib")"
			done
			echo "mime $(sha256 "$NGINX_MIME")"
			echo "html $(sha256 "$NGINX_HTML")"
			;;
		rsync)
			echo "rsync $(sha256 "$RSYNC")"
			for lib in $(bin_libs "$RSYNC"); do
				echo "lib $lib $(sha256 "$lib")"
			done
			;;
		env-test)
			echo "src $(sha256 "$ENVSERVER_SRC")"
			cc --version | head -1
			dpkg-query -W -f='${Package} ${Version}\n' libc6-dev 2>/dev/null || true
			;;
		esac
	} | sha256sum | cut -c1-64
}

check_inputs() {
	local name=$1
	case "$name" in
	nginx)
		[ -x "$NGINX" ] || die "$NGINX missing: apt-get install nginx-light"
		[ -f "$NGINX_HTML" ] || die "$NGINX_HTML missing (nginx-common)"
		[ -f "$NGINX_MIME" ] || die "$NGINX_MIME missing (nginx-common)"
		;;
	rsync)
		[ -x "$RSYNC" ] || die "$RSYNC missing: apt-get install rsync"
		;;
	env-test)
		[ -f "$ENVSERVER_SRC" ] || die "$ENVSERVER_SRC missing"
		local libc_a
		libc_a=$(cc -print-file-name=libc.a)
		[ -f "$libc_a" ] || die "static glibc missing: apt-get install libc6-dev"
		;;
	esac
}

# up_to_date NAME HASH: the stamp matches and the layout it describes is
# still there, untouched.
up_to_date() {
	local name=$1 hash=$2 stamp="$OUTDIR/.stamps/$1" layout="$OUTDIR/$1"
	local key val
	[ "$FORCE" = 0 ] && [ -f "$stamp" ] && [ -f "$layout/index.json" ] || return 1
	while read -r key val; do
		case "$key" in
		inputs) [ "$val" = "$hash" ] || return 1 ;;
		index) [ "$(sha256 "$layout/index.json")" = "$val" ] || return 1 ;;
		blob) [ -f "$layout/blobs/sha256/${val%% *}" ] &&
			[ "$(stat -c %s "$layout/blobs/sha256/${val%% *}")" = "${val##* }" ] ||
			return 1 ;;
		esac
	done <"$stamp"
	return 0
}

# ---------------------------------------------------------------------------
# Image assembly

# write_blob FILE: moves a JSON file into the blob store; sets BLOB_DIGEST
# and BLOB_SIZE.
write_blob() {
	BLOB_DIGEST=$(sha256 "$1")
	BLOB_SIZE=$(stat -c %s "$1")
	mv "$1" "$LAYOUT/blobs/sha256/$BLOB_DIGEST"
}

# json_strings A B C -> ["A","B","C"] (our strings need no escaping but
# quotes and backslashes, which we escape anyway).
json_strings() {
	local out="" s
	for s in "$@"; do
		s=${s//\\/\\\\}
		s=${s//\"/\\\"}
		out+="${out:+,}\"$s\""
	done
	printf '[%s]' "$out"
}

# The base layer is the same in every image: made once per run.
BASE_DIGEST=
ensure_base_layer() {
	[ -z "$BASE_DIGEST" ] || return 0
	local saved=$LAYOUT
	LAYOUT="$WORK/base-layout"
	mkdir -p "$LAYOUT/blobs/sha256" "$WORK/stage-base"
	stage_busybox "$WORK/stage-base"
	make_layer "$WORK/stage-base" base
	BASE_DIFF=$LAYER_DIFF BASE_DIGEST=$LAYER_DIGEST BASE_SIZE=$LAYER_SIZE
	mv "$LAYOUT/blobs/sha256/$BASE_DIGEST" "$WORK/base.tar.gz"
	rm -rf "$LAYOUT" "$WORK/stage-base"
	LAYOUT=$saved
}

# build_image NAME: writes OUTDIR/NAME.new, then swaps it in.
build_image() {
	local name=$1 hash=$2
	local cmd env ports="" stopsig="" extra_stage=""
	LAYOUT="$OUTDIR/$name.new"
	rm -rf "$LAYOUT"
	mkdir -p "$LAYOUT/blobs/sha256"

	env=$(json_strings "$PATH_ENV")
	case "$name" in
	busybox|alpine)
		cmd=$(json_strings /bin/sh) ;;
	nginx)
		extra_stage=stage_nginx
		cmd=$(json_strings nginx -g "daemon off;")
		env=$(json_strings "$PATH_ENV" "NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's|.*/||')")
		ports='"ExposedPorts":{"80/tcp":{}},'
		stopsig='"StopSignal":"SIGQUIT",' ;;
	rsync)
		extra_stage=stage_rsync
		cmd=$(json_strings /bin/sh) ;;
	env-test)
		extra_stage=stage_envtest
		cmd=$(json_strings /usr/local/bin/envserver)
		env=$(json_strings "$PATH_ENV" "TF_IMAGE=env-test")
		ports='"ExposedPorts":{"80/tcp":{}},' ;;
	unpack-test)
		extra_stage="stage_unpack_mid stage_unpack_top"
		cmd=$(json_strings /usr/local/bin/unpack-check) ;;
	ends-test)
		extra_stage=stage_endstest
		cmd=$(json_strings /bin/sh -c \
		    'echo "ends-test: started"; sleep 2; if [ -e /etc/motd ]; then echo "ends-test: whiteout of /etc/motd not applied"; fi; echo "ends-test: finished"') ;;
	esac

	local diffs=() digests=() sizes=() history=()
	ensure_base_layer
	say "$name: layer 1 (busybox base ${BASE_DIGEST:0:12})"
	cp "$WORK/base.tar.gz" "$LAYOUT/blobs/sha256/$BASE_DIGEST"
	diffs+=("$BASE_DIFF"); digests+=("$BASE_DIGEST"); sizes+=("$BASE_SIZE")
	history+=("{\"created\":\"$EPOCH_DATE\",\"created_by\":\"build_images.sh: busybox base\"}")
	local stage n=1
	for stage in $extra_stage; do
		n=$((n + 1))
		say "$name: layer $n ($stage)"
		rm -rf "$WORK/stage-$name"
		mkdir -p "$WORK/stage-$name"
		"$stage" "$WORK/stage-$name"
		make_layer "$WORK/stage-$name" "$name-$n"
		rm -rf "$WORK/stage-$name"
		diffs+=("$LAYER_DIFF"); digests+=("$LAYER_DIGEST"); sizes+=("$LAYER_SIZE")
		history+=("{\"created\":\"$EPOCH_DATE\",\"created_by\":\"build_images.sh: $name $stage\"}")
	done

	local i diff_ids="" layers="" hist=""
	for i in "${!diffs[@]}"; do
		diff_ids+="${diff_ids:+,}\"sha256:${diffs[$i]}\""
		layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:${digests[$i]}\",\"size\":${sizes[$i]}}"
		hist+="${hist:+,}${history[$i]}"
	done

	printf '{"architecture":"amd64","os":"linux","created":"%s","config":{%s"Env":%s,"Cmd":%s,"WorkingDir":"/",%s"Labels":{"org.opencontainers.image.title":"%s"}},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
	    "$EPOCH_DATE" "$ports" "$env" "$cmd" "$stopsig" "$name" \
	    "$diff_ids" "$hist" >"$WORK/config.json"
	write_blob "$WORK/config.json"
	local config_digest=$BLOB_DIGEST config_size=$BLOB_SIZE

	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
	    "$config_digest" "$config_size" "$layers" >"$WORK/manifest.json"
	write_blob "$WORK/manifest.json"

	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
	    "$BLOB_DIGEST" "$BLOB_SIZE" "$name" >"$LAYOUT/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"

	# Swap in, then stamp: a crash in between leaves no stamp, so the next
	# run rebuilds.
	mkdir -p "$OUTDIR/.stamps"
	rm -f "$OUTDIR/.stamps/$name"
	rm -rf "${OUTDIR:?}/${name:?}"
	mv "$LAYOUT" "$OUTDIR/$name"
	{
		echo "inputs $hash"
		echo "index $(sha256 "$OUTDIR/$name/index.json")"
		for f in "$OUTDIR/$name"/blobs/sha256/*; do
			echo "blob $(basename "$f") $(stat -c %s "$f")"
		done
	} >"$OUTDIR/.stamps/$name.tmp"
	mv "$OUTDIR/.stamps/$name.tmp" "$OUTDIR/.stamps/$name"
	say "$name: built $OUTDIR/$name (image id ${config_digest:0:12}, ${#diffs[@]} layers)"
}

# ---------------------------------------------------------------------------
# Export forms

# layout_describe LAYOUT: prints "config <hex>" and "layer <gzhex> <diffhex>"
# lines for the single image of a layout this script wrote.
layout_describe() {
	local layout=$1 manifest config
	manifest=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$layout/index.json" |
	    head -1 | sed 's/.*sha256:\([0-9a-f]*\)"/\1/')
	config=$(grep -o '"config":{[^}]*}' "$layout/blobs/sha256/$manifest" |
	    sed 's/.*sha256:\([0-9a-f]*\)".*/\1/')
	echo "config $config"
	paste -d' ' \
	    <(sed 's/.*"layers":\[//' "$layout/blobs/sha256/$manifest" |
	      grep -o 'sha256:[0-9a-f]*' | cut -c8-) \
	    <(grep -o '"diff_ids":\[[^]]*\]' "$layout/blobs/sha256/$config" |
	      grep -o 'sha256:[0-9a-f]*' | cut -c8-) |
	    sed 's/^/layer /'
}

# Deterministic tar of a directory's contents, for the export forms.
tar_dir() {
	local dir=$1 out=$2 entries
	mapfile -t entries < <(cd "$dir" && ls -A)
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	    --format=posix \
	    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	    -C "$dir" -cf "$out.tmp" -- "${entries[@]}"
	mv "$out.tmp" "$out"
}

docker_save() {
	local name=$1 out=$2 layout="$OUTDIR/$1" dir="$WORK/docker-save-$1"
	local key a b config="" layers="" parent="" id
	rm -rf "$dir"
	mkdir -p "$dir"
	while read -r key a b; do
		case "$key" in
		config)
			config=$a
			cp "$layout/blobs/sha256/$a" "$dir/$a.json" ;;
		layer)
			# Old docker derived the directory name from the chain;
			# any unique name works for loaders, so use the chain
			# of diff_ids as docker's v1 ids did.
			id=$(sha256_str "$parent $b")
			mkdir -p "$dir/$id"
			gzip -dc "$layout/blobs/sha256/$a" >"$dir/$id/layer.tar"
			[ "$(sha256 "$dir/$id/layer.tar")" = "$b" ] ||
				die "$name: layer $a does not match its diff_id"
			echo "1.0" >"$dir/$id/VERSION"
			printf '{"id":"%s"%s}' "$id" \
			    "${parent:+,\"parent\":\"$parent\"}" >"$dir/$id/json"
			layers+="${layers:+,}\"$id/layer.tar\""
			parent=$id ;;
		esac
	done < <(layout_describe "$layout")
	printf '[{"Config":"%s.json","RepoTags":["%s:latest"],"Layers":[%s]}]' \
	    "$config" "$name" "$layers" >"$dir/manifest.json"
	printf '{"%s":{"latest":"%s"}}' "$name" "$parent" >"$dir/repositories"
	mkdir -p "$(dirname "$out")"
	tar_dir "$dir" "$out"
	rm -rf "$dir"
	say "$name: wrote docker-save archive $out"
}

oci_tar() {
	local name=$1 out=$2
	mkdir -p "$(dirname "$out")"
	tar_dir "$OUTDIR/$name" "$out"
	say "$name: wrote OCI layout tarball $out"
}

# ---------------------------------------------------------------------------

say "output: $OUTDIR"
for name in $IMAGES; do
	check_inputs "$name"
	hash=$(inputs_hash "$name")
	if up_to_date "$name" "$hash"; then
		say "$name: up to date"
		continue
	fi
	build_image "$name" "$hash"
done

i=0
while [ $i -lt ${#DOCKER_SAVES[@]} ]; do
	docker_save "${DOCKER_SAVES[$i]}" "${DOCKER_SAVES[$((i + 1))]}"
	i=$((i + 2))
done
i=0
while [ $i -lt ${#OCI_TARS[@]} ]; do
	oci_tar "${OCI_TARS[$i]}" "${OCI_TARS[$((i + 1))]}"
	i=$((i + 2))
done
say "done"
