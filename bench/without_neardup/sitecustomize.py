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

import runpy
from pathlib import Path

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


# bench/patch_on_import.py, run from its path (see there why not imported).
runpy.run_path(str(Path(__file__).resolve().parents[1] / "patch_on_import.py"))["patch_on_import"](_TARGETS, _patch)
