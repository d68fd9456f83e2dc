# SPDX-License-Identifier: BSD-2-Clause
"""Docker: image descriptions.  There is no local Docker here: images are
OCI layouts or docker-save archives pushed to the location, so a
description comes from the location's image store."""
from ._glue import ffi, lib, text

__all__ = ['Docker']


class Docker:
    @staticmethod
    def description(docker_image_id, *, conn=None):
        """{'Id', 'RepoTags', 'RootFS': {'Layers'}...} of an image the
        location knows; conn is a Location (the most recent one if None).
        RuntimeError when neither has it."""
        from .location import _latest
        loc = conn if conn is not None else (_latest() if _latest else None)
        if loc is None:
            raise RuntimeError("Need a Location to describe images: there "
                               "is no local Docker")

        def find():
            model = lib.tf_location_model(loc._c)
            for i in range(lib.tf_model_count(model, lib.TF_MODEL_IMAGE)):
                rec = ffi.cast('tf_model_image *', lib.tf_model_at(
                    model, lib.TF_MODEL_IMAGE, i))
                ident = text(rec.id)
                names = [n.strip() for n in text(rec.names).split(',')
                         if n.strip()]
                short = ident.split(':')[-1]
                if docker_image_id in names or docker_image_id == ident or \
                        (len(docker_image_id) >= 6 and
                         short.startswith(docker_image_id)):
                    return {'Id': ident, 'RepoTags': names}
            return None
        descr = loc._call(find)
        if descr is None:
            raise RuntimeError("Cannot find image in either local docker or "
                               "remote image cache: " + docker_image_id)
        return descr

    @staticmethod
    def last_image():
        """The image most recently pushed to the location."""
        from .location import last_image
        return last_image()
