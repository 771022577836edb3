"""Profile the per-batch work of an ingest (no Prefect): scan, plan, run_batch on
the first batches, in one process, under pyinstrument.

    python bench/profile.py --raw DROP [--files 4000] [--batch-size 2000] [--html out.html]
    python bench/profile.py --raw DROP --steps [--rounds 3]
    python bench/profile.py --raw DROP --codecs [--rounds 3]

Prints the wall time per phase and pyinstrument's call tree of run_batch; the
top of that tree is where per-article time goes.

`--steps` instead prints the CPU cost of each step in µs per file, without pyinstrument:
the steps' functions are wrapped with a clock (perf_counter, ~0.3 µs a reading here)
and each step's share of the wall time inside run_batch is applied to the process's
CPU time for the same rounds, so time the process spent waiting for a core (a shared
machine) is spread over the steps in proportion instead of counted as work. The
wrappers' own cost is measured (an empty wrapped call) and taken off. A step's figure
is its own time, its wrapped sub-steps excluded ("glue" rows: what is left of a parent).

`--codecs` stages the files once, then writes the staged tables again with each candidate
codec, a chunk (row group) of CHUNK_FILES files at a time as the batch does, and reads them
back a row group at a time as publish does: CPU µs per file to write and to read (best of
`--rounds`, process time) and bytes on disk.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from newsetl.flows.batch import BatchJob, run_batch  # noqa: E402
from newsetl.flows.plan import plan_ingest, write_plan  # noqa: E402
from newsetl.flows.rawzone import scan_raw_zone  # noqa: E402
from newsetl.schemas import FILES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", required=True)
    parser.add_argument("--files", type=int, default=4000, help="profile run_batch over this many files")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--interval", type=float, default=0.001)
    parser.add_argument("--steps", action="store_true", help="CPU us per file by step instead of a call tree")
    parser.add_argument("--codecs", action="store_true", help="staging write/read CPU and size per Parquet codec")
    parser.add_argument("--rounds", type=int, default=3, help="with --steps or --codecs: timed passes")
    args = parser.parse_args(argv)
    if args.steps:
        return _steps(args)
    if args.codecs:
        return _codecs(args)

    from pyinstrument import Profiler

    clock = time.perf_counter()
    listing = scan_raw_zone(args.raw)
    print(f"scan_raw_zone: {len(listing):,} files in {time.perf_counter() - clock:.2f} s")
    manifest = FILES.arrow_schema().empty_table().to_pandas() if hasattr(FILES, "arrow_schema") else pd.DataFrame()
    manifest = manifest.reindex(columns=["source_path", "source_sha256", "size_bytes", "modified_at",
                                         "ingest_date", "status", "reject_reason"])
    clock = time.perf_counter()
    plan = plan_ingest(listing.slice(0, args.files), manifest)
    with tempfile.TemporaryDirectory() as staging:
        batches = write_plan(plan, Path(staging), batch_size=args.batch_size)
        print(f"plan: {plan.num_rows:,} files, {batches} batches in {time.perf_counter() - clock:.2f} s")
        # Warm imports and lazily loaded models outside the profile.
        run_batch(BatchJob(raw=str(Path(args.raw).resolve()), staging=staging, batch=0, run_id="warm",
                           pipeline_version="profile", max_file_bytes=10_000_000))
        profiler = Profiler(interval=args.interval)
        clock = time.perf_counter()
        profiler.start()
        for batch in range(batches):
            run_batch(BatchJob(raw=str(Path(args.raw).resolve()), staging=staging, batch=batch, run_id="profile",
                               pipeline_version="profile", max_file_bytes=10_000_000))
        profiler.stop()
        seconds = time.perf_counter() - clock
    print(f"run_batch: {plan.num_rows:,} files in {seconds:.2f} s = {plan.num_rows / seconds:,.0f} files/s on one core")
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    return 0


# (module, attribute, step name, parent step): the functions timed by --steps, outermost first.
# Parents must be listed before their children; a step's time excludes its children's.
STEPS = [
    ("newsetl.flows.batch", "read_raw_file", "read + sha256", "run_batch"),
    ("newsetl.transforms.articles", "build_articles", "build_articles", "run_batch"),
    ("newsetl.transforms.articles", "clean_article_but_language", "clean_article", "build_articles"),
    ("newsetl.transforms.document", "decompress_gzip", "gunzip", "clean_article"),
    ("newsetl.transforms.document", "decode_bytes", "decode", "clean_article"),
    ("newsetl.transforms.document", "normalise_text", "normalise", "clean_article"),
    ("newsetl.transforms.document", "parse_article", "parse", "clean_article"),
    ("newsetl.transforms.document", "strip_boilerplate", "boilerplate", "clean_article"),
    ("newsetl.transforms.document", "quality_signals", "quality", "clean_article"),
    ("newsetl.transforms.document", "content_hash", "content hash", "clean_article"),  # before b'fast
    ("newsetl.transforms.document", "_folded_hash", "content hash", "clean_article"),
    ("newsetl.transforms.articles", "add_language", "add_language", "build_articles"),
    ("newsetl.transforms.document", "detect_language", "language", "add_language"),
    ("newsetl.transforms.language._DETECTOR", "detect", "fastText", "language"),
    ("newsetl.flows.neardup", "article_signatures", "signatures", "run_batch"),
    ("newsetl.flows.batch._DayWriters", "write", "staging (Arrow + Parquet)", "run_batch"),
]


class _Clock:
    """Wall time per step, its own time only (children's time is charged to them, not to the parent)."""

    def __init__(self) -> None:
        self.own: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []  # [step, started, children's time]

    def wrap(self, step: str, function):
        import functools
        import time

        clock = time.perf_counter

        @functools.wraps(function)
        def timed(*args, **kwargs):
            frame = [step, clock(), 0.0]
            self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                spent = clock() - frame[1]
                self._stack.pop()
                self.own[step] = self.own.get(step, 0.0) + spent - frame[2]
                self.calls[step] = self.calls.get(step, 0) + 1
                if self._stack:
                    self._stack[-1][2] += spent
        return timed


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ImportError(dotted)


def _steps(args) -> int:
    import time

    import newsetl.transforms.articles  # noqa: F401  (the modules whose functions are wrapped)
    import newsetl.transforms.neardup  # noqa: F401

    listing = scan_raw_zone(args.raw)
    manifest = pd.DataFrame(columns=["source_path", "source_sha256", "size_bytes", "modified_at",
                                     "ingest_date", "status", "reject_reason"])
    plan = plan_ingest(listing.slice(0, args.files), manifest)
    raw = str(Path(args.raw).resolve())
    clock = _Clock()
    with tempfile.TemporaryDirectory() as scratch:
        def one_round(tag: str) -> None:
            staging = Path(scratch) / tag
            batches = write_plan(plan, staging, batch_size=args.batch_size)
            for batch in range(batches):
                run_batch(BatchJob(raw=raw, staging=str(staging), batch=batch, run_id=tag,
                                   pipeline_version="profile", max_file_bytes=10_000_000))

        one_round("warm")  # imports, the language model, pandas' first calls
        originals = []
        for dotted, name, step, _ in STEPS:
            owner = _resolve(dotted)
            if not hasattr(owner, name):  # a function this revision does not have
                continue
            originals.append((owner, name, getattr(owner, name)))
            setattr(owner, name, clock.wrap(step, getattr(owner, name)))
        try:
            timed_run = clock.wrap("run_batch", lambda: [one_round(f"round-{r}") for r in range(args.rounds)])
            cpu, wall = time.process_time(), time.perf_counter()
            timed_run()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            for owner, name, original in reversed(originals):
                setattr(owner, name, original)
        # What one wrapped call costs the caller (two clock readings and the bookkeeping).
        probe = _Clock()
        empty = probe.wrap("probe", lambda: None)
        started = time.perf_counter()
        for _ in range(100_000):
            empty()
        wrapper_cost = (time.perf_counter() - started) / 100_000
    files = plan.num_rows * args.rounds
    wrapped_calls = sum(clock.calls.values())
    work = wall - wrapped_calls * wrapper_cost
    cpu_per_wall = cpu / wall
    print(f"{plan.num_rows:,} files x {args.rounds} rounds: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({cpu / files * 1e6:.0f} us CPU a file); wrappers {wrapped_calls / files:.1f} calls a file at "
          f"{wrapper_cost * 1e6:.2f} us, taken off")
    parents = {step: parent for *_, step, parent in STEPS}

    def depth(step: str) -> int:
        return 0 if step == "run_batch" else 1 + depth(parents[step])

    print(f"{'step':<34} {'us/file':>8} {'share':>6}")
    order = ["run_batch"] + list(dict.fromkeys(step for *_, step, _ in STEPS))
    for step in order:
        own = clock.own.get(step, 0.0)
        children = [s for s in order if parents.get(s) == step]
        label = ("  " * depth(step)) + (step if not children else f"{step} (glue)")
        if step == "run_batch":
            label = "run_batch (glue: plan read, frames, manifest)"
        # Each wrapped call's own clock readings land in its parent's own time: take them off there.
        own -= sum(clock.calls.get(child, 0) for child in children) * wrapper_cost
        if step == "run_batch":
            own -= wrapper_cost  # the outer wrapper itself
        print(f"{label:<34} {own * cpu_per_wall / files * 1e6:8.1f} {own / work:6.1%}")
    print(f"{'total':<34} {work * cpu_per_wall / files * 1e6:8.1f}")
    return 0


CODECS = {
    "zstd-1": {"compression": "zstd", "compression_level": 1},
    "lz4": {"compression": "lz4"},
    "snappy": {"compression": "snappy"},
    "none": {"compression": "none"},
    "none, no dictionary": {"compression": "none", "use_dictionary": False},
    "none, no dict., no stats": {"compression": "none", "use_dictionary": False, "write_statistics": False},
}


def _codecs(args) -> int:
    import time

    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from newsetl.flows.batch import CHUNK_FILES

    listing = scan_raw_zone(args.raw)
    manifest = pd.DataFrame(columns=["source_path", "source_sha256", "size_bytes", "modified_at",
                                     "ingest_date", "status", "reject_reason"])
    plan = plan_ingest(listing.slice(0, args.files), manifest)
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / "staging"
        for batch in range(write_plan(plan, staging, batch_size=args.batch_size)):
            run_batch(BatchJob(raw=str(Path(args.raw).resolve()), staging=str(staging), batch=batch,
                               run_id="codecs", pipeline_version="profile", max_file_bytes=10_000_000))
        tables = {folder.name: ds.dataset(folder, format="parquet").to_table()
                  for folder in sorted(staging.iterdir()) if folder.name not in ("plan", "touched")}
        rows_per_file = {name: table.num_rows / plan.num_rows for name, table in tables.items()}
        print(f"{plan.num_rows:,} files staged: " + ", ".join(f"{name} {t.num_rows:,} rows" for name, t in tables.items()))
        print(f"{'codec':<22} {'write us/file':>14} {'read us/file':>13} {'MB':>8}")
        for codec, options in CODECS.items():
            writes, reads = [], []
            for _ in range(args.rounds):
                size = 0
                started = time.process_time()
                for name, table in tables.items():
                    chunk = max(1, round(CHUNK_FILES * rows_per_file[name]))
                    with pq.ParquetWriter(Path(scratch) / f"{name}.parquet", table.schema, **options) as writer:
                        for start in range(0, table.num_rows, chunk):
                            writer.write_table(table.slice(start, chunk))
                writes.append(time.process_time() - started)
                started = time.process_time()
                for name in tables:
                    parquet = pq.ParquetFile(Path(scratch) / f"{name}.parquet")
                    for group in range(parquet.num_row_groups):
                        parquet.read_row_group(group)
                    size += (Path(scratch) / f"{name}.parquet").stat().st_size
                reads.append(time.process_time() - started)
            print(f"{codec:<22} {min(writes) / plan.num_rows * 1e6:14.1f} {min(reads) / plan.num_rows * 1e6:13.1f} "
                  f"{size / 1e6:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
