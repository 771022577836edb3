"""The same newsetl without near-duplicate detection, for measuring what it costs (bench/run.py).

Put this folder on PYTHONPATH and every Python process started with it (the CLI, its spawned
batch workers, which inherit the environment) patches, as soon as they are imported:
  - newsetl.transforms.neardup.signature_frame -> an empty frame of the signatures columns
    (workers compute and stage no signatures), and
  - newsetl.flows.neardup.plan_links -> a plan that links nothing (publish probes, scores and
    stages no links and re-roots no cluster).
Everything else runs unchanged. Production code has no such switch: this exists only here.
Modules are patched lazily (an import hook), so a process that never imports them pays nothing.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys

_TARGETS = ("newsetl.transforms.neardup", "newsetl.flows.neardup")


def _patch(module) -> None:
    if module.__name__ == "newsetl.transforms.neardup":
        import pandas as pd

        def signature_frame(articles, *, method=module.METHOD):
            return pd.DataFrame(columns=["article_id", "source_path", "source_sha256", "shingle_count", "minhash",
                                         "band_keys", "method_version", "ingest_date"])

        module.signature_frame = signature_frame
    else:
        import pyarrow as pa

        def plan_links(warehouse, staging, **_):
            from newsetl.schemas import CLUSTER_INDEX

            nothing = pa.array([], pa.string())
            return module.LinkPlan(near_duplicate_of=pa.table({"article_id": nothing, "near_duplicate_of": nothing}),
                                   outgoing_ids=nothing,
                                   index=module.IndexChange(rows=CLUSTER_INDEX.empty(), touched_ids=nothing,
                                                            root_ids=nothing))

        module.plan_links = plan_links


class _Loader(importlib.abc.Loader):
    def __init__(self, inner) -> None:
        self._inner = inner

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module) -> None:
        self._inner.exec_module(module)
        _patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in _TARGETS:
            return None
        sys.meta_path.remove(self)  # find the real module with every other finder
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


sys.meta_path.insert(0, _Finder())
