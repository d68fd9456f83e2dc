# SPDX-License-Identifier: BSD-2-Clause
"""Postgresql: a postgres container on a volume, ready once it answers
queries (the original's tfnz.components.postgresql).  The image is the
'postgres' one scripts/build_debian_images.sh makes (Debian's postgresql;
its entrypoint initialises PGDATA under the volume)."""
import logging
import random
import string
import threading
import time

__all__ = ['Postgresql']

DATA = '/var/lib/postgresql/data'


class Postgresql:
    """Postgresql(node, volume, *, password=None, log_callback=None,
    image=None): spawns the database with volume at its data directory; a
    thread waits until it answers, then sets the password.  Everything a
    Container does is available on it (it delegates)."""

    def __init__(self, node, volume, *, password=None, log_callback=None,
                 image=None):
        self.password = password or ''.join(
            random.SystemRandom().choice(string.ascii_letters + string.digits)
            for _ in range(12))
        self.ctr = node.spawn_container(image or 'postgres',
                                        volumes=[(volume, DATA)],
                                        stdout_callback=log_callback)
        self._ready = threading.Event()
        self._error = None
        threading.Thread(target=self._wait_truly_up, daemon=True).start()

    def _psql(self, sql, db='postgres'):
        return self.ctr.run_process('psql -U postgres -d %s -tA -c "%s"'
                                    % (db, sql.replace('"', '\\"')),
                                    nolog=True)

    def _wait_truly_up(self):
        try:
            self.ctr.wait_tcp(5432)
            while self._psql('SELECT;')[2] != 0:
                time.sleep(0.5)
            self._psql("ALTER ROLE postgres WITH SUPERUSER PASSWORD '%s'"
                       % self.password)
            logging.getLogger('tfnz').info("Postgresql is up: %s",
                                           self.ctr.display_name())
        except Exception as e:		# given to wait_until_ready
            self._error = e
        self._ready.set()

    def wait_until_ready(self, timeout=60):
        if not self._ready.wait(timeout):
            raise TimeoutError("wait_until_ready timed out")
        if self._error is not None:
            raise self._error
        return self

    def is_ready(self):
        return self._ready.is_set() and self._error is None

    def ensure_database(self, name):
        """Creates database name unless it exists; True if it had to."""
        self.wait_until_ready()
        out, err, rc = self._psql(
            "SELECT 1 FROM pg_database WHERE datname = '%s'" % name)
        if rc != 0:
            raise ValueError(err.decode(errors='replace').strip())
        if out.strip() == b'1':
            return False
        out, err, rc = self._psql('CREATE DATABASE "%s"' % name)
        if rc != 0:
            raise ValueError(err.decode(errors='replace').strip())
        return True

    def __getattr__(self, item):
        return getattr(self.ctr, item)
