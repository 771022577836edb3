"""`newsetl status`: days and row counts, the last runs, pending and vanished raw files, the lock."""
from __future__ import annotations

import json
import socket

from newsetl.flows.lock import lock_path, writer_lock
from newsetl.flows.status import render_status, warehouse_status
from tests.conftest import write_article
from tests.flows.conftest import run_backfill, run_ingest


def _status(raw, warehouse) -> str:
    return render_status(warehouse_status(warehouse, raw))


def test_status_shows_days_runs_and_pending_files(raw, warehouse):
    run_ingest(raw, warehouse)
    write_article(raw / "2020-07-06", "001_00000000000000e1.txt")

    text = _status(raw, warehouse)

    lines = text.splitlines()
    assert lines[lines.index("rows per day:") + 1].split() == ["articles", "paragraphs", "signatures", "files"]
    assert ["2020-07-05", "1", "9", "1", "1"] in [line.split() for line in lines]
    assert "last 1 runs:" in text and " ingest " in text and " success " in text
    assert "pending raw files (next ingest would process): 1" in text
    assert "lock: free" in text


def test_status_reports_a_published_file_that_vanished_from_raw(raw, warehouse):
    gone = write_article(raw / "2020-07-05", "001_00000000000000e2.txt")
    run_ingest(raw, warehouse)
    gone.unlink()

    text = _status(raw, warehouse)

    assert "published files no longer in raw/ (a backfill of their day removes them): 1" in text


def test_status_tells_a_held_lock_from_a_stale_one(raw, warehouse):
    run_ingest(raw, warehouse)
    with writer_lock(warehouse, command="backfill run F", timeout=0):
        assert "lock: held by pid" in _status(raw, warehouse)

    lock_path(warehouse).write_text(json.dumps({"pid": 999999, "host": socket.gethostname(),
                                                "started_at": "2020-07-05T10:00:00+00:00", "command": "ingest run G"}))
    (warehouse / ".staging" / "run-g").mkdir(parents=True)
    text = _status(raw, warehouse)

    assert "stale lock: left by pid 999999" in text and "ingest run G" in text and "(1 folder(s))" in text


def test_status_names_the_days_an_older_cleaning_version_made_and_how_to_backfill_them(raw, warehouse, monkeypatch):
    import newsetl.flows.settings
    import newsetl.flows.status

    monkeypatch.setattr(newsetl.flows.settings, "CLEANING_VERSION", "0.9.0")  # rows written by an older cleaning
    run_ingest(raw, warehouse)
    monkeypatch.undo()

    text = _status(raw, warehouse)
    assert (f"days cleaned by an older cleaning version than {newsetl.flows.status.CLEANING_VERSION}: 1 (2020-07-05 .. "
            "2020-07-05); re-clean them from raw/ with `newsetl backfill --start 2020-07-05 --end 2020-07-05`") in text

    run_ingest(raw, warehouse)  # nothing changed in raw/: the day stays as it was
    assert "older cleaning version" in _status(raw, warehouse)

    run_backfill(raw, warehouse, "2020-07-05", "2020-07-05")
    assert "older cleaning version" not in _status(raw, warehouse)


def test_status_counts_near_duplicates_and_shows_a_method_version_mismatch(raw, warehouse):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from newsetl.transforms.identity import article_id_for
    from newsetl.transforms.neardup import METHOD
    from tests.flows.test_near_duplicates import story

    write_article(raw / "2020-07-06", "001_00000000000000f1.txt", paragraphs=story(3))
    write_article(raw / "2020-07-07", "002_00000000000000f2.txt", paragraphs=story(3)[1:])
    run_ingest(raw, warehouse)

    text = _status(raw, warehouse)
    root = article_id_for("2020-07-06/001_00000000000000f1.txt")
    assert f"near-duplicates: 1 articles in 1 clusters (biggest, root and size: {root} (2))" in text
    assert f"near-duplicate method: {METHOD.version}" in text

    part = next((warehouse / "signatures" / "ingest_date=2020-07-06").glob("*.parquet"))
    old = pq.read_table(part)
    old = old.set_column(old.schema.get_field_index("method_version"), "method_version",
                         pc.cast(pc.binary_replace_slice(old.column("method_version"), 0, 7, "minhash0"), old.schema.field("method_version").type))
    pq.write_table(old, part)
    text = _status(raw, warehouse)
    assert "near-duplicate method version mismatch: 1 signatures on 1 day(s) (2020-07-06 .. 2020-07-06)" in text
