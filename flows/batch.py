"""One batch of raw files: read, hash, transform, and stage the rows as Parquet.

A plain function (no Prefect inside) so that it runs the same in a thread, a
worker process or on a Dask worker; it gets a small job and returns a small summary.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsetl.flows.rawzone import read_raw_file
from newsetl.schemas import ARTICLES, FILES, PARAGRAPHS, REJECTS, SIGNATURES, Table

PLAN_FOLDER = "plan"


@dataclass(frozen=True)
class BatchJob:
    raw: str
    staging: str  # this run's staging folder
    batch: int
    run_id: str
    pipeline_version: str
    max_file_bytes: int
    # Local worker processes the batch tasks share; 0 runs the batch in the task itself
    # (one batch, --workers 1, or on a Dask worker, which is already a process of its own).
    processes: int = 0
    batches: int = 1  # batches in this run: the local pool stops once all have succeeded


def batch_plan_path(staging: str | Path, batch: int) -> Path:
    return Path(staging) / PLAN_FOLDER / f"batch-{batch:05d}.parquet"


def batch_slices(files: int, *, batch_size: int, spread: int = 1) -> list[tuple[int, int]]:
    """(start, length) of each batch of a plan of `files` rows: at most `batch_size` files a batch, as few
    batches as that allows, but, once there are two or more, a multiple of `spread` (the local worker
    processes), all of even size (they differ by one file at most). Equal batches, as many per worker, end
    together: 7,000 files at 5,000 a batch are 3,500 + 3,500 (not 5,000 + 2,000, one worker idle for
    half the time), 11,000 are four of 2,750 on two workers (not 5,000 + 5,000 + 1,000)."""
    batches = -(-files // batch_size)
    if batches > 1 and spread > 1:
        batches = min(files, -(-batches // spread) * spread)
    bounds = [files * batch // batches for batch in range(batches + 1)] if batches else [0]
    return [(start, stop - start) for start, stop in zip(bounds[:-1], bounds[1:])]


# What the signatures are computed from, handed over as Arrow-backed pandas columns: signature_frame
# reads Arrow strings as they are (a frame of Python str objects cost ~10 us more an article, converted back).
SIGNATURE_INPUT = ["article_id", "source_path", "source_sha256", "ingest_date", "body"]

# Files cleaned and staged together inside a batch: a task still covers a whole batch (seconds
# of work, few task runs), but only this many articles' frames are alive at once (~+25 MB).
CHUNK_FILES = 500


def run_batch(job: BatchJob, *, chunk_files: int = CHUNK_FILES) -> dict:
    """Process the files planned for one batch; stage their rows; return counts only."""
    # Imported in the worker only: cleaning loads ftfy, charset-normalizer and the language model,
    # which the driver (it imports this module to name the task) never needs.
    from newsetl.transforms.articles import build_articles
    from newsetl.flows.neardup import article_signatures, reusable_signatures_path
    plan = pq.read_table(batch_plan_path(job.staging, job.batch))
    plan_columns = {name: plan.column(name).to_pylist() for name in (
        "source_path", "size_bytes", "modified_us", "ingest_date", "link_outside", "not_regular", "fs_path",
        "previous_sha256")}
    root = Path(job.raw)
    processed_at = datetime.now(timezone.utc)
    staging = Path(job.staging)
    counts, reasons, touched = Counter(), Counter(), []
    with _DayWriters(staging, job.batch) as writers:
        for start in range(0, plan.num_rows, chunk_files):
            # This chunk's files as columns (one list each), the plan's and the reader's side by side.
            files: dict[str, list] = {name: [] for name in ("source_path", "source_sha256", "size_bytes", "modified_us",
                                                             "ingest_date", "raw", "reject_reason", "reject_detail")}
            for path, size, modified, day, outside, not_regular, fs_path, previous in zip(
                    *(values[start:start + chunk_files] for values in plan_columns.values())):
                raw_file = read_raw_file(root, path, size_bytes=size, link_outside=outside,
                                         max_file_bytes=job.max_file_bytes, not_regular=not_regular, fs_path=fs_path)
                if raw_file.source_sha256 == previous and raw_file.reject_reason != "unreadable":
                    touched.append(path)  # same bytes, new mtime: nothing to redo
                    continue
                for values, value in zip(files.values(), (
                        path, raw_file.source_sha256, size, modified, day, raw_file.raw, raw_file.reject_reason,
                        raw_file.reject_detail)):
                    values.append(value)
            rows = build_articles(files, run_id=job.run_id, processed_at=processed_at,
                                  pipeline_version=job.pipeline_version, max_bytes=job.max_file_bytes)
            manifest = _manifest_rows(files, rows.articles, rows.rejects, run_id=job.run_id, processed_at=processed_at)
            # Near-duplicate signatures here, in the worker (local or Dask), once per new file version
            # (a re-processed file whose bytes did not change takes its published row back);
            # the links themselves are made when publishing, where every day is in reach.
            articles = rows.articles.append_column("near_duplicate_of", pa.nulls(rows.articles.num_rows, pa.string()))
            signatures = article_signatures(articles.select(SIGNATURE_INPUT).to_pandas(),
                                            reusable_signatures_path(job.staging, job.batch))
            for table, frame in ((ARTICLES, articles), (PARAGRAPHS, rows.paragraphs),
                                 (REJECTS, rows.rejects), (SIGNATURES, signatures),
                                 (FILES, manifest)):
                writers.write(table, frame)
            counts.update(processed=len(files["source_path"]), articles=rows.articles.num_rows,
                          rejects=rows.rejects.num_rows, bytes=sum(files["size_bytes"]))
            reasons.update(rows.rejects.column("reason").to_pylist())
    if touched:
        touched_rows = plan.filter(pc.is_in(plan.column("source_path"), pa.array(touched, pa.string())))
        (staging / "touched").mkdir(exist_ok=True)
        pq.write_table(touched_rows.select(["source_path", "size_bytes", "modified_us"]),
                       staging / "touched" / f"batch-{job.batch:05d}.parquet")
    return {
        "batch": job.batch,
        "files": plan.num_rows,
        "processed": counts["processed"],
        "touched": len(touched),
        "articles": counts["articles"],
        "rejects": counts["rejects"],
        "reasons": dict(reasons),
        "bytes": counts["bytes"],
    }


def _manifest_rows(files: dict[str, list], articles: pa.Table, rejects: pa.Table, *,
                   run_id: str, processed_at: datetime) -> pa.Table:
    """One manifest row per file of the chunk, in the chunk's order: article (with its id) or rejected (with why)."""
    outcome = dict(zip(articles.column("source_path").to_pylist(), articles.column("article_id").to_pylist()))
    reject_reasons = dict(zip(rejects.column("source_path").to_pylist(), rejects.column("reason").to_pylist()))
    paths = files["source_path"]
    rows = len(paths)
    return pa.table({
        "source_path": pa.array(paths, pa.string()),
        "source_sha256": pa.array(files["source_sha256"], pa.string()),
        "size_bytes": pa.array(files["size_bytes"], pa.int64()),
        "modified_at": pa.array(files["modified_us"], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "ingest_date": pa.array(files["ingest_date"], pa.date32()),
        "status": pa.array(["article" if path in outcome else "rejected" for path in paths], pa.string()),
        "article_id": pa.array([outcome.get(path) for path in paths], pa.string()),
        "reject_reason": pa.array([reject_reasons.get(path) for path in paths], pa.string()),
        "run_id": pa.repeat(pa.scalar(run_id, pa.string()), rows),
        "processed_at": pa.repeat(pa.scalar(processed_at, pa.timestamp("us", tz="UTC")), rows),
    })


# Staged files are read once, by this run's publish, and deleted: neither compressed nor dictionary
# encoded. `bench/profile.py --codecs` (4,000 bench files): writing them cost 10.6 us of CPU a file
# and reading them back 4.8 us, against 38.5 and 25.8 us with zstd-1, for 4x the bytes (6.5 KB a file).
STAGING_PARQUET = {"compression": "none", "use_dictionary": False}


class _DayWriters:
    """This batch's staged rows, one Parquet file per table per day under
    staging/<table>/<partition>=<day>/batch-NNNNN.parquet, appended chunk by chunk."""

    def __init__(self, staging: Path, batch: int) -> None:
        self._staging, self._batch = staging, batch
        self._writers: dict[tuple[str, date], pq.ParquetWriter] = {}

    def __enter__(self) -> "_DayWriters":
        return self

    def write(self, table: Table, rows: pd.DataFrame | pa.Table) -> None:
        if len(rows) == 0:
            return
        data = table.to_arrow(rows, check_key=False)  # keys are checked per day when publishing
        days = data.column(table.partition).unique()
        for day in days.to_pylist():
            part = data if len(days) == 1 else data.filter(pc.equal(data.column(table.partition),
                                                                    pa.scalar(day, pa.date32())))
            part = part.drop_columns([table.partition])
            writer = self._writers.get((table.name, day))
            if writer is None:
                folder = self._staging / table.name / f"{table.partition}={day.isoformat()}"
                folder.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(folder / f"batch-{self._batch:05d}.parquet", part.schema, **STAGING_PARQUET)
                self._writers[(table.name, day)] = writer
            writer.write_table(part)

    def __exit__(self, *exc) -> None:
        for writer in self._writers.values():
            writer.close()
