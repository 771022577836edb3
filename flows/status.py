"""`newsetl status`: what the warehouse holds and what raw/ still has for it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from newsetl.flows.lock import LockHolder, read_lock
from newsetl.flows.neardup import near_duplicate_status
from newsetl.flows.plan import MANIFEST_COLUMNS, pending_files, vanished_files
from newsetl.flows.rawzone import RawZoneError, scan_raw_zone
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import FILES, RUNS, TABLES
from newsetl.transforms.version import CLEANING_VERSION

LAST_RUNS = 5


@dataclass
class WarehouseStatus:
    warehouse: str
    raw: str
    day_counts: pd.DataFrame  # day x table row counts
    last_runs: pd.DataFrame
    pending: int | None  # None when raw/ is missing
    vanished: int | None
    lock_holder: LockHolder | None = None  # who the lock file names
    lock_held: bool = False  # False with a holder: the run that wrote it is gone (a stale lock)
    debris: list[str] = field(default_factory=list)  # staging folders of runs that did not finish
    notes: list[str] = field(default_factory=list)
    older_cleaning_days: list[str] = field(default_factory=list)  # days holding articles an older cleaning made


def warehouse_status(warehouse: str | Path, raw: str | Path) -> WarehouseStatus:
    """Row counts per day and table, the last runs, and raw files pending or gone."""
    store = Warehouse(Path(warehouse).resolve())
    counts: dict[str, dict[str, int]] = {}
    older_cleaning_days = []
    for name, table in TABLES.items():
        if name == "runs" or name.startswith("."):  # the hidden cluster index is no table of the warehouse's users
            continue
        for day in store.days(table):
            if name == "articles":
                # pipeline_version ends in `+clean.<CLEANING_VERSION>` of the code that cleaned the row.
                rows = store.read_day(table, day, columns=[table.key[0], "pipeline_version"])
                if any(not v.endswith(f"+clean.{CLEANING_VERSION}") for v in rows["pipeline_version"].unique().to_pylist()):
                    older_cleaning_days.append(day.isoformat())
            else:
                rows = store.read_day(table, day, columns=[table.key[0]])
            counts.setdefault(day.isoformat(), {})[name] = rows.num_rows
    day_counts = pd.DataFrame.from_dict(counts, orient="index").fillna(0).astype("int64").sort_index()
    runs = store.read_table(RUNS).to_pandas()
    last_runs = runs.sort_values("started_at").tail(LAST_RUNS) if len(runs) else runs

    raw_root = Path(raw).resolve()
    pending = vanished = None
    notes = []
    manifest = store.read_table(FILES, columns=MANIFEST_COLUMNS)
    try:
        listing = scan_raw_zone(raw_root)
    except RawZoneError as unlisted:
        notes.append(f"pending files unknown: {unlisted}")
    else:
        pending = pending_files(listing, manifest).num_rows
        vanished = vanished_files(listing, manifest).num_rows
    notes = near_duplicate_status(store) + notes
    holder, held = read_lock(store.root)
    debris = sorted(p.name for p in store.staging_root.iterdir()) if store.staging_root.is_dir() else []
    return WarehouseStatus(str(store.root), str(raw_root), day_counts, last_runs, pending, vanished,
                           holder, held, debris, notes, older_cleaning_days)


def render_status(status: WarehouseStatus) -> str:
    lines = [f"warehouse: {status.warehouse}", f"raw:       {status.raw}", ""]
    if status.day_counts.empty:
        lines.append("no days published yet")
    else:
        lines.append("rows per day:")
        lines.append(status.day_counts.rename_axis("day").to_string())
    lines.append("")
    if status.last_runs.empty:
        lines.append("no runs recorded yet")
    else:
        lines.append(f"last {len(status.last_runs)} runs:")
        view = status.last_runs[["run_id", "flow", "started_at", "status", "files_processed", "articles",
                                 "rejects", "days_published", "seconds"]].copy()
        view["started_at"] = view["started_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        lines.append(view.to_string(index=False))
        failed = status.last_runs[status.last_runs["status"] != "success"]
        for row in failed.itertuples():
            lines.append(f"  run {row.run_id} failed: {row.error}")
    lines.append("")
    if status.pending is not None:
        lines.append(f"pending raw files (next ingest would process): {status.pending}")
        lines.append(f"published files no longer in raw/ (a backfill of their day removes them): {status.vanished}")
    if status.older_cleaning_days:
        days = status.older_cleaning_days
        lines.append(f"days cleaned by an older cleaning version than {CLEANING_VERSION}: {len(days)} "
                     f"({days[0]} .. {days[-1]}); re-clean them from raw/ with "
                     f"`newsetl backfill --start {days[0]} --end {days[-1]}`")
    lines.append(_lock_line(status))
    lines.extend(status.notes)
    return "\n".join(lines)


def _lock_line(status: WarehouseStatus) -> str:
    if status.lock_held:
        who = status.lock_holder.describe() if status.lock_holder else "a process that has not written its details yet"
        return f"lock: held by {who}: a run is in progress"
    if status.lock_holder is not None:
        return (f"stale lock: left by {status.lock_holder.describe()}, which is gone; the next run takes it over "
                f"and removes its staging debris ({len(status.debris)} folder(s))")
    if status.debris:
        return f"lock: free; staging debris of {len(status.debris)} unfinished run(s), removed by the next run"
    return "lock: free"
