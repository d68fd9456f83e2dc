#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Writes the seed corpus of every fuzz harness into tests/fuzz/corpus/NAME/
# (checked in; run again only to change the seeds).  Crashes that fuzzing
# finds are added there too, by hand, as files named crash-*.
#   tests/fuzz/make_seeds.py
import gzip
import hashlib
import io
import json
import os
import struct
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def pack(v):
    """msgpack, enough of it for our messages."""
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        if v >= 0:
            return b"\xcf" + struct.pack(">Q", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        v = v.encode("utf-8", "surrogateescape")
        return (bytes([0xa0 | len(v)]) if len(v) < 32 else
                b"\xda" + struct.pack(">H", len(v))) + v
    if isinstance(v, bytes):
        return b"\xc5" + struct.pack(">H", len(v)) + v
    if isinstance(v, list):
        return (bytes([0x90 | len(v)]) if len(v) < 16 else
                b"\xdc" + struct.pack(">H", len(v))) + b"".join(map(pack, v))
    if isinstance(v, dict):
        return (bytes([0x80 | len(v)]) if len(v) < 16 else
                b"\xde" + struct.pack(">H", len(v))) + b"".join(
                    pack(k) + pack(x) for k, x in v.items())
    raise TypeError(v)


def write(kind, name, data):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


U = "Ab3dEf5gHi7jKm9nPq2rSt"
BAD = ["", ":", "x:", ":x", "a" * 300, "\udcff\udcfe"]

# --- message headers ---------------------------------------------------------
msgs = {
    "spawn": ["spawn", 7, {"image": "busybox", "tag": "web", "node": "node1",
              "env": ["A=1"], "command": ["sh", "-c", "true"],
              "volumes": [["pgdata", "/data"]], "sleep": False,
              "limits": {"memory_mb": 64, "pids": 100}}],
    "destroy": ["destroy", 8, {"container": U + ":web"}],
    "kv_set": ["kv_set", 9, {"pairs": {"a/b": 1, "c": "x", "d": b"\x00\x01"}}],
    "kv_get_empty": ["kv_get", 10, {"key": ""}],
    "find_colon": ["find", 11, {"name": ":"}],
    "proc": ["proc", 12, {"container": "web", "process": U, "argv": ["ls"],
             "tty": True, "rows": 24, "cols": 80, "term": "xterm"}],
    "reply": ["^", 13, {"size": 10, "eof": True, "ratio": 0.5}],
    "error": ["!", 14, {"error": "no such container: web"}],
    "empty_params": ["hb", 15, {}],
    "nil_params": ["hb", 16, None],
}
for i, b in enumerate(BAD):
    msgs["bad_name_%d" % i] = ["destroy", 20 + i, {"container": b, "key": b,
                               "node": b, "tag": b, "tunnel": b}]
for name, m in msgs.items():
    write("msg", name, pack(m))

# --- offers and pushes, as the console reads them ----------------------------
node = {"node": "node1", "id": 1, "state": "up", "cpus": 2, "cpu_pct": 5,
        "mem_total_mb": 2048, "mem_free_mb": 1024, "paging": 0,
        "containers": 1, "subnet": "10.100.1.0/24", "load1": 0.5}
ctr = {"container": U, "node": "node1", "tag": "web", "image": "busybox",
       "ip": "10.100.1.2", "state": "running", "exit_code": 0, "error": "",
       "session": "S1", "session_name": "tf", "user": 1, "user_name": "alice",
       "created": 1.0, "started": 2.0, "startup_ms": 300}
tun = {"tunnel": "Tn1aBc2dEf3gHi4jKm5nPq", "container": U, "port": 80,
       "session": "S1", "session_name": "tf", "user": 1, "user_name": "alice",
       "localport": 8080, "conns": 1, "bytes_in": 10, "bytes_out": 20}
vol = {"volume": "Vo1aBc2dEf3gHi4jKm5nPq", "tag": "pgdata", "node": "node1",
       "node_id": 1, "mounts": [U], "snapshot": False, "user": 1,
       "user_name": "alice"}
img = {"image": "sha256:" + "ab" * 32, "names": ["busybox:latest"],
       "layers": ["cd" * 32], "size": 1000, "created": 5.0}
offers = {
    "offer": ["offer", 0, {"nodes": [node], "containers": [ctr],
              "tunnels": [tun], "volumes": [vol], "images": [img]}],
    "offer_empty": ["offer", 0, {"nodes": [], "containers": [],
                    "tunnels": [], "volumes": [], "images": []}],
    "node": ["node", 0, node],
    "node_gone": ["node_gone", 0, {"node": "node1"}],
    "container": ["container", 0, ctr],
    "container_exited": ["container", 0, dict(ctr, state="exited",
                         exit_code=1, error="exited with status 1")],
    "container_gone": ["container_gone", 0, {"container": U}],
    "tunnel": ["tunnel", 0, tun],
    "tunnel_gone": ["tunnel_gone", 0, {"tunnel": tun["tunnel"],
                    "error": "gone"}],
    "volume": ["volume", 0, vol],
    "volume_gone": ["volume_gone", 0, {"volume": vol["volume"]}],
    "image": ["image", 0, img],
    "log": ["log", 0, {"level": "error", "text": "hello"}],
    "container_no_id": ["container", 0, dict(ctr, container="")],
    "offer_wrong_types": ["offer", 0, {"nodes": "x", "containers": [1, None],
                          "volumes": [{"volume": 5}]}],
}
for name, m in offers.items():
    write("offer", name, pack(m))

# --- JSON bodies -------------------------------------------------------------
jsons = {
    "offer": json.dumps({"nodes": [node], "containers": [ctr],
                         "tunnels": [tun], "volumes": [vol],
                         "images": [img]}),
    "config": json.dumps({"Entrypoint": ["/bin/sh"], "Cmd": ["-c", "x"],
                          "Env": ["PATH=/bin"], "WorkingDir": "/",
                          "ExposedPorts": {"80/tcp": {}}, "User": "1:1"}),
    "scalars": '[1, -1, 1.5e300, "\\u00e9\\ud83d\\ude00", true, false, null]',
    "deep": "[" * 40 + "]" * 40,
    "big_int": "[18446744073709551615, -9223372036854775808]",
    "empty_string_key": '{"": ""}',
}
for name, t in jsons.items():
    write("json", name, t.encode())


# --- images ------------------------------------------------------------------
def tar_bytes(members, gz=False):
    """members: list of (name, data|None for dir, extra dict)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, extra in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            for k, v in extra.items():
                setattr(ti, k, v)
            if data is None and "type" not in extra:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            else:
                ti.size = len(data or b"")
                t.addfile(ti, io.BytesIO(data or b""))
    raw = buf.getvalue()
    return gzip.compress(raw, mtime=0) if gz else raw


layer = tar_bytes([("bin", None, {}), ("bin/hello", b"#!/bin/sh\necho hi\n",
                   {"mode": 0o755})])
layer_gz = gzip.compress(layer, mtime=0)
diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Cmd": ["/bin/hello"], "Env": ["A=1"]},
                     "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
                    ).encode()


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


manifest = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": blob(config), "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": blob(layer_gz), "size": len(layer_gz)}]}
                      ).encode()
index = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": blob(manifest), "size": len(manifest),
     "annotations": {"org.opencontainers.image.ref.name": "hello:latest"}}]}
).encode()


def oci(members_extra=()):
    m = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}', {}),
         ("index.json", index, {}),
         ("blobs/sha256/" + blob(config)[7:], config, {}),
         ("blobs/sha256/" + blob(manifest)[7:], manifest, {}),
         ("blobs/sha256/" + blob(layer_gz)[7:], layer_gz, {})]
    return tar_bytes(m + list(members_extra))


write("image", "oci", oci())
write("image", "oci_gz", gzip.compress(oci(), mtime=0))
docker_manifest = json.dumps([{"Config": "cfg.json", "RepoTags": ["hello:1"],
                               "Layers": ["abc/layer.tar"]}]).encode()
write("image", "docker", tar_bytes([
    ("manifest.json", docker_manifest, {}), ("cfg.json", config, {}),
    ("abc/layer.tar", layer, {})]))
write("image", "docker_bad_digest", tar_bytes([
    ("manifest.json", docker_manifest, {}), ("cfg.json", config, {}),
    ("abc/layer.tar", layer + b"x", {})]))
write("image", "not_json_index", tar_bytes([
    ("oci-layout", b"{}", {}), ("index.json", b"{[", {})]))

# --- layer tar streams -------------------------------------------------------
write("layer", "plain", layer)
write("layer", "gzip", layer_gz)
write("layer", "whiteouts", tar_bytes([
    ("etc", None, {}), ("etc/.wh.passwd", b"", {}),
    ("var", None, {}), ("var/.wh..wh..opq", b"", {})]))
write("layer", "links", tar_bytes([
    ("a", b"data", {}),
    ("hard", None, {"type": tarfile.LNKTYPE, "linkname": "a"}),
    ("soft", None, {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}),
    ("dev", None, {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}),
    ("fifo", None, {"type": tarfile.FIFOTYPE})]))
write("layer", "escape_dotdot", tar_bytes([("../escape", b"x", {})]))
write("layer", "escape_symlink", tar_bytes([
    ("up", None, {"type": tarfile.SYMTYPE, "linkname": "/"}),
    ("up/tmp/escape", b"x", {})]))
write("layer", "escape_absolute", tar_bytes([("/tmp/escape", b"x", {})]))
write("layer", "pax_xattr", tar_bytes([
    ("x", b"data", {"pax_headers": {"SCHILY.xattr.user.k": "v"}})]))

# --- keymaps -----------------------------------------------------------------
for k in ("default", "vi", "emacs"):
    with open(os.path.join(TOP, "keymaps", k), "rb") as f:
        write("keymap", k, f.read())
write("keymap", "clash", b"include default\nquit q d\n")
write("keymap", "unknown", b"frob x\ndestroy NoSuchKey\ninclude\n"
      b"include nosuch\nspawn C-M-S-F12 M-x ^A \\\n")
write("keymap", "include_self", b"include default\ninclude default\n")

# --- terminal output into the shell pane ---------------------------------------
vts = {
    "text": b"hello\r\nworld\r\n\ttab\x08\x08x\x07",
    "csi": b"\x1b[2J\x1b[H\x1b[1;31mred\x1b[0m\x1b[10;20H\x1b[K\x1b[?25l"
           b"\x1b[38;5;200mx\x1b[48;2;1;2;3my\x1b[r\x1b[5;10r\x1b[S\x1b[T",
    "altscreen": b"\x1b[?1049hfull\x1b[?1049l\x1b[?1h\x1b=\x1b[?2004h",
    "osc": b"\x1b]0;title\x07\x1b]2;t2\x1b\\\x1b]52;c;aGk=\x07",
    "utf8": "héllo ✓ 😀 \u0301e\ufffd".encode() + b"\xff\xfe\xc3",
    "scroll": b"line\r\n" * 300,
    "dcs": b"\x1bP1$r0m\x1b\\\x1b[c\x1b[>c\x1b[6n",
    "wide": "漢字テスト".encode() * 30,
}
for name, data in vts.items():
    write("vt", name, data)
