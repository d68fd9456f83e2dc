# SPDX-License-Identifier: BSD-2-Clause
"""bench_tfnz.py: the Python side of bench/bench_python.sh: the same three
operations as bench-sdkops (bench_sdkops.c, the C SDK), through tfnz.

    python3 bench_tfnz.py spawn  N             spawn + wait_until_ready
    python3 bench_tfnz.py exec   N             run_process('true')
    python3 bench_tfnz.py tunnel N BYTES SRV   transfers through a tunnel

One "sample VALUE" line per measurement (ms, or MB/s for tunnel); what is
timed is what bench-sdkops times.  Here the SDK's loop has a thread of its
own and this (main) thread makes the calls and writes the tunnel's bytes.
"""
import socket
import struct
import sys
import time

from tfnz.location import Location

SRV_PATH = '/usr/local/bin/tfbench-srv'
CHUNK = 1024 * 1024


def now_ms():
    return time.monotonic() * 1000.0


def sample(value):
    print('sample %.3f' % value, flush=True)


def main():
    what, n = sys.argv[1], int(sys.argv[2])
    loc = Location(quiet=True)
    node = loc.best_node()
    if what == 'spawn':
        for _ in range(n):
            t0 = now_ms()
            ctr = node.spawn('busybox', command=['sleep', '3600'],
                             no_image_check=True).wait_until_ready()
            sample(now_ms() - t0)
            node.destroy_container(ctr)
    elif what == 'exec':
        ctr = node.spawn('busybox', command=['sleep', '3600'],
                         no_image_check=True).wait_until_ready()
        for _ in range(n):
            t0 = now_ms()
            ctr.run_process('true')
            sample(now_ms() - t0)
    elif what == 'tunnel':
        nbytes = int(sys.argv[3])
        with open(sys.argv[4], 'rb') as f:
            srv = f.read()
        ctr = node.spawn_container('busybox', command=[SRV_PATH], sleep=True,
                                   no_image_check=True)
        ctr.put(SRV_PATH, srv)
        ctr.run_process('chmod 755 ' + SRV_PATH)
        ctr.start()
        ctr.wait_tcp(5000)
        tunnel = ctr.attach_tunnel(5000, localport=0)
        buf = bytes(CHUNK)
        for _ in range(n):
            t0 = now_ms()
            s = socket.create_connection(('127.0.0.1', tunnel.localport()))
            left = nbytes
            while left > 0:
                s.sendall(buf if left >= CHUNK else buf[:left])
                left -= CHUNK
            s.shutdown(socket.SHUT_WR)
            count = b''
            while len(count) < 8:
                got = s.recv(8 - len(count))
                if not got:
                    raise RuntimeError('the sink closed early')
                count += got
            s.close()
            if struct.unpack('>Q', count)[0] != nbytes:
                raise RuntimeError('the sink counted other bytes')
            sample(nbytes / 1e6 / ((now_ms() - t0) / 1e3))
    else:
        sys.exit('bench_tfnz.py: unknown bench ' + what)
    loc.disconnect()


if __name__ == '__main__':
    main()
