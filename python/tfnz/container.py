# SPDX-License-Identifier: BSD-2-Clause
"""Container: a container spawned by this session (tf_container), and
ExternalContainer: a tagged one of another session of the same user."""
import weakref

from . import Taggable
from ._glue import (callback, cbytes, checked, error, ffi, lib, log, new_err,
                    text)
from .process import Process
from .tunnel import Tunnel

__all__ = ['Container', 'ExternalContainer']


class _Address(str):
    """A container's IP: a str (HEAD's `container.ip`) that may also be
    called (the 1.0 SDK's `container.ip()`, used by the seeds)."""

    def __call__(self):
        return str(self)


@ffi.def_extern()
def tfnz_output_cb(cctr, fd, data, length, arg):
    ctr = ffi.from_handle(arg)
    if ctr.stdout_callback is not None:
        ctr.stdout_callback(ctr, bytes(ffi.buffer(data, length)))


@ffi.def_extern()
def tfnz_end_cb(cctr, state, exit_code, arg):
    ctr = ffi.from_handle(arg)
    ctr._ended(exit_code)


class _Connectable:
    def allow_connection_from(self, obj):
        """Opens this container's firewall to connections from obj."""
        self.ensure_alive()

        def allow():
            err = new_err()
            checked(lib.tf_container_allow_connection_from(self._c, obj._c,
                                                           err), err)
        self._loc._call(allow)

    def disallow_connection_from(self, obj):
        """Closes it again."""
        if self.dead:
            return

        def disallow():
            err = new_err()
            checked(lib.tf_container_disallow_connection_from(
                self._c, obj._c, err), err)
        self._loc._call(disallow)


class Container(Taggable, _Connectable):
    """Do not construct: Node.spawn_container (or spawn)."""

    def __init__(self, node, image, *, stdout_callback=None,
                 termination_callback=None):
        Taggable.__init__(self, None, '')
        self.parent = weakref.ref(node)
        self._node = node
        self._loc = node._loc
        self.location = weakref.ref(self._loc)
        self.image = image
        self.stdout_callback = stdout_callback
        self.termination_callback = termination_callback
        self.dead = False
        self._c = None
        self._handle = ffi.new_handle(self)
        self._processes = []
        self._volumes = []		# Volumes or keys it mounts

    def _mounts(self, volume):
        names = (volume.uuid, volume.tag, volume.display_name())
        return any(v is volume or v in names or
                   getattr(v, 'uuid', None) == volume.uuid
                   for v in self._volumes)

    def _attach(self, cctr):
        self._c = cctr
        self._loc._containers[int(ffi.cast('uintptr_t', cctr))] = self
        self.tag = text(lib.tf_container_tag(cctr)) or None

    def _get(self, fn):
        return self._loc._call(lambda: fn(self._c))

    # ---- identity and state

    @property
    def uuid(self):
        return text(self._get(lib.tf_container_id)) if self._c else ''

    @uuid.setter
    def uuid(self, value):
        pass		# Taggable's constructor; the id is the C handle's

    @property
    def ip(self):
        """The container's IP, once it runs (waits until then)."""
        self.wait_until_ready()
        return _Address(text(self._get(lib.tf_container_ip)))

    def private_ip(self):
        return str(self.ip)

    def node(self):
        return self._node

    @property
    def state(self):
        names = {lib.TF_CTR_SPAWNING: 'spawning',
                 lib.TF_CTR_SLEEPING: 'sleeping',
                 lib.TF_CTR_RUNNING: 'running', lib.TF_CTR_EXITED: 'exited',
                 lib.TF_CTR_FAILED: 'failed',
                 lib.TF_CTR_DESTROYED: 'destroyed'}
        return names.get(self._get(lib.tf_container_state), 'unknown')

    def ensure_alive(self):
        if self.dead:
            raise ValueError("Cannot call method on a terminated object: "
                             + self.display_name())

    def wait_until_ready(self, timeout=60):
        """Blocks until the container runs (or sleeps); returns it.
        TimeoutError after timeout seconds, ValueError if it failed."""
        def wait():
            err = new_err()
            if lib.tf_container_wait_ready(self._c, int(timeout * 1000),
                                           err) != 0:
                e = error(err)
                if isinstance(e, TimeoutError):
                    raise TimeoutError("wait_until_ready timed out")
                raise e
        self._loc._call(wait)
        return self

    def is_ready(self):
        return bool(self._get(lib.tf_container_is_ready))

    def wait_until_complete(self, timeout=None):
        """Blocks until the container has ended."""
        def wait():
            err = new_err()
            checked(lib.tf_container_wait_end(
                self._c, int(timeout * 1000) if timeout else 0, err), err)
        self._loc._call(wait)

    # ---- lifecycle

    def start(self):
        """Starts the entrypoint of a container spawned with sleep=True."""
        self.ensure_alive()

        def wake():
            err = new_err()
            checked(lib.tf_container_wake(self._c, err), err)
        self._loc._call(wake)

    def reboot(self, *, reset_filesystem=False):
        """Reboots it (processes are killed, tunnels survive); with
        reset_filesystem, back to the image plus pre-boot files.  Returns
        once it runs again."""
        if self.dead:
            raise RuntimeError("Cannot reboot a dead container: "
                               + self.display_name())

        def reboot():
            err = new_err()
            checked(lib.tf_container_reboot(self._c, bool(reset_filesystem),
                                            err), err)
        self._loc._call(reboot)

    restart = reboot

    def _destroy(self):
        def destroy():
            err = new_err()
            checked(lib.tf_container_destroy(self._c, err), err)
            self._ended(0)	# at once, even if the news is still on its way
        self._loc._call(destroy)

    def _ended(self, exit_code):
        """On the loop thread: the container exited or was destroyed."""
        if self.dead:
            return
        self.dead = True
        for p in self._processes:
            p._ended(0)
        if self.termination_callback is not None:
            self.termination_callback(self, exit_code)

    # ---- files

    def put(self, filename, data):
        """Writes data (bytes, or str as UTF-8) to filename, creating
        missing directories.  ValueError for a path outside the
        container."""
        self.ensure_alive()
        data = data if isinstance(data, bytes) else str(data).encode()

        def put():
            err = new_err()
            checked(lib.tf_container_put(self._c, cbytes(filename),
                                         ffi.from_buffer(data), len(data), 0,
                                         err), err)
        self._loc._call(put)

    def fetch(self, filename):
        """The contents of filename as bytes.  ValueError if it is missing
        or a directory."""
        self.ensure_alive()

        def fetch():
            err = new_err()
            data = ffi.new('uint8_t **')
            size = ffi.new('size_t *')
            checked(lib.tf_container_fetch(self._c, cbytes(filename), data,
                                           size, err), err)
            try:
                return bytes(ffi.buffer(data[0], size[0]))
            finally:
                lib.free(data[0])
        return self._loc._call(fetch)

    # ---- processes

    def _spawn(self, make, data_callback, termination_callback,
               stderr_callback):
        self.ensure_alive()
        proc = Process(self, callback(data_callback),
                       callback(termination_callback),
                       callback(stderr_callback))

        def spawn():
            opts = ffi.new('tf_process_opts *')
            if data_callback is not None or stderr_callback is not None:
                opts.data = lib.tfnz_pdata_cb
            opts.on_end = lib.tfnz_pend_cb
            opts.arg = proc._handle
            err = new_err()
            proc._attach(checked(make(opts, err), err))
        self._loc._call(spawn)
        self._processes.append(proc)
        return proc

    def spawn_process(self, remote_command, data_callback=None,
                      termination_callback=None, stderr_callback=None):
        """Runs remote_command (a string, run by the container's shell)
        asynchronously: data_callback(process, bytes) for stdout,
        stderr_callback(process, bytes), termination_callback(process,
        returncode)."""
        if not isinstance(remote_command, str):
            raise ValueError("Pass the command as a single string")
        self.wait_until_ready()
        return self._spawn(
            lambda opts, err: lib.tf_container_spawn_process(
                self._c, remote_command.encode(), opts, err),
            data_callback, termination_callback, stderr_callback)

    def spawn_shell(self, data_callback=None, termination_callback=None,
                    echo=False):
        """An interactive login shell on a pseudo-terminal; write to it
        with process.stdin(b'command\\n')."""
        self.wait_until_ready()
        return self._spawn(
            lambda opts, err: lib.tf_container_spawn_shell(
                self._c, ffi.NULL, opts, err),
            data_callback, termination_callback, None)

    def run_process(self, remote_command, *, data_callback=None,
                    stderr_callback=None, nolog=False):
        """Runs remote_command to completion: (stdout, stderr,
        exit_code)."""
        if not isinstance(remote_command, str):
            raise ValueError("Pass the command as a single string")
        self.ensure_alive()

        def run():
            err = new_err()
            res = ffi.new('tf_run_result *')
            checked(lib.tf_container_run_process(
                self._c, remote_command.encode(), 0, res, err), err)
            try:
                return (bytes(ffi.buffer(res.out, res.out_len)),
                        bytes(ffi.buffer(res.err, res.err_len)),
                        res.exit_code)
            finally:
                lib.tf_run_result_fini(res)
        out, err, code = self._loc._call(run)
        if data_callback is not None and out:
            callback(data_callback)(self, out)
        if stderr_callback is not None and err:
            callback(stderr_callback)(self, err)
        return out, err, code

    def destroy_process(self, process):
        """Kills one of this container's processes; its termination
        callback fires."""
        self.ensure_alive()
        if process not in self._processes:
            raise ValueError("Process is not a child of this container")
        process.destroy()

    def all_processes(self):
        return [p for p in self._processes if not p.dead]

    @property
    def processes(self):
        return {p.uuid: p for p in self.all_processes()}

    def stdin(self, data):
        """Console stdin: not carried by this location (docs/PYTHON.md)."""
        raise RuntimeError("Console stdin is not supported: start a process"
                           " (spawn_process, spawn_shell) and write to its"
                           " stdin instead")

    # ---- network

    def _tunnel(self, make):
        self.ensure_alive()

        def tunnel():
            err = new_err()
            t = Tunnel(self, checked(make(err), err))
            self._loc._tunnels[t.uuid] = t
            return t
        return self._loc._call(tunnel)

    def attach_tunnel(self, dest_port, *, localport=None, bind=None):
        """A TCP tunnel from bind:localport (localport None: dest_port;
        bind None: 127.0.0.1) to dest_port in the container."""
        lp = dest_port if localport is None else localport
        return self._tunnel(lambda err: lib.tf_container_attach_tunnel(
            self._c, int(dest_port), int(lp), cbytes(bind), err))

    def wait_http_200(self, *, dest_port=80, fqdn='localhost', path='',
                      localport=None):
        """A tunnel on a free port, polled until an HTTP GET of path with
        Host: fqdn answers 200; returns the tunnel."""
        return self._tunnel(lambda err: lib.tf_container_wait_http_200(
            self._c, int(dest_port), cbytes(fqdn), cbytes(path or '/'), 0,
            err))

    def attach_browser(self, dest_port=80, fqdn='localhost', path=''):
        """wait_http_200, then a web browser ($BROWSER or xdg-open) on
        it."""
        return self._tunnel(lambda err: lib.tf_container_attach_browser(
            self._c, int(dest_port), cbytes(fqdn), cbytes(path or '/'), err))

    def destroy_tunnel(self, tunnel):
        tunnel.destroy()

    def all_tunnels(self):
        return [t for t in self._loc._tunnels.values()
                if t.container() is self and not t.dead]

    def wait_tcp(self, dest_port):
        """Blocks until something accepts connections on dest_port."""
        self.ensure_alive()

        def wait():
            err = new_err()
            checked(lib.tf_container_wait_tcp(self._c, int(dest_port), 0,
                                              err), err)
        self._loc._call(wait)

    def allow_connection_from(self, obj):
        self.wait_until_ready()
        if isinstance(obj, Container):
            obj.wait_until_ready()
        _Connectable.allow_connection_from(self, obj)
        log.info("Allowed connection (from %s) on: %s", obj.display_name(),
                 self.display_name())

    def __repr__(self):
        return "<Container '%s' %s>" % (self.display_name(), self.image)


class ExternalContainer(Taggable, _Connectable):
    """A tagged container of another session of the same user
    (Location.externals, Location.external_container)."""

    def __init__(self, location, cctr):
        self._loc = location
        self._c = cctr
        self.dead = False
        Taggable.__init__(self, None, text(lib.tf_container_id(cctr)),
                          text(lib.tf_container_tag(cctr)))
        self.ip = _Address(text(lib.tf_container_ip(cctr)))

    def private_ip(self):
        return str(self.ip)

    def ensure_alive(self):
        pass

    def __repr__(self):
        return "<ExternalContainer '%s'>" % self.display_name()
