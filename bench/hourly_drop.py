"""An hourly drop into a big warehouse: does the run's time follow the drop and the window,
not the warehouse's size?

    python bench/hourly_drop.py --days 100 --per-day 10000 --drop 10000 [--out bench/out/hourly]

Builds, cheaply, a warehouse of days x per-day articles by writing the `articles` and
`signatures` day partitions directly (synthetic rows: short texts, random signatures and band
keys of the current method version, as unrelated real news would have), centred on the drop's
day; generates a drop of `--drop` raw files on that day (bench/generate.py, one day); then
times `newsetl ingest` of the drop into it (wall; CPU of the ingest's process tree; the largest
single process's peak RSS).
Run it for two sizes (e.g. --days 10 and --days 100) and compare.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsetl.schemas import ARTICLES, SIGNATURES  # noqa: E402
from newsetl.transforms.neardup import METHOD  # noqa: E402

DROP_DAY = dt.date(2024, 1, 1)  # bench/generate.py's day 0


def build(warehouse: Path, days: int, per_day: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    first = DROP_DAY - dt.timedelta(days=days // 2)
    now = pa.scalar(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), pa.timestamp("us", tz="UTC"))
    for d in range(days):
        day = first + dt.timedelta(days=d)
        ids = [f"{d:06d}{i:010d}" for i in range(per_day)]
        paths = [f"synthetic/{day.isoformat()}/{i:07d}.txt" for i in range(per_day)]
        n = per_day
        strings = lambda value: pa.array([value] * n, pa.string())  # noqa: E731
        articles = {
            "article_id": pa.array(ids), "source_id": pa.nulls(n, pa.string()), "source_path": pa.array(paths),
            "source_sha256": pa.array([f"{d:032d}{i:032d}" for i in range(n)]), "publisher": strings("Wire"),
            "sections": pa.array([["World"]] * n, pa.list_(pa.string())), "title": strings("synthetic"),
            "body": strings("synthetic body"), "paragraph_count": pa.array(np.ones(n, np.int32)),
            "word_count": pa.array(np.full(n, 2, np.int32)), "char_count": pa.array(np.full(n, 14, np.int32)),
            "language": strings("en"), "language_score": pa.array(np.ones(n, np.float32)),
            "content_hash": pa.array([f"{d:032x}{i:032x}" for i in range(n)]), "duplicate_of": pa.nulls(n, pa.string()),
            "near_duplicate_of": pa.nulls(n, pa.string()), "encoding": strings("utf-8"),
            "fixes": pa.array([[]] * n, pa.list_(pa.string())), "title_word_count": pa.array(np.ones(n, np.int32)),
            "mean_word_length": pa.array(np.full(n, 6, np.float32)), "non_alpha_ratio": pa.array(np.zeros(n, np.float32)),
            "boilerplate_lines_removed": pa.array(np.zeros(n, np.int32)),
            "quality_flags": pa.array([[]] * n, pa.list_(pa.string())), "size_bytes": pa.array(np.full(n, 100, np.int64)),
            "run_id": strings("synthetic"), "processed_at": pa.array([now.as_py()] * n, pa.timestamp("us", tz="UTC")),
            "pipeline_version": strings("synthetic"),
        }
        _write(warehouse, ARTICLES.name, day, pa.table(articles).cast(ARTICLES.file_schema()))
        minhash = rng.integers(0, 2**32, size=(n, METHOD.bins), dtype=np.uint64).astype("<u4")
        keys = rng.integers(-2**63, 2**63 - 1, size=(n, METHOD.bands), dtype=np.int64)
        signatures = {
            "article_id": pa.array(ids), "source_path": pa.array(paths), "source_sha256": articles["source_sha256"],
            "shingle_count": pa.array(np.full(n, 300, np.int32)),
            "minhash": pa.array([row.tobytes() for row in minhash], pa.binary()),
            "band_keys": pa.FixedSizeListArray.from_arrays(pa.array(keys.ravel()), METHOD.bands).cast(pa.list_(pa.int64())),
            "method_version": strings(METHOD.version),
        }
        _write(warehouse, SIGNATURES.name, day, pa.table(signatures).cast(SIGNATURES.file_schema()))


def _write(warehouse: Path, table: str, day: dt.date, data: pa.Table) -> None:
    folder = warehouse / table / f"ingest_date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(data, folder / "part-00000.parquet", compression="zstd", row_group_size=64_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--drop", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "hourly")
    args = parser.parse_args()
    warehouse = args.out / f"wh-{args.days}x{args.per_day}"
    drop = args.out / f"drop-{args.drop}"
    if warehouse.exists():
        shutil.rmtree(warehouse)
    clock = time.monotonic()
    build(warehouse, args.days, args.per_day)
    built = time.monotonic() - clock
    if not drop.exists():
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--out", str(drop), "--articles",
                        str(args.drop), "--days", "1", "--seed", "3"], check=True, stdout=subprocess.DEVNULL)
    newsetl = Path(sys.executable).with_name("newsetl")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    process = subprocess.run([str(newsetl), "ingest", "--raw", str(drop), "--warehouse", str(warehouse)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, status = process.stdout, process.returncode
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in output.splitlines() if "near-duplicates:" in line or line.startswith("newsetl ingest")]
    result = {"warehouse_articles": args.days * args.per_day, "days": args.days, "drop": args.drop,
              "build_seconds": round(built, 1), "ingest_wall_seconds": round(wall, 1),
              "ingest_cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
              "max_rss_mb_largest_process": round(after.ru_maxrss / 1024), "exit": status, "log": lines}
    print(json.dumps(result, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
