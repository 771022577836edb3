"""Size and build time of `newsetl report` on a month of 10,000 articles a day.

Writes article partitions straight as Parquet with the real file schema (no ingest of
300,000 files), then times `build_report` on them:

    python bench/report_size.py --out bench/out/report-wh [--days 30] [--per-day 10000] [--publishers 40]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsetl.flows.health import build_report  # noqa: E402
from tests.flows.test_health_report import write_synthetic_articles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--publishers", type=int, default=40)
    args = parser.parse_args()
    if not args.out.exists():
        days = [date(2024, 1, 1) + timedelta(days=i) for i in range(args.days)]
        clock = time.monotonic()
        write_synthetic_articles(args.out, days, args.per_day, publishers=args.publishers, near=True)
        print(f"wrote {args.days} x {args.per_day:,} articles in {time.monotonic() - clock:.1f} s")
    clock, cpu = time.monotonic(), time.process_time()
    result = build_report(args.out)
    print(f"report: {result.path} {result.size_bytes:,} bytes, {len(result.days)} days, built in "
          f"{time.monotonic() - clock:.2f} s wall, {time.process_time() - cpu:.2f} s CPU (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
