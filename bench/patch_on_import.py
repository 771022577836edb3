"""An import hook for the bench's `sitecustomize.py` patches (bench/without_neardup/,
bench/publish_timing/): a module is patched right after it is first executed, so a process that
never imports it pays nothing. Each sitecustomize runs this file from its path, not imported from sys.path:
bench/ on the path of a patched run would let bench/profile.py shadow the standard library's `profile`.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Collection


def patch_on_import(targets: Collection[str], patch: Callable[[object], None]) -> None:
    """Call `patch(module)` once each module named in `targets` has been executed."""
    sys.meta_path.insert(0, _Finder(frozenset(targets), patch))


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, patch) -> None:
        self._inner, self._patch = inner, patch

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module) -> None:
        self._inner.exec_module(module)
        self._patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, targets: frozenset[str], patch) -> None:
        self._targets, self._patch = targets, patch

    def find_spec(self, name, path=None, target=None):
        if name not in self._targets:
            return None
        sys.meta_path.remove(self)  # find the real module with every other finder
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self._patch)
        return spec
