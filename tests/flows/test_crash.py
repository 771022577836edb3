"""Crash safety: a real `newsetl ingest` SIGKILLed while transforming, after staging and
in the middle of publishing leaves no torn or doubled data, and the next ingest converges."""
from __future__ import annotations

import time

import duckdb
import pytest

from newsetl.flows.lock import read_lock
from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env, group_alive, run
from tests.flows.conftest import duck, run_ingest
from tests.flows.test_near_duplicates import story

TABLES = ("articles", "paragraphs", "rejects", "signatures", "near_duplicates", ".cluster_index", "files", "runs")


def _raw_zone(raw):
    """The seed day plus two more days: 8 articles (a story and its copy among them) and 2 rejects, over 10 one-file batches."""
    for n in range(3):
        write_article(raw / "2020-07-06", f"01{n}_00000000000001{n}0.txt", title=f"Monday story {n}")
        write_article(raw / "2020-07-07", f"02{n}_00000000000002{n}0.txt", title=f"Tuesday story {n}")
    # a wire story and its copy a day later: the run publishes a near-duplicate link between them
    write_article(raw / "2020-07-06", "018_00000000000001f0.txt", title="Wire story", paragraphs=story(21))
    write_article(raw / "2020-07-07", "028_00000000000002f0.txt", title="Copy", paragraphs=story(21)[:-1])
    (raw / "2020-07-06" / "019_empty.txt").write_bytes(b"")
    (raw / "2020-07-07" / "029_binary.txt").write_bytes(b"\x00\x01\x02" * 300)
    return 10


def _assert_whole(warehouse, *, converged=False):
    """Every Parquet file reads in full, only Parquet lives in table folders, and no file appears twice;
    the cluster index lists every near_duplicate_of pointer (exactly those once a run `converged`)."""
    for table in TABLES:
        for path in (warehouse / table).rglob("*"):
            assert path.is_dir() or path.suffix == ".parquet", path
            if path.is_file():
                duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()
    for table in ("articles", "rejects", "files"):
        if (warehouse / table).is_dir() and any((warehouse / table).iterdir()):
            counts = duck(warehouse, table, "select count(*) n, count(distinct source_path) d from t")
            assert counts["n"][0] == counts["d"][0], f"{table} holds a file twice"
    _assert_links_name_published_articles(warehouse)
    _assert_index_lists_every_pointer(warehouse, exact=converged)
    if (warehouse / "paragraphs").is_dir():
        doubled = duck(warehouse, "paragraphs", "select count(*) n from (select article_id, position "
                       "from t group by all having count(*) > 1)")
        assert doubled["n"][0] == 0


def _assert_links_name_published_articles(warehouse):
    """No near-duplicate link or near_duplicate_of names an article that is not published."""
    if not list((warehouse / "articles").rglob("*.parquet")):
        return
    ids = set(duck(warehouse, "articles", "select article_id from t")["article_id"])
    pointers = duck(warehouse, "articles", "select near_duplicate_of from t where near_duplicate_of is not null")
    assert set(pointers["near_duplicate_of"]) <= ids
    if list((warehouse / "near_duplicates").rglob("*.parquet")):
        links = duck(warehouse, "near_duplicates", "select article_id, other_id from t")
        assert set(links["article_id"]) | set(links["other_id"]) <= ids


def _assert_index_lists_every_pointer(warehouse, *, exact):
    """Publishing finds clusters through the index: a pointer it lacks would never be recomputed."""
    if not list((warehouse / "articles").rglob("*.parquet")):
        return
    pointers = duck(warehouse, "articles", "select a.article_id, a.near_duplicate_of, cast(a.ingest_date as varchar) d, "
                    "cast(r.ingest_date as varchar) rd from t a join t r on r.article_id = a.near_duplicate_of")
    needed = {(d, a, r) for a, r, d, _ in pointers.itertuples(index=False)} | \
        {(rd, a, r) for a, r, _, rd in pointers.itertuples(index=False)}
    listed = set()
    if list((warehouse / ".cluster_index").rglob("*.parquet")):
        rows = duck(warehouse, ".cluster_index", "select cast(ingest_date as varchar) listed_on, article_id, root_id from t")
        listed = set(rows.itertuples(index=False, name=None))
    assert needed <= listed
    if exact:
        assert needed == listed


@pytest.mark.slow
@pytest.mark.parametrize("point, marker", [
    ("transform", "newsetl test pause at transform"),  # 1 of 10 batches staged, the rest still to transform
    ("staged", "newsetl test pause at staged"),  # every batch staged, nothing published
    # a first day swapped in (articles, paragraphs and rejects publish side by side), the manifest not
    ("publish", "newsetl test pause at publish"),
])
def test_sigkill_leaves_no_torn_or_doubled_data_and_the_next_ingest_converges(raw, warehouse, point, marker):
    run_ingest(raw, warehouse)  # a warehouse with a published day, to be kept whole
    files = 1 + _raw_zone(raw)
    common = ["--raw", str(raw), "--warehouse", str(warehouse), "--workers", "1", "--batch-size", "1"]

    victim = Command(["ingest", *common], cli_env(NEWSETL_TEST_PAUSE_AT=point))
    try:
        victim.wait_for(marker, timeout=90)
    finally:
        victim.kill()  # SIGKILL to the command and everything it started
    assert not group_alive(victim.process.pid)

    _assert_whole(warehouse)
    assert any((warehouse / ".staging").iterdir()), "the killed run left its staging folder"
    holder, held = read_lock(warehouse)
    assert holder is not None and holder.pid == victim.process.pid and not held
    if point == "publish":
        assert "published " in victim.output and "published files" not in victim.output

    code, output = run(["ingest", *common], cli_env())

    assert code == 0, output
    assert "removed staging debris of 1 earlier run(s)" in output
    assert not any((warehouse / ".staging").iterdir())
    _assert_whole(warehouse, converged=True)
    articles = duck(warehouse, "articles", "select count(*) n from t")["n"][0]
    rejects = duck(warehouse, "rejects", "select count(*) n from t")["n"][0]
    manifest = duck(warehouse, "files", "select count(*) n, count(distinct source_path) d from t")
    assert (articles, rejects) == (9, 2)
    assert duck(warehouse, "near_duplicates", "select count(*) n from t")["n"][0] == 1
    assert articles + rejects == manifest["n"][0] == manifest["d"][0] == files
    assert read_lock(warehouse) == (None, False)


def test_a_persistent_io_error_fails_the_run_with_one_sentence_and_the_next_run_converges(raw, warehouse):
    from newsetl.flows.ingest import ingest_flow
    from newsetl.flows.settings import resolve_settings

    run_ingest(raw, warehouse)
    write_article(raw / "2020-07-06", "001_00000000000000b1.txt")
    (raw / "2020-07-06" / "002_empty.txt").write_bytes(b"")
    (warehouse / "rejects").write_text("not a folder")  # publishing the rejects day fails on every retry

    state = ingest_flow(resolve_settings(str(raw), str(warehouse)), return_state=True)

    assert state.is_failed()
    assert "\n" not in state.message and "rejects" in state.message
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 1  # the manifest, published last, did not move
    assert not any((warehouse / ".staging").iterdir())
    _assert_whole(warehouse)

    (warehouse / "rejects").unlink()
    again = run_ingest(raw, warehouse)

    assert again["files_processed"] == 2  # the files of the failed run are processed again
    _assert_whole(warehouse)
    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 2
    assert duck(warehouse, "rejects", "select count(*) n from t")["n"][0] == 1
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 3


def test_a_transient_io_error_while_publishing_is_retried_without_doubling(raw, warehouse, monkeypatch):
    from newsetl.flows.warehouse import Warehouse

    write_article(raw / "2020-07-06", "001_00000000000000b3.txt")
    real_swap_day, calls = Warehouse.swap_day, []

    def flaky_swap_day(self, built, *, staging):  # where every day goes in
        calls.append(built.table.name)
        if len(calls) == 3:  # after two days went in: the retry publishes on top of them
            raise OSError(5, "Input/output error", str(self.root / "rejects"))
        return real_swap_day(self, built, staging=staging)

    monkeypatch.setattr(Warehouse, "swap_day", flaky_swap_day)
    run = run_ingest(raw, warehouse)

    assert run["status"] == "success" and len(calls) > 3
    _assert_whole(warehouse)
    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 2
    assert duck(warehouse, "paragraphs", "select count(distinct article_id) n from t")["n"][0] == 2


def test_a_run_whose_link_planning_fails_publishes_no_day_of_any_table(raw, warehouse, monkeypatch):
    # Paragraph and reject days are built while the links are planned: they must not go in unless it succeeds.
    import newsetl.flows.publish

    write_article(raw / "2020-07-05", "001_00000000000000a1.txt")
    (raw / "2020-07-05" / "002_00000000000000a2.txt").write_bytes(b"")  # a reject
    built = []
    real_build_day = newsetl.flows.publish.Warehouse.build_day
    monkeypatch.setattr(newsetl.flows.publish.Warehouse, "build_day",
                        lambda self, table, *a, **k: built.append(table.name) or real_build_day(self, table, *a, **k))

    def failing_plan_links(*args, **kwargs):
        while not {"paragraphs", "rejects"} <= set(built):  # fail once both early tables have built a day
            time.sleep(0.01)
        time.sleep(0.5)
        raise RuntimeError("link planning failed")

    monkeypatch.setattr(newsetl.flows.publish, "plan_links", failing_plan_links)
    from newsetl.flows.ingest import ingest_flow
    from newsetl.flows.settings import resolve_settings

    state = ingest_flow(resolve_settings(str(raw), str(warehouse)), return_state=True)

    assert state.is_failed() and "link planning failed" in state.message
    assert {"paragraphs", "rejects"} <= set(built)
    published = {p.relative_to(warehouse).parts[0] for p in warehouse.rglob("*.parquet") if ".staging" not in p.parts}
    assert published <= {"runs"}  # the failed run's own record, nothing of its data


@pytest.mark.slow
def test_sigkill_while_a_linked_article_disappears_never_leaves_a_link_to_it(raw, warehouse):
    write_article(raw / "2020-07-06", "030_00000000000003f0.txt", title="Wire story", paragraphs=story(31))
    copy = write_article(raw / "2020-07-07", "031_00000000000003f1.txt", title="Copy", paragraphs=story(31)[:-1])
    run_ingest(raw, warehouse)
    assert duck(warehouse, "near_duplicates", "select count(*) n from t")["n"][0] == 1
    copy.write_bytes(b"")  # the copy becomes a reject: its article row and its link must go
    common = ["--raw", str(raw), "--warehouse", str(warehouse), "--workers", "1"]

    victim = Command(["ingest", *common], cli_env(NEWSETL_TEST_PAUSE_AT="publish"))
    try:
        victim.wait_for("newsetl test pause at publish", timeout=90)
    finally:
        victim.kill()

    _assert_whole(warehouse)  # links and near_duplicate_of name published articles only
    code, output = run(["ingest", *common], cli_env())
    assert code == 0, output
    _assert_whole(warehouse, converged=True)
    assert not list((warehouse / "near_duplicates").rglob("*.parquet"))
    assert duck(warehouse, "articles", "select count(*) n from t where near_duplicate_of is not null")["n"][0] == 0
