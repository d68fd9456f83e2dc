#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/ssh_rtt.py: keystroke round trip through an interactive ssh.

    ssh_rtt.py KEYS COMMAND...

Runs COMMAND (an `ssh -tt HOST cat`) on a terminal of its own, waits
until the remote terminal echoes, then types KEYS single letters one at a
time, each after the echo of the one before, and prints the median time
from a key written to its echo read, in milliseconds.  The echo is the
remote terminal's (cat's PTY), so this is the path a keystroke takes in a
shell: client, server, the process's terminal and back.
"""
import os
import pty
import select
import signal
import statistics
import sys
import time
import tty


def read_until(fd, want, timeout):
    got = b""
    end = time.monotonic() + timeout
    while want not in got:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("no echo of %r (got %r)" % (want, got[-80:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EOFError("ssh ended: %r" % got[-200:])
            got += chunk
    return got


def main():
    keys = int(sys.argv[1])
    cmd = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        # No local echo: until ssh sets its terminal raw, this one would
        # echo keys itself and the time would be the local terminal's.
        tty.setraw(0)
        os.execvp(cmd[0], cmd)
    try:
        # The session is up once a typed line comes back.
        deadline = time.monotonic() + 60
        while True:
            os.write(fd, b"ready\r")
            try:
                read_until(fd, b"ready", 2)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        time.sleep(0.2)
        while select.select([fd], [], [], 0.1)[0]:
            os.read(fd, 4096)
        times = []
        for i in range(keys):
            k = bytes([ord("a") + i % 26])
            t0 = time.monotonic()
            os.write(fd, k)
            read_until(fd, k, 10)
            times.append((time.monotonic() - t0) * 1000)
        print("%.3f" % statistics.median(times))
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
