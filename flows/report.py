"""What a run shows while it works and leaves behind: progress, the run's markdown
artifact in Prefect, and the test-only pause points the crash tests kill at.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger("newsetl.flow")

# Without a terminal, one progress line this often: enough to see a run move in a log.
PROGRESS_EVERY_SECONDS = 5.0
# Rejects listed by name in the artifact; the rest are counted by reason.
FIRST_REJECTS = 20
# Test-only: the crash tests set this to make the run stop at a named point so they can SIGKILL it there.
PAUSE_ENV = "NEWSETL_TEST_PAUSE_AT"


class Progress:
    """Files done / total, rate and ETA: a bar in a terminal, a log line every few seconds elsewhere."""

    def __init__(self, total: int, *, label: str = "files") -> None:
        self.total, self.done, self.label = total, 0, label
        self.clock = self.last_log = time.monotonic()
        self.bar = _rich_bar(total, label) if total and sys.stderr.isatty() else None

    def advance(self, files: int) -> None:
        self.done += files
        pause_at("transform")
        if self.bar is not None:
            self.bar[0].update(self.bar[1], completed=self.done, rate=f"{self.rate():.0f} files/s")
        elif time.monotonic() - self.last_log >= PROGRESS_EVERY_SECONDS:
            log.info("processed %d/%d %s (%.0f files/s, about %s left)", self.done, self.total, self.label,
                     self.rate(), _duration(self.eta()))
            self.last_log = time.monotonic()

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.clock, 1e-9)

    def eta(self) -> float:
        return (self.total - self.done) / max(self.rate(), 1e-9)

    def close(self) -> None:
        if self.bar is not None:
            self.bar[0].stop()
            self.bar = None


def _rich_bar(total: int, label: str):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

    bar = Bar(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
              TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
              console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=total, rate="")
    bar.start()
    return bar, task


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


# ---- the run's artifact ------------------------------------------------------

def run_markdown(run: dict, *, days: dict[str, dict[str, int]], first_rejects: list[dict]) -> str:
    """The run's report: counts by status and reason, rows per day published, duplicates, throughput."""
    seconds = max(float(run.get("seconds") or 0.0), 1e-9)
    lines = [f"# newsetl {run['flow']}: {run['status']}", ""]
    if run.get("error"):
        lines += [f"**Failed:** {run['error']}", "", "Nothing half-done was published: each day is swapped in whole, "
                  "and files not yet in the manifest are processed again by the next run.", ""]
    lines += ["| | files |", "|---|---:|",
              f"| seen in raw/ | {run['files_seen']} |", f"| processed | {run['files_processed']} |",
              f"| articles | {run['articles']} |", f"| rejects | {run['rejects']} |",
              f"| duplicates (among the new articles) | {run['duplicates']} |",
              f"| near-duplicates (among the new articles) | {run.get('near_duplicates', 0)} |",
              f"| near-duplicate links added | {run.get('near_duplicate_links', 0)} |", "",
              f"Throughput: {run['files_processed'] / seconds:.0f} files/s over {seconds:.1f} s; "
              f"{run['days_published']} day partitions published.", ""]
    reasons = run.get("reasons") or {}
    if reasons:
        lines += ["## Rejects by reason", "", "| reason | files |", "|---|---:|"]
        lines += [f"| {reason} | {count} |" for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])]
        lines.append("")
    clusters = run.get("biggest_clusters") or []
    if clusters:
        lines += ["## Biggest near-duplicate clusters of this run", "", "| root article | articles | root title |",
                  "|---|---:|---|"]
        lines += [f"| `{c['root']}` | {c['articles']} | {c.get('title') or ''} |" for c in clusters]
        lines.append("")
    if days:
        lines += ["## Rows per day published", "", "| day | " + " | ".join(days) + " |",
                  "|---|" + "---:|" * len(days)]
        all_days = sorted({d for per_table in days.values() for d in per_table})
        for day in all_days:
            lines.append(f"| {day} | " + " | ".join(str(days[t].get(day, "")) for t in days) + " |")
        lines.append("")
    if first_rejects:
        lines += [f"## First {len(first_rejects)} rejects", ""]
        lines += [f"- `{r['source_path']}` ({r['reason']}): {r['detail']}" for r in first_rejects]
        lines.append("")
    return "\n".join(lines)


def staged_rejects(staging: Path, limit: int = FIRST_REJECTS) -> list[dict]:
    """The first rejects this run staged (by path), before its staging folder is dropped."""
    files = sorted((staging / "rejects").rglob("*.parquet")) if (staging / "rejects").is_dir() else []
    if not files:
        return []
    columns = ["source_path", "reason", "detail"]
    rows = pa.concat_tables([pq.read_table(f, columns=columns) for f in files]).sort_by("source_path")
    return rows.slice(0, limit).to_pylist()


def publish_artifact(run: dict, *, days: Callable[[], dict[str, dict[str, int]]], first_rejects: list[dict],
                     feed_health: Callable[[], str] | None = None) -> None:
    """Attach the run's report to its Prefect flow run; a failure here (counting `days` included) never fails the run.

    `feed_health` adds the feed-health summary (flows/health.py); its failure only leaves a line saying so."""
    try:
        from prefect.artifacts import create_markdown_artifact

        markdown = run_markdown(run, days=days(), first_rejects=first_rejects)
        if feed_health is not None:
            markdown += "\n" + _feed_health_section(feed_health)
        create_markdown_artifact(markdown=markdown,
                                 key=f"newsetl-{run['flow']}", description=f"newsetl {run['flow']} run report")
    except Exception as error:  # the report is a courtesy; the warehouse and the runs row are the record
        log.warning("could not attach the run report to Prefect: %s", error)


def _feed_health_section(feed_health: Callable[[], str]) -> str:
    try:
        return feed_health()
    except Exception as error:  # the feed-health page is optional at run time
        log.warning("could not build the feed-health summary: %s", error)
        return f"## Feed health\n\nNot available this time: {error}\n"


# ---- test-only pause points ----------------------------------------------------

def pause_at(point: str) -> None:
    """When NEWSETL_TEST_PAUSE_AT names this point, say so on stderr and wait to be killed."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"newsetl test pause at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(3600)


class _PauseAfterFirstDay(logging.Filter):
    """Pauses right after the first day partition is swapped in, the rest of the publish not yet done."""

    def filter(self, record: logging.LogRecord) -> bool:
        # (the cluster index's days added ahead of the data tables do not count: the pause is for a data day)
        if record.getMessage().startswith("published ") and not record.getMessage().startswith("published .cluster_index"):
            sys.stderr.write(f"{record.getMessage()}\n")
            pause_at("publish")
        return True


def install_pause_hooks() -> None:
    """Arm the `publish` pause point (the warehouse logs each day it swaps in)."""
    if os.environ.get(PAUSE_ENV) == "publish":
        logger = logging.getLogger("newsetl.warehouse")
        if not any(isinstance(f, _PauseAfterFirstDay) for f in logger.filters):
            logger.addFilter(_PauseAfterFirstDay())
