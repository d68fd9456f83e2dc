# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures of the tfnz suite.  tests/python/run_pytest.sh starts a private
location and node (tests/integration/lib.sh) and gives their whereabouts in
the environment; without it every test is skipped."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

TMP = os.environ.get('TFPY_TMP')
EXAMPLES = os.environ.get('TFPY_EXAMPLES')
BUILD = os.environ.get('TFPY_BUILD')
PYTHON = os.environ.get('TFPY_PYTHON', sys.executable)


def pytest_collection_modifyitems(config, items):
    if TMP is None:
        skip = pytest.mark.skip(reason='run through tests/python/run_pytest.sh')
        for item in items:
            item.add_marker(skip)


def wait_for(path, pattern, timeout=90, count=1):
    """Waits until pattern (a regex) occurs count times in the file."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path, errors='replace') as f:
                if len(re.findall(pattern, f.read(), re.M)) >= count:
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    with open(path, errors='replace') as f:
        tail = f.read()[-2000:]
    raise AssertionError('timed out waiting for %r in %s:\n%s'
                         % (pattern, path, tail))


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def http_get(url, timeout=30):
    """The page at url.  A server in a container may still be starting
    when its tunnel is ready (the tunnel then resets the connection), so
    a reset or refused connection is tried again until it answers."""
    import urllib.error
    import urllib.request
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.read().decode('utf-8', 'replace')
        except (ConnectionError, urllib.error.URLError) as e:
            reason = getattr(e, 'reason', e)
            if isinstance(e, urllib.error.HTTPError) or \
                    not isinstance(reason, ConnectionError) or \
                    time.time() > deadline:
                raise
            time.sleep(0.2)


class Program:
    """A Python program run in the background, output in files."""

    def __init__(self, tmp, name, script, args=(), env=None):
        self.out = os.path.join(tmp, name + '.out')
        self.err = os.path.join(tmp, name + '.err')
        self.name = name
        with open(self.out, 'w') as o, open(self.err, 'w') as e:
            # As from a terminal: a test runner's background job may have
            # SIGINT ignored, which the child would inherit.
            self.proc = subprocess.Popen(
                [PYTHON, script] + list(args), stdout=o, stderr=e, cwd=tmp,
                env=env or os.environ.copy(),
                preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                 signal.SIG_DFL))

    def wait_err(self, pattern, timeout=90, count=1):
        return wait_for(self.err, pattern, timeout, count)

    def stop(self, sig=signal.SIGINT, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout=300):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError('%s did not end:\n%s' % (self.name,
                                                          self.stderr()))

    def stdout(self):
        with open(self.out, errors='replace') as f:
            return f.read()

    def stderr(self):
        with open(self.err, errors='replace') as f:
            return f.read()


@pytest.fixture
def tmp(tmp_path):
    return str(tmp_path)


@pytest.fixture
def browser(tmp):
    """$BROWSER for attach_browser: a script that records the URL."""
    urls = os.path.join(tmp, 'urls')
    script = os.path.join(tmp, 'browser')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\necho "$1" >> %s\n' % urls)
    os.chmod(script, 0o755)
    os.environ['BROWSER'] = script
    return urls


@pytest.fixture(scope='module')
def loc():
    """A Location for the scenario tests, disconnected at the end."""
    from tfnz.location import Location
    location = Location()
    yield location
    location.disconnect()
