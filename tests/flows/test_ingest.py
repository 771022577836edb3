"""The ingest and backfill flows end to end, read back with DuckDB and Polars."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow.parquet as pq

from tests.conftest import write_article
from tests.flows.conftest import duck, parquet_files, polars_frame, run_backfill, run_ingest

CONTENT_COLUMNS = ["article_id", "source_path", "source_sha256", "publisher", "title", "body",
                   "paragraph_count", "content_hash", "duplicate_of", "ingest_date"]


def test_first_ingest_parses_the_seed_article(raw, warehouse):
    run = run_ingest(raw, warehouse)

    assert (run["files_seen"], run["articles"], run["rejects"]) == (1, 1, 0)
    rows = duck(warehouse, "articles")
    seed = rows.iloc[0]
    assert seed["publisher"] == "Baghdadpost"
    assert list(seed["sections"]) == ["Iraq News", "Local News"]
    assert seed["title"] == "Iranian-backed militias in Iraq push their gains on July 4"
    assert seed["paragraph_count"] == 9
    assert "\u00a0" not in seed["body"]
    assert seed["source_id"] == "b7a10fd9200f5948"
    assert seed["source_path"] == "2020-07-05/000_b7a10fd9200f5948.txt"
    assert str(seed["ingest_date"])[:10] == "2020-07-05"
    assert duck(warehouse, "paragraphs", "select count(*) as n from t")["n"][0] == 9


def test_types_read_back_the_same_in_duckdb_and_polars(raw, warehouse):
    run_ingest(raw, warehouse)

    types = duck(warehouse, "articles", "describe select * from t").set_index("column_name")["column_type"]
    assert types["processed_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["ingest_date"] == "DATE"
    assert types["sections"] == "VARCHAR[]"
    assert types["paragraph_count"] == "INTEGER"
    schema = polars_frame(warehouse, "articles").schema
    assert schema["processed_at"] == pl.Datetime("us", "UTC")
    assert schema["ingest_date"] == pl.Date
    assert schema["fixes"] == pl.List(pl.String)
    part = next((warehouse / "articles").rglob("*.parquet"))
    file_schema = pq.read_schema(part)
    assert "ingest_date" not in file_schema.names  # the partition lives in the folder name only
    assert "__index_level_0__" not in file_schema.names
    assert pq.ParquetFile(part).metadata.row_group(0).column(0).compression == "ZSTD"


def test_nothing_but_parquet_inside_table_folders(raw, warehouse):
    write_article(raw / "2020-07-06", "001_00000000000000aa.txt")
    (raw / "notes.pdf").write_bytes(b"%PDF-1.4 junk")
    run_ingest(raw, warehouse)
    run_ingest(raw, warehouse)

    for table in ("articles", "paragraphs", "rejects", "files", "runs"):
        for path in (warehouse / table).rglob("*"):
            assert path.is_dir() or path.suffix == ".parquet", path
    assert not any((warehouse / ".staging").iterdir())


def test_second_ingest_with_nothing_new_changes_nothing(raw, warehouse):
    run_ingest(raw, warehouse)
    before = {k: v for k, v in parquet_files(warehouse).items() if not k.startswith("runs/")}

    again = run_ingest(raw, warehouse)

    assert (again["files_processed"], again["days_published"]) == (0, 0)
    after = {k: v for k, v in parquet_files(warehouse).items() if not k.startswith("runs/")}
    assert after == before
    assert duck(warehouse, "runs", "select count(*) as n from t")["n"][0] == 2


def test_new_files_for_an_existing_day_join_it_without_doubling(raw, warehouse):
    run_ingest(raw, warehouse)
    write_article(raw / "2020-07-05", "001_00000000000000bb.txt", title="Another story")

    run = run_ingest(raw, warehouse)

    assert run["files_processed"] == 1
    counts = duck(warehouse, "articles", "select count(*) n, count(distinct source_path) d from t")
    assert (counts["n"][0], counts["d"][0]) == (2, 2)
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 2


def test_backfill_gives_the_same_rows_as_ingest(raw, warehouse):
    write_article(raw / "2020-07-06", "001_00000000000000cc.txt")
    (raw / "2020-07-06" / "002_00000000000000dd.txt").write_bytes(b"")
    run_ingest(raw, warehouse)
    before = {t: duck(warehouse, t).sort_values(duck(warehouse, t).columns[0]).reset_index(drop=True)
              for t in ("articles", "rejects", "files")}

    run = run_backfill(raw, warehouse, "2020-07-05", "2020-07-06")

    assert run["files_processed"] == 3
    for table, old in before.items():
        new = duck(warehouse, table).sort_values(old.columns[0]).reset_index(drop=True)
        stable = [c for c in old.columns if c not in ("run_id", "processed_at")]
        assert new[stable].equals(old[stable]), table
        assert new["source_path"].is_unique


def test_ingest_twice_then_backfill_keeps_row_counts(raw, warehouse):
    write_article(raw / "2020-07-06", "001_00000000000000cc.txt")
    run_ingest(raw, warehouse)
    run_ingest(raw, warehouse)
    first = duck(warehouse, "articles", "select count(*) n from t")["n"][0]

    run_backfill(raw, warehouse, "2020-07-06", "2020-07-06")

    counts = duck(warehouse, "articles", "select count(*) n, count(distinct source_path) d from t")
    assert counts["n"][0] == counts["d"][0] == first == 2


def test_exact_duplicates_across_days_point_at_the_earliest(raw, warehouse):
    seed = raw / "2020-07-05" / "000_b7a10fd9200f5948.txt"
    (raw / "2020-07-07").mkdir()
    shutil.copy(seed, raw / "2020-07-07" / "005_1111111111111111.txt")
    run_ingest(raw, warehouse)

    rows = duck(warehouse, "articles", "select article_id, source_path, duplicate_of, ingest_date from t order by ingest_date")
    earliest, later = rows.iloc[0], rows.iloc[1]
    assert pd.isna(earliest["duplicate_of"])
    assert later["duplicate_of"] == earliest["article_id"]

    # A copy arriving on an even earlier day takes over, and the later days are re-flagged.
    (raw / "2020-07-01").mkdir()
    shutil.copy(seed, raw / "2020-07-01" / "009_2222222222222222.txt")
    run = run_ingest(raw, warehouse)
    rows = duck(warehouse, "articles", "select article_id, duplicate_of, ingest_date from t order by ingest_date")
    assert rows["duplicate_of"].isna().tolist() == [True, False, False]
    assert set(rows["duplicate_of"][1:]) == {rows["article_id"][0]}
    assert run["duplicates"] == 0  # the new row is the original now; the old ones were re-flagged


def test_bad_files_become_rejects_with_reasons(raw, warehouse):
    day = raw / "2020-07-05"
    (day / "010_empty.txt").write_bytes(b"")
    (day / "011_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (day / "012_photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an article")
    (day / ".hidden.txt").write_text("ignored entirely")
    (raw / ".cache").mkdir()
    (raw / ".cache" / "x.txt").write_text("ignored entirely")
    outside = raw.parent / "outside.txt"
    outside.write_text("World - Reuters\n\nOut\n\nOf the raw root.\n")
    os.symlink(outside, day / "013_link.txt")

    run = run_ingest(raw, warehouse)

    reasons = duck(warehouse, "rejects", "select source_path, reason, detail from t").set_index("source_path")
    assert reasons.loc["2020-07-05/010_empty.txt", "reason"] == "empty"
    assert reasons.loc["2020-07-05/011_binary.txt", "reason"] == "binary"
    assert reasons.loc["2020-07-05/012_photo.jpg", "reason"] == "unsupported_type"
    assert reasons.loc["2020-07-05/013_link.txt", "reason"] == "link_outside_root"
    assert all(d.strip() for d in reasons["detail"])
    assert (run["files_seen"], run["articles"], run["rejects"]) == (5, 1, 4)
    files = duck(warehouse, "files", "select status, count(*) n from t group by 1 order by 1")
    assert files.to_dict("list") == {"status": ["article", "rejected"], "n": [1, 4]}


def test_too_large_files_are_rejected_without_reading_them(raw, warehouse):
    (raw / "2020-07-05" / "020_big.txt").write_bytes(b"x" * 5000)

    run_ingest(raw, warehouse, max_file_bytes=4000)

    rejects = duck(warehouse, "rejects", "select reason, size_bytes from t")
    assert rejects.to_dict("list") == {"reason": ["too_large"], "size_bytes": [5000]}


def test_a_changed_file_replaces_its_row(raw, warehouse):
    path = write_article(raw / "2020-07-06", "001_00000000000000ee.txt", title="Before")
    run_ingest(raw, warehouse)
    write_article(raw / "2020-07-06", "001_00000000000000ee.txt", title="After the edit")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))

    run_ingest(raw, warehouse)

    titles = duck(warehouse, "articles", "select title from t where source_path like '2020-07-06/%'")
    assert titles["title"].tolist() == ["After the edit"]
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 2


def test_a_file_that_turns_bad_moves_from_articles_to_rejects(raw, warehouse):
    path = write_article(raw / "2020-07-06", "001_00000000000000ef.txt")
    run_ingest(raw, warehouse)
    path.write_bytes(b"")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))

    run_ingest(raw, warehouse)

    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 1
    assert duck(warehouse, "rejects", "select reason from t")["reason"].tolist() == ["empty"]
    assert not (warehouse / "articles" / "ingest_date=2020-07-06").exists()


def test_touched_file_with_same_bytes_is_not_reprocessed(raw, warehouse):
    run_ingest(raw, warehouse)
    seed = next((raw / "2020-07-05").iterdir())
    os.utime(seed, ns=(seed.stat().st_atime_ns, seed.stat().st_mtime_ns + 10**9))

    run = run_ingest(raw, warehouse)
    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 1
    again = run_ingest(raw, warehouse)

    assert run["articles"] == 0 and run["days_published"] == 1  # the manifest day, for the new mtime
    assert again["files_processed"] == 0 and again["days_published"] == 0
    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 1


def test_backfill_removes_rows_of_vanished_files(raw, warehouse):
    gone = write_article(raw / "2020-07-05", "001_00000000000000ff.txt", title="Soon gone")
    run_ingest(raw, warehouse)
    gone.unlink()

    run_ingest(raw, warehouse)
    assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 2  # ingest leaves days alone
    run_backfill(raw, warehouse, "2020-07-05", "2020-07-05")

    assert duck(warehouse, "articles", "select title from t")["title"].tolist() == [
        "Iranian-backed militias in Iraq push their gains on July 4"]
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 1


def test_files_without_a_day_folder_take_their_modification_day(raw, warehouse):
    path = write_article(raw / "loose", "001_00000000000000a1.txt")
    stamp = 1_600_000_000  # 2020-09-13 12:26:40 UTC
    os.utime(path, (stamp, stamp))

    run_ingest(raw, warehouse)

    days = duck(warehouse, "articles", "select source_path, ingest_date from t order by 1")
    assert str(days["ingest_date"][1])[:10] == "2020-09-13"


def test_each_run_has_its_row(raw, warehouse):
    run_ingest(raw, warehouse)
    run_backfill(raw, warehouse, "2020-07-05", "2020-07-05")

    runs = duck(warehouse, "runs", "select flow, status, articles, run_date, finished_at >= started_at ok from t order by started_at")
    assert runs["flow"].tolist() == ["ingest", "backfill"]
    assert runs["status"].tolist() == ["success", "success"]
    assert runs["ok"].all()


def test_the_shipped_raw_zone_ingests_as_documented(tmp_path):
    shipped = Path(__file__).resolve().parents[2] / "raw"
    warehouse = tmp_path / "warehouse"

    run = run_ingest(shipped, warehouse)

    assert (run["files_seen"], run["articles"], run["rejects"]) == (6, 5, 1)
    rows = duck(warehouse, "articles", "select source_path, publisher, language, encoding from t order by 1")
    assert rows["publisher"].tolist() == ["Baghdadpost", "Al-Monitor", "Le Monde", "The National", "El País"]
    assert rows["language"].tolist() == ["en", "en", "fr", "en", "es"]
    assert rows["encoding"].tolist()[3] == "cp1252"
    assert duck(warehouse, "rejects", "select reason from t")["reason"].tolist() == ["no_body"]
