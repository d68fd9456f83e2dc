# SPDX-License-Identifier: BSD-2-Clause
"""The seam between Python and libtf: the cffi module, errors, logging, the
callbacks C calls, and the hand-over of work to the location's loop thread.

libtf runs one loop per location on a thread of its own (the C SDK's
tf_location_thread_start).  Every SDK call is made on that thread: a call
from the program's own threads is queued with tf_location_post and waited
for on a threading.Event (which Ctrl-C interrupts, unlike a wait inside C);
a call made from a callback, which already runs on the loop thread, goes
straight through.
"""
import inspect
import logging
import signal
import threading

from ._tf import ffi, lib

log = logging.getLogger('tfnz')

_LEVELS = {
    lib.TF_LOG_ERROR: logging.ERROR,
    lib.TF_LOG_WARN: logging.WARNING,
    lib.TF_LOG_INFO: logging.INFO,
    lib.TF_LOG_DEBUG: logging.DEBUG,
}


@ffi.def_extern()
def tfnz_log_cb(level, msg, arg):
    log.log(_LEVELS.get(level, logging.DEBUG),
            ffi.string(msg).decode('utf-8', 'replace'))


def text(cstr):
    """A C string as str ('' for NULL)."""
    if cstr == ffi.NULL:
        return ''
    return ffi.string(cstr).decode('utf-8', 'replace')


def cbytes(s):
    """str or bytes as bytes for a const char * (None stays None)."""
    if s is None:
        return ffi.NULL
    if isinstance(s, bytes):
        return s
    return str(s).encode()


def cstr(s):
    """An owned C string for a struct field (keep it alive as long as the
    struct); None gives NULL."""
    if s is None:
        return ffi.NULL
    return ffi.new('char[]', cbytes(s))


_RUNTIME = ('not connected', 'disconnected from', 'the loop was stopped',
            'could not reach', 'sent no resource offer', 'interrupted',
            'abandoned while', 'no loop thread', 'Cannot call method on a '
            'terminated')


def error(err):
    """The exception the original SDK raised for this C SDK message: a
    timeout is a TimeoutError, a lost or closed connection a RuntimeError,
    anything else (bad input, a refusal) a ValueError."""
    msg = text(err.msg)
    if 'timed out' in msg or msg.startswith('could not reach'):
        return TimeoutError(msg)
    if any(msg.startswith(p) for p in _RUNTIME):
        return RuntimeError(msg)
    return ValueError(msg)


def new_err():
    return ffi.new('tf_err *')


def accepts(fn):
    """How many positional arguments fn takes (None: any number).  The
    seeds' callbacks take fewer than the SDK offers (tc(obj) where the
    original passes (obj, returncode)), so callbacks get what they take."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    n = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


class Callback:
    """A user callback called with as many arguments as it accepts;
    exceptions are logged, never thrown into C."""

    def __init__(self, fn):
        self.fn = fn
        self.n = accepts(fn)

    def __call__(self, *args):
        try:
            self.fn(*(args if self.n is None else args[:self.n]))
        except Exception:
            log.exception('Exception in callback %r', self.fn)


def callback(fn):
    return None if fn is None else Callback(fn)


class _Job:
    __slots__ = ('fn', 'done', 'result', 'exc', 'handle', 'pending')

    def __init__(self, fn, pending):
        self.fn = fn
        self.pending = pending
        self.done = threading.Event()
        self.result = None
        self.exc = None
        self.handle = None

    def run(self):
        try:
            self.result = self.fn()
        except BaseException as e:		# handed to the waiting thread
            self.exc = e
        # The handle stays alive until now even if the caller gave up
        # waiting (Ctrl-C): C holds it in its queue.
        self.pending.discard(self)
        self.done.set()


@ffi.def_extern()
def tfnz_call_cb(loc, arg):
    job = ffi.from_handle(arg)
    job.run()


class LoopThread:
    """Runs functions on a location's loop thread (see the module's doc)."""

    def __init__(self, cloc):
        self.cloc = cloc
        self.ident = None
        self.lock = threading.RLock()	# direct calls once no thread runs
        self.pending = set()

    def start(self):
        err = new_err()
        if lib.tf_location_thread_start(self.cloc, err) != 0:
            raise error(err)
        self.ident = self.call(threading.get_ident)
        self.ended = threading.Event()
        threading.Thread(target=self._join, name='tfnz-join',
                         daemon=True).start()

    def _join(self):
        """The loop thread's one joiner: sets ended when it has gone
        (complete, a refused connection).  Signals stay with the main
        thread, whose waits they must interrupt."""
        signal.pthread_sigmask(signal.SIG_BLOCK,
                               {signal.SIGINT, signal.SIGTERM})
        lib.tf_location_thread_join(self.cloc, ffi.NULL)
        self.ended.set()

    def stop(self):
        """Completes the location (it disconnects on its thread) and
        waits until the loop thread has gone: no callback comes after."""
        if not self.ended.is_set():
            self.call(lambda: lib.tf_location_complete(self.cloc, 0))
            self.ended.wait()

    def on_loop(self):
        return threading.get_ident() == self.ident

    def call(self, fn):
        """fn() on the loop thread; its result, or its exception raised
        here."""
        if self.on_loop():
            return fn()
        job = _Job(fn, self.pending)
        job.handle = ffi.new_handle(job)
        err = new_err()
        self.pending.add(job)
        if lib.tf_location_post(self.cloc, lib.tfnz_call_cb, job.handle,
                                err) != 0:
            # No loop thread any more (the location completed): the SDK
            # may be called directly, one caller at a time.
            self.pending.discard(job)
            with self.lock:
                return fn()
        job.done.wait()
        if job.exc is not None:
            raise job.exc
        return job.result


def checked(rc, err):
    """Raises the error for a C call that returned -1 or NULL."""
    if rc == -1 or rc == ffi.NULL:
        raise error(err)
    return rc
