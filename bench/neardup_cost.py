"""CPU cost of near-duplicate detection's two hot steps, on the cleaned bodies of a warehouse.

    python bench/neardup_cost.py WAREHOUSE [--sample 4000] [--repeats 5]
    PYTHONPATH=/tmp/base python bench/neardup_cost.py WAREHOUSE   # another revision's code, exported
                                                                  # as /tmp/base/newsetl/{flows,transforms,schemas}

(1) the batch workers' step: `signature_frame` over the first --sample bodies, 500 at a time as
a worker's chunk, best of --repeats, process time per article; (2) the publish step's probe:
signatures of every body, then `linked_pairs` of them all against each other (7-day window),
process time, with the band-collision candidate pairs it had to look at. Only functions every
revision since the near-duplicate merge has are used, so two revisions compare like for like.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from newsetl.flows.neardup import _side
from newsetl.schemas import SIGNATURES
from newsetl.transforms import neardup

CHUNK = 500  # articles a batch worker signs together


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--window", type=int, default=7)
    args = parser.parse_args()

    days = ds.partitioning(pa.schema([("ingest_date", pa.date32())]), flavor="hive")
    articles = ds.dataset(args.warehouse / "articles", partitioning=days).to_table(
        columns=["article_id", "source_path", "source_sha256", "ingest_date", "body"])
    print(f"code: {neardup.__file__}, method {neardup.METHOD.version}; {articles.num_rows} bodies")

    sample = articles.slice(0, args.sample).to_pandas()
    chunks = [sample.iloc[i:i + CHUNK] for i in range(0, len(sample), CHUNK)]
    best = min(_cpu(lambda: [neardup.signature_frame(c) for c in chunks]) for _ in range(args.repeats))
    print(f"signature_frame: {best / len(sample) * 1e6:.1f} us/article (best of {args.repeats}, "
          f"{len(sample)} bodies, chunks of {CHUNK})")

    started = time.process_time()
    signed = pa.concat_tables([SIGNATURES.to_arrow(neardup.signature_frame(articles.slice(i, CHUNK).to_pandas())
                                                   .assign(cleaning_version="-"),
                                                   check_key=False) for i in range(0, articles.num_rows, CHUNK)])
    print(f"signatures of all {signed.num_rows} bodies: {time.process_time() - started:.1f} s")
    side = _side(signed, neardup.METHOD)
    candidates = 0
    for band in range(neardup.METHOD.bands):
        p, i = neardup._same_band_pairs(side.keys[:, band], side.keys[:, band])
        candidates += int((np.abs(side.days[p] - side.days[i]) <= args.window).sum())
    started = time.process_time()
    left, _, _, _ = neardup.linked_pairs(side, side, window_days=args.window, same=True)
    print(f"linked_pairs: {time.process_time() - started:.2f} s CPU, {candidates:,} candidate pairs "
          f"(band collisions within {args.window} days, a pair once per band), {len(left):,} links")
    return 0


def _cpu(work) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


if __name__ == "__main__":
    sys.exit(main())
