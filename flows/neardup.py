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

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import ARTICLES, NEAR_DUPLICATES, SIGNATURES
from newsetl.transforms.neardup import METHOD, Method, Side, decode_minhash, key_matrix, linked_pairs, near_duplicate_of

SIGNATURE_COLUMNS = ["article_id", "source_path", "ingest_date", "shingle_count", "minhash", "band_keys",
                     "method_version"]
BIGGEST_CLUSTERS = 5  # listed in the run's artifact


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


def plan_links(warehouse: Warehouse, staging: Path, *, staged_articles: pa.Table, staged_signatures: pa.Table,
               outgoing: ds.Expression | None, replaced_ids: pa.Array, duplicate_of: pa.Table, hash_peers: pa.Array,
               window_days: int,
               run_id: str, processed_at: datetime, method: Method = METHOD) -> LinkPlan:
    """Find the run's new links, stage them as near_duplicates rows, and recompute the touched clusters.

    `staged_articles`: (article_id, source_path, ingest_date) of the run's articles; `duplicate_of`:
    the recomputed exact-duplicate flags (article_id -> duplicate_of); `hash_peers`: live articles
    sharing a content hash with a staged or outgoing article (their exact-duplicate edges may move);
    `replaced_ids`: article ids of every re-processed file."""
    out_rows = _outgoing_rows(warehouse, outgoing)
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

    stale_days = _link_days_naming(warehouse, outgoing_ids)
    plan = LinkPlan(near_duplicate_of=pa.table({"article_id": pa.array([], pa.string()),
                                                "near_duplicate_of": pa.array([], pa.string())}),
                    outgoing_ids=outgoing_ids,
                    link_days=set(pc.unique(link_rows.column("ingest_date")).to_pylist()) | stale_days,
                    vanishing_link_days=_link_days_naming(warehouse, vanishing_ids),
                    vanishing_article_days=_days_of(out_rows, vanishing_ids),
                    new_links=link_rows.num_rows)

    # The clusters this run touches: those of the live ends of new links, of outgoing articles, and of
    # live articles whose exact-duplicate edges may move; each is recomputed whole.
    seeds = pa.concat_arrays([links.column("article_id").combine_chunks(), links.column("other_id").combine_chunks(),
                              hash_peers.cast(pa.string())])
    seed_rows = warehouse.read_table(ARTICLES, columns=["article_id", "near_duplicate_of"],
                                     filter=pc.field("article_id").isin(pc.unique(seeds))) if len(seeds) else None
    roots = [_roots(out_rows)] + ([_roots(seed_rows)] if seed_rows is not None else [])
    roots = pc.unique(pa.concat_arrays(roots))
    members = _live_members(warehouse, roots, outgoing_ids)

    everyone = pa.concat_tables([
        members.select(["article_id", "source_path", "ingest_date"]),
        staged_articles.select(["article_id", "source_path", "ingest_date"]).cast(
            members.select(["article_id", "source_path", "ingest_date"]).schema),
    ])
    edges = _edges(warehouse, members, staged_ids, outgoing_ids, links, duplicate_of)
    frame = everyone.to_pandas()
    values = near_duplicate_of(frame, edges)
    plan.near_duplicate_of = pa.table({"article_id": everyone.column("article_id"),
                                       "near_duplicate_of": pa.array(values.tolist(), pa.string(), from_pandas=True)})
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
    return plan


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


# ---- reading -----------------------------------------------------------------

def _outgoing_rows(warehouse: Warehouse, outgoing: ds.Expression | None) -> pa.Table:
    columns = ["article_id", "ingest_date", "near_duplicate_of"]
    if outgoing is None:
        return pa.schema([ARTICLES.arrow_schema().field(c) for c in columns]).empty_table()
    return warehouse.read_table(ARTICLES, columns=columns, filter=outgoing)


def _days_of(rows: pa.Table, article_ids: pa.Array) -> set[date]:
    if not rows.num_rows or not len(article_ids):
        return set()
    hit = pc.is_in(rows.column("article_id"), value_set=article_ids)
    return set(pc.unique(rows.column("ingest_date").filter(hit)).to_pylist())


def _roots(rows: pa.Table) -> pa.Array:
    """Each row's cluster root: its near_duplicate_of, or itself."""
    return pc.coalesce(rows.column("near_duplicate_of").cast(pa.string()),
                       rows.column("article_id")).combine_chunks()


def _live_members(warehouse: Warehouse, roots: pa.Array, outgoing_ids: pa.Array) -> pa.Table:
    columns = ["article_id", "source_path", "ingest_date", "near_duplicate_of", "duplicate_of"]
    if not len(roots):
        return pa.schema([ARTICLES.arrow_schema().field(c) for c in columns]).empty_table()
    rows = warehouse.read_table(ARTICLES, columns=columns,
                                filter=pc.field("article_id").isin(roots) | pc.field("near_duplicate_of").isin(roots))
    if len(outgoing_ids) and rows.num_rows:
        rows = rows.filter(pc.invert(pc.is_in(rows.column("article_id"), value_set=outgoing_ids)))
    return rows


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
    return days.cast(pa.int32()).to_numpy().astype(np.int64) if len(days) else np.empty(0, dtype=np.int64)


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


def _link_days_naming(warehouse: Warehouse, article_ids: pa.Array) -> set[date]:
    if not len(article_ids):
        return set()
    rows = warehouse.read_table(NEAR_DUPLICATES, columns=["ingest_date"],
                                filter=pc.field("article_id").isin(article_ids) | pc.field("other_id").isin(article_ids))
    return set(pc.unique(rows.column("ingest_date")).to_pylist())


def _edges(warehouse: Warehouse, members: pa.Table, staged_ids: pa.Array, outgoing_ids: pa.Array,
           links: pa.Table, duplicate_of: pa.Table) -> pd.DataFrame:
    """The graph of the touched clusters: their persisted links that stay, the new links, and
    the exact-duplicate edges (article -> its duplicate_of after this run)."""
    parts = [links.select(["article_id", "other_id"]).to_pandas()]
    if members.num_rows:
        live = warehouse.read_table(NEAR_DUPLICATES, columns=["article_id", "other_id"],
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
    root = values.fillna(frame["article_id"])
    touched = set(root[frame["article_id"].isin(staged.column("article_id").to_pylist())])
    sizes = root[root.isin(touched)].value_counts()
    sizes = sizes[sizes > 1].head(BIGGEST_CLUSTERS)
    if sizes.empty:
        return []
    wanted = pa.array(sizes.index.tolist(), pa.string())
    titles = {}
    if "title" in staged.column_names:  # roots of this run are not published yet
        hit = staged.filter(pc.is_in(staged.column("article_id"), value_set=wanted))
        titles.update(zip(hit.column("article_id").to_pylist(), hit.column("title").to_pylist()))
    live = warehouse.read_table(ARTICLES, columns=["article_id", "title"], filter=pc.field("article_id").isin(wanted))
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
