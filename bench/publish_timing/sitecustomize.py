"""Wall and thread CPU time of publish's steps and of each table's day builds, for one CLI run.

    PYTHONPATH=bench/publish_timing TIMING_OUT=/tmp/timing.txt newsetl ingest --raw DROP --warehouse W
    PYTHONPATH=bench/publish_timing TIMING_OUT=/tmp/timing.txt TIMING_WITHOUT_NEARDUP=1 newsetl ingest ...

Every Python process started with this folder on its path wraps, as the modules are imported,
the functions in TARGETS (generators timed per `next`) and `Warehouse.build_day` (keyed by table
and thread); when `publish_run` returns, the totals are appended to TIMING_OUT, longest first:
calls, wall seconds, and CPU seconds of the calling thread (Arrow's own threads not included).
TIMING_WITHOUT_NEARDUP=1 also loads bench/without_neardup (one sitecustomize per process), so
the same figures come for the run without near-duplicate detection. Production code has no
such hooks: this exists only here.
"""
from __future__ import annotations

import functools
import inspect
import os
import runpy
import threading
import time
from pathlib import Path

TARGETS = {
    "newsetl.flows.neardup": ["index_day", "plan_links", "_index_change", "_new_links", "_biggest", "_edges",
                              "ensure_cluster_index", "apply_near_duplicates"],
    "newsetl.flows.publish": ["_plan_links", "_article_ids", "_recompute_duplicates", "_next_day", "publish_run",
                              "_read_staged_table"],
    "newsetl.flows.warehouse": [],
}
_totals: dict[str, list] = {}
_lock = threading.Lock()


def _add(name: str, wall: float, cpu: float) -> None:
    with _lock:
        total = _totals.setdefault(name, [0, 0.0, 0.0])
        total[0] += 1
        total[1] += wall
        total[2] += cpu


def _report() -> None:
    if not os.environ.get("TIMING_OUT"):
        return
    with _lock, open(os.environ["TIMING_OUT"], "a") as out:
        for name, (calls, wall, cpu) in sorted(_totals.items(), key=lambda item: -item[1][1]):
            out.write(f"{name}: calls {calls} wall {wall:.2f} s thread-cpu {cpu:.2f} s\n")


def _wrap(module: str, name: str, function):
    key = f"{module.rsplit('.', 1)[-1]}.{name}"
    if inspect.isgeneratorfunction(function):
        @functools.wraps(function)
        def generator(*args, **kwargs):
            inner = function(*args, **kwargs)
            while True:
                wall, cpu = time.perf_counter(), time.thread_time()
                try:
                    item = next(inner)
                except StopIteration:
                    _add(key, time.perf_counter() - wall, time.thread_time() - cpu)
                    return
                _add(key, time.perf_counter() - wall, time.thread_time() - cpu)
                yield item
        return generator

    @functools.wraps(function)
    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            _add(key, time.perf_counter() - wall, time.thread_time() - cpu)
            if key == "publish.publish_run":  # the CLI ends without interpreter teardown: report here
                _report()
    return timed


def _patch(module) -> None:
    if module.__name__ == "newsetl.flows.warehouse":
        build_day = module.Warehouse.build_day

        def timed_build_day(self, table, day, *args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return build_day(self, table, day, *args, **kwargs)
            finally:
                _add(f"build_day {getattr(table, 'name', table)} @{threading.current_thread().name}",
                     time.perf_counter() - wall, time.thread_time() - cpu)
        module.Warehouse.build_day = timed_build_day
    for name in TARGETS[module.__name__]:
        setattr(module, name, _wrap(module.__name__, name, getattr(module, name)))


# bench/patch_on_import.py, run from its path (see there why not imported).
runpy.run_path(str(Path(__file__).resolve().parents[1] / "patch_on_import.py"))["patch_on_import"](TARGETS, _patch)
if os.environ.get("TIMING_WITHOUT_NEARDUP"):
    _without = Path(__file__).resolve().parents[1] / "without_neardup" / "sitecustomize.py"
    exec(compile(_without.read_text(), str(_without), "exec"),
         {"__name__": "without_neardup_sitecustomize", "__file__": str(_without)})
