# SPDX-License-Identifier: BSD-2-Clause
"""Process: a process started in a container (tf_process)."""
import weakref

from ._glue import checked, ffi, lib, new_err, text

__all__ = ['Process']


@ffi.def_extern()
def tfnz_pdata_cb(cproc, fd, data, length, arg):
    proc = ffi.from_handle(arg)
    chunk = bytes(ffi.buffer(data, length))
    if fd == 2 and proc.stderr_callback is not None:
        proc.stderr_callback(proc, chunk)
    elif fd != 2 and proc.data_callback is not None:
        proc.data_callback(proc, chunk)
    elif fd != 2:
        proc._collected.append(chunk)


@ffi.def_extern()
def tfnz_pend_cb(cproc, exit_code, arg):
    ffi.from_handle(arg)._ended(exit_code)


class Process:
    """Do not construct: Container.spawn_process, spawn_shell."""

    def __init__(self, container, data_callback, termination_callback,
                 stderr_callback=None):
        self.parent = weakref.ref(container)
        self._ctr = container
        self._loc = container._loc
        self.data_callback = data_callback
        self.termination_callback = termination_callback
        self.stderr_callback = stderr_callback
        self.dead = False
        self.returncode = None
        self.uuid = ''
        self._c = None
        self._collected = []	# stdout when only stderr has a callback
        self._handle = ffi.new_handle(self)

    def _attach(self, cproc):
        self._c = cproc
        self.uuid = text(lib.tf_process_id(cproc))

    def _ended(self, exit_code):
        """On the loop thread: the process ended (or its container did)."""
        if self.dead:
            return
        self.dead = True
        self.returncode = exit_code
        if self.termination_callback is not None:
            self.termination_callback(self, exit_code)

    def ensure_alive(self):
        if self.dead:
            raise ValueError("Cannot call method on a terminated object: "
                             + self.uuid)

    def stdin(self, data, return_reply=False, drop_echo=False):
        """Writes data to the process's stdin (empty data: destroy it).
        With return_reply, waits for the output that answers it and
        returns it (drop_echo: without the terminal's echo of data)."""
        self.ensure_alive()
        if not data:
            self.destroy()
            return None
        data = data if isinstance(data, bytes) else str(data).encode()

        def write():
            err = new_err()
            if not return_reply:
                checked(lib.tf_process_stdin(self._c, data, len(data), err),
                        err)
                return None
            reply = ffi.new('uint8_t **')
            size = ffi.new('size_t *')
            checked(lib.tf_process_stdin_reply(
                self._c, data, len(data), bool(drop_echo), 0, 0, reply, size,
                err), err)
            try:
                return bytes(ffi.buffer(reply[0], size[0]))
            finally:
                lib.free(reply[0])
        return self._loc._call(write)

    def wait_until_complete(self, timeout=None):
        """Blocks until the process ends; returns what it wrote to stdout
        when there was no data callback."""
        def wait():
            err = new_err()
            code = ffi.new('int *')
            checked(lib.tf_process_wait(
                self._c, int(timeout * 1000) if timeout else 0, code, err),
                err)
            size = ffi.new('size_t *')
            out = lib.tf_process_output(self._c, size)
            if out == ffi.NULL or size[0] == 0:
                return b''.join(self._collected)
            return bytes(ffi.buffer(out, size[0]))
        return self._loc._call(wait)

    def destroy(self, with_command=True):
        """Kills the process (SIGTERM, then SIGKILL); its termination
        callback fires.  Use Container.destroy_process."""
        if self.dead:
            return

        def kill():
            err = new_err()
            checked(lib.tf_container_destroy_process(self._ctr._c, self._c,
                                                     err), err)
        self._loc._call(kill)

    def __repr__(self):
        return "<Process '%s'>" % self.uuid
