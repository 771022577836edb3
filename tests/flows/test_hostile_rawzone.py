"""The raw zone under hostile conditions: special files, odd names and times, files swapped between
listing and reading, and a raw root that is missing or vanishes. Plain functions; no Prefect."""
from __future__ import annotations

import os
import socket
import threading
from datetime import date
from pathlib import Path

import pytest

from newsetl.flows import rawzone
from newsetl.flows.rawzone import RawZoneError, read_raw_file, scan_raw_zone
from tests.flows.conftest import after_the_root_is_listed

ARTICLE = b"World - Reuters\n\nA headline\n\nFirst paragraph of the story.\n"


@pytest.fixture(autouse=True)
def _harness():  # no Prefect needed: plain functions
    yield


def _read(root: Path, row: dict, *, max_file_bytes: int = 10_000, seconds: float = 10.0):
    """read_raw_file for one listing row, in a thread: a read that blocks fails the test instead of hanging it."""
    result = {}
    reader = threading.Thread(daemon=True, target=lambda: result.update(file=read_raw_file(
        root, row["source_path"], size_bytes=row["size_bytes"], link_outside=row["link_outside"],
        max_file_bytes=max_file_bytes, not_regular=row["not_regular"], fs_path=row["fs_path"])))
    reader.start()
    reader.join(seconds)
    assert not reader.is_alive(), f"reading {row['source_path']} blocked"
    return result["file"]


def _rows(root: Path) -> dict[str, dict]:
    return {row["source_path"]: row for row in scan_raw_zone(root).to_pylist()}


def test_fifos_sockets_and_links_to_devices_are_listed_and_never_opened(tmp_path):
    raw = tmp_path / "raw"
    day = raw / "2020-07-05"
    day.mkdir(parents=True)
    os.mkfifo(day / "fifo.txt")
    os.mkfifo(day / "fifo-behind-link")
    os.symlink(day / "fifo-behind-link", day / "link-to-fifo.txt")
    os.symlink("/dev/zero", day / "zero.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(day / "socket.txt"))
    try:
        rows = _rows(raw)
        reasons = {path: _read(raw, row).reject_reason for path, row in rows.items()}
    finally:
        server.close()

    assert reasons == {"2020-07-05/fifo.txt": "not_a_regular_file", "2020-07-05/fifo-behind-link": "not_a_regular_file",
                       "2020-07-05/link-to-fifo.txt": "not_a_regular_file", "2020-07-05/socket.txt": "not_a_regular_file",
                       "2020-07-05/zero.txt": "link_outside_root"}


def test_a_link_to_a_device_that_the_listing_missed_is_still_never_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    os.symlink("/dev/zero", raw / "zero.txt")
    row = {"source_path": "zero.txt", "size_bytes": 0, "link_outside": False, "not_regular": False, "fs_path": None}

    assert _read(raw, row).reject_reason == "link_outside_root"


def test_a_file_swapped_for_a_link_out_of_the_root_after_listing_is_not_read(tmp_path):
    raw, secret = tmp_path / "raw", tmp_path / "secret.txt"
    raw.mkdir()
    secret.write_bytes(ARTICLE)
    (raw / "a.txt").write_bytes(ARTICLE)
    row = _rows(raw)["a.txt"]
    (raw / "a.txt").unlink()
    os.symlink(secret, raw / "a.txt")

    read = _read(raw, row)

    assert (read.raw, read.reject_reason) == (None, "link_outside_root")


def test_a_folder_swapped_for_a_link_out_of_the_root_after_listing_is_not_read(tmp_path):
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    (raw / "2020-07-05").mkdir(parents=True)
    elsewhere.mkdir()
    (raw / "2020-07-05" / "a.txt").write_bytes(ARTICLE)
    (elsewhere / "a.txt").write_bytes(b"secret " + ARTICLE)
    row = _rows(raw)["2020-07-05/a.txt"]
    (raw / "2020-07-05").rename(tmp_path / "moved")
    os.symlink(elsewhere, raw / "2020-07-05")

    read = _read(raw, row)

    assert (read.raw, read.reject_reason) == (None, "link_outside_root")


def test_a_fifo_swapped_in_after_listing_does_not_block(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(ARTICLE)
    row = _rows(raw)["a.txt"]
    (raw / "a.txt").unlink()
    os.mkfifo(raw / "a.txt")

    assert _read(raw, row).reject_reason == "not_a_regular_file"


def test_a_read_takes_at_most_the_cap_plus_one_byte_whatever_the_listing_said(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "grown.txt").write_bytes(b"x" * 100_000)
    row = {"source_path": "grown.txt", "size_bytes": 10, "link_outside": False, "not_regular": False, "fs_path": None}
    taken = []
    real_read = os.read
    monkeypatch.setattr(rawzone.os, "read", lambda fd, n: taken.append(real_read(fd, n)) or taken[-1])

    read = _read(raw, row, max_file_bytes=1_000)

    assert read.reject_reason == "too_large" and "1,000-byte cap" in read.reject_detail
    assert sum(len(block) for block in taken) == 1_001


def test_a_name_that_is_not_utf8_is_listed_losslessly_and_read(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2020-07-05").mkdir(parents=True)
    name = b"2020-07-05/caf\xe9-\xff.txt"  # latin-1 bytes from an old system: not UTF-8
    with open(os.path.join(os.fsencode(raw), name), "wb") as handle:
        handle.write(ARTICLE)

    row = scan_raw_zone(raw).to_pylist()[0]

    assert row["source_path"] == "2020-07-05/caf\\xe9-\\xff.txt"
    assert row["source_path"].encode("utf-8")  # a valid Parquet string
    assert row["fs_path"] == name and row["ingest_date"] == date(2020, 7, 5)
    assert _read(raw, row).raw == ARTICLE


class _Entry:
    """A DirEntry whose stat() returns what an odd filesystem may: any modification time."""

    def __init__(self, root: Path, name: str, mtime_ns: int) -> None:
        self.name, self.path, self._mtime_ns = name, str(root / name), mtime_ns

    def is_dir(self, follow_symlinks=True):
        return False

    def stat(self, follow_symlinks=True):
        return _Stat(os.stat(self.path), self._mtime_ns)


class _Stat:
    def __init__(self, real: os.stat_result, mtime_ns: int) -> None:
        self.st_mode, self.st_size, self.st_mtime_ns = real.st_mode, real.st_size, mtime_ns


@pytest.mark.parametrize("mtime_ns, day", [(400_000_000_000 * 10**9, date(9999, 12, 31)),
                                           (-70_000_000_000 * 10**9, date(1, 1, 1)),
                                           (2**70, date(9999, 12, 31))])
def test_a_modification_time_beyond_what_a_date_holds_is_clamped_not_fatal(tmp_path, mtime_ns, day):
    (tmp_path / "far.txt").write_bytes(ARTICLE)

    row = rawzone._listed(_Entry(tmp_path, "far.txt", mtime_ns), str(tmp_path), "", None)

    assert row[0] == "far.txt" and row[3] == day


def test_a_far_future_time_from_the_filesystem_is_listed(tmp_path):
    # tmpfs keeps times past year 9999 (ext4 caps them): use it where the machine has one.
    base = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else tmp_path
    raw = Path(os.path.realpath(base)) / f"newsetl-far-{os.getpid()}-{tmp_path.name}"
    raw.mkdir()
    try:
        (raw / "far.txt").write_bytes(ARTICLE)
        os.utime(raw / "far.txt", (4e11, 4e11))  # about the year 14,700

        row = scan_raw_zone(raw).to_pylist()[0]

        assert row["source_path"] == "far.txt"
        assert row["ingest_date"] <= date(9999, 12, 31)
    finally:
        for child in raw.iterdir():
            child.unlink()
        raw.rmdir()


def test_a_missing_raw_root_is_an_error_not_an_empty_listing(tmp_path):
    with pytest.raises(RawZoneError, match="cannot be read"):
        scan_raw_zone(tmp_path / "unmounted")


def test_a_raw_root_that_vanishes_while_listed_is_an_error(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    for day in ("2020-07-05", "2020-07-06"):
        (raw / day).mkdir(parents=True)
        (raw / day / "a.txt").write_bytes(ARTICLE)
    after_the_root_is_listed(monkeypatch, lambda: raw.rename(tmp_path / "gone"))  # its share goes away

    with pytest.raises(RawZoneError, match="vanished or was replaced"):
        scan_raw_zone(raw)


def test_a_raw_root_replaced_while_listed_is_an_error(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "2020-07-05").mkdir(parents=True)

    def swap() -> None:  # an empty folder mounted over the root, or a new folder under the old name
        raw.rename(tmp_path / "old")
        raw.mkdir()
        (raw / "2020-07-05").mkdir()

    after_the_root_is_listed(monkeypatch, swap)

    with pytest.raises(RawZoneError, match="vanished or was replaced"):
        scan_raw_zone(raw)


def test_an_unlistable_folder_is_passed_over_by_ingest_and_fatal_to_a_backfill(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    for day in ("2020-07-05", "2020-07-06"):
        (raw / day).mkdir(parents=True)
        (raw / day / "a.txt").write_bytes(ARTICLE)
    real_scandir = os.scandir

    def denied(path):
        if str(path).endswith("2020-07-06"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(rawzone.os, "scandir", denied)

    assert scan_raw_zone(raw).column("source_path").to_pylist() == ["2020-07-05/a.txt"]
    with pytest.raises(RawZoneError, match="2020-07-06 could not be listed"):
        scan_raw_zone(raw, strict=True)
