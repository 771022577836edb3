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


# Files cleaned and staged together inside a batch: a task still covers a whole batch (seconds
# of work, few task runs), but only this many articles' frames are alive at once (~+25 MB).
CHUNK_FILES = 500


def run_batch(job: BatchJob, *, chunk_files: int = CHUNK_FILES) -> dict:
    """Process the files planned for one batch; stage their rows; return counts only."""
    # Imported in the worker only: cleaning loads ftfy, charset-normalizer and the language model,
    # which the driver (it imports this module to name the task) never needs.
    from newsetl.transforms.articles import build_articles
    from newsetl.flows.neardup import article_signatures, reusable_signatures_path
    plan = pq.read_table(batch_plan_path(job.staging, job.batch)).to_pandas()
    root = Path(job.raw)
    processed_at = datetime.now(timezone.utc)
    staging = Path(job.staging)
    counts, reasons, touched = Counter(), Counter(), []
    with _DayWriters(staging, job.batch) as writers:
        for start in range(0, len(plan), chunk_files):
            chunk = plan.iloc[start:start + chunk_files]
            raw_files = []
            for row in chunk.itertuples(index=False):
                raw_file = read_raw_file(root, row.source_path, size_bytes=row.size_bytes,
                                         link_outside=row.link_outside, max_file_bytes=job.max_file_bytes,
                                         not_regular=row.not_regular, fs_path=row.fs_path)
                if raw_file.source_sha256 == row.previous_sha256 and raw_file.reject_reason != "unreadable":
                    touched.append(row.source_path)  # same bytes, new mtime: nothing to redo
                    continue
                raw_files.append(raw_file)

            files = pd.DataFrame([vars(f) for f in raw_files],
                                 columns=["source_path", "source_sha256", "raw", "reject_reason", "reject_detail"])
            files = files.merge(chunk[["source_path", "size_bytes", "modified_us", "ingest_date"]], on="source_path")
            rows = build_articles(files.drop(columns=["modified_us"]), run_id=job.run_id, processed_at=processed_at,
                                  pipeline_version=job.pipeline_version, max_bytes=job.max_file_bytes)
            manifest = _manifest_rows(files, rows.articles, rows.rejects, run_id=job.run_id, processed_at=processed_at)
            # Near-duplicate signatures here, in the worker (local or Dask), once per new file version
            # (a re-processed file whose bytes did not change takes its published row back);
            # the links themselves are made when publishing, where every day is in reach.
            articles = rows.articles.assign(near_duplicate_of=None)
            signatures = article_signatures(articles, reusable_signatures_path(job.staging, job.batch))
            for table, frame in ((ARTICLES, articles), (PARAGRAPHS, rows.paragraphs),
                                 (REJECTS, rows.rejects), (SIGNATURES, signatures),
                                 (FILES, manifest)):
                writers.write(table, frame)
            counts.update(processed=len(raw_files), articles=len(rows.articles), rejects=len(rows.rejects),
                          bytes=int(files["size_bytes"].sum()) if len(files) else 0)
            reasons.update(rows.rejects["reason"])
    if touched:
        touched_rows = plan[plan["source_path"].isin(touched)][["source_path", "size_bytes", "modified_us"]]
        (staging / "touched").mkdir(exist_ok=True)
        pq.write_table(pa.Table.from_pandas(touched_rows, preserve_index=False),
                       staging / "touched" / f"batch-{job.batch:05d}.parquet")
    return {
        "batch": job.batch,
        "files": len(plan),
        "processed": counts["processed"],
        "touched": len(touched),
        "articles": counts["articles"],
        "rejects": counts["rejects"],
        "reasons": dict(reasons),
        "bytes": counts["bytes"],
    }


def _manifest_rows(files: pd.DataFrame, articles: pd.DataFrame, rejects: pd.DataFrame, *,
                   run_id: str, processed_at: datetime) -> pd.DataFrame:
    status = pd.concat([
        pd.DataFrame({"source_path": articles["source_path"], "status": "article",
                      "article_id": articles["article_id"], "reject_reason": None}),
        pd.DataFrame({"source_path": rejects["source_path"], "status": "rejected",
                      "article_id": None, "reject_reason": rejects["reason"]}),
    ], ignore_index=True)
    manifest = files[["source_path", "source_sha256", "size_bytes", "modified_us", "ingest_date"]].merge(
        status, on="source_path", how="inner", validate="one_to_one")
    return manifest.assign(
        modified_at=pd.to_datetime(manifest["modified_us"], unit="us", utc=True),
        run_id=run_id,
        processed_at=processed_at,
    )


class _DayWriters:
    """This batch's staged rows, one Parquet file per table per day under
    staging/<table>/<partition>=<day>/batch-NNNNN.parquet, appended chunk by chunk."""

    def __init__(self, staging: Path, batch: int) -> None:
        self._staging, self._batch = staging, batch
        self._writers: dict[tuple[str, date], pq.ParquetWriter] = {}

    def __enter__(self) -> "_DayWriters":
        return self

    def write(self, table: Table, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        data = table.to_arrow(frame, check_key=False)  # keys are checked per day when publishing
        for day in data.column(table.partition).unique().to_pylist():
            mask = pc.equal(data.column(table.partition), pa.scalar(day, pa.date32()))
            part = data.filter(mask).drop_columns([table.partition])
            writer = self._writers.get((table.name, day))
            if writer is None:
                folder = self._staging / table.name / f"{table.partition}={day.isoformat()}"
                folder.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(folder / f"batch-{self._batch:05d}.parquet", part.schema, compression="zstd")
                self._writers[(table.name, day)] = writer
            writer.write_table(part)

    def __exit__(self, *exc) -> None:
        for writer in self._writers.values():
            writer.close()
