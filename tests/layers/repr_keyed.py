"""A dict read with the key it was built from, stored under ``repr(key)``: the layer mutation
tests return their many results from one jitted program, whose pytree keys must be strings."""

from __future__ import annotations


class ReprKeyed(dict):
    """``d[key]`` is ``dict.__getitem__(d, repr(key))``."""

    def __getitem__(self, key):
        return dict.__getitem__(self, repr(key))
