# SPDX-License-Identifier: BSD-2-Clause
"""Tunnel: a local TCP port relayed to a port in a container (tf_tunnel)."""
import weakref

from ._glue import checked, lib, new_err, text

__all__ = ['Tunnel']


class Tunnel:
    """Do not construct: Container.attach_tunnel, wait_http_200,
    attach_browser."""

    def __init__(self, container, ctun):
        self.container = weakref.ref(container)
        self._loc = container._loc
        self._c = ctun
        self.uuid = text(lib.tf_tunnel_id(ctun))
        self.port = lib.tf_tunnel_port(ctun)
        self.lp = lib.tf_tunnel_localport(ctun)
        self.dead = False

    def localport(self):
        """The local port it listens on."""
        if self.dead:
            raise ValueError("Cannot call method on a terminated object: "
                             + self.uuid)
        return self.lp

    def url(self):
        return self._loc._call(lambda: text(lib.tf_tunnel_url(self._c)))

    def destroy(self, with_command=True):
        if self.dead:
            return
        self.dead = True

        def destroy():
            err = new_err()
            checked(lib.tf_tunnel_destroy(self._c, err), err)
        self._loc._call(destroy)
        self._loc._tunnels.pop(self.uuid, None)

    def __repr__(self):
        return "<Tunnel '%s' %d -> %d>" % (self.uuid, self.lp, self.port)
