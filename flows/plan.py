"""What a run has to process: the raw listing compared with the `files` manifest.

`ingest` takes files that are new, changed (size or mtime differ) or were
unreadable last time; `backfill` takes every file of its days. The plan is
written to staging in batch-sized Parquet files, so tasks get a batch number,
not a list of paths.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows.batch import batch_plan_path

MANIFEST_COLUMNS = ["source_path", "source_sha256", "size_bytes", "modified_at", "ingest_date", "status", "reject_reason"]


def plan_ingest(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Listing rows that are new, changed, or were unreadable, with what the manifest knew of them."""
    merged = _with_previous(listing, manifest)
    is_new = merged["previous_sha256"].isna()
    changed = (merged["size_bytes"] != merged["previous_size"]) | (merged["modified_us"] != merged["previous_modified_us"])
    retry = merged["previous_reason"].eq("unreadable")
    return merged[is_new | changed | retry].reset_index(drop=True)


def plan_backfill(listing: pd.DataFrame, manifest: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Every listed file whose day is in [start, end], to be processed again whatever the manifest says."""
    in_range = listing[(listing["ingest_date"] >= start) & (listing["ingest_date"] <= end)]
    merged = _with_previous(in_range, manifest)
    return merged.assign(previous_sha256=None)  # never skip a file as unchanged


def pending_files(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Files in raw/ that the next ingest would process."""
    return plan_ingest(listing, manifest)


def vanished_files(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Manifest rows whose raw file is gone."""
    return manifest[~manifest["source_path"].isin(listing["source_path"])]


def _with_previous(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    previous = pd.DataFrame({
        "source_path": manifest["source_path"],
        "previous_sha256": manifest["source_sha256"],
        "previous_size": manifest["size_bytes"],
        "previous_modified_us": _to_us(manifest["modified_at"]),
        "previous_ingest_date": manifest["ingest_date"],
        "previous_status": manifest["status"],
        "previous_reason": manifest["reject_reason"],
    })
    return listing.merge(previous, on="source_path", how="left", validate="one_to_one")


def _to_us(stamps: pd.Series) -> pd.Series:
    if stamps.empty:
        return pd.Series([], dtype="int64")
    return pd.to_datetime(stamps, utc=True).dt.as_unit("us").astype("int64")


def write_plan(plan: pd.DataFrame, staging: Path, *, batch_size: int) -> int:
    """Split the plan into batch files under staging/plan/; return how many batches."""
    (staging / "plan").mkdir(parents=True, exist_ok=True)
    columns = ["source_path", "size_bytes", "modified_us", "ingest_date", "link_outside", "previous_sha256"]
    table = pa.Table.from_pandas(plan[columns], preserve_index=False, schema=pa.schema([
        ("source_path", pa.string()), ("size_bytes", pa.int64()), ("modified_us", pa.int64()),
        ("ingest_date", pa.date32()), ("link_outside", pa.bool_()), ("previous_sha256", pa.string()),
    ]))
    batches = 0
    for batches, start in enumerate(range(0, table.num_rows, batch_size), start=1):
        pq.write_table(table.slice(start, batch_size), batch_plan_path(staging, batches - 1))
    return batches
