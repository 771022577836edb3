"""The `ingest` and `backfill` flows: plan -> process batches -> publish days -> record the run.

Tasks get small arguments (a batch number, folder names) and return small
summaries; rows travel through the run's staging folder, never through Prefect.
"""
from __future__ import annotations

import json
import logging
import os
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Failed

from newsetl.flows import lifeline
from newsetl.flows.ahead import ListingAhead
from newsetl.flows.batch import BatchJob, batch_slices, run_batch
from newsetl.flows.health import run_summary
from newsetl.flows.lock import LockTimeout, writer_lock
from newsetl.flows.neardup import other_method_days, stage_reusable_signatures
from newsetl.flows.plan import MANIFEST_COLUMNS, plan_backfill, plan_ingest, write_plan
from newsetl.flows.publish import publish_run
from newsetl.flows.report import Progress, install_pause_hooks, pause_at, publish_artifact, staged_rejects
from newsetl.flows.rawzone import RawZoneError, scan_for_run
from newsetl.flows.runners import batch_spread, local_processes, prestart_workers, run_in_processes, task_runner_for
from newsetl.flows.settings import Settings, SettingError, check_day_range, parse_day, pipeline_version, resolve_settings
from newsetl.flows.warehouse import Warehouse, WarehouseDamaged
from newsetl.schemas import ARTICLES, FILES, REJECTS, RUNS
from newsetl.transforms.neardup import METHOD

log = logging.getLogger("newsetl.flow")


class RunFailed(Exception):
    """The run did not finish; nothing half-done was published. The message is one sentence."""


@dataclass(frozen=True)
class PlanSummary:
    files_seen: int
    files_planned: int
    batches: int
    # Days of a backfill's range that have published rows but no raw file left: the backfill would empty them.
    emptied_days: tuple[date, ...] = ()
    # Why raw/ could not be listed whole (missing, unreadable, vanished): the run fails with this sentence.
    unlisted: str | None = None
    # Why the run must not go on (an ingest into signatures of another method version): its sentence.
    refused: str | None = None


@task(name="plan", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def plan_task(settings: Settings, staging: str, start: date | None, end: date | None) -> PlanSummary:
    """List raw/, compare with the manifest, and write the batch plan to staging."""
    warehouse = Warehouse(settings.warehouse)
    if start is None:  # an ingest never adds signatures of one method version to a table holding another
        older = other_method_days(warehouse)
        if older:
            return PlanSummary(files_seen=0, files_planned=0, batches=0, refused=_refuse_to_mix(older))
    try:
        listing = _raw_listing(settings, start, end)
    except RawZoneError as error:  # not retried: a share that is gone now is gone in a second too
        return PlanSummary(files_seen=0, files_planned=0, batches=0, unlisted=str(error))
    manifest = warehouse.read_table(FILES, columns=MANIFEST_COLUMNS)  # compared in Arrow
    emptied: tuple[date, ...] = ()
    if start is None:
        plan = plan_ingest(listing, manifest)
        seen = len(listing)
    else:
        plan = plan_backfill(listing, manifest, start, end)
        seen = plan.num_rows
        emptied = _days_left_without_raw_files(warehouse, plan, start, end)
    spread = batch_spread(settings)
    batches = write_plan(plan, Path(staging), batch_size=settings.batch_size, spread=spread)
    reused = stage_reusable_signatures(warehouse, plan, Path(staging), batch_size=settings.batch_size, spread=spread)
    if reused:
        log.info("%d published signature(s) of unchanged files staged for reuse", reused)
    _plan_extras(plan, Path(staging))
    return PlanSummary(files_seen=seen, files_planned=plan.num_rows, batches=batches, emptied_days=emptied)


# A listing made while the command's Prefect server booted (prelist_raw_zone), by (raw, start, end).
_PRELISTED: dict[tuple, tuple[float, pa.Table]] = {}
# The plan uses it only this fresh: a run that waited for another's lock lists again.
PRELIST_MAX_AGE_SECONDS = 15.0


def prelist_raw_zone(settings: Settings, start: date | None, end: date | None, ahead: ListingAhead | None = None) -> None:
    """Keep a listing of raw/ made ahead of the flow run, for the plan to take if it is still fresh:
    the one `ahead` (flows/ahead.py) made in its own process while the command imported Prefect, or,
    without it or if it failed, one made here (while the command's own Prefect server boots in another
    process). A listing error is left for the plan to meet (it fails the run with its sentence)."""
    clock = time.monotonic()
    listing = ahead.take() if ahead is not None else None
    forked = listing is not None
    if not forked:
        try:
            listing = scan_for_run(settings.raw, start, end)
        except (RawZoneError, OSError):
            return
    _PRELISTED[(settings.raw, start, end)] = (ahead.started if forked else clock, listing)
    log.debug("listed raw/ ahead of the run: %d files, %s, %.2f s after the command asked", listing.num_rows,
              "in a process of its own" if forked else "here", time.monotonic() - clock)


def prestart_batch_workers(settings: Settings, start: date | None, end: date | None) -> int:
    """Start the local batch workers ahead of the flow run (they import the batch code while the command's
    own Prefect server boots) when the listing of `prelist_raw_zone` promises at least two batches;
    return how many were started. A guess from row counts, never a plan: a wrong one only costs an early
    start or a late one."""
    taken = _PRELISTED.get((settings.raw, start, end))
    if taken is None:
        return 0
    files = taken[1].num_rows - (0 if start is not None else _manifest_rows(Warehouse(settings.warehouse)))
    batches = batch_slices(max(files, 0), batch_size=settings.batch_size, spread=batch_spread(settings))
    processes = local_processes(settings, len(batches))
    prestart_workers(processes)
    return processes


def _manifest_rows(warehouse: Warehouse) -> int:
    """Rows of the `files` manifest, from the Parquet footers alone."""
    try:
        return sum(pq.ParquetFile(path).metadata.num_rows
                   for path in warehouse.table_dir(FILES).glob("*/*.parquet"))
    except (OSError, pa.ArrowException):
        return 0


def _raw_listing(settings: Settings, start: date | None, end: date | None) -> pa.Table:
    taken = _PRELISTED.pop((settings.raw, start, end), None)
    if taken is not None and time.monotonic() - taken[0] <= PRELIST_MAX_AGE_SECONDS:
        return taken[1]
    return scan_for_run(settings.raw, start, end)


def _days_left_without_raw_files(warehouse: Warehouse, plan: pa.Table, start: date, end: date) -> tuple[date, ...]:
    """Published days in [start, end] for which the plan holds no raw file at all."""
    planned = set(pc.unique(plan.column("ingest_date")).to_pylist())
    published = {day for table in (ARTICLES, REJECTS, FILES) for day in warehouse.days(table) if start <= day <= end}
    return tuple(sorted(published - planned))


def _plan_extras(plan: pa.Table, staging: Path) -> None:
    """What publishing needs of the plan: each re-processed file's previous day and status."""
    pq.write_table(plan.select(["source_path", "previous_ingest_date", "previous_status"]),
                   staging / "replaced.parquet")


@task(name="process-batch", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def process_batch(job: BatchJob) -> dict:
    """Read, transform and stage one batch of raw files (in a worker process when the job says so)."""
    return run_in_processes(run_batch, job, processes=job.processes, run=job.staging, part=job.batch,
                            parts=job.batches)


@task(name="publish", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def publish_task(settings: Settings, staging: str, rebuild_days: list[date]) -> dict:
    """Swap every affected day of every table into the warehouse, the manifest last."""
    replaced = pq.read_table(Path(staging) / "replaced.parquet")
    result = publish_run(Warehouse(settings.warehouse), Path(staging), replaced, rebuild_days=frozenset(rebuild_days),
                         window_days=settings.near_duplicate_window_days, run_id=Path(staging).name)
    return {"days": result.days, "days_published": result.days_published, "duplicates": result.duplicates,
            "near_duplicates": result.near_duplicates, "near_duplicate_links": result.near_duplicate_links,
            "biggest_clusters": result.biggest_clusters}


@task(name="record-run", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record_run_task(settings: Settings, run: dict) -> None:
    """Append this run's row to the `runs` table (its day rewritten atomically)."""
    warehouse = Warehouse(settings.warehouse)
    staging = warehouse.new_staging(f"{run['run_id']}-runs")
    try:
        day = run["run_date"]
        existing = warehouse.read_day(RUNS, day)
        others = existing.filter(pc.invert(pc.equal(existing.column("run_id"), run["run_id"])))
        row = RUNS.to_arrow(pd.DataFrame([run]), with_partition=False)
        warehouse.publish_day(RUNS, day, pa.concat_tables([others, row]), staging=staging)
    finally:
        warehouse.drop_staging(staging)


def run_pipeline(flow_name: str, settings: Settings, *, start: date | None = None, end: date | None = None) -> dict:
    """The body shared by both flows, under the warehouse's writer lock; returns the run's summary (the `runs` row)."""
    run_id = _current_run_id()
    try:
        with writer_lock(settings.warehouse, command=f"{flow_name} run {run_id}", timeout=settings.lock_timeout), \
                lifeline.watch_api(_api_url()):
            return _locked_run(run_id, flow_name, settings, start=start, end=end)
    except LockTimeout as busy:  # no runs row: writing it would need the lock another run holds
        log.error("%s did not start: %s", flow_name, busy)
        raise RunFailed(str(busy)) from None


def _locked_run(run_id: str, flow_name: str, settings: Settings, *, start: date | None, end: date | None) -> dict:
    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    warehouse = Warehouse(settings.warehouse)
    parameters = settings.as_parameters() | ({"start": str(start), "end": str(end)} if start else {})
    run = {"run_id": run_id, "flow": flow_name, "started_at": started, "run_date": started.date(),
           "files_seen": 0, "files_processed": 0, "articles": 0, "rejects": 0, "duplicates": 0,
           "near_duplicates": 0, "near_duplicate_links": 0, "biggest_clusters": [],
           "days_published": 0, "parameters": json.dumps(parameters, sort_keys=True), "error": None,
           "pipeline_version": pipeline_version()}
    install_pause_hooks()
    first_rejects = []
    staging = warehouse.new_staging(run_id)
    try:
        debris = warehouse.clean_debris(keep={run_id})  # safe: no other run can be writing, we hold the lock
        if debris:
            log.info("removed staging debris of %d earlier run(s): %s", len(debris), ", ".join(debris))
        plan = plan_task(settings, str(staging), start, end)
        run["files_seen"] = plan.files_seen
        if plan.unlisted or plan.refused:
            raise RunFailed(plan.unlisted or plan.refused)
        if plan.emptied_days and not settings.allow_empty:
            raise RunFailed(_refuse_to_empty(plan.emptied_days))
        log.info("%s: %d raw files seen, %d to process in %d batch(es)", flow_name, plan.files_seen,
                 plan.files_planned, plan.batches)
        summaries = _process_batches(settings, staging, run_id, plan)
        run["files_processed"] = sum(s["processed"] for s in summaries)
        run["articles"] = sum(s["articles"] for s in summaries)
        run["rejects"] = sum(s["rejects"] for s in summaries)
        run["reasons"] = dict(sum((Counter(s["reasons"]) for s in summaries), Counter()))
        first_rejects = staged_rejects(staging)
        pause_at("staged")
        rebuild = _days(start, end) if start else []
        lifeline.check_api()  # publish only while the run can still be recorded as what it is
        with lifeline.publishing():
            published = publish_task(settings, str(staging), rebuild)
        lifeline.mark_published()
        run["duplicates"] = published["duplicates"]
        for key in ("near_duplicates", "near_duplicate_links", "biggest_clusters"):
            run[key] = published[key]
        run["days_published"] = published["days_published"]
        run["days"] = published["days"]
        run["status"] = "success"
    except Exception as error:
        run["status"] = "failed"
        run["error"] = _one_sentence(error)
        log.error("%s failed: %s", flow_name, run["error"])
        log.debug("%s", traceback.format_exc())
    finally:
        warehouse.drop_staging(staging)
        run["finished_at"] = datetime.now(timezone.utc)
        run["seconds"] = round(time.monotonic() - clock, 3)
    try:
        with lifeline.publishing():
            record_run_task(settings, {k: v for k, v in run.items() if k in RUNS.column_names})
    except Exception as error:
        run["status"], run["error"] = "failed", run["error"] or f"the run's row could not be written: {_one_sentence(error)}"
        log.error("%s: could not record the run in the runs table: %s", flow_name, _one_sentence(error))
    publish_artifact(run, days=lambda: _rows_per_day(warehouse, run.get("days", {})), first_rejects=first_rejects,
                     feed_health=lambda: run_summary(settings.warehouse))
    if run["status"] != "success":
        raise RunFailed(run["error"])
    return run


def _rows_per_day(warehouse: Warehouse, days: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Rows now live in each day this run published, for the articles and rejects tables (0: day removed)."""
    return {table: {day: warehouse.read_day(table, date.fromisoformat(day), columns=["source_path"]).num_rows
                    for day in days.get(table, [])}
            for table in ("articles", "rejects") if days.get(table)}


def _process_batches(settings: Settings, staging: Path, run_id: str, plan: PlanSummary) -> list[dict]:
    jobs = [BatchJob(raw=settings.raw, staging=str(staging), batch=b, run_id=run_id,
                     pipeline_version=pipeline_version(), max_file_bytes=settings.max_file_bytes,
                     processes=local_processes(settings, plan.batches), batches=plan.batches)
            for b in range(plan.batches)]
    futures = [process_batch.submit(job) for job in jobs]
    summaries, progress = [], Progress(plan.files_planned)
    try:
        for future in as_completed(futures):
            summary = future.result()  # a failed batch fails the run before anything is published
            summaries.append(summary)
            progress.advance(summary["files"])
    finally:
        progress.close()
    return sorted(summaries, key=lambda s: s["batch"])


def _refuse_to_empty(days: tuple[date, ...]) -> str:
    named = ", ".join(str(day) for day in days[:5]) + (f" and {len(days) - 5} more" if len(days) > 5 else "")
    return (f"backfill refused: raw/ holds no file for {named}, which has published rows, and rebuilding would "
            "remove them all (an unmounted share or a moved folder?); nothing was published: if those raw files "
            "were removed on purpose, run again with --allow-empty.")


def _refuse_to_mix(days: list[date]) -> str:
    return (f"ingest refused: the signatures of {len(days)} day(s) ({days[0]} .. {days[-1]}) were made by another "
            f"near-duplicate method version than this code's {METHOD.version}, and versions are never mixed in one "
            f"table; nothing was published: recompute them with `newsetl backfill --start {days[0]} --end {days[-1]}`, "
            "then ingest again.")


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _one_sentence(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.strerror}: {error.filename} (each day already swapped in is whole; the next run processes the rest again)"
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if isinstance(error, (RunFailed, OSError, WarehouseDamaged, lifeline.ApiLost)) else f"{type(error).__name__}: {text}"


def _api_url() -> str | None:
    """The API this flow run reports to (the temporary server's too)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    return str(context.client.api_url) if context is not None and context.client is not None else None


def _current_run_id() -> str:
    from prefect.runtime import flow_run
    return str(flow_run.id or uuid.uuid4())


@flow(name="ingest", validate_parameters=False)
def ingest_flow(settings: Settings):
    """Scheduled job: process raw files new or changed since the last run and publish their days."""
    return _as_state(lambda: run_pipeline("ingest", settings))


@flow(name="backfill", validate_parameters=False)
def backfill_flow(settings: Settings, start: date, end: date):
    """Rebuild every day in [start, end] from all of its raw files, replacing those days."""
    return _as_state(lambda: run_pipeline("backfill", settings, start=start, end=end))


@flow(name="ingest")
def scheduled_ingest(raw: str = "raw", warehouse: str = "warehouse", batch_size: int = Settings.batch_size,
                     max_file_bytes: int = Settings.max_file_bytes, workers: int = 0,
                     lock_timeout: float = Settings.lock_timeout, dask_address: str | None = None,
                     near_duplicate_window_days: int = Settings.near_duplicate_window_days):
    """Deployment entry point (JSON parameters, see prefect.yaml and `newsetl serve`): the `ingest` flow."""
    options = {"batch_size": batch_size, "max_file_bytes": max_file_bytes, "workers": workers,
               "lock_timeout": lock_timeout, "dask_address": dask_address,
               "near_duplicate_window_days": near_duplicate_window_days}
    return _deployed(lambda settings: with_runner(ingest_flow, settings)(settings, return_state=True),
                     raw, warehouse, options)


@flow(name="backfill")
def backfill_days(start: str, end: str, raw: str = "raw", warehouse: str = "warehouse",
                  batch_size: int = Settings.batch_size, max_file_bytes: int = Settings.max_file_bytes, workers: int = 0,
                  lock_timeout: float = Settings.lock_timeout, dask_address: str | None = None,
                  allow_empty: bool = False, near_duplicate_window_days: int = Settings.near_duplicate_window_days):
    """Deployment entry point (JSON parameters): the `backfill` flow for the days start..end (YYYY-MM-DD)."""
    options = {"batch_size": batch_size, "max_file_bytes": max_file_bytes, "workers": workers,
               "lock_timeout": lock_timeout, "dask_address": dask_address, "allow_empty": allow_empty,
               "near_duplicate_window_days": near_duplicate_window_days}

    def body(settings: Settings):
        first, last = parse_day(start, option="start"), parse_day(end, option="end")
        check_day_range(first, last)
        return with_runner(backfill_flow, settings)(settings, first, last, return_state=True)
    return _deployed(body, raw, warehouse, options)


def _deployed(body, raw: str, warehouse: str, options: dict):
    """Resolve settings like the CLI does; a bad one fails the run with its sentence, not a traceback."""
    # Prefect gives extra loggers its own level (WARNING here); a served run should say what it publishes.
    logging.getLogger("newsetl").setLevel(os.environ.get("NEWSETL_LOG_LEVEL", "INFO"))
    try:
        return body(resolve_settings(raw, warehouse, **options))
    except SettingError as error:
        log.error("%s", error)
        return Failed(message=str(error))


def with_runner(flow_object, settings: Settings):
    """The flow with the task runner its settings ask for: batches in local worker processes, or on Dask."""
    return flow_object.with_options(task_runner=task_runner_for(settings))


def _as_state(body):
    """An expected failure ends the flow run Failed with one sentence, not a logged traceback."""
    try:
        return body()
    except RunFailed as failure:
        return Failed(message=str(failure))
