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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.batch import batch_plan_path

MANIFEST_COLUMNS = ["source_path", "source_sha256", "size_bytes", "modified_at", "ingest_date", "status", "reject_reason"]


def plan_ingest(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pd.DataFrame:
    """Listing rows that are new, changed, or were unreadable, with what the manifest knew of them.

    Compared in Arrow: only the planned rows become pandas, so a no-op run over a big raw zone
    never holds the manifest as Python objects.
    """
    merged = _with_previous(listing, manifest)
    is_new = pc.is_null(merged.column("previous_sha256"))
    changed = pc.or_(pc.not_equal(merged.column("size_bytes"), merged.column("previous_size")),
                     pc.not_equal(merged.column("modified_us"), merged.column("previous_modified_us"))).fill_null(False)
    retry = pc.equal(merged.column("previous_reason"), "unreadable").fill_null(False)
    return _in_listing_order(merged.filter(pc.or_(pc.or_(is_new, changed), retry)))


def plan_backfill(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table, start: date,
                  end: date) -> pd.DataFrame:
    """Every listed file whose day is in [start, end], to be processed again whatever the manifest says."""
    listing = _listing_table(listing)
    day = listing.column("ingest_date")
    in_range = listing.filter(pc.and_(pc.greater_equal(day, pa.scalar(start, pa.date32())),
                                      pc.less_equal(day, pa.scalar(end, pa.date32()))))
    merged = _in_listing_order(_with_previous(in_range, manifest))
    return merged.assign(previous_sha256=None)  # never skip a file as unchanged


def pending_files(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Files in raw/ that the next ingest would process."""
    return plan_ingest(listing, manifest)


def vanished_files(listing: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Manifest rows whose raw file is gone."""
    return manifest[~manifest["source_path"].isin(listing["source_path"])]


_ORDER = "__listing_order"
_LISTING_TYPES = {"source_path": pa.string(), "size_bytes": pa.int64(), "modified_us": pa.int64(),
                  "ingest_date": pa.date32(), "link_outside": pa.bool_()}


def _listing_table(listing: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(listing, pd.DataFrame):
        listing = pa.Table.from_pandas(listing, preserve_index=False)
    for name, kind in _LISTING_TYPES.items():
        if name in listing.column_names:
            listing = listing.set_column(listing.schema.get_field_index(name), name, listing.column(name).cast(kind))
    return listing


def _with_previous(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pa.Table:
    """The listing with the manifest's row of each file (nulls when new), and each row's listing position."""
    listing = _listing_table(listing)
    if isinstance(manifest, pd.DataFrame):
        manifest = pa.Table.from_pandas(manifest, preserve_index=False)
    paths = manifest.column("source_path").cast(pa.string())
    if len(paths) and pc.count_distinct(paths).as_py() != len(paths):
        raise ValueError("the files manifest lists a source_path more than once; it must be one row per raw file")
    previous = pa.table({
        "source_path": paths,
        "previous_sha256": manifest.column("source_sha256").cast(pa.string()),
        "previous_size": manifest.column("size_bytes").cast(pa.int64()),
        "previous_modified_us": _to_us(manifest.column("modified_at")),
        "previous_ingest_date": manifest.column("ingest_date").cast(pa.date32()),
        "previous_status": manifest.column("status").cast(pa.string()),
        "previous_reason": manifest.column("reject_reason").cast(pa.string()),
    })
    numbered = listing.append_column(_ORDER, pa.array(range(listing.num_rows), pa.int64()))
    return numbered.join(previous, keys="source_path", join_type="left outer")


def _in_listing_order(merged: pa.Table) -> pd.DataFrame:
    """A join does not keep row order: put the rows back in listing order, then make them pandas."""
    return merged.sort_by(_ORDER).drop_columns([_ORDER]).to_pandas()


def _to_us(stamps: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(stamps.type):
        stamps = stamps.cast(pa.timestamp("us", tz=stamps.type.tz))
    return stamps.cast(pa.int64())


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
