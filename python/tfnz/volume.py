# SPDX-License-Identifier: BSD-2-Clause
"""Volume: a persistent volume with one snapshot point (tf_volume)."""
import os

from . import Taggable
from ._glue import callback, checked, lib, new_err, text

__all__ = ['Volume']


class Volume(Taggable):
    """Do not construct: Location.create_volume, ensure_volume, volume,
    Node.create_volume."""

    def __init__(self, location, cvol, *, termination_callback=None):
        self._loc = location
        self._c = cvol
        self.termination_callback = callback(termination_callback)
        Taggable.__init__(self, None, text(lib.tf_volume_id(cvol)),
                          text(lib.tf_volume_tag(cvol)))

    def _run(self, fn):
        def call():
            err = new_err()
            checked(fn(self._c, err), err)
        self._loc._call(call)

    def snapshot(self):
        """Takes the volume's single snapshot point."""
        self._run(lib.tf_volume_snapshot)

    def rollback(self):
        """Returns the volume to its state at snapshot()."""
        self._run(lib.tf_volume_rollback)

    def node(self):
        return self._loc._call(
            lambda: self._loc._node(lib.tf_volume_node(self._c)))

    def _destroyed(self):
        if self.termination_callback is not None:
            self.termination_callback(self, 0)

    @staticmethod
    def trees_intersect(current, proposed):
        """(p, c) if proposed lies under an existing c, (c, p) if an
        existing c lies under proposed, else None."""
        p = os.path.abspath(proposed)
        for c in (os.path.abspath(x) for x in current):
            if p.startswith(c):
                return p, c
            if c.startswith(p):
                return c, p
        return None

    def __repr__(self):
        return "<Volume '%s'>" % self.display_name()
