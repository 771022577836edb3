"""An hourly drop into a big warehouse: does the run's time follow the drop and the window,
not the warehouse's size?

    python bench/hourly_drop.py --days 100 --per-day 10000 --drop 10000 [--out bench/out/hourly]

Generates a drop of `--drop` raw files on one day (bench/generate.py); builds, cheaply, a
warehouse of days x per-day articles centred on the drop's day by writing every table a run
reads directly (`articles`, `signatures`, `files`, `near_duplicates`, the cluster index):
synthetic rows with random signatures and band keys of the current method version, as
unrelated real news would have, one in 20 in a cluster of three over three days, plus 500
earlier copies of drop articles (their real signatures) that are copies of older roots, so the
drop joins live clusters; then times `newsetl ingest` of the drop into it (wall; CPU of the
ingest's process tree; the largest single process's peak RSS; the publish log's step times).
Run it for two sizes whose days both hold the whole window around the drop (the default window is
7 days either side: --days 15 and --days 100) and compare; `--newsetl` times another
revision's command on the same warehouse.
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
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsetl.schemas import ARTICLES, FILES, NEAR_DUPLICATES, SIGNATURES  # noqa: E402
from newsetl.transforms.neardup import METHOD  # noqa: E402
from newsetl.transforms.version import CLEANING_VERSION  # noqa: E402

try:  # the cluster index, where the code has one
    from newsetl.schemas import CLUSTER_INDEX  # noqa: E402
except ImportError:
    CLUSTER_INDEX = None

DROP_DAY = dt.date(2024, 1, 1)  # bench/generate.py's day 0


CLUSTER_EVERY = 20  # one synthetic article in 20 is in a cluster of 3 over 3 days (a root and two copies)
PLANTED = 500  # drop articles with an earlier copy in the warehouse, itself a copy of an older root


def build(warehouse: Path, days: int, per_day: int, drop: Path, seed: int = 7) -> None:
    """Every table an hourly run reads: articles, signatures, files, near_duplicates and the cluster
    index, with clusters among the synthetic rows, and PLANTED earlier copies of drop articles (their
    real signatures, one in five with the same content hash) so the drop joins live clusters."""
    rng = np.random.default_rng(seed)
    first = DROP_DAY - dt.timedelta(days=days // 2)
    now = pa.scalar(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), pa.timestamp("us", tz="UTC"))
    planted = _planted(drop, first, days, per_day)
    for d in range(days):
        day = first + dt.timedelta(days=d)
        ids = [_id(d, i) for i in range(per_day)]
        paths = [f"synthetic/{day.isoformat()}/{i:07d}.txt" for i in range(per_day)]
        hashes = [f"{d:032x}{i:032x}" for i in range(per_day)]
        minhash = rng.integers(0, 2**32, size=(per_day, METHOD.bins), dtype=np.uint64).astype("<u4")
        minhash = [row.tobytes() for row in minhash]
        keys = rng.integers(-2**63, 2**63 - 1, size=(per_day, METHOD.bands), dtype=np.int64).tolist()
        # clusters of three days: the root on day 3g, copies on days 3g+1 and 3g+2, each linked to the day before
        pointer = [None] * per_day
        links = []
        if d % 3:
            for i in range(0, per_day, CLUSTER_EVERY):
                pointer[i] = _id(d - d % 3, i)
                links.append((ids[i], _id(d - 1, i)))
        index = [(ids[i], pointer[i], day, day - dt.timedelta(days=d % 3)) for i in range(0, per_day, CLUSTER_EVERY)
                 if pointer[i]]
        if not d % 3:  # members of this day's roots, listed under the root's day too
            index += [(_id(d + k, i), _id(d, i), day + dt.timedelta(days=k), day)
                      for k in (1, 2) if d + k < days for i in range(0, per_day, CLUSTER_EVERY)]
        for row in planted.get(day, []):
            ids.append(row["article_id"]), paths.append(row["source_path"]), hashes.append(row["content_hash"])
            minhash.append(row["minhash"]), keys.append(row["band_keys"]), pointer.append(row["root"])
            links.append((row["article_id"], row["root"]))
            index.append((row["article_id"], row["root"], day, row["root_date"]))
        for row in planted.get(("root", day), []):
            index.append(row)
        n = len(ids)
        strings = lambda value: pa.array([value] * n, pa.string())  # noqa: E731
        sha = pa.array([f"{d:032d}{i:032d}" for i in range(n)])
        articles = {
            "article_id": pa.array(ids), "source_id": pa.nulls(n, pa.string()), "source_path": pa.array(paths),
            "source_sha256": sha, "publisher": strings("Wire"),
            "sections": pa.array([["World"]] * n, pa.list_(pa.string())), "title": strings("synthetic"),
            "body": strings("synthetic body"), "paragraph_count": pa.array(np.ones(n, np.int32)),
            "word_count": pa.array(np.full(n, 2, np.int32)), "char_count": pa.array(np.full(n, 14, np.int32)),
            "language": strings("en"), "language_score": pa.array(np.ones(n, np.float32)),
            "content_hash": pa.array(hashes), "duplicate_of": pa.nulls(n, pa.string()),
            "near_duplicate_of": pa.array(pointer, pa.string()), "encoding": strings("utf-8"),
            "fixes": pa.array([[]] * n, pa.list_(pa.string())), "title_word_count": pa.array(np.ones(n, np.int32)),
            "mean_word_length": pa.array(np.full(n, 6, np.float32)), "non_alpha_ratio": pa.array(np.zeros(n, np.float32)),
            "boilerplate_lines_removed": pa.array(np.zeros(n, np.int32)),
            "quality_flags": pa.array([[]] * n, pa.list_(pa.string())), "size_bytes": pa.array(np.full(n, 100, np.int64)),
            "run_id": strings("synthetic"), "processed_at": pa.array([now.as_py()] * n, pa.timestamp("us", tz="UTC")),
            "pipeline_version": strings("synthetic"),
        }
        _write(warehouse, ARTICLES.name, day, pa.table(articles).cast(ARTICLES.file_schema()))
        signatures = {
            "article_id": pa.array(ids), "source_path": pa.array(paths), "source_sha256": sha,
            "shingle_count": pa.array(np.full(n, 300, np.int32)), "minhash": pa.array(minhash, pa.binary()),
            "band_keys": pa.array(keys, pa.list_(pa.int64())), "method_version": strings(METHOD.version),
            "cleaning_version": strings(CLEANING_VERSION),
        }
        _write(warehouse, SIGNATURES.name, day, SIGNATURES.to_arrow(pa.table(signatures), with_partition=False))
        files = {
            "source_path": pa.array(paths), "source_sha256": sha, "size_bytes": pa.array(np.full(n, 100, np.int64)),
            "modified_at": pa.array([now.as_py()] * n, pa.timestamp("us", tz="UTC")), "status": strings("article"),
            "article_id": pa.array(ids), "reject_reason": pa.nulls(n, pa.string()), "run_id": strings("synthetic"),
            "processed_at": pa.array([now.as_py()] * n, pa.timestamp("us", tz="UTC")),
        }
        _write(warehouse, FILES.name, day, FILES.to_arrow(pa.table(files), with_partition=False))
        if links:
            m = len(links)
            near = {"article_id": pa.array([a for a, _ in links]), "other_id": pa.array([o for _, o in links]),
                    "jaccard": pa.array(np.full(m, 0.9, np.float32)), "containment": pa.array(np.full(m, 0.9, np.float32)),
                    "method_version": pa.array([METHOD.version] * m), "run_id": pa.array(["synthetic"] * m),
                    "processed_at": pa.array([now.as_py()] * m, pa.timestamp("us", tz="UTC"))}
            _write(warehouse, NEAR_DUPLICATES.name, day, NEAR_DUPLICATES.to_arrow(pa.table(near), with_partition=False))
        if index and CLUSTER_INDEX is not None:
            rows = {"article_id": pa.array([r[0] for r in index]), "root_id": pa.array([r[1] for r in index]),
                    "article_date": pa.array([r[2] for r in index], pa.date32()),
                    "root_date": pa.array([r[3] for r in index], pa.date32())}
            _write(warehouse, CLUSTER_INDEX.name, day, CLUSTER_INDEX.to_arrow(pa.table(rows), with_partition=False))


def _id(day_number: int, i: int) -> str:
    return f"{day_number:06d}{i:010d}"


def _planted(drop: Path, first: dt.date, days: int, per_day: int) -> dict:
    """Earlier copies of the drop's first PLANTED articles on the 1-3 days before it, each a copy of a
    synthetic root two days older: {day: [row]} and {("root", root day): [index row of the copy]}."""
    from newsetl.flows.rawzone import read_raw_file, scan_raw_zone
    from newsetl.transforms.articles import build_articles
    from newsetl.transforms.neardup import signature_frame

    drop = drop.resolve()  # a symbolic link as the root would read as a link out of it
    listing = scan_raw_zone(drop).to_pandas().head(PLANTED)
    raw = [read_raw_file(drop, p, size_bytes=s, link_outside=False, max_file_bytes=10_000_000)
           for p, s in zip(listing["source_path"], listing["size_bytes"])]
    files = pd.DataFrame([vars(f) for f in raw])[["source_path", "source_sha256", "raw", "reject_reason", "reject_detail"]]
    files = files.assign(size_bytes=listing["size_bytes"].to_numpy(), ingest_date=listing["ingest_date"].to_numpy())
    cleaned = build_articles(files, run_id="synthetic", processed_at=dt.datetime.now(dt.timezone.utc),
                             pipeline_version="synthetic").articles.to_pandas()  # an Arrow table since the batch builds columns
    signatures = signature_frame(cleaned)
    planted: dict = {}
    for j, (article, signature) in enumerate(zip(cleaned.itertuples(), signatures.itertuples())):
        day = DROP_DAY - dt.timedelta(days=1 + j % 3)
        root_day = day - dt.timedelta(days=2)
        d, root_d = (day - first).days, (root_day - first).days
        if root_d < 0:
            continue
        root = _id(root_d, (10 + CLUSTER_EVERY * j) % per_day)  # i % 20 == 10: in no synthetic cluster
        row = {"article_id": f"p{j:015d}", "source_path": f"synthetic/{day.isoformat()}/copy-{j:05d}.txt",
               "content_hash": article.content_hash if j % 5 == 0 else f"{d:032x}c{j:031x}",
               "minhash": signature.minhash, "band_keys": list(signature.band_keys), "root": root, "root_date": root_day}
        planted.setdefault(day, []).append(row)
        planted.setdefault(("root", root_day), []).append((row["article_id"], root, day, root_day))
    return planted


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
    parser.add_argument("--newsetl", type=Path, default=Path(sys.executable).with_name("newsetl"),
                        help="the newsetl command to time (another revision's venv, to compare)")
    args = parser.parse_args()
    warehouse = args.out / f"wh-{args.days}x{args.per_day}"
    drop = args.out / f"drop-{args.drop}"
    if warehouse.exists():
        shutil.rmtree(warehouse)
    if not drop.exists():
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--out", str(drop), "--articles",
                        str(args.drop), "--days", "1", "--seed", "3"], check=True, stdout=subprocess.DEVNULL)
    clock = time.monotonic()
    build(warehouse, args.days, args.per_day, drop)
    built = time.monotonic() - clock
    newsetl = args.newsetl
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    process = subprocess.run([str(newsetl), "ingest", "--raw", str(drop), "--warehouse", str(warehouse)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, status = process.stdout, process.returncode
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in output.splitlines()
             if any(k in line for k in ("near-duplicates:", "near-duplicate steps", "exact duplicates:", "cluster index", "publish:", "raw files seen"))
             or line.startswith("newsetl ingest")]
    result = {"newsetl": str(newsetl), "warehouse_articles": args.days * args.per_day, "days": args.days, "drop": args.drop,
              "build_seconds": round(built, 1), "ingest_wall_seconds": round(wall, 1),
              "ingest_cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
              "max_rss_mb_largest_process": round(after.ru_maxrss / 1024), "exit": status, "log": lines}
    print(json.dumps(result, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
