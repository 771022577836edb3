"""Feed-health aggregates for `newsetl report`: counts per day and the rules that say which
days deserve a look (a publisher gone quiet, a jump in rejects or duplicates, a new language).

Pure: Arrow tables of already-read columns in, small pandas frames out. The page and
its charts are built from these frames in flows/health.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Labels for null values, shown as their own row or series rather than dropped.
NO_PUBLISHER = "(no publisher)"
NO_LANGUAGE = "(unidentified)"
# Word-count bins of the distribution: the first is the `short_body` threshold (50 words).
WORD_COUNT_EDGES = (0, 50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000)


@dataclass(frozen=True)
class Rules:
    """When a day deserves a look; every number here is written on the page next to what it flags."""

    # Days with data before a day that make up its "usual": a week of a daily feed.
    window: int = 7
    # Fewer earlier days than this and nothing is flagged: no usual to compare with yet.
    min_history: int = 3
    # A publisher that usually sends at least this many articles a day (median over the window) and sent
    # none is flagged: 0 from a Poisson mean of 5 happens less than once in a hundred days.
    min_usual_for_none: float = 5.0
    # One that usually sends at least `min_usual_for_drop` is flagged below `drop_share` of its usual. Smaller
    # publishers halve by chance too often (10 a day falls to 4 or less about one day in 30).
    min_usual_for_drop: float = 20.0
    drop_share: float = 0.5
    # A share (rejects of files, duplicates of articles) jumped when it reaches `spike_ratio` times its
    # median over the window and is at least `spike_points` above it, with at least `spike_min` rows:
    # the ratio alone would flag 0.1 % -> 0.3 %, the points alone a noisy small day.
    spike_ratio: float = 2.0
    spike_points: float = 0.02
    spike_min: int = 10
    # A language "appeared" when it has at least this many articles on a day and none in the window before.
    new_language_min: int = 5


def daily_counts(rows: pa.Table, column: str, *, null_label: str) -> pd.DataFrame:
    """Rows per `ingest_date` (index) and value of `column` (columns, nulls under `null_label`), zeros filled."""
    if rows.num_rows == 0:
        return pd.DataFrame(index=pd.Index([], name="ingest_date"), dtype="int64")
    grouped = rows.select(["ingest_date", column]).group_by(["ingest_date", column]).aggregate([([], "count_all")])
    frame = grouped.to_pandas()
    frame[column] = frame[column].fillna(null_label)
    table = frame.pivot_table(index="ingest_date", columns=column, values="count_all", aggfunc="sum", fill_value=0)
    table.columns.name = None
    order = table.sum().sort_values(ascending=False, kind="stable").index  # biggest first: the order of every chart
    return table[order].astype("int64")


def flag_counts(rows: pa.Table, column: str = "quality_flags") -> pd.DataFrame:
    """Articles per `ingest_date` carrying each value of a list column (one article counts once per flag)."""
    if rows.num_rows == 0:
        return pd.DataFrame(index=pd.Index([], name="ingest_date"), dtype="int64")
    lists = rows.column(column)
    flags = pc.list_flatten(lists)
    days = pc.take(rows.column("ingest_date"), pc.list_parent_indices(lists))
    flat = pa.table({"ingest_date": days, "flag": flags})
    counts = daily_counts(flat, "flag", null_label="(null)")
    every_day = pd.Index(sorted(set(rows.column("ingest_date").to_pylist())), name="ingest_date")
    return counts.reindex(every_day, fill_value=0)


def duplicate_shares(rows: pa.Table, *, near: bool) -> pd.DataFrame:
    """Per `ingest_date`: articles, exact duplicates (`duplicate_of` set) and, when `near`, near duplicates."""
    columns = {"duplicate_of": "exact_duplicates"} | ({"near_duplicate_of": "near_duplicates"} if near else {})
    data = {"ingest_date": rows.column("ingest_date")}
    for source, name in columns.items():
        data[name] = pc.cast(pc.is_valid(rows.column(source)), pa.int64())
    table = pa.table(data).group_by("ingest_date").aggregate(
        [([], "count_all")] + [(name, "sum") for name in columns.values()])
    frame = table.to_pandas().rename(columns={"count_all": "articles"} | {f"{n}_sum": n for n in columns.values()})
    frame = frame.set_index("ingest_date").sort_index()
    for name in columns.values():
        frame[f"{name}_share"] = frame[name] / frame["articles"]
    return frame


def biggest_clusters(rows: pa.Table, column: str, *, top: int = 10) -> pd.DataFrame:
    """The `top` first articles most pointed at by `column`: `first_id` and `copies` (rows of `rows` pointing at it)."""
    pointers = rows.select([column]).filter(pc.is_valid(rows.column(column)))
    if pointers.num_rows == 0:
        return pd.DataFrame({"first_id": pd.Series(dtype="object"), "copies": pd.Series(dtype="int64")})
    counts = pointers.group_by(column).aggregate([([], "count_all")]).to_pandas()
    counts = counts.rename(columns={column: "first_id", "count_all": "copies"})
    # Ties broken by id so the page is the same on every build.
    return counts.sort_values(["copies", "first_id"], ascending=[False, True]).head(top).reset_index(drop=True)


def word_count_histogram(word_counts: pa.Array | pa.ChunkedArray, edges: tuple[int, ...] = WORD_COUNT_EDGES) -> pd.DataFrame:
    """Articles per word-count bin [lower, upper); the last bin is open-ended (`upper` is None)."""
    values = np.asarray(word_counts.to_numpy(zero_copy_only=False) if len(word_counts) else [], dtype="int64")
    bins = np.searchsorted(np.asarray(edges), values, side="right") - 1
    counts = np.bincount(bins, minlength=len(edges))[: len(edges)]
    uppers = [*edges[1:], None]
    labels = [f"{lo}–{hi - 1}" if hi is not None else f"{lo}+" for lo, hi in zip(edges, uppers)]
    return pd.DataFrame({"lower": list(edges), "upper": uppers, "label": labels, "articles": counts.astype("int64")})


def word_count_quantiles(rows: pa.Table) -> pd.DataFrame:
    """Per `ingest_date`: 10th percentile, median and 90th percentile of `word_count` (linear interpolation)."""
    frame = rows.select(["ingest_date", "word_count"]).to_pandas()
    grouped = frame.groupby("ingest_date")["word_count"]
    return pd.DataFrame({"p10": grouped.quantile(0.1), "median": grouped.quantile(0.5),
                         "p90": grouped.quantile(0.9)}).sort_index()


def usual_levels(counts: pd.DataFrame, *, rules: Rules = Rules()) -> pd.DataFrame:
    """Each cell's "usual": the median of the same column over the `window` rows (days) before it;
    NaN with fewer than `min_history` of them. Days without a row for a column count as 0."""
    return counts.shift(1).rolling(rules.window, min_periods=rules.min_history).median()


def publisher_drops(counts: pd.DataFrame, days: list[date], *, rules: Rules = Rules()) -> pd.DataFrame:
    """Days of `days` on which a publisher that usually delivers sent nothing or far less than usual (see Rules).

    `counts` is `daily_counts` by publisher over `days` and the days with data before them (the history)."""
    usual = usual_levels(counts, rules=rules)
    found = []
    for publisher in counts.columns:
        if publisher == NO_PUBLISHER:  # not a feed: files whose breadcrumb was not recognised
            continue
        for day in days:
            if day not in counts.index:
                continue
            level, count = usual.at[day, publisher], int(counts.at[day, publisher])
            nothing = count == 0 and level >= rules.min_usual_for_none
            fewer = count < rules.drop_share * level and level >= rules.min_usual_for_drop
            if np.isnan(level) or not (nothing or fewer):
                continue
            found.append({"ingest_date": day, "publisher": publisher, "articles": count, "usual": float(level)})
    return pd.DataFrame(found, columns=["ingest_date", "publisher", "articles", "usual"])


def share_spikes(part: pd.Series, whole: pd.Series, days: list[date], *, rules: Rules = Rules()) -> pd.DataFrame:
    """Days of `days` whose share part/whole jumped against the median share of the days before them."""
    share = (part / whole.where(whole > 0)).fillna(0.0)
    usual = share.shift(1).rolling(rules.window, min_periods=rules.min_history).median()
    found = []
    for day in days:
        if day not in share.index or np.isnan(usual.get(day, np.nan)):
            continue
        today, level = float(share[day]), float(usual[day])
        if part[day] >= rules.spike_min and today >= rules.spike_ratio * level and today >= level + rules.spike_points:
            found.append({"ingest_date": day, "count": int(part[day]), "share": today, "usual_share": level})
    return pd.DataFrame(found, columns=["ingest_date", "count", "share", "usual_share"])


def new_languages(counts: pd.DataFrame, days: list[date], *, rules: Rules = Rules()) -> pd.DataFrame:
    """Days of `days` on which a language has `new_language_min`+ articles and none in the `window` days before
    (with at least `min_history` days before it, so the first days of a warehouse are not all "new")."""
    seen_before = counts.shift(1).rolling(rules.window, min_periods=rules.min_history).sum()
    found = []
    for language in counts.columns:
        if language == NO_LANGUAGE:
            continue
        for day in days:
            if day not in counts.index:
                continue
            before, count = seen_before.at[day, language], int(counts.at[day, language])
            if not np.isnan(before) and before == 0 and count >= rules.new_language_min:
                found.append({"ingest_date": day, "language": language, "articles": count})
    return pd.DataFrame(found, columns=["ingest_date", "language", "articles"])
