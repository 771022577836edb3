"""Near-duplicate links through the real flows: copies across days link to the earliest,
late earlier copies re-root their cluster, and the links depend on the set of articles
only (one ingest, day by day, or a backfill give the same links). Read back with DuckDB."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import write_article
from tests.flows.conftest import duck, run_backfill, run_ingest
from newsetl.transforms.identity import article_id_for
from newsetl.transforms.neardup import METHOD

WORDS = ("government minister council budget protest harbour railway festival museum drought vaccine "
         "parliament election opposition coalition inflation exports refinery pipeline reservoir wildfire "
         "tribunal senator governor mayor village province coastline bridge airport hospital teachers "
         "farmers miners fishermen students nurses engineers investors tourists pilgrims refugees").split()


def story(seed: int, paragraphs: int = 6) -> tuple[str, ...]:
    """A deterministic story: paragraphs of 25-40 words drawn from a vocabulary with numbers mixed in."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(WORDS) if rng.random() > 0.1 else str(rng.randint(2, 9999)) for _ in range(rng.randint(25, 40))]
        out.append(" ".join(words).capitalize() + ".")
    return tuple(out)


def edited(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """A syndicated copy: byline added, last paragraph trimmed, a footer line."""
    return ("By Staff Writer",) + paragraphs[:-1] + ("Copyright 2020 Wire Service. All rights reserved.",)


def abridged(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    return paragraphs[: len(paragraphs) // 2 + 1]


def _drop(raw: Path) -> dict[str, str]:
    """Story A on 07-06 with copies on 07-07 and 07-08; story B alone; names -> source paths."""
    a, b = story(1), story(2)
    files = {
        "a_first": ("2020-07-06", "100_00000000000000a1.txt", a),
        "a_copy": ("2020-07-07", "101_00000000000000a2.txt", edited(a)),
        "a_short": ("2020-07-08", "102_00000000000000a3.txt", abridged(a)),
        "b_alone": ("2020-07-07", "103_00000000000000b1.txt", b),
    }
    for name, (day, file, paragraphs) in files.items():
        write_article(raw / day, file, title=f"Headline of {name}", paragraphs=paragraphs)
    return {name: f"{day}/{file}" for name, (day, file, _) in files.items()}


def _links(warehouse: Path) -> pd.DataFrame:
    if not list((warehouse / "near_duplicates").rglob("*.parquet")):
        return pd.DataFrame(columns=["article_id", "other_id", "jaccard", "containment", "method_version", "day"])
    return duck(warehouse, "near_duplicates", "select article_id, other_id, jaccard, containment, method_version, "
                "cast(ingest_date as varchar) as day from t order by article_id, other_id")


def _clusters(warehouse: Path):
    _assert_index_follows_articles(warehouse)
    return duck(warehouse, "articles", "select source_path, article_id, near_duplicate_of, duplicate_of "
                "from t order by source_path")


def _assert_index_follows_articles(warehouse: Path) -> None:
    """The cluster index lists exactly the articles' pointers, each under the article's day and the root's day."""
    pointers = duck(warehouse, "articles", "select a.article_id, a.near_duplicate_of root_id, "
                    "cast(a.ingest_date as varchar) article_date, cast(r.ingest_date as varchar) root_date "
                    "from t a join t r on r.article_id = a.near_duplicate_of")
    expected = {(p.article_date, *p) for p in pointers.itertuples(index=False)} | \
        {(p.root_date, *p) for p in pointers.itertuples(index=False)}
    listed = set()
    if list((warehouse / ".cluster_index").rglob("*.parquet")):
        rows = duck(warehouse, ".cluster_index", "select cast(ingest_date as varchar) listed_on, article_id, root_id, "
                    "cast(article_date as varchar) article_date, cast(root_date as varchar) root_date from t")
        listed = set(rows.itertuples(index=False, name=None))
    assert listed == expected


def test_copies_across_days_link_to_the_earliest_article(raw, warehouse):
    paths = _drop(raw)

    run = run_ingest(raw, warehouse)

    articles = _clusters(warehouse).set_index("source_path")
    first = article_id_for(paths["a_first"])
    assert articles.loc[paths["a_copy"], "near_duplicate_of"] == first
    assert articles.loc[paths["a_short"], "near_duplicate_of"] == first
    assert pd.isna(articles.loc[paths["a_first"], "near_duplicate_of"])
    assert pd.isna(articles.loc[paths["b_alone"], "near_duplicate_of"])
    links = _links(warehouse)
    # each link under the later article's day, pointing at the earlier one
    by_pair = {(r.article_id, r.other_id): r for r in links.itertuples()}
    copy_link = by_pair[(article_id_for(paths["a_copy"]), first)]
    assert copy_link.day == "2020-07-07" and copy_link.jaccard >= 0.5
    short_link = by_pair[(article_id_for(paths["a_short"]), first)]
    assert short_link.day == "2020-07-08" and short_link.containment >= 0.8
    assert run["near_duplicates"] == 2 and run["near_duplicate_links"] == len(links)
    assert run["biggest_clusters"][0]["root"] == first and run["biggest_clusters"][0]["articles"] == 3


def test_an_earlier_copy_arriving_late_re_roots_its_cluster_and_rewrites_later_days(raw, tmp_path, warehouse):
    paths = _drop(raw)
    late = raw / "2020-07-06"
    held_back = tmp_path / "held"
    shutil.move(str(late), held_back)
    run_ingest(raw, warehouse)
    before = _clusters(warehouse).set_index("source_path")
    assert before.loc[paths["a_short"], "near_duplicate_of"] == article_id_for(paths["a_copy"])

    shutil.move(str(held_back), late)
    run = run_ingest(raw, warehouse)

    after = _clusters(warehouse).set_index("source_path")
    first = article_id_for(paths["a_first"])
    assert after.loc[paths["a_copy"], "near_duplicate_of"] == first
    assert after.loc[paths["a_short"], "near_duplicate_of"] == first
    assert "2020-07-08" in run["days"]["articles"]  # an earlier day's row was rewritten by this run

    fresh = tmp_path / "wh-fresh"
    run_ingest(raw, fresh)
    assert after.equals(_clusters(fresh).set_index("source_path"))
    assert _links(warehouse).equals(_links(fresh))


@pytest.mark.parametrize("without_index", [False, True])
def test_a_member_reached_only_through_the_cluster_index_is_re_rooted(raw, tmp_path, warehouse, without_index):
    """X (07-07) and its first half Y (07-08) form a cluster; W, X's second half, arrives late on 07-06: it
    links to X only, so Y is found through the index alone. A warehouse published before the index
    existed (`without_index`) gets one built on first need and the same answer."""
    x = story(11)
    write_article(raw / "2020-07-07", "600_0000000000000601.txt", paragraphs=x)
    write_article(raw / "2020-07-08", "601_0000000000000602.txt", paragraphs=x[:3])
    run_ingest(raw, warehouse)
    if without_index:
        shutil.rmtree(warehouse / ".cluster_index")

    write_article(raw / "2020-07-06", "602_0000000000000603.txt", paragraphs=x[3:])
    run_ingest(raw, warehouse)

    after = _clusters(warehouse).set_index("source_path")  # (checks the index against the articles)
    w = article_id_for("2020-07-06/602_0000000000000603.txt")
    assert after.loc["2020-07-08/601_0000000000000602.txt", "near_duplicate_of"] == w
    links = _links(warehouse)
    y = article_id_for("2020-07-08/601_0000000000000602.txt")
    assert links[(links["article_id"] == y) & (links["other_id"] == w)].empty  # Y and W do not link: X joins them
    fresh = tmp_path / "wh-fresh"
    run_ingest(raw, fresh)
    assert after.equals(_clusters(fresh).set_index("source_path"))
    assert _links(warehouse).equals(_links(fresh))


def test_a_backfill_of_one_day_leaves_every_link_unchanged(raw, warehouse):
    _drop(raw)
    run_ingest(raw, warehouse)
    links, clusters = _links(warehouse), _clusters(warehouse)
    assert len(links) >= 2

    run_backfill(raw, warehouse, "2020-07-07", "2020-07-07")

    assert _links(warehouse).equals(links)
    assert _clusters(warehouse).equals(clusters)


def test_day_by_day_ingests_give_the_links_of_one_ingest(raw, tmp_path, warehouse):
    _drop(raw)
    staged = tmp_path / "later"
    staged.mkdir()
    for day in ("2020-07-06", "2020-07-07", "2020-07-08"):
        shutil.move(str(raw / day), staged / day)
    for day in ("2020-07-08", "2020-07-06", "2020-07-07"):  # out of order, one day per run
        shutil.move(str(staged / day), raw / day)
        run_ingest(raw, warehouse)

    fresh = tmp_path / "wh-fresh"
    run_ingest(raw, fresh)
    assert _links(warehouse).equals(_links(fresh))
    assert _clusters(warehouse).equals(_clusters(fresh))


def test_a_changed_or_removed_article_leaves_no_stale_link(raw, warehouse):
    paths = _drop(raw)
    run_ingest(raw, warehouse)
    first = article_id_for(paths["a_first"])

    # the first copy becomes another story, the second becomes a reject: their links must go
    write_article(raw / "2020-07-07", "101_00000000000000a2.txt", title="Now unrelated", paragraphs=story(99))
    (raw / "2020-07-08" / "102_00000000000000a3.txt").write_bytes(b"")
    run_ingest(raw, warehouse)

    links = _links(warehouse)
    assert links.empty, links
    articles = _clusters(warehouse).set_index("source_path")
    assert articles["near_duplicate_of"].isna().all()
    assert paths["a_short"] not in articles.index and first in set(articles["article_id"])


def test_a_day_losing_its_root_goes_in_after_the_days_re_rooted_away_from_it(raw, warehouse, monkeypatch):
    # The articles' days are built on two threads; they must still go in in their order, the day
    # losing an article for good last: a crash in between never leaves a pointer to a missing row.
    from newsetl.flows.warehouse import Warehouse

    paths = _drop(raw)
    run_ingest(raw, warehouse)
    real_swap_day, swapped = Warehouse.swap_day, []

    def recording_swap_day(self, built, *, staging):
        if built.table.name == "articles":
            swapped.append(built.day.isoformat())
        return real_swap_day(self, built, staging=staging)

    monkeypatch.setattr(Warehouse, "swap_day", recording_swap_day)
    (raw / "2020-07-06" / "100_00000000000000a1.txt").write_bytes(b"")  # the root becomes a reject
    run_ingest(raw, warehouse)

    assert swapped == ["2020-07-07", "2020-07-08", "2020-07-06"]
    articles = _clusters(warehouse).set_index("source_path")
    assert paths["a_first"] not in articles.index
    assert articles.loc[paths["a_short"], "near_duplicate_of"] == article_id_for(paths["a_copy"])


def test_copies_beyond_the_window_do_not_link(raw, warehouse):
    a = story(5)
    write_article(raw / "2020-07-06", "200_00000000000000c1.txt", paragraphs=a)
    write_article(raw / "2020-07-20", "201_00000000000000c2.txt", paragraphs=edited(a))  # 14 days later

    run_ingest(raw, warehouse, near_duplicate_window_days=7)

    assert _links(warehouse).empty
    assert _clusters(warehouse)["near_duplicate_of"].isna().all()


def test_exact_duplicates_are_members_of_the_cluster_even_beyond_the_window(raw, warehouse):
    a = story(6)
    write_article(raw / "2020-07-06", "300_00000000000000d1.txt", paragraphs=a)
    write_article(raw / "2020-07-07", "301_00000000000000d2.txt", paragraphs=edited(a))
    write_article(raw / "2020-08-30", "302_00000000000000d3.txt", paragraphs=a)  # same text, far later

    run_ingest(raw, warehouse)

    articles = _clusters(warehouse).set_index("source_path")
    first = article_id_for("2020-07-06/300_00000000000000d1.txt")
    assert articles.loc["2020-08-30/302_00000000000000d3.txt", "duplicate_of"] == first
    assert articles.loc["2020-08-30/302_00000000000000d3.txt", "near_duplicate_of"] == first
    assert articles.loc["2020-07-07/301_00000000000000d2.txt", "near_duplicate_of"] == first


def test_short_bodies_get_no_band_keys_and_do_not_link(raw, warehouse):
    short = ("Two lines only.", "Nothing more to say here.")
    write_article(raw / "2020-07-06", "400_00000000000000e1.txt", paragraphs=short)
    write_article(raw / "2020-07-06", "401_00000000000000e2.txt", paragraphs=short + ("One more line.",))

    run_ingest(raw, warehouse)

    assert _clusters(warehouse)["near_duplicate_of"].isna().all()
    signatures = duck(warehouse, "signatures", "select shingle_count, len(band_keys) keys from t "
                      "where source_path like '%/40%'")
    assert len(signatures) == 2
    assert (signatures["keys"] == 0).all() and (signatures["shingle_count"] < 30).all()


def _make_old_version(warehouse: Path, day: str) -> None:
    """Rewrite one day's signatures as if an earlier near-duplicate method had made them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    part = next((warehouse / "signatures" / f"ingest_date={day}").glob("*.parquet"))
    old = pq.read_table(part)
    pq.write_table(old.set_column(old.schema.get_field_index("method_version"), "method_version",
                                  pa.array(["minhash0-old"] * old.num_rows, pa.string())), part)


def test_an_ingest_into_signatures_of_another_method_version_is_refused_until_a_backfill_recomputes_them(raw, warehouse):
    from newsetl.flows.ingest import ingest_flow
    from newsetl.flows.settings import resolve_settings

    a = story(7)
    write_article(raw / "2020-07-06", "500_00000000000000f1.txt", paragraphs=a)
    run_ingest(raw, warehouse)
    _make_old_version(warehouse, "2020-07-06")

    write_article(raw / "2020-07-07", "501_00000000000000f2.txt", paragraphs=edited(a))
    state = ingest_flow(resolve_settings(str(raw), str(warehouse)), return_state=True)

    assert state.is_failed()
    assert "\n" not in state.message and "newsetl backfill --start 2020-07-06 --end 2020-07-06" in state.message
    assert "2020-07-07/501_00000000000000f2.txt" not in set(_clusters(warehouse)["source_path"])  # nothing published
    assert not (warehouse / "signatures" / "ingest_date=2020-07-07").exists()

    run_backfill(raw, warehouse, "2020-07-06", "2020-07-06")
    run_ingest(raw, warehouse)

    versions = duck(warehouse, "signatures", "select distinct method_version from t")["method_version"].tolist()
    assert versions == [METHOD.version]
    articles = _clusters(warehouse).set_index("source_path")
    assert articles.loc["2020-07-07/501_00000000000000f2.txt", "near_duplicate_of"] == \
        article_id_for("2020-07-06/500_00000000000000f1.txt")


def test_a_backfill_of_an_unchanged_day_hashes_nothing_again_and_changes_no_table(raw, warehouse, monkeypatch):
    from newsetl.flows import neardup

    _drop(raw)
    write_article(raw / "2020-07-07", "104_00000000000000b2.txt", paragraphs=story(3))
    run_ingest(raw, warehouse)
    before = {table: _table(warehouse, table) for table in ("signatures", "near_duplicates", "articles")}
    signed = []
    real = neardup.signature_frame
    monkeypatch.setattr(neardup, "signature_frame", lambda articles, **kw: signed.append(len(articles)) or real(articles, **kw))

    run_backfill(raw, warehouse, "2020-07-07", "2020-07-07")

    assert sum(signed) == 0  # the day's three articles took their published signatures back
    for table, rows in before.items():
        assert _table(warehouse, table).equals(rows), table

    # a changed file of that day is hashed again, and only it
    write_article(raw / "2020-07-07", "104_00000000000000b2.txt", paragraphs=story(4))
    run_backfill(raw, warehouse, "2020-07-07", "2020-07-07")
    assert sum(signed) == 1


def _table(warehouse: Path, table: str) -> pd.DataFrame:
    """A table's rows without what each run stamps on them (run_id, processed_at), in key order."""
    frame = duck(warehouse, table, "select * exclude (run_id, processed_at) from t" if table != "signatures"
                 else "select * from t")
    return frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
