# SPDX-License-Identifier: BSD-2-Clause
"""The original SDK's tf_test.py scenarios, re-expressed for tfnz over
libtf: spawn, env, sleep/wake, pre-boot files, volumes, reboot,
firewalling, externals, processes and callbacks, file handling, garbage
collection; plus logging, the key/value store and tags."""
import os
import re
import signal
import textwrap
import threading
import time

import pytest

from conftest import Program, http_get, wait_for

NC_GET = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 %s 80"


def until(cond, timeout=30):
    """Polls cond() until it is true (the model follows pushes)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    raise AssertionError('condition not met in %d s' % timeout)


@pytest.fixture(scope='module')
def node(loc):
    return loc.best_node()


def test_nodes(loc, node):
    ranked = loc.ranked_nodes()
    assert ranked[0] is node and loc.node() is node
    assert node.pk in loc.nodes
    stats = node.stats
    for key in ('memory', 'cpu', 'paging', 'ave_start_time'):
        assert key in stats
    assert stats['memory'] > 0


def test_spawn(loc, node):
    ctr = node.spawn_container('nginx')
    assert ctr.is_ready() and ctr.state == 'running'
    assert re.match(r'^\d+\.\d+\.\d+\.\d+$', ctr.ip)
    assert ctr.ip() == ctr.ip == ctr.private_ip()
    assert ctr.uuid in node.containers and ctr in node.all_containers()
    assert ctr.node() is node
    tunnel = ctr.wait_http_200()
    assert 'Welcome to nginx' in http_get(
        'http://127.0.0.1:%d/' % tunnel.localport())
    assert tunnel.uuid in loc.tunnels and tunnel in ctr.all_tunnels()
    node.destroy_container(ctr)
    assert ctr.dead and ctr.uuid not in node.containers
    with pytest.raises(ValueError):
        ctr.fetch('/etc/hostname')
    with pytest.raises(ValueError):
        node.destroy_container(ctr)


def test_spawn_async_and_termination(loc, node):
    ended = []
    done = threading.Event()

    def tc(container, returncode):
        ended.append((container, returncode))
        done.set()
    ctr = node.spawn('ends-test', termination_callback=tc)
    assert ctr.wait_until_ready() is ctr
    assert done.wait(60)
    assert ended == [(ctr, 0)] and ctr.dead


def test_spawn_bad_arguments(node):
    with pytest.raises(ValueError):
        node.spawn_container('nginx', env=['TEST=1'])
    with pytest.raises(ValueError):
        node.spawn_container('nginx', pre_boot_files=['/a', 'b'])
    with pytest.raises(ValueError):
        node.spawn_container('no-such-image-here')


def test_env(node):
    ctr = node.spawn_container('env-test', env=[('TEST_ENV', 'hello world'),
                                                ('OTHER', '2')])
    tunnel = ctr.wait_http_200()
    body = http_get('http://127.0.0.1:%d/' % tunnel.localport())
    assert 'TEST_ENV=hello world' in body.splitlines()
    assert 'OTHER=2' in body.splitlines()
    node.destroy_container(ctr)


def test_sleep_wake(node):
    ctr = node.spawn_container('nginx', sleep=True)
    assert ctr.state == 'sleeping'
    assert b'nginx: master' not in ctr.run_process('ps')[0]
    ctr.start()
    ctr.wait_tcp(80)
    assert b'nginx: master' in ctr.run_process('ps')[0]
    node.destroy_container(ctr)


def test_preboot(node):
    binary = bytes(range(256))
    ctr = node.spawn_container('nginx', pre_boot_files=[
        ('/usr/share/nginx/html/index.html', 'Preboot!'),
        ('/new/dir/binary', binary)])
    assert ctr.fetch('/usr/share/nginx/html/index.html') == b'Preboot!'
    assert ctr.fetch('/new/dir/binary') == binary
    tunnel = ctr.wait_http_200()
    assert http_get('http://127.0.0.1:%d/' % tunnel.localport()) == \
        'Preboot!'
    node.destroy_container(ctr)
    ctr = node.spawn_container('nginx', pre_boot_files={'/etc/a': 'dict'})
    assert ctr.fetch('/etc/a') == b'dict'
    node.destroy_container(ctr)


def test_volume_size(loc):
    with pytest.raises(ValueError):
        loc.create_volume(size=-1)
    vol = loc.create_volume(size=64 << 20)
    assert vol.uuid in loc.volumes
    loc.destroy_volume(vol)


def test_volumes(loc, node):
    vol = loc.create_volume(tag='pytest-vol')
    assert loc.volume('pytest-vol') is vol
    assert loc.volume(vol.uuid) is vol
    assert loc.volume(vol.display_name()) is vol
    assert vol.display_name() == vol.uuid + ':pytest-vol'
    assert vol.uuid in loc.volumes and loc.volumes.get('pytest-vol') is vol
    with pytest.raises(ValueError):
        node.spawn_container('nginx', volumes=(vol, '/data'))
    ctr = node.spawn_container('nginx', volumes=[(vol, '/data')])
    ctr.put('/data/x', b'first')
    vol.snapshot()
    ctr.put('/data/x', b'second')
    assert ctr.fetch('/data/x') == b'second'
    vol.rollback()
    assert ctr.fetch('/data/x') == b'first'
    other = node.spawn_container('nginx', volumes=[('pytest-vol', '/mnt')])
    assert other.fetch('/mnt/x') == b'first'
    with pytest.raises(ValueError):
        loc.destroy_volume(vol)				# mounted
    node.destroy_container(other)
    node.destroy_container(ctr)
    ended = []
    vol.termination_callback = lambda v, rc: ended.append(v)
    loc.destroy_volume(vol)
    assert ended == [vol]
    with pytest.raises(KeyError):
        loc.volume('pytest-vol')
    ensured = loc.ensure_volume('pytest-ensured')
    assert loc.ensure_volume('pytest-ensured') is ensured
    loc.destroy_volume(ensured)


def test_reboot(node):
    ended = threading.Event()
    ctr = node.spawn_container('nginx', pre_boot_files=[('/pre', 'boot')])
    tunnel = ctr.attach_tunnel(80, localport=0)
    proc = ctr.spawn_process('sleep 1000',
                             termination_callback=lambda p: ended.set())
    ip = ctr.ip
    ctr.put('/usr/new/path', b'Some data')
    ctr.reboot()
    assert ended.wait(30)				# processes die
    assert ctr.fetch('/usr/new/path') == b'Some data'
    assert ctr.ip == ip
    ctr.reboot(reset_filesystem=True)
    with pytest.raises(ValueError):
        ctr.fetch('/usr/new/path')
    assert ctr.fetch('/pre') == b'boot'		# part of "as booted"
    ctr.wait_tcp(80)
    assert 'Welcome to nginx' in http_get(
        'http://127.0.0.1:%d/' % tunnel.localport())	# tunnels survive
    node.destroy_container(ctr)
    with pytest.raises(RuntimeError):
        ctr.reboot()


def test_firewalling(node):
    server = node.spawn_container('nginx')
    client = node.spawn_container('busybox', sleep=True)
    cmd = NC_GET % server.ip
    assert b'Welcome to nginx' not in client.run_process(cmd)[0]
    server.allow_connection_from(client)
    assert b'Welcome to nginx' in client.run_process(cmd)[0]
    server.disallow_connection_from(client)
    assert b'Welcome to nginx' not in client.run_process(cmd)[0]
    node.destroy_container(client)
    node.destroy_container(server)


def test_externals(loc, node):
    from tfnz.location import Location
    other = Location(quiet=True)
    theirs = other.best_node().spawn_container('nginx', tag='pytest-ext')
    until(lambda: 'pytest-ext' in [e.tag for e in loc.externals])
    ext = loc.external_container('pytest-ext')
    assert ext.uuid == theirs.uuid and ext.ip == theirs.ip
    assert loc.externals.get('pytest-ext').uuid == theirs.uuid
    with pytest.raises(ValueError):
        node.spawn_container('nginx', tag='pytest-ext')	# a clash
    with pytest.raises(ValueError):
        node.spawn_container('nginx', tag='Not A Tag!')
    client = node.spawn_container('busybox', sleep=True)
    cmd = NC_GET % ext.ip
    assert b'Welcome to nginx' not in client.run_process(cmd)[0]
    ext.allow_connection_from(client)
    assert b'Welcome to nginx' in client.run_process(cmd)[0]
    other.disconnect()
    until(lambda: 'pytest-ext' not in [e.tag for e in loc.externals])
    with pytest.raises(KeyError):
        loc.external_container('pytest-ext')
    node.destroy_container(client)


def test_processes_and_callbacks(node):
    ctr = node.spawn_container('nginx')
    out, err, codes = [], [], []
    done = threading.Event()

    def tc(proc, returncode):
        codes.append(returncode)
        done.set()
    proc = ctr.spawn_process('echo one; echo two >&2; exit 3',
                             data_callback=lambda p, d: out.append(d),
                             stderr_callback=lambda p, d: err.append(d),
                             termination_callback=tc)
    assert done.wait(30)
    assert b''.join(out) == b'one\n' and b''.join(err) == b'two\n'
    assert codes == [3] and proc.dead and proc.returncode == 3

    assert ctr.run_process('echo out; echo err >&2; exit 4') == \
        (b'out\n', b'err\n', 4)
    seen = []
    ctr.run_process('echo cb', data_callback=lambda c, d: seen.append(d))
    assert seen == [b'cb\n']
    with pytest.raises(ValueError):
        ctr.run_process(['echo', 'list'])
    with pytest.raises(ValueError):
        ctr.spawn_process(['echo', 'list'])

    assert ctr.spawn_process('echo sync').wait_until_complete() == b'sync\n'

    # stdin, with and without waiting for the reply
    got = []
    cat = ctr.spawn_process('cat', data_callback=lambda p, d: got.append(d))
    cat.stdin(b'hello\n')
    until(lambda: b''.join(got) == b'hello\n')
    sh = ctr.spawn_process('/bin/sh')
    assert sh.stdin(b'echo $((6 * 7))\n', return_reply=True) == b'42\n'

    # destroy_process fires the termination callback (one argument here)
    killed = threading.Event()
    long = ctr.spawn_process('sleep 1000',
                             termination_callback=lambda p: killed.set())
    ctr.destroy_process(long)
    assert killed.wait(30) and long.dead
    assert long not in ctr.all_processes()
    other = node.spawn_container('busybox', sleep=True)
    with pytest.raises(ValueError):
        other.destroy_process(cat)

    # an interactive shell
    shell_out = []
    shell = ctr.spawn_shell(lambda p, d: shell_out.append(d))
    shell.stdin(b'echo $((6 * 7))\n')
    until(lambda: b'42' in b''.join(shell_out))

    # a blocking call from inside a callback (the loop nests)
    fetched = []
    nested = threading.Event()

    def fetch_in_callback(proc):
        fetched.append(ctr.fetch('/etc/nginx/nginx.conf'))
        nested.set()
    ctr.spawn_process('true', termination_callback=fetch_in_callback)
    assert nested.wait(30) and b'worker_processes' in fetched[0]
    node.destroy_container(other)
    node.destroy_container(ctr)
    assert cat.dead and sh.dead				# the container's end


def test_files(node):
    ctr = node.spawn_container('nginx')
    data = os.urandom(3 << 20)
    ctr.put('/big/file', data)
    assert ctr.fetch('/big/file') == data
    ctr.put('/text', 'unicode: \u00e9')
    assert ctr.fetch('/text') == 'unicode: \u00e9'.encode()
    with pytest.raises(ValueError):
        ctr.fetch('/no/such/file')
    with pytest.raises(ValueError):
        ctr.fetch('/etc')				# a directory
    with pytest.raises(ValueError):
        ctr.put('../what.ever', b'escape')
    with pytest.raises(ValueError):
        ctr.put('/etc', b'onto a directory')
    node.destroy_container(ctr)


def test_kv(loc):
    with pytest.raises(KeyError):
        loc.kv['pytest/missing']
    loc.set_kv({'pytest/a': '1', 'pytest/b': 'two'})
    assert loc.kv['pytest/a'] == '1' and loc.kv.get('pytest/b') == 'two'
    assert 'pytest/a' in loc.kv
    assert {'pytest/a', 'pytest/b'} <= set(loc.kv.keys('pytest/'))
    del loc.kv['pytest/a']
    assert 'pytest/a' not in loc.kv
    assert 'pytest/a' not in loc.kv.keys()
    vol = loc.create_volume()
    loc.set_kv({'pytest/vol': vol.uuid})
    found_node, found_vol = loc.node_and_volume(loc.kv['pytest/vol'])
    assert found_vol is vol and found_node is vol.node()
    loc.destroy_volume(vol)
    with pytest.raises(KeyError):
        loc.node_and_volume(vol.uuid)


def test_postgresql(loc, node):
    from tfnz.components.postgresql import Postgresql
    vol = loc.create_volume()
    pg = Postgresql(node, vol, password='pytest-pw')
    assert pg.wait_until_ready(timeout=240) is pg and pg.is_ready()
    assert pg.ensure_database('pytest') is True
    assert pg.ensure_database('pytest') is False
    assert pg.ip == pg.ctr.ip				# a Container otherwise
    out, err, rc = pg.run_process('psql -U postgres -tA -c "SELECT 6 * 7"')
    assert (out, rc) == (b'42\n', 0)
    node.destroy_container(pg.ctr)
    loc.destroy_volume(vol)


GC_PROGRAM = '''
import signal, sys
from tfnz.location import Location
loc = Location(quiet=%(quiet)s, debug_log=%(debug)s)
ctr = loc.best_node().spawn_container('nginx', tag=sys.argv[1])
print('ready', flush=True)
if sys.argv[2] == 'pause':
    signal.pause()
'''


def gc_program(tmp, tag, how, quiet=False, debug=False):
    path = os.path.join(tmp, tag + '.py')
    with open(path, 'w') as f:
        f.write(GC_PROGRAM % {'quiet': quiet, 'debug': debug})
    return Program(tmp, tag, path, [tag, how])


def test_gc_ctrl_c(tmp, loc):
    p = gc_program(tmp, 'pytest-gc-int', 'pause')
    wait_for(p.out, 'ready')
    until(lambda: 'pytest-gc-int' in [e.tag for e in loc.externals])
    assert p.stop(signal.SIGINT) == -signal.SIGINT
    assert 'Disconnecting' in p.stderr() and 'Traceback' not in p.stderr()
    until(lambda: 'pytest-gc-int' not in [e.tag for e in loc.externals])


def test_gc_sigterm(tmp, loc):
    p = gc_program(tmp, 'pytest-gc-term', 'pause')
    wait_for(p.out, 'ready')
    assert p.stop(signal.SIGTERM) == 0
    assert 'Disconnecting' in p.stderr()
    until(lambda: 'pytest-gc-term' not in [e.tag for e in loc.externals])


def test_gc_end_of_program(tmp, loc):
    p = gc_program(tmp, 'pytest-gc-end', 'end')
    assert p.wait(120) == 0
    err = p.stderr()
    assert 'Destroying container' in err and 'Disconnecting' in err
    until(lambda: 'pytest-gc-end' not in [e.tag for e in loc.externals])


def test_logging_quiet(tmp):
    p = gc_program(tmp, 'pytest-quiet', 'end', quiet=True)
    assert p.wait(120) == 0
    assert p.stderr() == '' and p.stdout() == 'ready\n'


def test_logging_debug(tmp):
    p = gc_program(tmp, 'pytest-debug', 'end', debug=True)
    assert p.wait(120) == 0
    err = p.stderr()
    assert 'Message loop started' in err
    assert re.search(r'^\d{10}\.\d{3} DEBUG    ', err, re.M)
    assert re.search(r'^\d{10}\.\d{3} INFO     Container is running: ', err,
                     re.M)
    with pytest.raises(ValueError):
        from tfnz.location import Location
        Location(quiet=True, debug_log=True)


def test_tags():
    from tfnz import Taggable, TaggedCollection
    assert Taggable.valid_tag('Good-tag_1.x') == 'good-tag_1.x'
    for bad in ('', 'no spaces', 'A' * 22):
        with pytest.raises(ValueError):
            Taggable.valid_tag(bad)
    a, b = Taggable('u', 'uuid-a', 'tag-a'), Taggable('u', 'uuid-b')
    coll = TaggedCollection([a, b])
    assert len(coll) == 2 and coll['uuid-a'] is a and 'uuid-b' in coll
    assert coll.get('u', 'tag-a') is a and coll.get('uuid-a:tag-a') is a
    assert coll.get('uuid-b') is b
    with pytest.raises(KeyError):
        coll.get('nothing')
    with pytest.raises(ValueError):
        coll.get('a:b:c')
    with pytest.raises(RuntimeError):
        coll.add(Taggable('u', 'uuid-a'))
