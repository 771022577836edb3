"""The raw zone: which files there are, their day, and reading their bytes.

Hidden files and folders are ignored; symbolic links are followed only when
they stay inside the raw root (a link out of it becomes a reject). Every other
entry, FIFOs, sockets and devices included, is listed, so it ends up as an
article or a reject. Reads never leave the root, never block and never take
more than the cap plus one byte, whatever the listing said.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat as stat_mode
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger("newsetl.rawzone")

_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LISTING_SCHEMA = pa.schema([("source_path", pa.string()), ("size_bytes", pa.int64()), ("modified_us", pa.int64()),
                            ("ingest_date", pa.date32()), ("link_outside", pa.bool_()),
                            # A FIFO, socket or device (itself or behind a link inside the root): never opened.
                            ("not_regular", pa.bool_()),
                            # The path's bytes when they are not UTF-8 (source_path then shows them as \xNN).
                            ("fs_path", pa.binary())])
LISTING_COLUMNS = LISTING_SCHEMA.names

# Listed entries held as Python objects before they become Arrow: bounds the scan's memory
# whatever the size of the raw zone (a Python row costs ~0.5 KB, an Arrow row ~60 bytes).
SCAN_CHUNK_FILES = 20_000

# Modification times are kept within what a date can hold (years 1 to 9999): tmpfs and some
# archives return times far beyond, and one such file must not stop every run.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MIN_US = (datetime(1, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)
_MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)


class RawZoneError(Exception):
    """The raw zone could not be listed whole (missing, unreadable, vanished); the message is one sentence."""


def scan_for_run(root: str | Path, start: date | None, end: date | None) -> pa.Table:
    """The listing a run plans from: all of raw/ for an ingest; for a backfill of start..end, the files
    of those days, listed strictly (a folder it could not list would look like files removed, and
    their rows would go)."""
    return scan_raw_zone(root, days=None if start is None else (start, end), strict=start is not None)


def scan_raw_zone(root: str | Path, *, days: tuple[date, date] | None = None,
                  chunk_files: int = SCAN_CHUNK_FILES, strict: bool = False) -> pa.Table:
    """Every non-hidden file under `root`, sorted by path (see LISTING_SCHEMA).

    A root that is missing, unreadable, or vanishes or is replaced while it is listed raises
    RawZoneError: a run must not take an empty listing for an empty raw zone. A sub-folder that
    cannot be listed is logged and passed over, or raises with `strict` (a backfill, which would
    otherwise remove the rows of the files it could not see).

    With `days` (first, last), files inside a day folder outside that range are passed over
    without a stat (a backfill of one day need not stat the whole raw zone); folders are still
    entered, since a nested day folder may be in range, and files without a day folder are
    listed, since their day comes from their mtime."""
    root = Path(root).resolve()
    identity = _root_identity(root)
    chunks: list[pa.RecordBatch] = []
    rows: dict[str, list] = {name: [] for name in LISTING_COLUMNS}

    def flush() -> None:
        if rows["source_path"]:
            chunks.append(pa.RecordBatch.from_pydict(rows, schema=LISTING_SCHEMA))
            for values in rows.values():
                values.clear()

    stack: list[tuple[str, str, date | None]] = [(str(root), "", None)]
    while stack:
        folder, prefix, folder_day = stack.pop()
        try:
            entries = os.scandir(folder)
            with entries:
                out_of_range = days is not None and folder_day is not None and not days[0] <= folder_day <= days[1]
                for entry in entries:  # one entry at a time: a folder of 400k files is never a list
                    if out_of_range and not entry.is_dir(follow_symlinks=False):
                        continue
                    listed = _listed(entry, str(root), prefix, folder_day)
                    if listed is None:
                        continue
                    if isinstance(listed, tuple):
                        stack.append(listed)
                        continue
                    for name, value in zip(LISTING_COLUMNS, listed):
                        rows[name].append(value)
                    if len(rows["source_path"]) >= chunk_files:
                        flush()
        except OSError as error:
            _check_root(root, identity)  # a vanished or replaced root is the run's error, not a folder's
            if folder == str(root) or strict:
                raise RawZoneError(f"{_display(folder)} could not be listed ({error.strerror or error}); "
                                   "nothing was published: check its permissions or mount and run again.") from None
            log.warning("folder %s could not be listed (%s): its files are not seen this run",
                        _display(folder), error.strerror or error)
    _check_root(root, identity)
    flush()
    listing = pa.Table.from_batches(chunks, schema=LISTING_SCHEMA)
    return listing.take(pc.sort_indices(listing, sort_keys=[("source_path", "ascending")]))


def _root_identity(root: Path) -> tuple[int, int]:
    try:
        info = os.stat(root)
    except OSError as error:
        raise RawZoneError(f"raw folder {root} cannot be read ({error.strerror or error}); nothing was published: "
                           "check the path or mount, or pass --raw PATH.") from None
    if not stat_mode.S_ISDIR(info.st_mode):
        raise RawZoneError(f"raw folder {root} is not a folder; nothing was published: pass --raw PATH.")
    return info.st_dev, info.st_ino


def _check_root(root: Path, identity: tuple[int, int]) -> None:
    try:
        now = os.stat(root)
    except OSError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != identity:
        raise RawZoneError(f"raw folder {root} vanished or was replaced while it was being listed (an unmounted "
                           "share or a renamed folder?); nothing was published: check it and run again.")


def _listed(entry: os.DirEntry, root: str, prefix: str, folder_day: date | None):
    """A listing row for a file, a stack item for a folder to descend into, or None to skip."""
    if entry.name.startswith("."):
        return None
    relative = f"{prefix}{entry.name}"
    try:
        if entry.is_dir(follow_symlinks=False):
            return (entry.path, relative + "/", _day_of_folder(entry.name) or folder_day)
        link_outside = False
        info = entry.stat(follow_symlinks=False)
        if stat_mode.S_ISLNK(info.st_mode):
            target = os.path.realpath(entry.path)
            if os.path.isdir(target):
                return None  # links to folders are not followed at all: no loops, no doubles
            link_outside = not _inside(target, root)
            if not link_outside:
                try:
                    info = os.stat(target)  # target is resolved: this follows nothing more
                except OSError:
                    pass  # dangling: read_raw_file makes it an `unreadable` reject
    except OSError:
        return None  # gone between the folder's listing and its stat
    not_regular = not (link_outside or stat_mode.S_ISREG(info.st_mode) or stat_mode.S_ISLNK(info.st_mode))
    modified_us = min(max(info.st_mtime_ns // 1000, _MIN_US), _MAX_US)
    day = folder_day or (_EPOCH + timedelta(microseconds=modified_us)).date()
    source_path, fs_path = source_path_of(relative)
    return [source_path, info.st_size, modified_us, day, link_outside, not_regular, fs_path]


def source_path_of(relative: str) -> tuple[str, bytes | None]:
    """The contract's `source_path` of a relative path as os.scandir names it, and its bytes when they
    are not UTF-8: such bytes are written as `\\xNN` (Parquet strings are UTF-8), the bytes kept to open it."""
    try:
        relative.encode("utf-8")
        return relative, None
    except UnicodeEncodeError:  # os.scandir gives undecodable bytes as lone surrogates
        fs_path = os.fsencode(relative)
        return fs_path.decode("utf-8", "backslashreplace"), fs_path


def _display(path: str) -> str:
    return source_path_of(path)[0]


def _inside(path: str | bytes, root: str | bytes) -> bool:
    sep = os.sep.encode() if isinstance(root, bytes) else os.sep
    return path == root or path.startswith(root.rstrip(sep) + sep)


def _day_of_folder(name: str) -> date | None:
    if not _DAY_FOLDER.match(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


@dataclass(frozen=True)
class RawFile:
    source_path: str
    source_sha256: str
    raw: bytes | None
    reject_reason: str | None = None
    reject_detail: str | None = None


class _Refused(Exception):
    """A raw file the reader will not open: outside the root, or not a regular file."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def read_raw_file(root: str | Path, source_path: str, *, size_bytes: int, link_outside: bool,
                  max_file_bytes: int, not_regular: bool = False, fs_path: bytes | None = None) -> RawFile:
    """The bytes and sha256 of one raw file, or the reason it cannot be read."""
    root_bytes = os.fsencode(root)
    path = os.path.join(root_bytes, fs_path if fs_path is not None else source_path.encode("utf-8"))
    if link_outside:
        return _outside(source_path)
    if not_regular:
        return _not_regular(source_path)
    if size_bytes > max_file_bytes:
        return _too_large(source_path, size_bytes, max_file_bytes)
    try:
        data = _read_inside(root_bytes, path, limit=max_file_bytes + 1)
    except _Refused as refused:
        return _outside(source_path) if refused.reason == "link_outside_root" else _not_regular(source_path)
    except OSError as error:
        return RawFile(source_path, _sha256_text(source_path), None, "unreadable",
                       f"{source_path} could not be read ({error.strerror or error}); "
                       "check its permissions and run ingest again.")
    if len(data) > max_file_bytes:  # it grew after the listing
        return _too_large(source_path, len(data), max_file_bytes, at_least=True)
    return RawFile(source_path, hashlib.sha256(data).hexdigest(), data)


def _read_inside(root: bytes, path: bytes, *, limit: int) -> bytes:
    """At most `limit` bytes of the regular file at `path`, which must be (or link to) a file under `root`.

    Opened without following a final symbolic link and without blocking (a FIFO swapped in after
    the listing cannot hang the run); a link inside the root is resolved, checked and opened by its
    target. After opening, the open file itself is checked: a regular file, and (where /proc shows
    it) still under the root, so a folder swapped for a link between listing and reading is caught."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        target = os.path.realpath(path)  # a link: its target must be a regular file under the root
        if not _inside(target, root):
            raise _Refused("link_outside_root") from None
        if not stat_mode.S_ISREG(os.stat(target).st_mode):
            raise _Refused("not_a_regular_file") from None
        handle = os.open(target, flags)
    try:
        if not stat_mode.S_ISREG(os.fstat(handle).st_mode):
            raise _Refused("not_a_regular_file")
        try:
            opened = os.readlink(b"/proc/self/fd/%d" % handle)
        except OSError:
            opened = None  # no /proc (not Linux): O_NOFOLLOW and the checks above stand alone
        if opened is not None and not _inside(opened, root):
            raise _Refused("link_outside_root")
        os.set_blocking(handle, True)
        blocks, remaining = [], limit
        while remaining > 0:
            block = os.read(handle, min(remaining, 1 << 20))
            if not block:
                break
            blocks.append(block)
            remaining -= len(block)
        return b"".join(blocks)
    finally:
        os.close(handle)


def _outside(source_path: str) -> RawFile:
    return RawFile(source_path, _sha256_text(f"link_outside_root:{source_path}"), None, "link_outside_root",
                   f"{source_path} is a symbolic link to a file outside the raw root, which is never "
                   "followed; copy the file into the raw zone instead.")


def _not_regular(source_path: str) -> RawFile:
    return RawFile(source_path, _sha256_text(f"not_a_regular_file:{source_path}"), None, "not_a_regular_file",
                   f"{source_path} is not a regular file (a FIFO, socket or device, or a link to one), which is "
                   "never opened; remove it from the raw zone or replace it with the article file.")


def _too_large(source_path: str, size_bytes: int, max_file_bytes: int, *, at_least: bool = False) -> RawFile:
    # Its bytes are never read whole, so the hash stands in for them (stable for the same size).
    return RawFile(source_path, _sha256_text(f"too_large:{source_path}:{size_bytes}"), None, "too_large",
                   f"{source_path} is {'over ' if at_least else ''}{size_bytes:,} bytes, over the "
                   f"{max_file_bytes:,}-byte cap per file; split it or raise --max-file-bytes if it really is "
                   "one article.")


def _sha256_text(text: str) -> str:
    """Stand-in hash for files whose bytes are not read: stable, and never equal to a real file's."""
    return hashlib.sha256(b"unreadable:" + text.encode("utf-8", "surrogateescape")).hexdigest()
