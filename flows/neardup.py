"""Near-duplicate linking at publish time: the run's new signatures probed against the
persisted band keys of the days around them, links scored, clusters re-rooted.

Links are a function of the set of articles alone: a pair is linked when both
signatures are of the current method version, their days are at most `window_days`
apart and the pair is accepted. New or re-processed articles are probed against
every such neighbour (persisted or staged), links of outgoing articles are dropped,
and the clusters (connected components of links and `duplicate_of`) that any of
this touches are recomputed whole: so one big ingest, day-by-day runs, hourly
drops or a backfill give the same links and the same `near_duplicate_of`.

Reads are filtered scans (by day, by article_id, by root): memory follows the run
and its window, not the warehouse.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsetl.flows.batch import batch_slices
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import ARTICLES, CLUSTER_INDEX, NEAR_DUPLICATES, SIGNATURES, Table
from newsetl.transforms.identity import article_id_for
from newsetl.transforms.neardup import (METHOD, Method, Side, decode_minhash, key_matrix, linked_pairs, near_duplicate_of,
                                        signature_frame)
from newsetl.transforms.version import CLEANING_VERSION

SIGNATURE_COLUMNS = ["article_id", "source_path", "ingest_date", "shingle_count", "minhash", "band_keys",
                     "method_version"]
BIGGEST_CLUSTERS = 5  # listed in the run's artifact
log = logging.getLogger("newsetl.publish")


@dataclass
class LinkPlan:
    """What publishing needs to apply the run's near-duplicate links."""
    near_duplicate_of: pa.Table  # article_id -> near_duplicate_of, for every article whose value this run sets or moves
    outgoing_ids: pa.Array  # live articles this run removes or replaces: every link naming them goes
    ripple_days: set[date] = field(default_factory=set)  # live article days whose near_duplicate_of moves
    link_days: set[date] = field(default_factory=set)  # near_duplicates days to rewrite
    vanishing_link_days: set[date] = field(default_factory=set)  # days of links naming articles that disappear
    vanishing_article_days: set[date] = field(default_factory=set)  # article days losing rows for good
    new_links: int = 0
    staged_near_duplicates: int = 0  # staged articles that belong to a cluster they do not root
    biggest: list[dict] = field(default_factory=list)  # the largest clusters this run touched
    index: "IndexChange | None" = None  # the cluster index rows of the recomputed clusters


@dataclass
class IndexChange:
    """How the cluster index changes: the new rows of every recomputed cluster, listed under each
    member's day and its root's day, replacing the rows of `touched_ids` and of `root_ids`."""
    rows: pa.Table  # CLUSTER_INDEX rows, partition column included
    touched_ids: pa.Array  # articles whose cluster was recomputed, or that left
    root_ids: pa.Array  # the roots those clusters had
    add_days: set[date] = field(default_factory=set)  # days gaining a row: published before the articles
    days: set[date] = field(default_factory=set)  # days whose rows change: published after the articles


def plan_links(warehouse: Warehouse, staging: Path, *, staged_articles: pa.Table, staged_signatures: pa.Table,
               outgoing: ds.Expression | None, outgoing_days: set[date], replaced_ids: pa.Array, duplicate_of: pa.Table,
               hash_peers: pa.Table, window_days: int,
               run_id: str, processed_at: datetime, method: Method = METHOD) -> LinkPlan:
    """Find the run's new links, stage them as near_duplicates rows, and recompute the touched clusters.

    `staged_articles`: (article_id, source_path, ingest_date) of the run's articles; `outgoing`: the
    live articles this run removes or replaces, all of them on `outgoing_days`; `duplicate_of`: the
    recomputed exact-duplicate flags (article_id -> duplicate_of); `hash_peers`: live articles
    (article_id, ingest_date) sharing a content hash with a staged or outgoing article (their
    exact-duplicate edges may move); `replaced_ids`: article ids of every re-processed file.

    Every read names its days: the window's, those of the articles the run touches, and through
    the cluster index those their clusters live on; never every day of the warehouse."""
    clock = _Steps()
    out_rows = _outgoing_rows(warehouse, outgoing, outgoing_days)
    clock.lap("outgoing")
    # Every article this run replaces, published or not: a run killed mid-publish may have left a
    # re-processed file's signature or links in while its article row never went in.
    outgoing_ids = pc.unique(pa.concat_arrays([out_rows.column("article_id").combine_chunks().cast(pa.string()),
                                               replaced_ids.cast(pa.string())]))
    staged_ids = staged_articles.column("article_id").combine_chunks()
    vanishing = pc.invert(pc.is_in(outgoing_ids, value_set=staged_ids)) if len(outgoing_ids) else pa.array([], pa.bool_())
    vanishing_ids = outgoing_ids.filter(vanishing) if len(outgoing_ids) else outgoing_ids

    current = pc.equal(staged_signatures.column("method_version"), method.version)
    # (always all of them unless a Dask worker runs other code; filtering would copy the table)
    # Handed over in a list that _new_links empties: no frame here keeps the signatures alive
    # while their combined copies are scored (~70 MB at 100,000 articles).
    handoff = [staged_signatures if pc.all(current).as_py() is not False else staged_signatures.filter(current)]
    del staged_signatures
    links = _new_links(warehouse, handoff, outgoing_ids, window_days=window_days, method=method)
    link_rows = _link_rows(links, run_id=run_id, processed_at=processed_at, method=method)
    _stage_links(staging, link_rows)
    clock.lap("links")

    # The clusters this run touches: those of the ends of new links, of outgoing articles, and of
    # live articles whose exact-duplicate edges may move; each is recomputed whole. Every seed
    # comes with its day, its root (and the root's day) from the index, and the root's members
    # from the index again: three reads of the days involved.
    seeds = _unique_rows(pa.concat_tables([
        _id_days(links, "article_id", "ingest_date"), _id_days(links, "other_id", "other_date"),
        _id_days(hash_peers, "article_id", "ingest_date"), _id_days(out_rows, "article_id", "ingest_date"),
    ]))
    roots = _roots_of(warehouse, seeds)
    clock.lap("roots")
    members, candidates = _live_members(warehouse, roots, outgoing_ids)
    clock.lap("members")
    member_days = set(members.column("ingest_date").to_pylist())
    out_days = set(out_rows.column("ingest_date").to_pylist())
    # A link is stored under its later article's day, and both its articles are in one cluster: the
    # links naming an outgoing article are on its own day or on a day of its cluster's members.
    stale_days = _link_days_naming(warehouse, outgoing_ids, out_days | member_days)
    plan = LinkPlan(near_duplicate_of=pa.table({"article_id": pa.array([], pa.string()),
                                                "near_duplicate_of": pa.array([], pa.string())}),
                    outgoing_ids=outgoing_ids,
                    link_days=set(pc.unique(link_rows.column("ingest_date")).to_pylist()) | stale_days,
                    vanishing_link_days=_link_days_naming(warehouse, vanishing_ids, out_days | member_days),
                    vanishing_article_days=_days_of(out_rows, vanishing_ids),
                    new_links=link_rows.num_rows)
    clock.lap("links naming outgoing")

    everyone = pa.concat_tables([
        members.select(["article_id", "source_path", "ingest_date"]),
        staged_articles.select(["article_id", "source_path", "ingest_date"]).cast(
            members.select(["article_id", "source_path", "ingest_date"]).schema),
    ])
    edges = _edges(warehouse, members, staged_ids, outgoing_ids, links, duplicate_of)
    clock.lap("edges")
    frame = everyone.to_pandas()
    values = near_duplicate_of(frame, edges)
    clock.lap("components")
    plan.near_duplicate_of = pa.table({"article_id": everyone.column("article_id"),
                                       "near_duplicate_of": pa.array(values.tolist(), pa.string(), from_pandas=True)})
    plan.index = _index_change(warehouse, plan.near_duplicate_of, everyone, seeds, roots, candidates, outgoing_ids)
    clock.lap("index")
    old = members.column("near_duplicate_of").cast(pa.string()).combine_chunks().fill_null("")
    new = plan.near_duplicate_of.column("near_duplicate_of").slice(0, members.num_rows).combine_chunks().fill_null("")
    moved = pc.not_equal(old, new) if members.num_rows else pa.array([], pa.bool_())
    plan.ripple_days = set(pc.unique(members.column("ingest_date").filter(moved)).to_pylist()) if members.num_rows else set()
    # Publishing looks every row up in this table (a hash set per row group): keep only the rows it
    # changes, live rows whose value moves and staged rows in a cluster (they were staged with null).
    changes = pa.concat_arrays([moved.combine_chunks() if isinstance(moved, pa.ChunkedArray) else moved,
                                pc.is_valid(plan.near_duplicate_of.column("near_duplicate_of")
                                            .slice(members.num_rows)).combine_chunks()])
    plan.near_duplicate_of = plan.near_duplicate_of.filter(changes)
    staged_values = values.iloc[members.num_rows:]
    plan.staged_near_duplicates = int(staged_values.notna().sum())
    plan.biggest = _biggest(warehouse, frame, values, staged_articles)
    clock.lap("biggest")
    log.info("near-duplicate steps: %s (%d seeds, %d roots, %d live members)", clock, seeds.num_rows, roots.num_rows,
             members.num_rows)
    return plan


class _Steps:
    """Seconds per step of the link plan, for the publish log."""

    def __init__(self) -> None:
        self._last, self._laps = time.monotonic(), []

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self._laps.append(f"{name} {now - self._last:.2f} s")
        self._last = now

    def __str__(self) -> str:
        return ", ".join(self._laps)


def apply_near_duplicates(rows: pa.Table, lookup: pa.Table) -> pa.Table:
    """Set near_duplicate_of of rows whose cluster was recomputed; every other row keeps its own
    (rows published before this column existed get null)."""
    if "near_duplicate_of" not in rows.column_names:
        rows = rows.append_column("near_duplicate_of", pa.nulls(rows.num_rows, pa.string()))
    position = pc.index_in(rows.column("article_id"), value_set=lookup.column("article_id"))
    recomputed = pc.take(lookup.column("near_duplicate_of"), position)
    values = pc.if_else(pc.is_valid(position), recomputed, rows.column("near_duplicate_of").cast(pa.string()))
    return rows.set_column(rows.schema.get_field_index("near_duplicate_of"), "near_duplicate_of", values)


def drop_links_naming(rows: pa.Table, article_ids: pa.Array) -> pa.Table:
    """Links whose either end is one of `article_ids` go (the article is removed or replaced)."""
    if not rows.num_rows or not len(article_ids):
        return rows
    named = pc.or_(pc.is_in(rows.column("article_id"), value_set=article_ids),
                   pc.is_in(rows.column("other_id"), value_set=article_ids))
    return rows.filter(pc.invert(named))


def index_day(rows: Iterator[pa.Table], change: IndexChange, day: date, *, prune: bool) -> Iterator[pa.Table]:
    """The next version of one day of the cluster index, from its live rows.

    Before the articles change (`prune` False) the new rows are only added, so that the index
    lists every pointer either version of `articles` holds; after (`prune` True) the rows of the
    recomputed clusters are replaced by the new ones. A crash in between leaves extra rows,
    which readers check against `articles` and the next run touching them prunes."""
    mine = change.rows.filter(pc.equal(change.rows.column("ingest_date"), pa.scalar(day, pa.date32())))
    mine = mine.drop_columns(["ingest_date"])
    seen = []
    for chunk in rows:
        if prune and chunk.num_rows:
            stale = pc.or_(pc.is_in(chunk.column("article_id"), value_set=change.touched_ids),
                           pc.is_in(chunk.column("root_id"), value_set=change.root_ids))
            chunk = chunk.filter(pc.invert(stale))
        elif chunk.num_rows:
            seen.append(pc.binary_join_element_wise(chunk.column("article_id"), chunk.column("root_id"), " "))
        yield chunk
    if not prune and seen and mine.num_rows:  # already there: not added twice
        pairs = pc.binary_join_element_wise(mine.column("article_id"), mine.column("root_id"), " ")
        mine = mine.filter(pc.invert(pc.is_in(pairs, value_set=pa.chunked_array(seen).combine_chunks())))
    yield mine


def ensure_cluster_index(warehouse: Warehouse, staging: Path) -> bool:
    """Build the cluster index from `articles` if the warehouse has none (published before it
    existed); True when built. The table appears whole, in one rename, or not at all."""
    if warehouse.table_dir(CLUSTER_INDEX).is_dir():
        return False
    pointers = warehouse.read_table(ARTICLES, columns=["article_id", "near_duplicate_of", "ingest_date"],
                                    filter=pc.field("near_duplicate_of").is_valid())
    root_ids = pc.unique(pointers.column("near_duplicate_of").combine_chunks())
    roots = warehouse.read_table(ARTICLES, columns=["article_id", "ingest_date"],
                                 filter=pc.field("article_id").isin(root_ids)) if len(root_ids) else None
    position = pc.index_in(pointers.column("near_duplicate_of"),
                           value_set=roots.column("article_id") if roots is not None else pa.array([], pa.string()))
    root_dates = pc.take(roots.column("ingest_date"), position) if roots is not None else pa.nulls(pointers.num_rows, pa.date32())
    # A pointer to an article that is not there (it should not happen) is listed under its own day only.
    root_dates = pc.coalesce(root_dates, pointers.column("ingest_date"))
    rows = _listed(pa.table({"article_id": pointers.column("article_id"),
                             "root_id": pointers.column("near_duplicate_of"),
                             "article_date": pointers.column("ingest_date"), "root_date": root_dates}))
    days = {day: rows.filter(pc.equal(rows.column("ingest_date"), pa.scalar(day, pa.date32()))).drop_columns(["ingest_date"])
            for day in pc.unique(rows.column("ingest_date")).to_pylist()}
    warehouse.create_table(CLUSTER_INDEX, days, staging=staging)
    log.info("cluster index built from articles: %d rows on %d day(s)", rows.num_rows, len(days))
    return True


# ---- signatures: reused when nothing they depend on changed -------------------

def reusable_signatures_path(staging: str | Path, batch: int) -> Path:
    return Path(staging) / "plan" / f"signatures-{batch:05d}.parquet"


def stage_reusable_signatures(warehouse: Warehouse, plan: pa.Table, staging: Path, *, batch_size: int,
                              spread: int = 1, method: Method = METHOD) -> int:
    """For each batch of the plan, the published signatures its files may reuse (same article, current
    method and cleaning version), read from the files' previous days one batch at a time: a file
    whose bytes did not change is then never hashed again. Returns the rows staged."""
    staged = 0
    # The batches of write_plan (same arguments, same slices).
    for batch, (start, length) in enumerate(batch_slices(plan.num_rows, batch_size=batch_size, spread=spread)):
        rows = plan.slice(start, length)
        rows = rows.filter(pc.equal(rows.column("previous_status"), "article").fill_null(False))
        if not rows.num_rows:
            continue
        ids = pa.array([article_id_for(p) for p in rows.column("source_path").to_pylist()], pa.string())
        found = read_days(warehouse, SIGNATURES, rows.column("previous_ingest_date").to_pylist(),
                          ["article_id", "source_sha256", "shingle_count", "minhash", "band_keys"],
                          filter=pc.field("article_id").isin(ids) & (pc.field("method_version") == method.version)
                          & (pc.field("cleaning_version") == CLEANING_VERSION))
        if found.num_rows:
            pq.write_table(found, reusable_signatures_path(staging, batch))
            staged += found.num_rows
    return staged


def article_signatures(articles: pd.DataFrame, reusable: Path, *, method: Method = METHOD) -> pd.DataFrame:
    """signature_frame of the articles, taking the row staged in `reusable` for every article whose
    source_sha256 it holds (the body is a function of the bytes and the cleaning version, which the
    staged rows share): only the others are shingled and hashed. Rows in the articles' order."""
    if articles.empty or not reusable.is_file():
        return signature_frame(articles, method=method).assign(cleaning_version=CLEANING_VERSION)
    stored = pq.read_table(reusable).to_pandas().drop_duplicates("article_id").set_index("article_id")
    key = articles["article_id"].map(stored["source_sha256"])
    reuse = (key == articles["source_sha256"]).to_numpy()
    computed = signature_frame(articles[~reuse], method=method)
    kept = articles.loc[reuse, ["article_id", "source_path", "source_sha256", "ingest_date"]]
    kept = kept.join(stored[["shingle_count", "minhash", "band_keys"]], on="article_id").assign(method_version=method.version)
    frame = pd.concat([computed, kept[computed.columns]]) if len(computed) else kept[computed.columns]
    order = pd.Series(np.arange(len(articles)), index=articles["article_id"].to_numpy())
    frame = frame.iloc[np.argsort(order.loc[frame["article_id"].to_numpy()].to_numpy(), kind="stable")]
    return frame.reset_index(drop=True).assign(cleaning_version=CLEANING_VERSION)


def other_method_days(warehouse: Warehouse, method: Method = METHOD) -> list[date]:
    """Days whose signatures hold another method version than `method`'s. Reads each file's footer
    statistics (a file whose versions all equal the current one is not read further)."""
    days = []
    for day in warehouse.days(SIGNATURES):
        for path in sorted(warehouse.partition_dir(SIGNATURES, day).glob("*.parquet")):
            if not _only_version(path, method.version):
                days.append(day)
                break
    return days


def _only_version(path: Path, version: str) -> bool:
    metadata = pq.read_metadata(path)
    if metadata.num_rows == 0:
        return True
    column = metadata.schema.names.index("method_version")
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max or stats.null_count:
            versions = pq.read_table(path, columns=["method_version"]).column("method_version")
            return pc.all(pc.equal(versions, version)).as_py() is not False
        if stats.min != version or stats.max != version:
            return False
    return True


# ---- reading -----------------------------------------------------------------

def read_days(warehouse: Warehouse, table: Table, days, columns: list[str],
              filter: ds.Expression | None = None) -> pa.Table:
    """`columns` of `table` (partition column included) on `days` only, rows matching `filter`:
    only those days' files are opened, so time and memory follow them, not the warehouse."""
    wanted = pa.schema([table.arrow_schema().field(c).with_nullable(True) for c in columns])
    return warehouse.read_table(table, columns, filter=filter, days=days).cast(wanted)


def _outgoing_rows(warehouse: Warehouse, outgoing: ds.Expression | None, days: set[date]) -> pa.Table:
    columns = ["article_id", "ingest_date", "near_duplicate_of"]
    if outgoing is None:
        return pa.schema([ARTICLES.arrow_schema().field(c) for c in columns]).empty_table()
    return read_days(warehouse, ARTICLES, days, columns, filter=outgoing)


def _days_of(rows: pa.Table, article_ids: pa.Array) -> set[date]:
    if not rows.num_rows or not len(article_ids):
        return set()
    hit = pc.is_in(rows.column("article_id"), value_set=article_ids)
    return set(pc.unique(rows.column("ingest_date").filter(hit)).to_pylist())


def _id_days(rows: pa.Table, id_column: str, day_column: str) -> pa.Table:
    return pa.table({"article_id": rows.column(id_column).cast(pa.string()),
                     "ingest_date": rows.column(day_column).cast(pa.date32())})


def _unique_rows(rows: pa.Table) -> pa.Table:
    return rows.group_by(rows.column_names, use_threads=False).aggregate([])


def _roots_of(warehouse: Warehouse, seeds: pa.Table) -> pa.Table:
    """The possible roots (root_id, root_date) of the seeds' clusters: each seed itself, and the
    roots the index lists it under (read on the seeds' own days)."""
    listed = read_days(warehouse, CLUSTER_INDEX, seeds.column("ingest_date").to_pylist(), ["root_id", "root_date"],
                       filter=pc.field("article_id").isin(seeds.column("article_id").combine_chunks()))
    itself = pa.table({"root_id": seeds.column("article_id"), "root_date": seeds.column("ingest_date")})
    return _unique_rows(pa.concat_tables([itself, listed]))


def _live_members(warehouse: Warehouse, roots: pa.Table, outgoing_ids: pa.Array) -> tuple[pa.Table, pa.Table]:
    """The live articles of the roots' clusters (those whose root, near_duplicate_of or themselves,
    is one of them), outgoing ones left out; and the candidates read, (article_id, ingest_date).

    The index lists each root's members under the root's day; their rows are then read on their
    own days and checked: the index may list more than `articles` holds (after a crash), never less."""
    columns = ["article_id", "source_path", "ingest_date", "near_duplicate_of", "duplicate_of"]
    root_ids = roots.column("root_id").combine_chunks()
    listed = read_days(warehouse, CLUSTER_INDEX, roots.column("root_date").to_pylist(), ["article_id", "article_date"],
                       filter=pc.field("root_id").isin(root_ids)) if len(root_ids) else None
    candidates = pa.table({"article_id": root_ids, "ingest_date": roots.column("root_date").combine_chunks()})
    if listed is not None and listed.num_rows:
        candidates = _unique_rows(pa.concat_tables([candidates, _id_days(listed, "article_id", "article_date")]))
    if not candidates.num_rows:
        return pa.schema([ARTICLES.arrow_schema().field(c) for c in columns]).empty_table(), candidates
    rows = read_days(warehouse, ARTICLES, candidates.column("ingest_date").to_pylist(), columns,
                     filter=pc.field("article_id").isin(candidates.column("article_id").combine_chunks()))
    if rows.num_rows:
        root = pc.coalesce(rows.column("near_duplicate_of").cast(pa.string()), rows.column("article_id"))
        keep = pc.is_in(root, value_set=root_ids)
        if len(outgoing_ids):
            keep = pc.and_(keep, pc.invert(pc.is_in(rows.column("article_id"), value_set=outgoing_ids)))
        rows = rows.filter(keep)
    return rows, candidates


def _listed(rows: pa.Table) -> pa.Table:
    """Index rows (article_id, root_id, article_date, root_date) listed under the member's day and,
    when it differs, under the root's day."""
    own = rows.append_column("ingest_date", rows.column("article_date"))
    elsewhere = rows.filter(pc.not_equal(rows.column("root_date"), rows.column("article_date")))
    elsewhere = elsewhere.append_column("ingest_date", elsewhere.column("root_date"))
    return CLUSTER_INDEX.to_arrow(pa.concat_tables([own, elsewhere]), check_key=False)


def _index_change(warehouse: Warehouse, values: pa.Table, everyone: pa.Table, seeds: pa.Table, roots: pa.Table,
                  candidates: pa.Table, outgoing_ids: pa.Array) -> IndexChange:
    """The new index rows of the recomputed clusters, and the days where they differ from the live ones."""
    pointer = values.column("near_duplicate_of").combine_chunks()
    clustered = pc.is_valid(pointer)
    days = everyone.column("ingest_date").combine_chunks()
    root_dates = pc.take(days, pc.index_in(pointer, value_set=everyone.column("article_id").combine_chunks()))
    new = _listed(pa.table({"article_id": everyone.column("article_id").combine_chunks().filter(clustered),
                            "root_id": pointer.filter(clustered), "article_date": days.filter(clustered),
                            "root_date": root_dates.filter(clustered)}))
    touched = pc.unique(pa.concat_arrays([everyone.column("article_id").combine_chunks(), outgoing_ids.cast(pa.string())]))
    root_ids = roots.column("root_id").combine_chunks()
    # The live rows these clusters have: on the days of the seeds, the roots and the candidates read.
    around = set(seeds.column("ingest_date").to_pylist()) | set(candidates.column("ingest_date").to_pylist())
    old = read_days(warehouse, CLUSTER_INDEX, around, CLUSTER_INDEX.column_names,
                    filter=pc.field("article_id").isin(touched) | pc.field("root_id").isin(root_ids))
    keys = lambda t: {(r["ingest_date"], r["article_id"], r["root_id"], r["article_date"], r["root_date"])  # noqa: E731
                      for r in t.to_pylist()}
    before, after = keys(old), keys(new)
    return IndexChange(rows=new, touched_ids=touched, root_ids=root_ids,
                       add_days={row[0] for row in after - before}, days={row[0] for row in after ^ before})


def _window_days(days: set[date], window_days: int, live_days: list[date]) -> list[date]:
    # Days near the ends of what a date holds (a clamped far-future mtime lands on 9999-12-31) stop there.
    first, last = date.min.toordinal(), date.max.toordinal()
    near = {date.fromordinal(ordinal) for day in days
            for ordinal in range(max(first, day.toordinal() - window_days), min(last, day.toordinal() + window_days) + 1)}
    return sorted(near & set(live_days))


def _new_links(warehouse: Warehouse, handoff: list[pa.Table], outgoing_ids: pa.Array, *, window_days: int,
               method: Method) -> pa.Table:
    """Accepted pairs between a staged article and a staged or persisted one at most window_days apart:
    article_id, other_id (later, earlier by ingest_date then source_path), jaccard, containment, ingest_date.
    `handoff` holds the staged signatures; it is emptied so that they go once their arrays are built."""
    staged = handoff.pop()
    staged_days = set(pc.unique(staged.column("ingest_date")).to_pylist()) if staged.num_rows else set()
    days = _window_days(staged_days, window_days, warehouse.days(SIGNATURES))
    columns = ["article_id", "source_path", "ingest_date", "shingle_count", "minhash", "band_keys"]
    window = pa.schema([SIGNATURES.arrow_schema().field(c) for c in columns]).empty_table()
    if days:
        # Only linkable rows of the current version in the window's days: memory follows the window.
        window = warehouse.read_table(SIGNATURES, columns=columns,
                                      filter=pc.field("ingest_date").isin(pa.array(days, pa.date32()))
                                      & (pc.field("method_version") == method.version))
        if len(outgoing_ids) and window.num_rows:
            window = window.filter(pc.invert(pc.is_in(window.column("article_id"), value_set=outgoing_ids)))
    probe = _side(staged, method)
    staged = staged.select(["article_id", "source_path", "ingest_date"])  # the Side holds what scoring needs
    parts = []
    left, right, jaccard, containment = linked_pairs(probe, probe, window_days=window_days, same=True, method=method)
    parts.append(_oriented(staged, left, staged, right, jaccard, containment))
    if window.num_rows:
        left, right, jaccard, containment = linked_pairs(probe, _side(window, method), window_days=window_days,
                                                         same=False, method=method)
        parts.append(_oriented(staged, left, window, right, jaccard, containment))
    return pa.concat_tables(parts)


def _side(signatures: pa.Table, method: Method) -> Side:
    """The linkable rows of a signatures table (those with band keys), as arrays."""
    rows, keys = key_matrix(signatures.column("band_keys"), method=method)
    matrix = decode_minhash(signatures.column("minhash"), method=method)
    counts = signatures.column("shingle_count").to_numpy().astype(np.int64)
    days = _day_numbers(signatures.column("ingest_date"))
    if len(rows) < signatures.num_rows:  # numpy rows, not an Arrow take of the table's binary column
        matrix, counts, days = matrix[rows], counts[rows], days[rows]
    return Side(rows=rows, keys=keys, signatures=matrix, counts=counts, days=days)


def _day_numbers(days: pa.ChunkedArray) -> np.ndarray:
    # int32: every pair's days are compared, and gathering half the bytes halves that step
    return days.cast(pa.int32()).to_numpy() if len(days) else np.empty(0, dtype=np.int32)


def _oriented(left_table: pa.Table, left: np.ndarray, right_table: pa.Table, right: np.ndarray,
              jaccard: np.ndarray, containment: np.ndarray) -> pa.Table:
    """Each pair as (later article, earlier article) by (ingest_date, source_path)."""
    def side(table: pa.Table, rows: np.ndarray) -> dict:
        index = pa.array(rows, pa.int64())
        return {c: pc.take(table.column(c), index).combine_chunks() for c in ("article_id", "source_path", "ingest_date")}

    a, b = side(left_table, left), side(right_table, right)
    a_later = pc.or_(pc.greater(a["ingest_date"], b["ingest_date"]),
                     pc.and_(pc.equal(a["ingest_date"], b["ingest_date"]), pc.greater(a["source_path"], b["source_path"])))
    return pa.table({
        "article_id": pc.if_else(a_later, a["article_id"], b["article_id"]),
        "other_id": pc.if_else(a_later, b["article_id"], a["article_id"]),
        "jaccard": pa.array(jaccard, pa.float32()),
        "containment": pa.array(containment, pa.float32()),
        "ingest_date": pc.if_else(a_later, a["ingest_date"], b["ingest_date"]),
        "other_date": pc.if_else(a_later, b["ingest_date"], a["ingest_date"]),
    })


def _link_rows(links: pa.Table, *, run_id: str, processed_at: datetime, method: Method) -> pa.Table:
    frame = links.to_pandas().assign(method_version=method.version, run_id=run_id, processed_at=processed_at)
    return NEAR_DUPLICATES.to_arrow(frame.sort_values(["ingest_date", "article_id", "other_id"]))


def _stage_links(staging: Path, rows: pa.Table) -> None:
    """The new links, one staged file per day of the later article, beside the batches' staged tables."""
    for day in pc.unique(rows.column("ingest_date")).to_pylist():
        folder = staging / NEAR_DUPLICATES.name / f"ingest_date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        part = rows.filter(pc.equal(rows.column("ingest_date"), pa.scalar(day, pa.date32())))
        pq.write_table(part.drop_columns(["ingest_date"]), folder / "links.parquet", compression="zstd")


def _link_days_naming(warehouse: Warehouse, article_ids: pa.Array, days: set[date]) -> set[date]:
    """Days among `days` holding a link that names one of `article_ids`."""
    if not len(article_ids) or not days:
        return set()
    rows = read_days(warehouse, NEAR_DUPLICATES, days, ["ingest_date"],
                     filter=pc.field("article_id").isin(article_ids) | pc.field("other_id").isin(article_ids))
    return set(pc.unique(rows.column("ingest_date")).to_pylist())


def _edges(warehouse: Warehouse, members: pa.Table, staged_ids: pa.Array, outgoing_ids: pa.Array,
           links: pa.Table, duplicate_of: pa.Table) -> pd.DataFrame:
    """The graph of the touched clusters: their persisted links that stay, the new links, and
    the exact-duplicate edges (article -> its duplicate_of after this run)."""
    parts = [links.select(["article_id", "other_id"]).to_pandas()]
    if members.num_rows:
        # a link is stored under its later article's day: a member's
        live = read_days(warehouse, NEAR_DUPLICATES, members.column("ingest_date").to_pylist(), ["article_id", "other_id"],
                         filter=pc.field("article_id").isin(members.column("article_id").combine_chunks()))
        parts.append(drop_links_naming(live, outgoing_ids).to_pandas())
    # duplicate_of after this run: recomputed flags win over the published ones; staged rows have only recomputed ones
    ids = pa.concat_arrays([members.column("article_id").combine_chunks(), staged_ids])
    published = pa.concat_arrays([members.column("duplicate_of").cast(pa.string()).combine_chunks(),
                                  pa.nulls(len(staged_ids), pa.string())])
    position = pc.index_in(ids, value_set=duplicate_of.column("article_id"))
    flags = pc.if_else(pc.is_valid(position), pc.take(duplicate_of.column("duplicate_of"), position), published)
    duplicates = pa.table({"article_id": ids, "other_id": flags}).filter(pc.is_valid(flags))
    parts.append(duplicates.to_pandas())
    return pd.concat(parts, ignore_index=True)


def _biggest(warehouse: Warehouse, frame: pd.DataFrame, values: pd.Series, staged: pa.Table) -> list[dict]:
    """The largest clusters holding an article of this run: root, members, root title."""
    if frame.empty:
        return []
    # In Arrow: pandas' isin on these string columns loops in Python (1.1 s at 100,000 articles, 0.09 s here).
    ids = pa.array(frame["article_id"], pa.string())
    root = pc.coalesce(pa.array(values.tolist(), pa.string(), from_pandas=True), ids)
    touched = pc.unique(root.filter(pc.is_in(ids, value_set=staged.column("article_id").combine_chunks())))
    mine = root.filter(pc.is_in(root, value_set=touched))
    counted = pa.table({"root": mine}).group_by("root").aggregate([([], "count_all")])
    counted = counted.filter(pc.greater(counted.column("count_all"), 1))
    counted = counted.sort_by([("count_all", "descending"), ("root", "ascending")]).slice(0, BIGGEST_CLUSTERS)
    if not counted.num_rows:
        return []
    sizes = dict(zip(counted.column("root").to_pylist(), counted.column("count_all").to_pylist()))
    wanted = counted.column("root").combine_chunks()
    titles = {}
    if "title" in staged.column_names:  # roots of this run are not published yet
        hit = staged.filter(pc.is_in(staged.column("article_id"), value_set=wanted))
        titles.update(zip(hit.column("article_id").to_pylist(), hit.column("title").to_pylist()))
    root_days = pa.array(frame["ingest_date"]).filter(pc.is_in(ids, value_set=wanted)).to_pylist()
    live = read_days(warehouse, ARTICLES, root_days, ["article_id", "title"], filter=pc.field("article_id").isin(wanted))
    for article_id, title in zip(live.column("article_id").to_pylist(), live.column("title").to_pylist()):
        titles.setdefault(article_id, title)
    return [{"root": r, "articles": int(n), "title": titles.get(r)} for r, n in sizes.items()]


def near_duplicate_status(warehouse: Warehouse, method: Method = METHOD) -> list[str]:
    """Lines for `newsetl status`: articles in clusters, the biggest clusters, and any method version mismatch."""
    articles = warehouse.read_table(ARTICLES, columns=["article_id", "near_duplicate_of"])
    pointers = articles.column("near_duplicate_of").drop_null()
    if len(pointers):
        sizes = pa.table({"root": pointers}).group_by("root").aggregate([([], "count_all")])
        sizes = sizes.sort_by([("count_all", "descending"), ("root", "ascending")])
        top = ", ".join(f"{r} ({n + 1})" for r, n in zip(sizes.column("root").to_pylist()[:3],
                                                         sizes.column("count_all").to_pylist()[:3]))
        lines = [f"near-duplicates: {len(pointers)} articles in {sizes.num_rows} clusters "
                 f"(biggest, root and size: {top})"]
    else:
        lines = ["near-duplicates: none"]
    versions = warehouse.read_table(SIGNATURES, columns=["method_version", "ingest_date"])
    other = versions.filter(pc.not_equal(versions.column("method_version"), method.version))
    if other.num_rows:
        days = sorted(pc.unique(other.column("ingest_date")).to_pylist())
        found = ", ".join(sorted(pc.unique(other.column("method_version")).to_pylist()))
        lines.append(f"near-duplicate method version mismatch: {other.num_rows} signatures on {len(days)} day(s) "
                     f"({days[0]} .. {days[-1]}) were made by {found}, not {method.version}; they are never "
                     f"compared with current ones: backfill those days to recompute them")
    else:
        lines.append(f"near-duplicate method: {method.version}")
    return lines
