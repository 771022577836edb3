"""Publishing a run: merge the staged rows into the live days and swap each day in.

For every affected day of every table the next version is: the live rows,
minus the files this run re-processed (or every row, for a day being rebuilt),
plus the staged rows; `duplicate_of` is then recomputed across all days, and
a day whose flags move is rewritten too; near-duplicate links are found and the
clusters they touch re-rooted (flows/neardup.py), rewriting the days whose
`near_duplicate_of` or links move. Each day goes in through
`Warehouse.build_day` and `swap_day`, streamed chunk by chunk (memory follows a row group,
not the size of a day), in an order that never lets a link name a missing row:
links naming vanishing articles go first, then the data tables, then the
links, the manifest (`files`) last.
"""
from __future__ import annotations

import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsetl.flows.neardup import (LinkPlan, apply_near_duplicates, drop_links_naming, ensure_cluster_index, index_day,
                                   plan_links, read_days)
from newsetl.flows.warehouse import BuiltDay, Warehouse
from newsetl.schemas import ARTICLES, CLUSTER_INDEX, FILES, NEAR_DUPLICATES, PARAGRAPHS, REJECTS, SIGNATURES, Table
from newsetl.transforms.duplicates import flag_duplicates
from newsetl.transforms.identity import article_id_for

log = logging.getLogger("newsetl.publish")
DEDUPE_COLUMNS = ["article_id", "content_hash", "ingest_date", "source_path"]


@dataclass
class PublishResult:
    days: dict[str, list[str]] = field(default_factory=dict)  # table -> days written or removed
    duplicates: int = 0  # staged articles flagged as duplicates
    near_duplicates: int = 0  # staged articles in a near-duplicate cluster they do not root
    near_duplicate_links: int = 0  # links this run added
    biggest_clusters: list[dict] = field(default_factory=list)  # largest clusters holding a staged article

    @property
    def days_published(self) -> int:
        return sum(len(d) for d in self.days.values())


def publish_run(warehouse: Warehouse, staging: Path, plan: pa.Table, *,
                rebuild_days: frozenset[date] = frozenset(), window_days: int = 7, run_id: str | None = None,
                threads: int = 4) -> PublishResult:  # two for the articles' days, the paragraph and reject swaps
    """Swap in every day this run touched; `rebuild_days` are replaced by staged rows alone.

    `plan` holds each planned file's source_path, previous_ingest_date and previous_status;
    `window_days`: near-duplicate links join articles at most this many days apart."""
    started = time.monotonic()
    touched = _read_staged_plain(staging / "touched")  # same bytes, new mtime: rows stay as they are
    is_touched = pc.is_in(plan.column("source_path"), value_set=pa.array(touched["source_path"], pa.string()))
    reprocessed = plan.filter(pc.invert(is_touched))
    # Every re-processed file's live rows go, not only those the manifest knows: a run killed (or a
    # publish retried) after some days were swapped in left rows of files the manifest never got.
    paths = pc.unique(reprocessed.column("source_path").combine_chunks())
    removed = _Removed(paths=paths, ids=_article_ids(paths))
    removed_days = {
        "articles": _previous_days(reprocessed, status="article"),
        "rejects": _previous_days(reprocessed, status="rejected"),
        "files": _previous_days(reprocessed),
    }
    removed_days["paragraphs"] = removed_days["signatures"] = removed_days["articles"]

    def next_days(table: Table, *, only: set[date] | None = None, staged: bool = True, duplicate_of=None,
                  links: LinkPlan | None = None, ripple_days: set[date] = frozenset(),
                  part: tuple[int, int] = (0, 1)) -> Iterator[BuiltDay]:
        """Every affected day of one table (or the days `only`), each built under staging in turn, in
        the order they must go in; `part` (k, n): only every n-th of those days, from the k-th."""
        days = _staged_days(staging, table) | removed_days[table.name] | (rebuild_days & set(warehouse.days(table)))
        if table is ARTICLES:
            days |= ripple_days | links.ripple_days
        if table is FILES and not touched.empty:
            days |= _touched_days(warehouse, touched)
        if only is not None:
            days &= only
        # Days losing articles for good go last: the pointers elsewhere that named them move first.
        for day in sorted(days, key=lambda d: _swap_order(table, d, links))[part[0]::part[1]]:
            chunks = _next_day(warehouse, staging, table, day, rebuild=day in rebuild_days, removed=removed,
                               duplicate_of=duplicate_of, touched=touched, links=links, staged=staged)
            yield warehouse.build_day(table, day, chunks, staging=staging)

    def swap(built_days: Iterable[BuiltDay]) -> list[str]:
        """Each built day goes in, in turn; the days written or removed."""
        return [built.day.isoformat() for built in built_days if warehouse.swap_day(built, staging=staging) != "unchanged"]

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="publish") as pool, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-early") as early_pool:
        # Paragraphs, rejects and signatures depend on neither the duplicate flags nor the links: their
        # days are built while those are planned (Parquet reading and writing release the GIL), and go
        # in once planning has succeeded: a run that fails before publishes nothing. (Planning reads the
        # live signatures, which stay as they are until then.) One thread builds them, one table after
        # the other: with one per table they took the two cores from the link step's threads.
        early = {table: early_pool.submit(list, next_days(table)) for table in (PARAGRAPHS, REJECTS, SIGNATURES)}
        try:
            links, duplicate_of, ripple_days, duplicates = _plan_links(warehouse, staging, paths, rebuild_days,
                                                                       removed_days, removed, window_days, run_id)
        except BaseException:
            for future in early.values():
                future.cancel()
            raise
        result = PublishResult(duplicates=duplicates, near_duplicates=links.staged_near_duplicates,
                               near_duplicate_links=links.new_links, biggest_clusters=links.biggest)
        # Links naming articles that disappear go before those articles do (without the new links,
        # whose articles are not in yet), so a crash in between never leaves a link to a missing row.
        if links.vanishing_link_days:
            swap(next_days(NEAR_DUPLICATES, only=links.vanishing_link_days, staged=False, links=links))
        # The cluster index gains the new pointers before the articles carry them, and drops the old
        # ones after: at every instant it lists every pointer `articles` holds (and maybe more).
        for day in sorted(links.index.add_days):
            warehouse.publish_day(CLUSTER_INDEX, day, index_day(warehouse.iter_day(CLUSTER_INDEX, day), links.index,
                                                                day, prune=False), staging=staging)
        # The data tables side by side (Parquet reading, zstd and fsync release the GIL); signatures
        # after the articles (a signature must not lead a later run to link to an article not in
        # yet); the links after the articles they name; the manifest strictly last, so a crash leaves
        # files to process again, never rows the manifest lacks.
        # The articles' days, the longest build once links are planned, are built on two threads
        # (every other day each) and go in in their order.
        halves = [pool.submit(list, next_days(ARTICLES, duplicate_of=duplicate_of, links=links, ripple_days=ripple_days,
                                              part=(k, 2))) for k in range(2)]
        later = {table: pool.submit(swap, early[table].result()) for table in (PARAGRAPHS, REJECTS)}
        built_articles = sorted((built for half in halves for built in half.result()),
                                key=lambda built: _swap_order(ARTICLES, built.day, links))
        result.days[ARTICLES.name] = swap(built_articles)
        for table in (PARAGRAPHS, REJECTS):
            result.days[table.name] = later[table].result()
    result.days[SIGNATURES.name] = swap(early[SIGNATURES].result())
    result.days[NEAR_DUPLICATES.name] = swap(next_days(NEAR_DUPLICATES, links=links))
    result.days[CLUSTER_INDEX.name] = swap(next_days(CLUSTER_INDEX, staged=False, links=links))
    result.days[FILES.name] = swap(next_days(FILES))
    log.info("publish: %.1f s in all", time.monotonic() - started)
    return result


def _swap_order(table: Table, day: date, links: LinkPlan | None) -> tuple[bool, date]:
    """The order a table's days go in: by day, an articles day losing articles for good last."""
    return (table is ARTICLES and day in links.vanishing_article_days, day)


def _plan_links(warehouse: Warehouse, staging: Path, paths: pa.Array, rebuild_days: frozenset[date],
                removed_days: dict[str, set[date]], removed: _Removed, window_days: int,
                run_id: str | None) -> tuple[LinkPlan, pa.Table, set[date], int]:
    """The run's exact duplicate flags and near-duplicate links; `removed_days` gains the days of the
    link and cluster-index tables that lose rows."""
    # Where live rows of re-processed files can be: the day the manifest knows, the day a killed run
    # may have published them on (their staged day), and the days rebuilt.
    outgoing_days = removed_days["articles"] | _staged_days(staging, FILES) | set(rebuild_days)
    clock = time.monotonic()
    duplicate_of, ripple_days, duplicates, hash_peers = _recompute_duplicates(warehouse, staging, paths, rebuild_days,
                                                                              outgoing_days)
    log.info("exact duplicates: %d staged article(s) flag(ged), %d live article(s) share a hash with the run, in %.1f s",
             duplicates, hash_peers.num_rows, time.monotonic() - clock)
    clock = time.monotonic()
    if ensure_cluster_index(warehouse, staging):
        log.info("cluster index built in %.1f s", time.monotonic() - clock)
    links = plan_links(warehouse, staging,
                       staged_articles=_read_staged_table(staging, ARTICLES, ["article_id", "source_path", "ingest_date",
                                                                              "title"]),
                       staged_signatures=_read_staged_table(staging, SIGNATURES, [
                           "article_id", "source_path", "ingest_date", "shingle_count", "minhash", "band_keys",
                           "method_version"]),
                       outgoing=_is_outgoing(paths, rebuild_days), outgoing_days=outgoing_days,
                       replaced_ids=removed.ids, duplicate_of=duplicate_of,
                       hash_peers=hash_peers,
                       window_days=window_days, run_id=run_id or staging.name, processed_at=datetime.now(timezone.utc))
    removed_days["near_duplicates"] = links.link_days
    removed_days[CLUSTER_INDEX.name] = links.index.days
    pa.default_memory_pool().release_unused()  # the run's signatures and candidate pairs are gone: give the pages back
    log.info("near-duplicates: %d links added, %d articles' near_duplicate_of set or moved, %d earlier day(s) to rewrite, "
             "%d cluster-index day(s), in %.1f s", links.new_links, len(links.near_duplicate_of), len(links.ripple_days),
             len(links.index.days), time.monotonic() - clock)
    return links, duplicate_of, ripple_days, duplicates


def _article_ids(paths: pa.Array, *, chunk: int = 50_000) -> pa.Array:
    """article_id of each path, a chunk of paths at a time as Python strings."""
    parts = [pa.array([article_id_for(p) for p in paths.slice(start, chunk).to_pylist()], pa.string())
             for start in range(0, len(paths), chunk)]
    return pc.unique(pa.concat_arrays(parts)) if parts else pa.array([], pa.string())


def _previous_days(plan: pa.Table, *, status: str | None = None) -> set[date]:
    """Days on which planned files had rows before this run (of one status, or any)."""
    rows = plan.filter(pc.is_valid(plan.column("previous_ingest_date")))
    if status is not None:
        rows = rows.filter(pc.equal(rows.column("previous_status"), status))
    return set(pc.unique(rows.column("previous_ingest_date")).to_pylist())


@dataclass(frozen=True)
class _Removed:
    """Live rows of re-processed files: by source_path, or by article_id in tables without it."""
    paths: pa.Array
    ids: pa.Array


def _next_day(warehouse: Warehouse, staging: Path, table: Table, day: date, *, rebuild: bool, removed: _Removed,
              duplicate_of: pa.Table, touched: pd.DataFrame, links: LinkPlan, staged: bool = True) -> Iterator[pa.Table]:
    """The next version of one day, chunk by chunk, so a day is never held whole.

    Row order: the live rows that stay, in their order, then the staged rows in batch order
    (batch files are source_path-ordered slices of the plan): the same inputs give the same files.
    """
    live = iter(()) if rebuild else warehouse.iter_day(table, day)
    if table is CLUSTER_INDEX:  # rebuilt or not, the index follows the articles' pointers
        yield from index_day(warehouse.iter_day(table, day), links.index, day, prune=True)
        return
    if table is NEAR_DUPLICATES:  # a link goes when either of its articles is removed or replaced
        kept = (drop_links_naming(rows, links.outgoing_ids) for rows in live)
    else:
        kept = (_drop_replaced(table, rows, removed) for rows in live)
    for chunk in itertools.chain(kept, _iter_staged_day(staging, table, day) if staged else ()):
        if not chunk.num_rows:
            continue
        if table is ARTICLES:
            chunk = apply_near_duplicates(_apply_duplicates(chunk, duplicate_of), links.near_duplicate_of)
        if table is FILES and not touched.empty:
            chunk = _apply_touched(chunk, touched)
        yield chunk


def _recompute_duplicates(warehouse: Warehouse, staging: Path, replaced_paths: pa.Array,
                          rebuild_days: frozenset[date], outgoing_days: set[date]) -> tuple[pa.Table, set[date], int, pa.Table]:
    """New duplicate_of of every article whose flag may change, the live days whose flags
    change, how many staged articles are duplicates, and the live articles read (those sharing
    a content hash with an article this run adds or removes).

    Only content hashes this run adds or removes can change a flag, so only live rows with
    those hashes are read (filtered while scanning): memory follows the run, not the corpus.
    Kept in Arrow; only rows whose hash occurs more than once are sorted in pandas.
    """
    staged = _read_staged_table(staging, ARTICLES, DEDUPE_COLUMNS)
    outgoing = _is_outgoing(replaced_paths, rebuild_days)
    hashes = list(staged.column("content_hash").chunks)
    if outgoing is not None:
        hashes += read_days(warehouse, ARTICLES, outgoing_days, ["content_hash"], filter=outgoing).column("content_hash").chunks
    hashes = pc.unique(pa.chunked_array(hashes, pa.string()))
    live = warehouse.read_table(ARTICLES, columns=DEDUPE_COLUMNS + ["duplicate_of"],
                                filter=pc.field("content_hash").isin(hashes))
    if outgoing is not None and live.num_rows:
        stays = pc.and_(pc.invert(pc.is_in(live.column("source_path"), value_set=replaced_paths)),
                        pc.invert(pc.is_in(live.column("ingest_date"), value_set=pa.array(sorted(rebuild_days), pa.date32()))))
        live = live.filter(stays)
    live_keys = live.select(DEDUPE_COLUMNS)
    flags = _flags(pa.concat_tables([live_keys, staged.cast(live_keys.schema)]))
    live_flags, staged_flags = flags.slice(0, live.num_rows), flags.slice(live.num_rows)
    # The lookup publishing applies: every live row read (its flag may have moved, to null too) and the
    # staged rows that are duplicates; other staged rows keep the null they were staged with.
    new_flags = pa.concat_tables([
        pa.table({"article_id": live.column("article_id"), "duplicate_of": live_flags}),
        pa.table({"article_id": staged.column("article_id"), "duplicate_of": staged_flags}).filter(
            pc.is_valid(staged_flags)),
    ])

    old = live.column("duplicate_of").cast(pa.string()).combine_chunks().fill_null("")
    moved = pc.not_equal(old, live_flags.fill_null(""))
    ripple_days = set(pc.unique(live.column("ingest_date").filter(moved)).to_pylist()) if live.num_rows else set()
    staged_duplicates = len(staged_flags) - staged_flags.null_count
    return new_flags, ripple_days, staged_duplicates, live.select(["article_id", "ingest_date"])


def _flags(index: pa.Table) -> pa.Array:
    """flag_duplicates over the rows whose content_hash occurs more than once; null for every other row."""
    counts = index.group_by("content_hash").aggregate([("content_hash", "count")])
    repeated = counts.filter(pc.greater(counts.column("content_hash_count"), 1)).column("content_hash")
    candidate = pc.is_in(index.column("content_hash"), value_set=repeated.combine_chunks())
    candidate = candidate.combine_chunks() if isinstance(candidate, pa.ChunkedArray) else candidate
    flagged = flag_duplicates(index.filter(candidate).to_pandas())
    values = pa.array(flagged.where(flagged.notna(), None), pa.string())
    # Scatter: the i-th candidate row gets the i-th flag.
    return pc.replace_with_mask(pa.nulls(index.num_rows, pa.string()), candidate, values)


def _is_outgoing(replaced_paths: pa.Array, rebuild_days: frozenset[date]) -> ds.Expression | None:
    """Live articles this run removes or replaces: re-processed files and rows of rebuilt days."""
    parts = []
    if len(replaced_paths):
        parts.append(pc.field("source_path").isin(replaced_paths))
    if rebuild_days:
        parts.append(pc.field("ingest_date").isin(pa.array(sorted(rebuild_days), pa.date32())))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0] | parts[1]


def _apply_duplicates(rows: pa.Table, duplicate_of: pa.Table) -> pa.Table:
    """Set duplicate_of of rows whose flag was recomputed; every other row keeps its own."""
    position = pc.index_in(rows.column("article_id"), value_set=duplicate_of.column("article_id"))
    recomputed = pc.take(duplicate_of.column("duplicate_of"), position)
    flags = pc.if_else(pc.is_valid(position), recomputed, rows.column("duplicate_of").cast(pa.string()))
    return rows.set_column(rows.schema.get_field_index("duplicate_of"), "duplicate_of", flags)


def _drop_replaced(table: Table, rows: pa.Table, removed: _Removed) -> pa.Table:
    if not rows.num_rows or not len(removed.paths):
        return rows
    if "source_path" in rows.column_names:
        mask = pc.is_in(rows.column("source_path"), value_set=removed.paths)
    else:
        mask = pc.is_in(rows.column("article_id"), value_set=removed.ids)
    return rows.filter(pc.invert(mask))


def _staged_days(staging: Path, table: Table) -> set[date]:
    folder = staging / table.name
    if not folder.is_dir():
        return set()
    return {date.fromisoformat(p.name.split("=", 1)[1]) for p in folder.iterdir() if p.is_dir()}


def _iter_staged_day(staging: Path, table: Table, day: date) -> Iterator[pa.Table]:
    """The staged rows of one day, batch file by batch file, a row group at a time."""
    folder = staging / table.name / f"{table.partition}={day.isoformat()}"
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        yield from _iter_file(path, table)


def _iter_file(path: Path, table: Table) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(path)
    for group in range(parquet.num_row_groups):
        yield parquet.read_row_group(group)


def _read_staged_table(staging: Path, table: Table, columns: list[str]) -> pa.Table:
    folder = staging / table.name
    schema = pa.schema([table.arrow_schema().field(c) for c in columns])
    if not folder.is_dir():
        return schema.empty_table()
    dataset = ds.dataset(folder, format="parquet", schema=table.arrow_schema(),
                         partitioning=ds.partitioning(pa.schema([pa.field(table.partition, pa.date32())]), flavor="hive"))
    return dataset.to_table(columns=columns)


def _read_staged_plain(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return pd.DataFrame(columns=["source_path", "size_bytes", "modified_us"])
    return pa.concat_tables([pq.read_table(f) for f in files]).to_pandas()


def _touched_days(warehouse: Warehouse, touched: pd.DataFrame) -> set[date]:
    paths = pa.array(touched["source_path"], pa.string())
    manifest = warehouse.read_table(FILES, columns=["ingest_date"], filter=pc.field("source_path").isin(paths))
    return set(manifest.column("ingest_date").to_pylist())


def _apply_touched(rows: pa.Table, touched: pd.DataFrame) -> pa.Table:
    """Files whose bytes did not change but whose mtime did: record the new mtime and size."""
    frame = rows.to_pandas()
    update = touched.set_index("source_path")
    hit = frame["source_path"].isin(update.index)
    if not hit.any():
        return rows
    frame.loc[hit, "size_bytes"] = frame.loc[hit, "source_path"].map(update["size_bytes"]).astype("int64")
    frame.loc[hit, "modified_at"] = pd.to_datetime(frame.loc[hit, "source_path"].map(update["modified_us"]), unit="us", utc=True)
    return FILES.to_arrow(frame, with_partition=False)
