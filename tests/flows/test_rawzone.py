"""rawzone.py: listing the raw zone (days, hidden files) and the backfill's day-range shortcut."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone

import pytest

from newsetl.flows.rawzone import scan_raw_zone


@pytest.fixture(autouse=True)
def _harness():  # no Prefect needed: plain functions
    yield


def _touch(path, day: date | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    if day is not None:
        stamp = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).timestamp()
        os.utime(path, (stamp, stamp))


@pytest.fixture
def zone(tmp_path):
    _touch(tmp_path / "2020-07-05" / "a.txt")
    _touch(tmp_path / "2020-07-06" / "b.txt")
    _touch(tmp_path / "2020-07-06" / "late" / "2020-07-05" / "c.txt")  # the nearest day folder decides
    _touch(tmp_path / "loose" / "d.txt", day=date(2020, 7, 5))  # no day folder: its mtime's day
    _touch(tmp_path / "loose" / "e.txt", day=date(2020, 7, 9))
    _touch(tmp_path / "2020-07-05" / ".hidden.txt")
    return tmp_path


def test_listing_gives_each_file_its_nearest_day_folder_or_mtime_day(zone):
    listing = scan_raw_zone(zone).to_pydict()

    assert listing["source_path"] == ["2020-07-05/a.txt", "2020-07-06/b.txt", "2020-07-06/late/2020-07-05/c.txt",
                                      "loose/d.txt", "loose/e.txt"]
    assert listing["ingest_date"] == [date(2020, 7, 5), date(2020, 7, 6), date(2020, 7, 5), date(2020, 7, 5),
                                      date(2020, 7, 9)]


def test_a_day_range_skips_files_of_day_folders_outside_it_but_nothing_in_it(zone):
    in_range = scan_raw_zone(zone, days=(date(2020, 7, 5), date(2020, 7, 5))).to_pydict()["source_path"]

    # b.txt is passed over; c.txt sits in an in-range folder inside an out-of-range one; loose files keep their mtime day
    assert in_range == ["2020-07-05/a.txt", "2020-07-06/late/2020-07-05/c.txt", "loose/d.txt", "loose/e.txt"]


def test_the_listing_is_split_into_arrow_chunks_without_changing_it(zone):
    assert scan_raw_zone(zone, chunk_files=1).equals(scan_raw_zone(zone))


def test_a_file_that_cannot_be_read_is_an_unreadable_reject_naming_it(tmp_path):
    from newsetl.flows.rawzone import read_raw_file

    # Listed, then gone before its batch read it (the same OSError path as a permission error).
    raw_file = read_raw_file(tmp_path, "2020-07-05/gone.txt", size_bytes=10, link_outside=False, max_file_bytes=100)

    assert raw_file.raw is None and raw_file.reject_reason == "unreadable"
    assert "2020-07-05/gone.txt could not be read" in raw_file.reject_detail
    assert "run ingest again" in raw_file.reject_detail
    assert len(raw_file.source_sha256) == 64


def test_a_file_over_the_cap_is_rejected_without_being_read_whole(tmp_path):
    from newsetl.flows.rawzone import read_raw_file

    _touch(tmp_path / "big.txt")
    (tmp_path / "big.txt").write_bytes(b"x" * 1000)
    raw_file = read_raw_file(tmp_path, "big.txt", size_bytes=1000, link_outside=False, max_file_bytes=100)

    assert (raw_file.raw, raw_file.reject_reason) == (None, "too_large")
    assert "--max-file-bytes" in raw_file.reject_detail
