"""`newsetl report`: the feed-health page, one self-contained HTML file built from the warehouse alone.

It answers the morning question "is a feed broken?" with pictures: articles per publisher and
day (quiet publishers in red), rejects by reason, duplicates, languages, word counts, quality
flags and the runs. Reads only the columns it needs, for the chosen days; writes outside every
table folder (default `warehouse/report.html`), through a temporary file and one rename.
"""
from __future__ import annotations

import html
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsetl.flows.settings import SettingError
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import ARTICLES, REJECTS, RUNS, TABLES
from newsetl.transforms.feed_health import (NO_LANGUAGE, NO_PUBLISHER, Rules, biggest_clusters, daily_counts,
                                    duplicate_shares, flag_counts, new_languages, publisher_drops, share_spikes,
                                    word_count_histogram, word_count_quantiles)

log = logging.getLogger("newsetl.report")

REPORT_NAME = "report.html"
# The default range: the last days that hold data (a month of a daily feed).
DEFAULT_DAYS = 30
# Biggest duplicate clusters listed by title.
TOP_CLUSTERS = 10
# Publishers drawn in the heatmap: every flagged one, then the biggest up to this many (the rest summed).
MAX_PUBLISHER_ROWS = 25
# Runs listed row by row (failures always are); the chart shows every run of the range.
RUNS_LISTED = 40
# When no run started inside the range (a back-filled old drop), the page shows the latest runs instead.
FALLBACK_RUNS = 30
# Near-duplicate links are a newer column: used when the schema or the range's files have it.
NEAR = "near_duplicate_of"
ARTICLE_COLUMNS = ["ingest_date", "publisher", "language", "word_count", "duplicate_of", "quality_flags"]
# Read, and FeedHealth fields gathered, for the page's charts and tables only, not for its alert sentences.
PAGE_ONLY_COLUMNS = ("word_count", "quality_flags")
PAGE_ONLY_FIELDS = ("clusters", "near_clusters", "histogram", "quantiles", "flags")
RUN_COLUMNS = ["run_id", "flow", "started_at", "status", "files_seen", "files_processed", "articles", "rejects",
               "error", "seconds", "run_date"]


@dataclass
class ReportResult:
    path: Path
    size_bytes: int
    days: list[date]
    seconds: float
    alerts: list[str] = field(default_factory=list)  # one sentence per thing that needs a look


@dataclass
class FeedHealth:
    """Everything the page shows, already aggregated (small frames only)."""

    days: list[date]
    rules: Rules
    publishers: pd.DataFrame  # day x publisher counts, history days included
    drops: pd.DataFrame
    reasons: pd.DataFrame  # day x reject reason
    reject_spikes: pd.DataFrame
    duplicates: pd.DataFrame  # per day: articles, exact (and near) duplicates and shares
    duplicate_spikes: pd.DataFrame
    near_spikes: pd.DataFrame | None
    # PAGE_ONLY_FIELDS (clusters, near_clusters, histogram, quantiles, flags) are None when gathered with page=False.
    clusters: pd.DataFrame | None  # exact: first_id, copies, title, publisher, ingest_date
    near_clusters: pd.DataFrame | None
    languages: pd.DataFrame
    language_news: pd.DataFrame
    histogram: pd.DataFrame | None
    quantiles: pd.DataFrame | None
    flags: pd.DataFrame | None  # day x quality flag counts
    runs: pd.DataFrame
    runs_note: str
    missing_days: list[date]


def build_report(warehouse: str | Path, *, start: date | None = None, end: date | None = None,
                 out: str | Path | None = None, rules: Rules = Rules(), now: datetime | None = None) -> ReportResult:
    """Read the warehouse, aggregate, draw and write the page; a SettingError when there is nothing to show."""
    clock = time.monotonic()
    store = Warehouse(Path(warehouse).resolve())
    if not store.root.is_dir():
        raise SettingError(f"warehouse folder {store.root} does not exist; pass --warehouse PATH or set NEWSETL_WAREHOUSE.")
    target = _output_path(store, out)
    days, history = choose_days(store, start, end, window=rules.window)
    health = gather(store, days, history, rules=rules, explicit_end=end is not None)
    from newsetl.flows.health_page import render_page  # matplotlib: imported only when a page is drawn

    page = render_page(health, warehouse=store.root, generated_at=now or datetime.now(timezone.utc))
    _write_atomically(target, page)
    result = ReportResult(target, len(page.encode("utf-8")), days, time.monotonic() - clock, alert_sentences(health))
    log.debug("wrote %s (%d KB, %s..%s) in %.1f s", target, result.size_bytes // 1024, days[0], days[-1], result.seconds)
    return result


def choose_days(store: Warehouse, start: date | None, end: date | None, *,
                window: int = Rules.window) -> tuple[list[date], list[date]]:
    """The report's days (days with articles or rejects in start..end; by default the last 30 of them)
    and up to `window` days with data before them, the history the first days are compared with."""
    held = sorted(set(store.days(ARTICLES)) | set(store.days(REJECTS)))
    chosen = [d for d in held if (start is None or d >= start) and (end is None or d <= end)]
    if start is None:
        chosen = chosen[-DEFAULT_DAYS:]
    if not chosen:
        where = f" between {start or 'the first day'} and {end or 'the last day'}" if (start or end) else ""
        raise SettingError(f"the warehouse {store.root} holds no articles or rejects{where}; "
                           "run `newsetl ingest` first or choose other days with --start/--end.")
    before = [d for d in held if d < chosen[0]][-window:]
    return chosen, before


def gather(store: Warehouse, days: list[date], history: list[date], *, rules: Rules = Rules(),
           explicit_end: bool = False, page: bool = True) -> FeedHealth:
    """Read the columns the page needs for `history` + `days` and aggregate them.

    `page=False` (a run's summary: `alert_sentences` only) leaves out what only the page draws, the
    biggest clusters, word counts and quality flags (those fields are None): on the bench's 100k
    warehouse, 0.08 s instead of 0.28-0.35 s."""
    every_day = history + days
    near = _has_near_duplicates(store, days)
    columns = ARTICLE_COLUMNS if page else [c for c in ARTICLE_COLUMNS if c not in PAGE_ONLY_COLUMNS]
    articles = _read(store, ARTICLES, columns + ([NEAR] if near else []), every_day)
    rejects = _read(store, REJECTS, ["ingest_date", "reason"], every_day)
    all_index = pd.Index(every_day, name="ingest_date")

    publishers = daily_counts(articles, "publisher", null_label=NO_PUBLISHER).reindex(all_index, fill_value=0)
    reasons = daily_counts(rejects, "reason", null_label="(none)").reindex(all_index, fill_value=0)
    article_total = publishers.sum(axis=1)
    reject_total = reasons.sum(axis=1)
    duplicates = duplicate_shares(articles, near=near).reindex(all_index).fillna(0)
    languages = daily_counts(articles, "language", null_label=NO_LANGUAGE).reindex(all_index, fill_value=0)
    runs, runs_note = _runs(store, days, explicit_end=explicit_end)
    return FeedHealth(
        days=days, rules=rules, publishers=publishers,
        drops=publisher_drops(publishers, days, rules=rules),
        reasons=reasons.loc[days, reasons.loc[days].sum() > 0] if len(reasons.columns) else reasons.loc[days],
        reject_spikes=share_spikes(reject_total, article_total + reject_total, days, rules=rules),
        duplicates=duplicates.loc[days],
        duplicate_spikes=share_spikes(duplicates["exact_duplicates"], duplicates["articles"], days, rules=rules),
        near_spikes=share_spikes(duplicates["near_duplicates"], duplicates["articles"], days, rules=rules) if near else None,
        languages=languages.loc[days, languages.loc[days].sum() > 0] if len(languages.columns) else languages.loc[days],
        language_news=new_languages(languages, days, rules=rules),
        runs=runs, runs_note=runs_note,
        missing_days=_missing_days(days),
        **(_page_only(store, articles, days, near=near) if page else dict.fromkeys(PAGE_ONLY_FIELDS)),
    )


def _page_only(store: Warehouse, articles: pa.Table, days: list[date], *, near: bool) -> dict:
    """The fields of FeedHealth only the page draws (PAGE_ONLY_FIELDS), from the range's days of `articles`."""
    in_range = articles.filter(pc.is_in(articles.column("ingest_date"), pa.array(days, pa.date32())))
    by_day = pd.Index(days, name="ingest_date")
    return {
        "clusters": _with_first_articles(store, biggest_clusters(in_range, "duplicate_of", top=TOP_CLUSTERS), days[-1]),
        "near_clusters": (_with_first_articles(store, biggest_clusters(in_range, NEAR, top=TOP_CLUSTERS), days[-1])
                          if near else None),
        "histogram": word_count_histogram(in_range.column("word_count")),
        "quantiles": word_count_quantiles(in_range).reindex(by_day),
        "flags": flag_counts(in_range).reindex(by_day, fill_value=0),
    }


def alert_sentences(health: FeedHealth) -> list[str]:
    """One sentence per flagged day and thing, most urgent kinds first (the page's "needs a look" list)."""
    lines = []
    for row in health.drops.itertuples():
        what = "nothing" if row.articles == 0 else f"{row.articles:,} articles"
        lines.append(f"{row.ingest_date}: {row.publisher} sent {what}; it usually sends {row.usual:,.0f} a day.")
    for row in health.reject_spikes.itertuples():
        lines.append(f"{row.ingest_date}: {row.count:,} rejects, {row.share:.1%} of the day's files "
                     f"(usually {row.usual_share:.1%}).")
    for kind, spikes in (("exact", health.duplicate_spikes), ("near", health.near_spikes)):
        for row in (spikes.itertuples() if spikes is not None else []):
            lines.append(f"{row.ingest_date}: {row.count:,} {kind} duplicates, {row.share:.1%} of the day's articles "
                         f"(usually {row.usual_share:.1%}).")
    for row in health.language_news.itertuples():
        lines.append(f"{row.ingest_date}: {row.articles:,} articles in language '{row.language}', "
                     f"none in the {health.rules.window} days with data before.")
    failed = health.runs[health.runs["status"] != "success"] if len(health.runs) else health.runs
    for row in failed.itertuples():
        lines.append(f"{row.started_at:%Y-%m-%d %H:%M} UTC: {row.flow} run failed: {row.error or 'no reason recorded'}")
    if health.missing_days:
        shown = ", ".join(str(d) for d in health.missing_days[:10])
        more = f" and {len(health.missing_days) - 10} more" if len(health.missing_days) > 10 else ""
        lines.append(f"No articles or rejects at all on {shown}{more}.")
    return lines


def run_summary(warehouse: str | Path) -> str:
    """Markdown for a run's Prefect artifact: what needs a look over the default range; the page
    itself is refreshed when it exists (`newsetl report` once opts a warehouse in: drawing it costs
    about a second per run, the summary a fraction of that)."""
    store = Warehouse(Path(warehouse).resolve())
    if not store.days(ARTICLES) and not store.days(REJECTS):
        return "## Feed health\n\nNo articles or rejects in the warehouse yet.\n"
    days, history = choose_days(store, None, None)
    page = store.root / REPORT_NAME
    if page.is_file():
        result = build_report(store.root)
        lines, where = result.alerts, f"Page refreshed by this run: `{result.path}` ({result.size_bytes // 1024} KB)."
    else:
        lines = alert_sentences(gather(store, days, history, page=False))
        where = f"No page yet: `newsetl report` writes `{page}`, and every run keeps it current from then on."
    head = f"## Feed health, {days[0]} to {days[-1]}: " + (f"{len(lines)} thing(s) need a look" if lines else "nothing unusual")
    shown = [f"- {line}" for line in lines[:20]] + ([f"- ... and {len(lines) - 20} more"] if len(lines) > 20 else [])
    return "\n".join([head, "", *shown, *([""] if shown else []), where, ""])


# ---- reading -------------------------------------------------------------------

def _read(store: Warehouse, table, columns: list[str], days: list[date]) -> pa.Table:
    """`columns` of `table` for `days` only (partition pruning + projection); a missing column reads as nulls."""
    folder = store.table_dir(table)
    schema = table.arrow_schema()
    if NEAR in columns and NEAR not in schema.names:
        schema = schema.append(pa.field(NEAR, pa.string()))
    wanted = pa.schema([schema.field(c) for c in columns])
    if not folder.is_dir() or not days:
        return wanted.empty_table()
    dataset = ds.dataset(folder, format="parquet", schema=schema, exclude_invalid_files=False,
                         partitioning=ds.partitioning(pa.schema([pa.field(table.partition, pa.date32())]),
                                                      flavor="hive"))
    partition = ds.field(table.partition)
    return dataset.to_table(columns=columns, filter=partition.isin(pa.array(days, pa.date32()))).cast(wanted)


def _has_near_duplicates(store: Warehouse, days: list[date]) -> bool:
    """Whether `articles.near_duplicate_of` exists: declared in the schema, or in a file of the range."""
    if NEAR in ARTICLES.column_names:
        return True
    for day in days:
        for path in store.partition_dir(ARTICLES, day).glob("*.parquet"):
            if NEAR in pq.read_schema(path).names:
                return True
    return False


def _with_first_articles(store: Warehouse, clusters: pd.DataFrame, last_day: date) -> pd.DataFrame:
    """The clusters with the title, publisher and day of their first article (which may precede the range)."""
    columns = ["article_id", "title", "publisher", "ingest_date"]
    if clusters.empty:
        return clusters.assign(title=pd.Series(dtype="object"), publisher=pd.Series(dtype="object"),
                               ingest_date=pd.Series(dtype="object"))
    first = store.read_table(ARTICLES, columns=columns,
                             filter=(ds.field("ingest_date") <= pa.scalar(last_day, pa.date32()))
                             & ds.field("article_id").isin(pa.array(clusters["first_id"].tolist(), pa.string())))
    first = first.to_pandas().rename(columns={"article_id": "first_id"})
    return clusters.merge(first, on="first_id", how="left")


def _runs(store: Warehouse, days: list[date], *, explicit_end: bool) -> tuple[pd.DataFrame, str]:
    """Runs started on the range's days (from its first day on for the default range, so today's runs show);
    when there are none (an old drop back-filled today), the latest runs, said so."""
    runs = store.read_table(RUNS, columns=RUN_COLUMNS).to_pandas()
    inside = runs[(runs["run_date"] >= days[0]) & ((runs["run_date"] <= days[-1]) if explicit_end else True)]
    note = f"Runs started {f'from {days[0]} to {days[-1]}' if explicit_end else f'on or after {days[0]}'} (UTC)."
    if inside.empty and len(runs):
        inside = runs.sort_values("started_at").tail(FALLBACK_RUNS)
        note = (f"No run started on the range's days (the data is older than the runs, e.g. a back-filled drop): "
                f"the latest {len(inside)} runs instead.")
    inside = inside.sort_values("started_at").reset_index(drop=True)
    inside["files_per_second"] = inside["files_processed"] / inside["seconds"].where(inside["seconds"] > 0)
    return inside.fillna({"files_per_second": 0.0}), note


def _missing_days(days: list[date]) -> list[date]:
    """Calendar days between the range's first and last day that hold no data at all."""
    if not days:
        return []
    calendar = pd.date_range(days[0], days[-1], freq="D").date
    held = set(days)
    return [d for d in calendar if d not in held]


# ---- writing -------------------------------------------------------------------

def _output_path(store: Warehouse, out: str | Path | None) -> Path:
    """The page's path: `out`, else warehouse/report.html; never inside a table folder (Parquet only there)."""
    target = Path(out).resolve() if out else store.root / REPORT_NAME
    for name in TABLES:
        folder = store.table_dir(name).resolve()
        if target == folder or folder in target.parents:
            raise SettingError(f"--out {target} is inside the table folder {folder}, where only Parquet files may "
                               f"live; write the report elsewhere (default {store.root / REPORT_NAME}).")
    if not target.parent.is_dir():
        raise SettingError(f"--out {target}: the folder {target.parent} does not exist; create it or choose another.")
    return target


def _write_atomically(target: Path, page: str) -> None:
    """Write to a temporary file beside the target, then rename: a reader never sees half a page."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def escape(text) -> str:
    return html.escape(str(text), quote=True)
