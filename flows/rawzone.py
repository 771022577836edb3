"""The raw zone: which files there are, their day, and reading their bytes.

Hidden files and folders are ignored; symbolic links are followed only when
they stay inside the raw root (a link out of it becomes a reject).
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LISTING_SCHEMA = pa.schema([("source_path", pa.string()), ("size_bytes", pa.int64()), ("modified_us", pa.int64()),
                            ("ingest_date", pa.date32()), ("link_outside", pa.bool_())])
LISTING_COLUMNS = LISTING_SCHEMA.names

# Listed entries held as Python objects before they become Arrow: bounds the scan's memory
# whatever the size of the raw zone (a Python row costs ~0.5 KB, an Arrow row ~60 bytes).
SCAN_CHUNK_FILES = 20_000


def scan_raw_zone(root: str | Path, *, days: tuple[date, date] | None = None,
                  chunk_files: int = SCAN_CHUNK_FILES) -> pa.Table:
    """Every non-hidden file under `root`, sorted by path: source_path, size_bytes, modified_us,
    ingest_date, link_outside.

    With `days` (first, last), files inside a day folder outside that range are passed over
    without a stat (a backfill of one day need not stat the whole raw zone); folders are still
    entered, since a nested day folder may be in range, and files without a day folder are
    listed, since their day comes from their mtime."""
    root = Path(root).resolve()
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
        except OSError:
            continue  # a folder we may not list: its files are not seen (and `status` shows the count)
        with entries:
            out_of_range = days is not None and folder_day is not None and not days[0] <= folder_day <= days[1]
            for entry in entries:  # one entry at a time: a folder of 400k files is never a list
                if out_of_range and not entry.is_dir(follow_symlinks=False):
                    continue
                listed = _listed(entry, root, prefix, folder_day)
                if listed is None:
                    continue
                if isinstance(listed, tuple):
                    stack.append(listed)
                    continue
                for name, value in zip(LISTING_COLUMNS, listed):
                    rows[name].append(value)
                if len(rows["source_path"]) >= chunk_files:
                    flush()
    flush()
    listing = pa.Table.from_batches(chunks, schema=LISTING_SCHEMA)
    return listing.take(pc.sort_indices(listing, sort_keys=[("source_path", "ascending")]))


def _listed(entry: os.DirEntry, root: Path, prefix: str, folder_day: date | None):
    """A listing row for a file, a stack item for a folder to descend into, or None to skip."""
    if entry.name.startswith("."):
        return None
    relative = f"{prefix}{entry.name}"
    try:
        if entry.is_dir(follow_symlinks=False):
            return (entry.path, relative + "/", _day_of_folder(entry.name) or folder_day)
        is_outside = False
        if entry.is_symlink():
            target = Path(os.path.realpath(entry.path))
            if target.is_dir():
                return None  # links to folders are not followed at all: no loops, no doubles
            is_outside = not target.is_relative_to(root)
            stat = entry.stat(follow_symlinks=False) if is_outside or not target.exists() else target.stat()
        elif entry.is_file(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
        else:
            return None  # sockets, fifos, devices are not files to ingest
    except OSError:
        return None
    modified_us = stat.st_mtime_ns // 1000
    day = folder_day or datetime.fromtimestamp(modified_us / 1e6, tz=timezone.utc).date()
    return [relative, stat.st_size, modified_us, day, is_outside]


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


def read_raw_file(root: Path, source_path: str, *, size_bytes: int, link_outside: bool,
                  max_file_bytes: int) -> RawFile:
    """The bytes and sha256 of one raw file, or the reason it cannot be read."""
    path = os.path.join(root, source_path)  # a str path and open(): pathlib cost ~25 us a file here
    if link_outside:
        return RawFile(source_path, _sha256_text(os.readlink(path)), None, "link_outside_root",
                       f"{source_path} is a symbolic link to a file outside the raw root, which is never "
                       "followed; copy the file into the raw zone instead.")
    try:
        if size_bytes > max_file_bytes:
            return RawFile(source_path, _sha256_of_file(path), None, "too_large",
                           f"{source_path} is {size_bytes:,} bytes, over the {max_file_bytes:,}-byte cap "
                           "per file; split it or raise --max-file-bytes if it really is one article.")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return RawFile(source_path, _sha256_text(source_path), None, "unreadable",
                       f"{source_path} could not be read ({error.strerror or error}); "
                       "check its permissions and run ingest again.")
    return RawFile(source_path, hashlib.sha256(data).hexdigest(), data)


def _sha256_of_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_text(text: str) -> str:
    """Stand-in hash for files whose bytes cannot be read: stable, and never equal to a real file's."""
    return hashlib.sha256(b"unreadable:" + text.encode("utf-8", "surrogateescape")).hexdigest()
