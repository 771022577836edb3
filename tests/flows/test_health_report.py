"""`newsetl report`: the page's numbers equal DuckDB's answers on the same warehouse, the page
works offline, quiet publishers and failed runs are marked, and it stays small for a month."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsetl.flows.cli import main
from newsetl.flows.health import alert_sentences, build_report, choose_days, gather
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import ARTICLES, RUNS
from tests.conftest import write_article
from tests.flows.conftest import duck, run_ingest

DAYS = [date(2020, 7, 1) + timedelta(days=i) for i in range(8)]
SENTENCE = "The ministry approved the budget on {d} after {n} hours of talks with the council."


def _write_drop(raw: Path) -> None:
    """Eight days: Reuters sends 5 a day and nothing on the last day; Gulf News 2 a day; a few articles
    without breadcrumb, two copies of one article, rejects on two days, bodies from short to long."""
    for i, day in enumerate(DAYS):
        folder = raw / day.isoformat()
        reuters = 0 if day == DAYS[-1] else 5
        for n in range(reuters):
            paragraphs = tuple(SENTENCE.format(d=day, n=n * 10 + k) for k in range(1 + (n * 7 + i) % 12))
            write_article(folder, f"{n:03d}_{i:02d}{n:02d}00000000000a.txt", breadcrumb="World - Reuters",
                          title=f"Budget talks, day {i} story {n}", paragraphs=paragraphs)
        for n in range(2):
            write_article(folder, f"1{n:02d}_{i:02d}{n:02d}00000000000b.txt", breadcrumb="Gulf News",
                          title=f"Gulf markets on day {i}, part {n}",
                          paragraphs=tuple(SENTENCE.format(d=day, n=k) for k in range(20 + n * 30)))
        if i % 3 == 0:
            write_article(folder, f"200_{i:02d}0000000000000c.txt", breadcrumb="Not a breadcrumb line at all, "
                          "just the first sentence of a story that has no header.", title="No header here",
                          paragraphs=("Le ministre a annoncé mardi que le budget serait voté la semaine prochaine.",))
    copy = (raw / DAYS[0].isoformat() / "000_000000000000000a.txt").read_bytes()
    for n in range(2):
        (raw / DAYS[2].isoformat() / f"300_{n:02d}0000000000000d.txt").write_bytes(copy)
    (raw / DAYS[1].isoformat() / "400_empty.txt").write_bytes(b"")
    for n in range(3):
        (raw / DAYS[4].isoformat() / f"40{n}_empty.txt").write_bytes(b"")
    (raw / DAYS[4].isoformat() / "410_nobody.txt").write_bytes(b"World - Reuters\n\nOnly a headline\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory, prefect_harness):
    """A warehouse ingested by the real flow, plus one failed run, and its report."""
    root = tmp_path_factory.mktemp("health")
    raw, warehouse = root / "raw", root / "warehouse"
    _write_drop(raw)
    run_ingest(raw, warehouse)
    _add_failed_run(warehouse)
    result = build_report(warehouse)
    return warehouse, result, result.path.read_text(encoding="utf-8")


def _add_failed_run(warehouse: Path) -> None:
    store = Warehouse(warehouse)
    day = store.days(RUNS)[-1]
    live = store.read_day(RUNS, day)
    started = datetime.now(timezone.utc).replace(microsecond=0)
    failed = {**live.slice(0, 1).to_pylist()[0], "run_id": "failed-run-1", "status": "failed", "started_at": started,
              "finished_at": started, "error": "the disk <was> full", "articles": 0, "rejects": 0}
    rows = pa.concat_tables([live, pa.Table.from_pylist([failed], schema=live.schema)])
    staging = store.new_staging("test-failed-run")
    store.publish_day(RUNS, day, rows, staging=staging)
    store.drop_staging(staging)


class _Tables(HTMLParser):
    """Every `<table data-table=NAME>` of the page as a list of rows of cell texts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.classes: dict[str, list[list[str | None]]] = {}  # each cell's own class
        self.row_classes: dict[str, list[str | None]] = {}
        self._name = self._row = self._cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._name = attrs["data-table"]
            self.tables[self._name], self.classes[self._name], self.row_classes[self._name] = [], [], []
        elif self._name and tag == "tr":
            self._row, self._row_classes, self._tr_class = [], [], attrs.get("class")
        elif self._name and tag in ("td", "th"):
            self._cell = []
            self._row_classes.append(attrs.get("class"))

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._name].append(self._row)
            self.classes[self._name].append(self._row_classes)
            self.row_classes[self._name].append(self._tr_class)
            self._row = None
        elif tag == "table":
            self._name = None


def _records(page: str, name: str) -> list[dict[str, str]]:
    rows = _Tables(page).tables[name]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _matrix(page: str, name: str) -> dict[tuple[str, str], int]:
    """A series x day table as {(series, day): count}, zeros left out (DuckDB has no rows for them)."""
    cells = {}
    for record in _records(page, name):
        series = next(iter(record.values()))
        for column, value in record.items():
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", column) and _number(value):
                cells[(series, column)] = int(_number(value))
    return cells


def _duck_matrix(warehouse: Path, table: str, expression: str, label: str, source: str = "t") -> dict:
    frame = duck(warehouse, table, f"select coalesce({expression}, '{label}') as k, cast(ingest_date as varchar) as d, "
                                   f"count(*) as n from {source} group by all")
    return {(row.k, row.d): int(row.n) for row in frame.itertuples()}


def test_articles_per_publisher_and_day_equal_duckdb(built):
    warehouse, _, page = built
    assert _matrix(page, "publishers") == _duck_matrix(warehouse, "articles", "publisher", "(no publisher)")


def test_a_publisher_that_went_quiet_is_marked_and_named(built):
    warehouse, result, page = built
    last = DAYS[-1].isoformat()
    reuters = _Tables(page).tables["publishers"]
    header = reuters[0]
    row = next(i for i, r in enumerate(reuters) if r[0] == "Reuters")
    assert reuters[row][header.index(last)] == "0"
    assert _Tables(page).classes["publishers"][row][header.index(last)] == "flagged"
    assert [(r[0], c) for r, cls in zip(reuters, _Tables(page).classes["publishers"])
            for c, k in zip(header, cls) if k == "flagged"] == [("Reuters", last)]
    assert f"{last}: Reuters sent nothing; it usually sends 5 a day." in result.alerts
    assert f"<li>{last}: Reuters sent nothing; it usually sends 5 a day.</li>" in page


def test_rejects_per_day_and_reason_equal_duckdb(built):
    warehouse, _, page = built
    records = _records(page, "rejects")
    reasons = [c for c in records[0] if c not in ("day", "files", "rejects", "share")]
    shown = {(reason, r["day"]): int(_number(r[reason])) for r in records for reason in reasons if _number(r[reason])}
    assert shown == _duck_matrix(warehouse, "rejects", "reason", "(none)")
    files = duck(warehouse, "files", "select cast(ingest_date as varchar) d, count(*) n from t group by 1")
    assert {r["day"]: int(_number(r["files"])) for r in records} == dict(zip(files["d"], files["n"]))


def test_duplicates_per_day_and_biggest_cluster_equal_duckdb(built):
    warehouse, _, page = built
    expected = duck(warehouse, "articles", "select cast(ingest_date as varchar) d, count(*) n, "
                                           "count(duplicate_of) dups from t group by 1")
    shown = {r["day"]: (int(_number(r["articles"])), int(_number(r["exact duplicates"])))
             for r in _records(page, "duplicates")}
    assert shown == {row.d: (row.n, row.dups) for row in expected.itertuples()}

    clusters = duck(warehouse, "articles", "select c.duplicate_of, c.n + 1 as size, t.title, coalesce(t.publisher, '(no publisher)') publisher from "
                                           "(select duplicate_of, count(*) n from t where duplicate_of is not null "
                                           "group by 1) c join t on t.article_id = c.duplicate_of "
                                           "order by size desc, c.duplicate_of")
    assert [(int(_number(r["size"])), r["title"], r["first publisher"], r["first article_id"])
            for r in _records(page, "clusters")] == [
        (row.size, row.title, row.publisher, row.duplicate_of) for row in clusters.itertuples()]
    # The fixture's article with two copies, and its header-less article sent on three days.
    assert clusters["size"].tolist() == [3, 3]


def test_languages_and_quality_flags_per_day_equal_duckdb(built):
    warehouse, _, page = built
    assert _matrix(page, "languages") == _duck_matrix(warehouse, "articles", "language", "(unidentified)")
    flags = _duck_matrix(warehouse, "articles", "flag", "(null)",
                         source="(select unnest(quality_flags) as flag, ingest_date from t)")
    assert flags and _matrix(page, "quality-flags") == flags


def test_word_count_distribution_equals_duckdb(built):
    warehouse, _, page = built
    bins = duck(warehouse, "articles", "select count(*) filter (where word_count < 50) a, "
                                       "count(*) filter (where word_count >= 50 and word_count < 100) b, "
                                       "count(*) filter (where word_count >= 100 and word_count < 200) c, "
                                       "count(*) filter (where word_count >= 200) d from t").iloc[0]
    shown = {r["words"]: int(_number(r["articles"])) for r in _records(page, "word-histogram")}
    assert shown["0–49"] == bins.a and shown["50–99"] == bins.b and shown["100–199"] == bins.c
    assert sum(v for k, v in shown.items() if k not in ("0–49", "50–99", "100–199")) == bins.d
    assert bins.a and bins.b and bins.c  # the fixture spreads over the first bins

    quantiles = duck(warehouse, "articles", "select cast(ingest_date as varchar) d, quantile_cont(word_count, 0.1) p10, "
                                            "median(word_count) m, quantile_cont(word_count, 0.9) p90 from t group by 1")
    shown = {r["day"]: (_number(r["p10"]), _number(r["median"]), _number(r["p90"])) for r in _records(page, "word-quantiles")}
    assert shown == {row.d: (round(row.p10, 1), round(row.m, 1), round(row.p90, 1)) for row in quantiles.itertuples()}


def test_runs_equal_duckdb_and_a_failed_run_is_marked(built):
    warehouse, result, page = built
    runs = duck(warehouse, "runs", "select run_id, status, files_processed, articles, error from t order by started_at")
    records = _records(page, "runs")
    assert [(r["status"], int(_number(r["files processed"])), int(_number(r["articles"]))) for r in records] == [
        (row.status, row.files_processed, row.articles) for row in runs.itertuples()]
    failed = [i for i, r in enumerate(records, start=1) if r["status"] == "failed"]
    assert failed and [i for i, c in enumerate(_Tables(page).row_classes["runs"]) if c == "failed"] == failed
    assert "the disk &lt;was&gt; full" in page and "the disk <was> full" not in page  # escaped, not markup
    assert any("ingest run failed: the disk <was> full" in line for line in result.alerts)


def test_the_page_works_offline(built):
    _, _, page = built
    assert "<script" not in page and "<link" not in page and "@import" not in page
    # Namespace names of inline SVG are identifiers, never fetched; nothing else may name a web address.
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", re.sub(r'xmlns(:\w+)?="[^"]*"', "", page))
    assert page.count("<svg") == 7  # publishers, rejects, duplicates, languages, words, quality, runs
    for image in re.findall(r'(?:xlink:)?href="([^"]*)"', page):
        assert image.startswith(("data:image/", "#")), image


def test_cli_writes_the_page_under_the_warehouse_outside_every_table(built, capsys):
    warehouse, _, _ = built
    (warehouse / "report.html").unlink()
    assert main(["report", "--warehouse", str(warehouse), "--start", DAYS[1].isoformat(), "--end", DAYS[3].isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"newsetl report: wrote {warehouse / 'report.html'} (") and "3 days 2020-07-02..2020-07-04" in out
    page = (warehouse / "report.html").read_text(encoding="utf-8")
    assert [r["day"] for r in _records(page, "duplicates")] == ["2020-07-02", "2020-07-03", "2020-07-04"]
    assert not [p for p in warehouse.glob("*/**/*") if p.is_file() and p.suffix != ".parquet"]


def test_cli_refuses_an_output_inside_a_table_folder_and_an_empty_range(built, tmp_path, capsys):
    warehouse, _, _ = built
    assert main(["report", "--warehouse", str(warehouse), "--out", str(warehouse / "articles" / "r.html")]) == 1
    assert "where only Parquet files may live" in capsys.readouterr().err
    assert main(["report", "--warehouse", str(warehouse), "--start", "2021-01-01"]) == 1
    assert "holds no articles or rejects between 2021-01-01 and the last day" in capsys.readouterr().err
    assert main(["report", "--warehouse", str(tmp_path / "none")]) == 1
    assert "does not exist" in capsys.readouterr().err


# ---- a month of 10,000 articles a day, written straight as Parquet -----------------------

def write_synthetic_articles(warehouse: Path, days: list[date], per_day: int, *, publishers: int = 12,
                             near: bool = False, seed: int = 7) -> None:
    """Article partitions with the real file schema (plus `near_duplicate_of` when `near`), without ingesting;
    publishers of unequal sizes (the i-th sends about 1/(i+1) of the first's). Also used by bench/report_size.py."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, publishers + 1)
    names = np.array([f"Publisher {i:02d}" for i in range(publishers)])
    languages = np.array(["en", "fr", "es", "de", "ar", None], dtype=object)
    flags = ["short_body", "title_in_body", "no_language", "single_paragraph"]
    schema = ARTICLES.file_schema()
    if near and "near_duplicate_of" not in schema.names:  # a schema from before near-duplicates
        schema = schema.append(pa.field("near_duplicate_of", pa.string()))
    for d, day in enumerate(days):
        ids = np.array([f"{d:04x}{i:012x}" for i in range(per_day)], dtype=object)
        first = ids[0]
        columns = {name: pa.nulls(per_day, schema.field(name).type) for name in schema.names}
        columns.update({
            "article_id": pa.array(ids), "source_path": pa.array([f"{day}/{i}.txt" for i in ids]),
            "source_sha256": pa.array(ids), "content_hash": pa.array(ids), "encoding": pa.array(["utf-8"] * per_day),
            "publisher": pa.array(names[rng.choice(publishers, per_day, p=weights / weights.sum())]),
            "sections": pa.array([[] for _ in range(per_day)], pa.list_(pa.string())),
            "fixes": pa.array([[] for _ in range(per_day)], pa.list_(pa.string())),
            "title": pa.array([f"Title {i}" for i in ids]), "body": pa.array([""] * per_day),
            "language": pa.array(languages[rng.integers(0, len(languages), per_day)]),
            "word_count": pa.array(rng.integers(10, 3000, per_day), pa.int32()),
            "duplicate_of": pa.array([first if i % 33 == 1 else None for i in range(per_day)]),
            "quality_flags": pa.array([[flags[i % 4]] if i % 3 else [] for i in range(per_day)], pa.list_(pa.string())),
            "run_id": pa.array(["synthetic"] * per_day), "pipeline_version": pa.array(["test"] * per_day),
            "processed_at": pa.array([datetime(2024, 1, 1, tzinfo=timezone.utc)] * per_day, pa.timestamp("us", "UTC")),
        })
        for name in ("paragraph_count", "char_count", "title_word_count", "boilerplate_lines_removed", "size_bytes"):
            columns[name] = pa.array(np.ones(per_day, dtype="int64")).cast(schema.field(name).type)
        for name in ("mean_word_length", "non_alpha_ratio", "language_score"):
            columns[name] = pa.array(np.full(per_day, 0.5, dtype="float32"))
        if near:
            columns["near_duplicate_of"] = pa.array([first if i % 20 in (1, 2) else None for i in range(per_day)])
        folder = warehouse / "articles" / f"ingest_date={day.isoformat()}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table(columns, schema=schema), folder / "part-00000.parquet", compression="zstd")


@pytest.mark.slow
def test_a_month_of_ten_thousand_articles_a_day_is_a_small_page_built_in_seconds(tmp_path):
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(40)]
    write_synthetic_articles(tmp_path, days, 10_000)

    clock = time.monotonic()
    result = build_report(tmp_path)
    seconds = time.monotonic() - clock

    assert result.days == days[-30:]  # the default range: the last 30 days with data
    assert result.size_bytes < 1_000_000, result.size_bytes
    assert seconds < 30, seconds  # measured ~5 s on a busy 2-core machine; generous for CI


def test_near_duplicates_are_shown_when_the_column_exists(tmp_path):
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(3)]
    write_synthetic_articles(tmp_path, days, 200, near=True)

    page = build_report(tmp_path).path.read_text(encoding="utf-8")

    expected = duck(tmp_path, "articles", "select cast(ingest_date as varchar) d, count(near_duplicate_of) n from t group by 1")
    shown = {r["day"]: int(_number(r["near duplicates"])) for r in _records(page, "duplicates")}
    assert shown == dict(zip(expected["d"], expected["n"])) and min(shown.values()) > 0
    sizes = duck(tmp_path, "articles", "select count(*) + 1 n from t where near_duplicate_of is not null "
                                       "group by near_duplicate_of order by 1 desc")
    assert [int(_number(r["size"])) for r in _records(page, "near-clusters")] == sizes["n"].tolist()


# ---- the run's Prefect artifact -------------------------------------------------------

def test_a_run_attaches_the_feed_health_summary_and_refreshes_an_existing_page(tmp_path):
    from prefect.artifacts import Artifact

    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    _write_drop(raw)
    run_ingest(raw, warehouse)
    text = Artifact.get("newsetl-ingest").data
    assert "## Feed health, 2020-07-01 to 2020-07-08: 1 thing(s) need a look" in text
    assert "- 2020-07-08: Reuters sent nothing; it usually sends 5 a day." in text
    assert f"No page yet: `newsetl report` writes `{warehouse.resolve() / 'report.html'}`" in text
    assert not (warehouse / "report.html").exists()  # drawing is opt-in: it costs a second per run

    build_report(warehouse)
    before = (warehouse / "report.html").stat().st_mtime_ns
    write_article(raw / "2020-07-09", "000_0000000000000f09.txt")
    run_ingest(raw, warehouse)
    assert "Page refreshed by this run" in Artifact.get("newsetl-ingest").data
    page = (warehouse / "report.html").read_text(encoding="utf-8")
    assert (warehouse / "report.html").stat().st_mtime_ns > before and "2020-07-09" in page


def test_a_runs_summary_names_what_the_page_names_without_gathering_what_only_the_page_draws(built):
    warehouse, result, _ = built
    store = Warehouse(warehouse)
    days, history = choose_days(store, None, None)

    summary = gather(store, days, history, page=False)

    assert alert_sentences(summary) == result.alerts and len(result.alerts) >= 2  # a quiet publisher, a failed run
    assert summary.clusters is None and summary.histogram is None and summary.flags is None


def test_a_feed_health_failure_never_fails_the_run(tmp_path, monkeypatch):
    from prefect.artifacts import Artifact

    import newsetl.flows.health

    def broken(warehouse):
        raise OSError("the page's disk is full")

    monkeypatch.setattr(newsetl.flows.health, "run_summary", broken)
    monkeypatch.setattr("newsetl.flows.ingest.run_summary", broken)
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    write_article(raw / "2020-07-01", "000_0000000000000f01.txt")

    run = run_ingest(raw, warehouse)

    assert run["status"] == "success"
    text = Artifact.get("newsetl-ingest").data
    assert text.startswith("# newsetl ingest: success") and "Not available this time: the page's disk is full" in text


def test_a_range_with_rejects_only_is_a_page_saying_so(tmp_path):
    from newsetl.schemas import REJECTS

    store = Warehouse(tmp_path)
    rows = REJECTS.to_arrow(pa.table({
        "source_path": ["2020-07-05/a.txt"], "source_sha256": ["0" * 64], "reason": ["empty"],
        "detail": ["The file is empty."], "size_bytes": [0], "run_id": ["r"], "pipeline_version": ["test"],
        "processed_at": pa.array([datetime(2020, 7, 5, tzinfo=timezone.utc)], pa.timestamp("us", "UTC")),
        "ingest_date": pa.array([date(2020, 7, 5)], pa.date32())}), with_partition=False)
    staging = store.new_staging("test")
    store.publish_day(REJECTS, date(2020, 7, 5), rows, staging=staging)
    store.drop_staging(staging)

    page = build_report(tmp_path).path.read_text(encoding="utf-8")

    assert page.count("No articles on these days.") == 4  # publishers, duplicates, languages, word counts
    assert [r["rejects"] for r in _records(page, "rejects")] == ["1"]


def test_days_without_any_data_inside_the_range_need_a_look(tmp_path):
    write_synthetic_articles(tmp_path, [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5)], 50)

    result = build_report(tmp_path)

    assert "No articles or rejects at all on 2024-01-03, 2024-01-04." in result.alerts


def test_a_day_of_jumped_rejects_is_red_in_its_table(tmp_path):
    from newsetl.schemas import REJECTS

    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(5)]
    write_synthetic_articles(tmp_path, days, 100)
    store = Warehouse(tmp_path)
    staging = store.new_staging("test")
    for day, count in zip(days, (1, 1, 1, 1, 30)):  # 1 % of the files, then 23 %
        rows = REJECTS.to_arrow(pa.table({
            "source_path": [f"{day}/{n}.txt" for n in range(count)], "source_sha256": ["0" * 64] * count,
            "reason": ["empty"] * count, "detail": ["The file is empty."] * count, "size_bytes": [0] * count,
            "run_id": ["r"] * count, "pipeline_version": ["test"] * count,
            "processed_at": pa.array([datetime(2024, 1, 1, tzinfo=timezone.utc)] * count, pa.timestamp("us", "UTC")),
            "ingest_date": pa.array([day] * count, pa.date32())}), with_partition=False)
        store.publish_day(REJECTS, day, rows, staging=staging)
    store.drop_staging(staging)

    result = build_report(tmp_path)
    page = result.path.read_text(encoding="utf-8")

    tables = _Tables(page)
    flagged = [row[0] for row, css in zip(tables.tables["rejects"], tables.row_classes["rejects"]) if css == "flagged"]
    assert flagged == ["2024-01-05"]
    assert "2024-01-05: 30 rejects, 23.1% of the day's files (usually 1.0%)." in result.alerts
