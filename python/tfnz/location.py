# SPDX-License-Identifier: BSD-2-Clause
"""Location: the connection to one 20ft location (tf_location)."""
import atexit
import logging
import os
import signal
import sys
import threading
import weakref

from . import TaggedCollection
from ._glue import (LoopThread, callback, checked, cbytes, cstr, error, ffi,
                    lib, log, new_err, text)
from .node import Node
from .container import Container, ExternalContainer
from .volume import Volume

__all__ = ['Location', 'last_image']

# The most recent live Location, for last_image() (which the seeds call
# with no location).
_latest = None


def last_image():
    """The image most recently pushed to the location (tfcache, `tf .`):
    its id once a Location is connected, else '.', which spawn resolves the
    same way."""
    loc = _latest() if _latest is not None else None
    if loc is None or loc._done:
        return '.'
    return loc.last_image()


@ffi.def_extern()
def tfnz_node_cb(cloc, cnode, arg):
    loc = ffi.from_handle(arg)
    node = loc._node(cnode)
    if loc.new_node_callback is not None:
        loc.new_node_callback(node)


class _KV:
    """loc.kv: the location's per-user key/value store as a mapping."""

    def __init__(self, loc):
        self._loc = loc

    def __getitem__(self, key):
        def get():
            err = new_err()
            value = ffi.new('char **')
            if lib.tf_kv_get(self._loc._c, cbytes(key), value, err) != 0:
                msg = text(err.msg)
                if msg.startswith('no such key'):
                    raise KeyError(key)
                raise error(err)
            try:
                return text(value[0])
            finally:
                lib.free(value[0])
        return self._loc._call(get)

    def __setitem__(self, key, value):
        self._loc.set_kv({key: value})

    def __delitem__(self, key):
        def delete():
            err = new_err()
            checked(lib.tf_kv_del(self._loc._c, cbytes(key), err), err)
        self._loc._call(delete)

    def __contains__(self, key):
        try:
            self[key]
            return True
        except KeyError:
            return False

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self, prefix=None):
        def keys():
            err = new_err()
            out = ffi.new('char ***')
            checked(lib.tf_kv_list(self._loc._c, cbytes(prefix), out, err),
                    err)
            names = []
            i = 0
            while out[0][i] != ffi.NULL:
                names.append(text(out[0][i]))
                i += 1
            lib.tf_strv_free(out[0])
            return names
        return self._loc._call(keys)

    def __iter__(self):
        return iter(self.keys())


class Location:
    """A connection to a location: its nodes, volumes, externals, tunnels
    and key/value store.  The SDK's loop runs on a thread of its own from
    construction to disconnect; callbacks run on it."""

    def __init__(self, *, location=None, location_ip=None, quiet=False,
                 debug_log=False, new_node_callback=None):
        global _latest
        if quiet and debug_log:
            raise ValueError("Can't select both quiet and debug logging")
        _logging_setup(quiet, debug_log)
        self.new_node_callback = callback(new_node_callback)
        self._done = False
        self._nodes = {}
        self._containers = {}
        self._volumes = {}
        self._tunnels = {}
        self._handle = ffi.new_handle(self)
        opts = ffi.new('tf_location_opts *')
        keep = [cstr(location), cstr(location_ip),
                cstr(os.path.basename(sys.argv[0]) or 'python3')]
        opts.location = keep[0]
        opts.address = keep[1]
        opts.program = keep[2]
        opts.logging = lib.TF_LOGGING_UNCHANGED
        opts.new_node = lib.tfnz_node_cb
        opts.new_node_arg = self._handle
        err = new_err()
        self._c = lib.tf_location_new(opts, err)
        if self._c == ffi.NULL:
            raise RuntimeError(text(err.msg))
        self.location = text(lib.tf_location_name(self._c))
        self.endpoints = {}
        self.kv = _KV(self)
        self._loop = LoopThread(self._c)
        self._loop.start()
        log.debug("Message loop started")
        _latest = weakref.ref(self)
        atexit.register(self._atexit)
        _signals_setup()

    # ---- the loop thread

    def _call(self, fn):
        return self._loop.call(fn)

    def _atexit(self):
        """Garbage collection at the end of the program (also after Ctrl-C):
        disconnect, then stop the loop thread before Python goes away."""
        self.disconnect()
        self._stop()

    def _stop(self):
        if self._c is not None and not self._done:
            self._done = True
            self._loop.stop()

    # ---- wrappers for C handles

    def _node(self, cnode):
        if cnode == ffi.NULL:
            return None
        name = text(lib.tf_node_name(cnode))
        node = self._nodes.get(name)
        if node is None:
            node = Node(self, cnode, name)
            self._nodes[name] = node
        return node

    def _volume(self, cvol, termination_callback=None):
        key = int(ffi.cast('uintptr_t', cvol))
        vol = self._volumes.get(key)
        if vol is None:
            vol = Volume(self, cvol, termination_callback=termination_callback)
            self._volumes[key] = vol
        return vol

    def _container_for(self, cctr):
        return self._containers.get(int(ffi.cast('uintptr_t', cctr)))

    # ---- nodes

    def ranked_nodes(self):
        """Nodes, best first (free memory weighted by idle cpu, minus
        paging).  ValueError when there are none."""
        def ranked():
            buf = ffi.new('tf_node *[256]')
            n = lib.tf_location_ranked_nodes(self._c, buf, 256)
            return [self._node(buf[i]) for i in range(min(n, 256))]
        nodes = self._call(ranked)
        if not nodes:
            raise ValueError("The location has no nodes")
        return nodes

    def node(self):
        """The best node (ranked_nodes()[0])."""
        return self.ranked_nodes()[0]

    best_node = node

    @property
    def nodes(self):
        try:
            return {n.pk: n for n in self.ranked_nodes()}
        except ValueError:
            return {}

    # ---- images

    def ensure_image_uploaded(self, docker_image_id, *, descr=None):
        """Makes sure the location has the image (an OCI layout or docker
        save archive found as $TF_IMAGES/NAME or a path, or a name the
        location knows); uploads missing layers.  Returns the image id."""
        def ensure():
            err = new_err()
            out = ffi.new('char[128]')
            checked(lib.tf_location_ensure_image_uploaded(
                self._c, cbytes(docker_image_id), ffi.NULL, ffi.NULL, out,
                128, err), err)
            return text(out)
        return self._call(ensure)

    def last_image(self):
        def last():
            err = new_err()
            out = ffi.new('char[128]')
            checked(lib.tf_location_last_image(self._c, out, 128, err), err)
            return text(out)
        return self._call(last)

    # ---- volumes

    def create_volume(self, *, tag=None, asynchronous=True,
                      termination_callback=None, node=None, size=0):
        """A new volume (on node, or the best node) with an optional tag.
        size: the bytes it may hold (0: the location's default, 1 GiB
        unless its operator set another); counted by the volume_bytes
        quota and enforced by nodes that keep volumes on btrfs."""
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError("size is a number of bytes, 0 or more")

        def create():
            err = new_err()
            cvol = checked(lib.tf_location_create_volume_sized(
                self._c, node._c if node is not None else ffi.NULL,
                cbytes(tag), size, err), err)
            return self._volume(cvol, termination_callback)
        return self._call(create)

    def ensure_volume(self, key):
        def ensure():
            err = new_err()
            return self._volume(checked(lib.tf_location_ensure_volume(
                self._c, cbytes(key), err), err))
        return self._call(ensure)

    def destroy_volume(self, volume):
        def destroy():
            err = new_err()
            checked(lib.tf_location_destroy_volume(self._c, volume._c, err),
                    err)
        self._call(destroy)
        volume._destroyed()

    def volume(self, key):
        """A volume by uuid, tag or uuid:tag; KeyError when none."""
        def find():
            err = new_err()
            cvol = lib.tf_location_volume(self._c, cbytes(key), err)
            if cvol == ffi.NULL:
                raise KeyError(key)
            return self._volume(cvol)
        return self._call(find)

    def all_volumes(self):
        def volumes():
            buf = ffi.new('tf_volume *[1024]')
            n = lib.tf_location_volumes(self._c, buf, 1024)
            return [self._volume(buf[i]) for i in range(min(n, 1024))]
        return self._call(volumes)

    @property
    def volumes(self):
        return TaggedCollection(self.all_volumes())

    def node_and_volume(self, key):
        """(node, volume) for a volume's uuid, tag or uuid:tag; KeyError
        when there is no such volume."""
        def find():
            err = new_err()
            cnode = ffi.new('tf_node **')
            cvol = ffi.new('tf_volume **')
            if lib.tf_location_node_and_volume(self._c, cbytes(key), cnode,
                                               cvol, err) != 0:
                raise KeyError(key)
            return self._node(cnode[0]), self._volume(cvol[0])
        return self._call(find)

    # ---- key/value

    def set_kv(self, pairs):
        """Stores every key: value of the dict."""
        def store():
            err = new_err()
            for k, v in pairs.items():
                checked(lib.tf_kv_set1(self._c, cbytes(k), cbytes(v), err),
                        err)
        self._call(store)

    # ---- externals and tunnels

    def external_container(self, key):
        """A tagged container of another session of ours; KeyError when
        none matches."""
        def find():
            err = new_err()
            cctr = lib.tf_location_find_container(self._c, cbytes(key), err)
            if cctr == ffi.NULL:
                raise KeyError(key)
            return self._external(cctr)
        return self._call(find)

    def _external(self, cctr):
        ctr = self._container_for(cctr)
        if ctr is None:
            ctr = ExternalContainer(self, cctr)
            self._containers[int(ffi.cast('uintptr_t', cctr))] = ctr
        return ctr

    @property
    def externals(self):
        def externals():
            model = lib.tf_location_model(self._c)
            session = text(lib.tf_location_session(self._c))
            found = []
            for i in range(lib.tf_model_count(model, lib.TF_MODEL_CONTAINER)):
                rec = ffi.cast('tf_model_container *', lib.tf_model_at(
                    model, lib.TF_MODEL_CONTAINER, i))
                if rec.tag[0] == b'\0' or text(rec.session) == session:
                    continue
                if rec.state in (lib.TF_CTR_EXITED, lib.TF_CTR_FAILED,
                                 lib.TF_CTR_DESTROYED):
                    continue
                err = new_err()
                cctr = lib.tf_location_find_container(self._c, rec.id, err)
                if cctr != ffi.NULL:
                    found.append(self._external(cctr))
            return found
        return TaggedCollection(self._call(externals))

    def endpoint_for(self, fqdn):
        """The web endpoint that serves fqdn: there are none here (no web
        endpoints yet, docs/PYTHON.md), so always ValueError."""
        for domain, endpoint in self.endpoints.items():
            if fqdn.endswith(domain):
                return endpoint
        raise ValueError("There is no endpoint capable of serving: " + fqdn)

    @property
    def tunnels(self):
        return {t.uuid: t for t in list(self._tunnels.values())
                if not t.dead}

    # ---- running and ending

    def run(self):
        """Blocks until complete() is called (a termination callback, say),
        the connection ends or Ctrl-C; then disconnects."""
        try:
            while not self._loop.ended.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        self.complete()
        self.disconnect()

    def complete(self, container=None, returncode=0):
        """Makes run() return (usable as a termination_callback)."""
        code = returncode if isinstance(returncode, int) else 0
        self._call(lambda: lib.tf_location_complete(self._c, code))

    def disconnect(self, container=None, returncode=0):
        """Destroys this session's containers and tunnels (not volumes)
        and says goodbye.  Idempotent; usable as a termination_callback."""
        if self._c is None:
            return
        self._call(lambda: lib.tf_location_disconnect(self._c))

    def __repr__(self):
        return "<Location '%s'>" % self.location


def _quiet_interrupt(hook):
    def excepthook(exc_type, value, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return
        hook(exc_type, value, tb)
    excepthook.tfnz = True
    return excepthook


def _terminate(signo, frame):
    sys.exit(0)


def _signals_setup():
    """Ctrl-C in signal.pause() (the seeds' way to wait) ends the program
    without a traceback, and SIGTERM (a service manager) ends it cleanly:
    either way atexit disconnects, which destroys what the program made."""
    if not getattr(sys.excepthook, 'tfnz', False):
        sys.excepthook = _quiet_interrupt(sys.excepthook)
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


def _logging_setup(quiet, debug_log):
    """The original's logging: info (debug with debug_log) to stderr in its
    format; quiet (or debug_log=None) leaves the program's logging alone."""
    level = lib.TF_LOG_DEBUG if debug_log else lib.TF_LOG_INFO
    lib.tf_log_setup(level, ffi.NULL, ffi.NULL)
    lib.tf_log_set_fn(lib.tfnz_log_cb, ffi.NULL)
    if quiet or debug_log is None:
        return
    logging.basicConfig(
        format='%(asctime)s.%(msecs)03d %(levelname)-8s %(message)s',
        datefmt='%m%d%H%M%S',
        level=logging.DEBUG if debug_log else logging.INFO)
