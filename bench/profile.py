"""Profile the per-batch work of an ingest (no Prefect): scan, plan, run_batch on
the first batches, in one process, under pyinstrument.

    python bench/profile.py --raw DROP [--files 4000] [--batch-size 2000] [--html out.html]

Prints the wall time per phase and pyinstrument's call tree of run_batch; the
top of that tree is where per-article time goes.
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
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    sys.exit(main())
