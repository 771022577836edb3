"""What a run has to process: the raw listing compared with the `files` manifest.

`ingest` takes files that are new, changed (size or mtime differ) or were
unreadable last time; `backfill` takes every file of its days. Plans are Arrow
tables in listing order, written to staging in batch-sized Parquet files, so
tasks get a batch number, not a list of paths.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsetl.flows.batch import batch_plan_path, batch_slices
from newsetl.flows.rawzone import LISTING_SCHEMA

MANIFEST_COLUMNS = ["source_path", "source_sha256", "size_bytes", "modified_at", "ingest_date", "status", "reject_reason"]


def plan_ingest(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pa.Table:
    """Listing rows that are new, changed, or were unreadable, with what the manifest knew of them.

    Compared in Arrow, by a hash lookup of each listed path in the manifest (no join): memory
    follows the raw zone's paths, not its Python objects, and a no-op run holds no plan at all.
    """
    merged = _with_previous(listing, manifest)
    is_new = pc.is_null(merged.column("previous_sha256"))
    changed = pc.or_(pc.not_equal(merged.column("size_bytes"), merged.column("previous_size")),
                     pc.not_equal(merged.column("modified_us"), merged.column("previous_modified_us"))).fill_null(False)
    retry = pc.equal(merged.column("previous_reason"), "unreadable").fill_null(False)
    return merged.filter(pc.or_(pc.or_(is_new, changed), retry))


def plan_backfill(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table, start: date,
                  end: date) -> pa.Table:
    """Every listed file whose day is in [start, end], to be processed again whatever the manifest says."""
    listing = _listing_table(listing)
    day = listing.column("ingest_date")
    in_range = listing.filter(pc.and_(pc.greater_equal(day, pa.scalar(start, pa.date32())),
                                      pc.less_equal(day, pa.scalar(end, pa.date32()))))
    merged = _with_previous(in_range, manifest)
    never_skip = pa.nulls(merged.num_rows, pa.string())  # no file is skipped as unchanged
    return merged.set_column(merged.schema.get_field_index("previous_sha256"), "previous_sha256", never_skip)


def pending_files(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pa.Table:
    """Files in raw/ that the next ingest would process."""
    return plan_ingest(listing, manifest)


def vanished_files(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pa.Table:
    """Manifest rows whose raw file is gone."""
    listing, manifest = _listing_table(listing), _arrow(manifest)
    listed = pc.is_in(manifest.column("source_path").cast(pa.string()),
                      value_set=listing.column("source_path").combine_chunks())
    return manifest.filter(pc.invert(listed))




def _arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False) if isinstance(frame, pd.DataFrame) else frame


def _listing_table(listing: pd.DataFrame | pa.Table) -> pa.Table:
    listing = _arrow(listing)
    for field in LISTING_SCHEMA:
        if field.name in listing.column_names:
            listing = listing.set_column(listing.schema.get_field_index(field.name), field,
                                         listing.column(field.name).cast(field.type))
        elif field.name in _LISTING_DEFAULTS:  # a listing made before the column existed (or by hand)
            listing = listing.append_column(field, pa.array([_LISTING_DEFAULTS[field.name]] * listing.num_rows,
                                                            field.type))
    return listing


# Listing columns a caller may leave out: no special files, every path UTF-8.
_LISTING_DEFAULTS = {"not_regular": False, "fs_path": None}


def _with_previous(listing: pd.DataFrame | pa.Table, manifest: pd.DataFrame | pa.Table) -> pa.Table:
    """The listing, in its order, with the manifest's row of each file (nulls when new)."""
    listing, manifest = _listing_table(listing), _arrow(manifest)
    paths = manifest.column("source_path").cast(pa.string()).combine_chunks()
    if len(paths) and pc.count_distinct(paths).as_py() != len(paths):
        raise ValueError("the files manifest lists a source_path more than once; it must be one row per raw file")
    position = pc.index_in(listing.column("source_path"), value_set=paths)  # null: not in the manifest
    previous = {
        "previous_sha256": manifest.column("source_sha256").cast(pa.string()),
        "previous_size": manifest.column("size_bytes").cast(pa.int64()),
        "previous_modified_us": _to_us(manifest.column("modified_at")),
        "previous_ingest_date": manifest.column("ingest_date").cast(pa.date32()),
        "previous_status": manifest.column("status").cast(pa.string()),
        "previous_reason": manifest.column("reject_reason").cast(pa.string()),
    }
    for name, values in previous.items():
        listing = listing.append_column(name, values.take(position))
    return listing


def _to_us(stamps: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(stamps.type):
        stamps = stamps.cast(pa.timestamp("us", tz=stamps.type.tz))
    return stamps.cast(pa.int64())


# What a batch needs of each planned file: its listing row and the bytes' hash the manifest knew.
PLAN_SCHEMA = LISTING_SCHEMA.append(pa.field("previous_sha256", pa.string()))


def write_plan(plan: pa.Table, staging: Path, *, batch_size: int, spread: int = 1) -> int:
    """Split the plan into batch files under staging/plan/ (see batch.batch_slices); return how many batches."""
    (staging / "plan").mkdir(parents=True, exist_ok=True)
    table = _arrow(plan).select(PLAN_SCHEMA.names).cast(PLAN_SCHEMA)
    slices = batch_slices(table.num_rows, batch_size=batch_size, spread=spread)
    for batch, (start, length) in enumerate(slices):
        pq.write_table(table.slice(start, length), batch_plan_path(staging, batch))
    return len(slices)
