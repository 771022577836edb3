"""Whole runs under hostile conditions: a raw root that vanishes or is empty must never empty published
days, and odd entries (special files, names that are not UTF-8, far-future times) never stop a run."""
from __future__ import annotations

import os
import socket
from datetime import date, datetime, timezone
from pathlib import Path


from newsetl.flows.ingest import backfill_flow
from newsetl.flows.settings import resolve_settings
from tests.conftest import write_article
from tests.flows.conftest import after_the_root_is_listed, duck, run_backfill, run_ingest


def _backfill_state(raw: Path, warehouse: Path, day: str, **options):
    settings = resolve_settings(str(raw), str(warehouse), **options)
    return backfill_flow(settings, date.fromisoformat(day), date.fromisoformat(day), return_state=True)


def _titles(warehouse: Path) -> list[str]:
    return sorted(duck(warehouse, "articles", "select title from t")["title"])


def test_a_backfill_whose_raw_root_vanishes_while_listing_publishes_nothing(raw, warehouse, monkeypatch):
    write_article(raw / "2020-07-06", "001_00000000000000a1.txt", title="Second day")
    run_ingest(raw, warehouse)
    before = _titles(warehouse)
    after_the_root_is_listed(monkeypatch, lambda: raw.rename(raw.parent / "unmounted"))
    state = _backfill_state(raw, warehouse, "2020-07-05")
    monkeypatch.undo()

    assert state.is_failed() and "vanished or was replaced" in state.message
    assert _titles(warehouse) == before


def test_a_backfill_of_a_day_with_no_raw_files_left_is_refused_unless_allowed(raw, warehouse):
    write_article(raw / "2020-07-06", "001_00000000000000a1.txt", title="Second day")
    run_ingest(raw, warehouse)
    (raw / "2020-07-06" / "001_00000000000000a1.txt").unlink()  # or a share that is not mounted

    refused = _backfill_state(raw, warehouse, "2020-07-06")

    assert refused.is_failed()
    assert "raw/ holds no file for 2020-07-06" in refused.message and "--allow-empty" in refused.message
    assert "Second day" in _titles(warehouse)

    run_backfill(raw, warehouse, "2020-07-06", "2020-07-06", allow_empty=True)

    assert "Second day" not in _titles(warehouse)


def test_special_files_odd_names_and_far_future_times_never_stop_a_run(tmp_path, warehouse):
    # On tmpfs where the machine has one: it keeps modification times past the year 9999.
    base = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else tmp_path
    raw = Path(os.path.realpath(base)) / f"newsetl-hostile-{os.getpid()}-{tmp_path.name}"
    day = raw / "2020-07-05"
    write_article(day, "001_00000000000000b1.txt", title="A regular article")
    with open(os.path.join(os.fsencode(day), b"002_caf\xe9.txt"), "wb") as handle:
        handle.write("World - Reuters\n\nA latin-1 name\n\nIts body.\n".encode())
    write_article(raw, "003_far_future.txt", title="From the far future")
    os.utime(raw / "003_far_future.txt", (4e11, 4e11))  # about the year 14,700 (ext4 keeps 2446 instead)
    kept = datetime.fromtimestamp(min(os.stat(raw / "003_far_future.txt").st_mtime, 253402300799), timezone.utc)
    os.mkfifo(day / "004_fifo.txt")
    os.symlink("/dev/zero", day / "005_zero.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(day / "006_socket.txt"))
    try:
        first = run_ingest(raw, warehouse)
        second = run_ingest(raw, warehouse)
    finally:
        listener.close()
        for path in sorted(raw.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        raw.rmdir()

    articles = duck(warehouse, "articles", "select source_path, title, ingest_date from t order by 1")
    rejects = duck(warehouse, "rejects", "select source_path, reason from t order by 1")
    assert articles["source_path"].tolist() == ["003_far_future.txt", "2020-07-05/001_00000000000000b1.txt",
                                                "2020-07-05/002_caf\\xe9.txt"]
    far = articles.set_index("source_path").loc["003_far_future.txt", "ingest_date"]
    assert far.date() == kept.date()  # 9999-12-31 on tmpfs: the last day a date can hold
    assert rejects.values.tolist() == [["2020-07-05/004_fifo.txt", "not_a_regular_file"],
                                       ["2020-07-05/005_zero.txt", "link_outside_root"],
                                       ["2020-07-05/006_socket.txt", "not_a_regular_file"]]
    assert (first["files_seen"], first["articles"], first["rejects"]) == (6, 3, 3)
    assert second["files_processed"] == 0  # converged: nothing is taken again
