"""The feed-health aggregates and the rules that flag a day (transforms/feed_health.py)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pyarrow as pa

from newsetl.transforms.feed_health import (NO_PUBLISHER, Rules, biggest_clusters, daily_counts, flag_counts,
                                    new_languages, publisher_drops, share_spikes, word_count_histogram)

DAYS = [date(2024, 1, 1) + timedelta(days=i) for i in range(10)]


def _counts(**series: list[int]) -> pd.DataFrame:
    return pd.DataFrame(series, index=pd.Index(DAYS[: len(next(iter(series.values())))], name="ingest_date"))


def test_daily_counts_keep_nulls_under_a_label_and_order_biggest_first():
    rows = pa.table({"ingest_date": pa.array([DAYS[0]] * 4 + [DAYS[1]] * 2, pa.date32()),
                     "publisher": ["A", None, "A", "B", "B", "B"]})

    counts = daily_counts(rows, "publisher", null_label=NO_PUBLISHER)

    assert list(counts.columns) == ["B", "A", NO_PUBLISHER]
    assert counts.loc[DAYS[0]].tolist() == [1, 2, 1] and counts.loc[DAYS[1]].tolist() == [2, 0, 0]


def test_flag_counts_count_each_article_once_per_flag_and_keep_days_without_flags():
    rows = pa.table({"ingest_date": pa.array([DAYS[0], DAYS[0], DAYS[1]], pa.date32()),
                     "quality_flags": [["short_body", "no_language"], ["short_body"], []]})

    counts = flag_counts(rows)

    assert counts.loc[DAYS[0], "short_body"] == 2 and counts.loc[DAYS[0], "no_language"] == 1
    assert counts.loc[DAYS[1]].sum() == 0


def test_a_publisher_that_stops_is_flagged_and_one_that_halves_only_when_big_enough():
    counts = _counts(big=[100, 100, 100, 100, 40], steady=[30, 30, 30, 30, 29], stops=[6, 6, 6, 6, 0],
                     small_halves=[10, 10, 10, 10, 4], **{NO_PUBLISHER: [50, 50, 50, 50, 0]})

    drops = publisher_drops(counts, DAYS[3:5])

    assert drops[["ingest_date", "publisher", "articles"]].values.tolist() == [[DAYS[4], "big", 40], [DAYS[4], "stops", 0]]
    assert drops["usual"].tolist() == [100.0, 6.0]


def test_no_publisher_is_flagged_without_enough_history():
    counts = _counts(big=[100, 100, 0])

    assert publisher_drops(counts, DAYS[:3]).empty  # two earlier days: fewer than min_history
    assert len(publisher_drops(counts, DAYS[:3], rules=Rules(min_history=2))) == 1


def test_a_share_spike_needs_the_ratio_the_points_and_enough_rows():
    def series(*values):
        return pd.Series(values, index=DAYS[: len(values)])

    jump = share_spikes(series(10, 10, 10, 10, 50), series(*[1000] * 5), DAYS[3:5])  # 1 % -> 5 %
    assert jump.values.tolist() == [[DAYS[4], 50, 0.05, 0.01]]
    # Each blocked by one condition alone: too few rows (9 < 10), too few points (0.1 % -> 0.5 %), too small a ratio.
    assert share_spikes(series(1, 1, 1, 1, 9), series(*[100] * 5), DAYS[3:5]).empty
    assert share_spikes(series(10, 10, 10, 10, 50), series(*[10_000] * 5), DAYS[3:5]).empty
    assert share_spikes(series(100, 100, 100, 100, 130), series(*[1000] * 5), DAYS[3:5]).empty


def test_a_language_that_appears_from_nowhere_is_new_once():
    counts = _counts(en=[50, 50, 50, 50, 50, 50], tr=[0, 0, 0, 0, 12, 12], xx=[0, 0, 0, 0, 2, 0])

    news = new_languages(counts, DAYS[:6])

    assert news.values.tolist() == [[DAYS[4], "tr", 12]]  # not again the next day; 2 articles are too few


def test_biggest_clusters_are_ordered_by_copies_then_id():
    rows = pa.table({"duplicate_of": ["b", "a", "a", "a", None, "c", "d", "b", "d"]})

    clusters = biggest_clusters(rows, "duplicate_of", top=3)

    assert clusters.values.tolist() == [["a", 3], ["b", 2], ["d", 2]]
    assert biggest_clusters(pa.table({"duplicate_of": pa.array([None], pa.string())}), "duplicate_of").empty


def test_word_count_bins_are_half_open_and_the_last_is_open_ended():
    histogram = word_count_histogram(pa.array([0, 49, 50, 99, 100, 4999, 5000, 90000], pa.int32()))

    by_label = dict(zip(histogram["label"], histogram["articles"]))
    assert by_label["0–49"] == 2 and by_label["50–99"] == 2 and by_label["100–199"] == 1
    assert by_label["3000–4999"] == 1 and by_label["5000+"] == 2
    assert histogram["articles"].sum() == 8
