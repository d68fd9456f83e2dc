# SPDX-License-Identifier: BSD-2-Clause
"""Every program of the seed documents (python/examples/, each the seed's
own text but for the noted image names) runs against the real location and
node and prints what the seed says it prints.  Those that wait in
signal.pause() or loc.run() get Ctrl-C (or SIGTERM) once their work is
visible, and must then disconnect."""
import os
import re
import signal
import subprocess

import pytest

from conftest import (BUILD, EXAMPLES, Program, http_get, port_free,
                      wait_for)


def example(name):
    return os.path.join(EXAMPLES, name + '.py')


def run(tmp, name, args=(), timeout=300):
    p = Program(tmp, name, example(name), args)
    rc = p.wait(timeout)
    assert rc == 0, '%s exit %s:\n%s' % (name, rc, p.stderr()[-3000:])
    return p


def interrupted(p, sig=signal.SIGINT):
    """Stops a waiting program; it must disconnect and end cleanly (Ctrl-C
    ends Python by SIGINT, as Python programs do, without a traceback)."""
    rc = p.stop(sig)
    err = p.stderr()
    assert 'Disconnecting' in err, err[-2000:]
    assert 'Traceback' not in err, err[-2000:]
    assert rc in (0, -signal.SIGINT), 'exit %s' % rc


def browser_example(tmp, urls, name, text):
    p = Program(tmp, name, example(name))
    p.wait_err('Connected onto')
    wait_for(urls, 'http://')
    with open(urls) as f:
        url = f.read().split()[-1]
    assert text in http_get(url)
    interrupted(p)


# Seed 000: advanced spawning.

def test_preboot(tmp, browser):
    browser_example(tmp, browser, 'preboot', 'Hello World!')


def test_reboot(tmp):
    p = run(tmp, 'reboot')
    assert p.stdout().splitlines() == ["b'Some data'", "b'Some data'"]


def test_spawn_sync(tmp):
    p = run(tmp, 'spawn_sync', timeout=600)
    err = p.stderr()
    assert err.count('Connected onto') == 10
    assert err.index('-----Starting') < err.index('-----Finished')
    assert re.search(r'^\d{10}\.\d{3} INFO     -----Finished$', err, re.M)


def test_spawn_async(tmp):
    p = run(tmp, 'spawn_async', timeout=600)
    err = p.stderr()
    assert err.count('Connected onto') == 10
    assert err.count('Spawning container') == 10
    assert err.index('-----Starting') < err.index('-----Finished')


# Seed 001: the SDK.

def test_quickstart(tmp, browser):
    browser_example(tmp, browser, 'quickstart', 'Welcome to nginx')


def test_last_image(tmp, browser):
    subprocess.run([os.path.join(BUILD, 'cli', 'tfcache'), '-q', 'nginx'],
                   check=True)
    browser_example(tmp, browser, 'last_image', 'Welcome to nginx')


def test_chained(tmp, browser):
    subprocess.run([os.path.join(BUILD, 'cli', 'tfcache'), '-q', 'nginx'],
                   check=True)
    browser_example(tmp, browser, 'chained', 'Welcome to nginx')


def test_webserver(tmp, browser):
    browser_example(tmp, browser, 'webserver', 'Welcome to nginx')


def test_put_fetch(tmp):
    out = run(tmp, 'put_fetch').stdout().splitlines()
    assert out[0] == "b'Some data'"
    assert out[1] == '------------------------------------'
    assert any('worker_processes' in line for line in out[2:])


def test_tunnel(tmp):
    if not port_free(1234):
        pytest.skip('port 1234 is in use (the seed names it)')
    p = Program(tmp, 'tunnel', example('tunnel'))
    p.wait_err('Created tunnel')
    wait_for(p.err, 'Container is running')
    assert 'Welcome to nginx' in http_get('http://127.0.0.1:1234/')
    interrupted(p)


def test_process_sync(tmp):
    assert 'nginx: master' in run(tmp, 'process_sync').stdout()


def test_process_async(tmp):
    out = run(tmp, 'process_async').stdout()
    assert '---sleep terminated---' in out
    assert 'vmstat terminated' in out


def test_process_stdin(tmp):
    out = run(tmp, 'process_stdin').stdout()
    assert 'nginx: master' in out
    assert not out.startswith('ps faxu')		# the echo was dropped


def test_shell(tmp):
    assert 'nginx: master' in run(tmp, 'shell').stdout()


def test_multi_container(tmp):
    out = run(tmp, 'multi_container').stdout().splitlines()
    assert 'Before -->' in out
    assert 'After -->Hi!' in out


# Seed 002: additional processes.

def test_procs_sync(tmp):
    assert 'nginx: master' in run(tmp, 'procs_sync').stdout()


def test_procs_async(tmp):
    out = run(tmp, 'procs_async').stdout()
    assert '---sleep terminated---' in out
    assert 'vmstat terminated' in out


def test_procs_stdin(tmp):
    out = run(tmp, 'procs_stdin').stdout()
    assert 'PID' in out and '/bin/ps faxu' in out


def test_procs_shell(tmp):
    out = run(tmp, 'procs_shell').stdout()
    assert 'PID' in out
    assert 'nginx' not in out


# Seed 003: production.

def test_tf_server(tmp):
    if not port_free(8080):
        pytest.skip('port 8080 is in use (the seed names it)')
    p = Program(tmp, 'tf_server', example('tf_server'))
    p.wait_err('Created tunnel')
    wait_for(p.err, 'Container is running')
    assert 'Welcome to nginx' in http_get('http://127.0.0.1:8080/')
    interrupted(p, signal.SIGTERM)		# as systemd stops it


def volumes():
    out = subprocess.run([os.path.join(BUILD, 'cli', 'tfvolumes'), 'list'],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def test_tf_service(tmp):
    before = volumes()
    p = Program(tmp, 'svc', example('tf_service'), ['nginx'])
    # The first run on a machine uploads the postgres image (well over a
    # minute on a loaded 2-core machine), so wait for the upload to end
    # before giving the service its usual time.
    p.wait_err('Image stored|No layers need uploading', timeout=900)
    p.wait_err('Allowed connection')
    err = p.stderr()
    assert 'on the development environment' in err
    assert 'Using webserver image: nginx' in err
    assert len(volumes()) == len(before) + 1
    interrupted(p)
    p = Program(tmp, 'svc2', example('tf_service'), ['nginx'])
    p.wait_err('Allowed connection')
    assert len(volumes()) == len(before) + 1	# dev/db found in the kv
    interrupted(p)


def test_snapshot(tmp):
    out = run(tmp, 'snapshot').stdout().splitlines()
    assert out == ["b'I am a carrot'", "b'I am a test'"]


def test_reset_test(tmp):
    run(tmp, 'reset_test')


# Seed 004: client applications.

def test_hello_run(tmp):
    if not port_free(8080):
        pytest.skip('port 8080 is in use (the seed names it)')
    p = Program(tmp, 'hello_run', example('hello_run'))
    p.wait_err('Created tunnel')
    wait_for(p.err, 'Container is running')
    assert 'Welcome to nginx' in http_get('http://127.0.0.1:8080/')
    rc = p.stop(signal.SIGINT)
    assert rc == 0				# loc.run() takes Ctrl-C itself
    assert 'Disconnecting' in p.stderr()
