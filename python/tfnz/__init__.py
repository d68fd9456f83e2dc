# SPDX-License-Identifier: BSD-2-Clause
"""tfnz: the 20ft Python 3 SDK, a binding of libtf (the C SDK, tf.h).

The names and shapes are the original tfnz's, so that programs written for
it (the seeds' examples) import and run unchanged:

    from tfnz.location import Location
    location = Location()
    container = location.best_node().spawn_container('nginx')

docs/PYTHON.md says what differs from the original and why.
"""
import re

__all__ = ['Taggable', 'TaggedCollection', 'location', 'node', 'container',
           'process', 'tunnel', 'volume', 'docker', 'components']

_UUID_ALPHABET = re.compile(
    r'\A[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]{22}\Z')
_TAG = re.compile(r'\A[0-9a-z\-_.]+\Z')


class Taggable:
    """An object with a uuid and, optionally, a tag (volumes, containers)."""

    def __init__(self, user, uuid, tag=None):
        self.user = user
        self.uuid = uuid
        self.tag = tag or None

    def uuid_key(self):
        return self.user, self.uuid

    def tag_key(self):
        return (self.user, self.tag) if self.tag else (None, None)

    def display_name(self):
        """'uuid' or 'uuid:tag'."""
        return self.uuid + ':' + self.tag if self.tag else self.uuid

    def global_display_name(self):
        return '%s:%s' % (self.user, self.display_name())

    @staticmethod
    def valid_tag(tag):
        """None, or the tag in lower case; ValueError when it cannot be
        one (the location checks again)."""
        if tag is None:
            return None
        if isinstance(tag, bytes):
            tag = tag.decode()
        if tag == '':
            raise ValueError("Tag passed for approval was blank")
        tag = tag.lower()
        if not _TAG.match(tag):
            raise ValueError("Tag names can only use 0-9 a-z - _ and .")
        if _UUID_ALPHABET.match(tag):
            raise ValueError("Tag names cannot look like UUIDs")
        return tag


class TaggedCollection:
    """Taggable objects found by uuid, tag or 'uuid:tag'."""

    def __init__(self, initial=None):
        self.objects = {}
        for obj in initial or []:
            self.add(obj)

    def add(self, obj):
        if obj.uuid in self.objects:
            raise RuntimeError("Namespace clash adding: " + obj.display_name())
        self.objects[obj.uuid] = obj

    def remove(self, obj):
        self.objects.pop(obj.uuid, None)

    def get(self, user_or_key, key=None):
        """get(key) or, as the original, get(user, key): the key is a uuid,
        a tag or 'uuid:tag'.  KeyError when nothing matches."""
        if key is None:
            key = user_or_key
        if isinstance(key, bytes):
            key = key.decode()
        parts = key.split(':')
        if len(parts) > 2:
            raise ValueError("Too many parts in key: " + key)
        first = parts[0]
        if first in self.objects:
            return self.objects[first]
        for obj in self.objects.values():
            if obj.tag == first:
                return obj
        raise KeyError(key)

    def will_clash(self, user, uuid, tag):
        try:
            self.get(uuid)
            return True
        except KeyError:
            pass
        if tag is None:
            return False
        try:
            self.get(tag)
            return True
        except KeyError:
            return False

    def values(self):
        return list(self.objects.values())

    def __call__(self):
        return self.values()

    def __len__(self):
        return len(self.objects)

    def __getitem__(self, uuid):
        return self.objects[uuid.decode() if isinstance(uuid, bytes)
                            else uuid]

    def __contains__(self, uuid):
        return (uuid.decode() if isinstance(uuid, bytes)
                else uuid) in self.objects

    def __iter__(self):
        return iter(self.values())

    def __repr__(self):
        return 'TaggedCollection(%r)' % [o.display_name()
                                         for o in self.values()]
