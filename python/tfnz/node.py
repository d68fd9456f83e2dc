# SPDX-License-Identifier: BSD-2-Clause
"""Node: a machine of the location that spawns containers (tf_node)."""
import shlex
import weakref

from ._glue import callback, cbytes, checked, cstr, ffi, lib, new_err
from .container import Container
from .volume import Volume

__all__ = ['Node']


def _pairs(value, what):
    """A list of 2-tuples (or a dict, as in the 1.0 SDK) as a list of
    pairs; ValueError naming what otherwise."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    try:
        pairs = [tuple(v) for v in value]
    except TypeError:
        pairs = None
    if pairs is None or any(len(p) != 2 or isinstance(v, (str, bytes))
                            for p, v in zip(pairs, value)):
        raise ValueError("You need to pass a list of tuples for %s" % what)
    return pairs


class Node:
    """Do not construct: Location.ranked_nodes(), best_node(), nodes."""

    def __init__(self, location, cnode, name):
        self.parent = weakref.ref(location)
        self._loc = location
        self._c = cnode
        self.pk = name
        self.name = name
        self._containers = []

    @property
    def stats(self):
        """{'memory' (free MB), 'cpu' (idle %% x cpus), 'paging',
        'ave_start_time', ...} as the original's resource offer."""
        def get():
            s = ffi.new('tf_node_stats *')
            lib.tf_node_stats_get(self._c, s)
            return {'memory': s.mem_free_mb,
                    'cpu': (100.0 - s.cpu_pct) * s.cpus,
                    'paging': s.paging, 'ave_start_time': 0,
                    'up': s.up, 'cpus': s.cpus,
                    'mem_total': s.mem_total_mb,
                    'containers': s.containers, 'load1': s.load1}
        return self._loc._call(get)

    def spawn_container(self, image, *, env=None, sleep=False, volumes=None,
                        pre_boot_files=None, command=None,
                        stdout_callback=None, termination_callback=None,
                        tag=None, no_image_check=False):
        """Spawns a container from image and waits until it runs (or
        sleeps, with sleep=True).

        env: [(name, value)]; volumes: [(volume or key, mountpoint)];
        pre_boot_files: [(path, str or bytes)]; command: a string (split as
        the shell would) or a list replacing the image's entrypoint and
        cmd; stdout_callback(container, data); termination_callback(
        container, returncode); tag: a name to find it by;
        no_image_check: the image is known to be at the location."""
        ctr = self.spawn(image, env=env, sleep=sleep, volumes=volumes,
                         pre_boot_files=pre_boot_files, command=command,
                         stdout_callback=stdout_callback,
                         termination_callback=termination_callback, tag=tag,
                         no_image_check=no_image_check)
        return ctr.wait_until_ready()

    def spawn(self, image, env=None, sleep=False, pre_boot_files=None,
              no_image_check=False, *, volumes=None, command=None,
              stdout_callback=None, termination_callback=None, tag=None):
        """As spawn_container, but returns at once: the container becomes
        ready later (wait_until_ready)."""
        env = ['%s=%s' % (k, v) for k, v in _pairs(env, 'env vars')]
        vols = _pairs(volumes, 'volumes')
        files = _pairs(pre_boot_files, 'pre-boot files')
        if isinstance(command, str):
            command = shlex.split(command)
        ctr = Container(self, image, stdout_callback=callback(stdout_callback),
                        termination_callback=callback(termination_callback))
        ctr._volumes = [v for v, _ in vols]

        def spawn():
            keep = []

            def strv(items):
                if not items:
                    return ffi.NULL
                cs = [ffi.new('char[]', cbytes(i)) for i in items]
                keep.append(cs)
                arr = ffi.new('const char *[]', cs + [ffi.NULL])
                keep.append(arr)
                return arr
            opts = ffi.new('tf_spawn_opts *')
            if tag is not None:
                keep.append(cstr(tag))
                opts.tag = keep[-1]
            opts.env = strv(env)
            opts.command = strv(command)
            if files:
                cf = ffi.new('tf_file[]', len(files))
                for i, (path, data) in enumerate(files):
                    data = data if isinstance(data, bytes) else \
                        str(data).encode()
                    keep.append((cstr(path), data))
                    cf[i].path = keep[-1][0]
                    cf[i].data = ffi.from_buffer(data)
                    cf[i].len = len(data)
                keep.append(cf)
                opts.files = cf
                opts.nfiles = len(files)
            if vols:
                cm = ffi.new('tf_mount[]', len(vols))
                for i, (vol, mountpoint) in enumerate(vols):
                    if isinstance(vol, Volume):
                        cm[i].volume = vol._c
                    else:
                        keep.append(cstr(vol))
                        cm[i].name = keep[-1]
                    keep.append(cstr(mountpoint))
                    cm[i].mountpoint = keep[-1]
                keep.append(cm)
                opts.mounts = cm
                opts.nmounts = len(vols)
            opts.sleep = bool(sleep)
            opts.no_image_check = bool(no_image_check)
            opts.output = lib.tfnz_output_cb
            opts.output_arg = ctr._handle
            opts.on_end = lib.tfnz_end_cb
            opts.on_end_arg = ctr._handle
            err = new_err()
            cctr = checked(lib.tf_node_spawn(self._c, cbytes(image), opts,
                                             err), err)
            ctr._attach(cctr)
            return ctr
        self._loc._call(spawn)
        self._containers.append(ctr)
        return ctr

    def destroy_container(self, container):
        """Destroys the container (its termination callback fires)."""
        container.ensure_alive()
        container._destroy()

    @property
    def containers(self):
        """uuid -> Container, this session's live containers here."""
        return {c.uuid: c for c in self._containers if not c.dead}

    def all_containers(self):
        return list(self.containers.values())

    def create_volume(self, *, tag=None, asynchronous=True,
                      termination_callback=None):
        """A new volume on this node."""
        return self._loc.create_volume(
            tag=tag, asynchronous=asynchronous,
            termination_callback=termination_callback, node=self)

    def destroy_volume(self, volume):
        """Destroys the volume, first destroying the containers of this
        session that mount it (as the seeds do at the end of a program;
        Location.destroy_volume refuses a mounted volume instead)."""
        for ctr in list(self._loc._containers.values()):
            if isinstance(ctr, Container) and not ctr.dead and \
                    ctr._mounts(volume):
                ctr.parent().destroy_container(ctr)
        self._loc.destroy_volume(volume)

    def __repr__(self):
        return "<Node '%s'>" % self.name
