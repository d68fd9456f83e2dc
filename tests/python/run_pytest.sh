#!/bin/sh
# Runs the tfnz (Python SDK) pytest suite, python/tests, against a private
# location and node started the way every integration test starts them
# (tests/integration/lib.sh via tests/sdk/lib_sdk.sh): an account for
# "alice" in TF_DIR, the test images in TF_IMAGES, tfnz importable from the
# build tree.  Arguments go to pytest (e.g. -k reboot).  With TFPY_SHELL=1
# it runs "$@" instead of pytest, in the same environment (debugging).
# Exit 77 (skip) without root, runc, tf-node, the tfnz build or pytest.
. "$(dirname "$0")/../sdk/lib_sdk.sh"

PY=${TFNZ_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
ls "$BUILD"/python/tfnz/_tf*.so >/dev/null 2>&1 || skip "tfnz is not built"
"$PY" -c 'import pytest' 2>/dev/null || skip "needs python3-pytest"

sdk_setup node
sdk_debian_images	# debian, postgres: some seeds name them
export TFPY_TMP=$TFT PYTHONPATH=$BUILD/python PYTHONUNBUFFERED=1
export TFPY_EXAMPLES=$TOP/python/examples TFPY_BUILD=$BUILD TFPY_PORT=$PORT
export TFPY_PYTHON=$PY PYTHONDONTWRITEBYTECODE=1
# A sanitizer build's extension needs its runtimes loaded first.
pre=$(ldd "$BUILD"/python/tfnz/_tf*.so | awk '/libasan|libubsan/ {print $3}' |
	tr '\n' ' ')
if [ -n "$pre" ]; then
	export LD_PRELOAD="$pre"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
rc=0
if [ -n "${TFPY_SHELL:-}" ]; then
	"$@" || rc=$?
else
	"$PY" -m pytest -p no:cacheprovider -v "$TOP/python/tests" "$@" || rc=$?
fi
[ $rc = 0 ] && ok "pytest python/tests" || not_ok "pytest python/tests (exit $rc)"
finish
