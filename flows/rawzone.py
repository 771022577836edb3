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

import pandas as pd

_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LISTING_COLUMNS = ["source_path", "size_bytes", "modified_us", "ingest_date", "link_outside"]


def scan_raw_zone(root: str | Path) -> pd.DataFrame:
    """Every non-hidden file under `root`: source_path, size_bytes, modified_us, ingest_date, link_outside."""
    root = Path(root).resolve()
    paths, sizes, mtimes, days, outside = [], [], [], [], []
    stack: list[tuple[str, str, date | None]] = [(str(root), "", None)]
    while stack:
        folder, prefix, folder_day = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a folder we may not list: its files are not seen (and `status` shows the count)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, relative + "/", _day_of_folder(entry.name) or folder_day))
                continue
            is_outside = False
            try:
                if entry.is_symlink():
                    target = Path(os.path.realpath(entry.path))
                    if target.is_dir():
                        continue  # links to folders are not followed at all: no loops, no doubles
                    is_outside = not target.is_relative_to(root)
                    stat = entry.stat(follow_symlinks=False) if is_outside or not target.exists() else target.stat()
                elif entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                else:
                    continue  # sockets, fifos, devices are not files to ingest
            except OSError:
                continue
            modified_us = stat.st_mtime_ns // 1000
            paths.append(relative)
            sizes.append(stat.st_size)
            mtimes.append(modified_us)
            days.append(folder_day or datetime.fromtimestamp(modified_us / 1e6, tz=timezone.utc).date())
            outside.append(is_outside)
    listing = pd.DataFrame({
        "source_path": pd.Series(paths, dtype="object"),
        "size_bytes": pd.Series(sizes, dtype="int64"),
        "modified_us": pd.Series(mtimes, dtype="int64"),
        "ingest_date": pd.Series(days, dtype="object"),
        "link_outside": pd.Series(outside, dtype="bool"),
    })
    return listing.sort_values("source_path", ignore_index=True)


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
    path = root / source_path
    if link_outside:
        return RawFile(source_path, _sha256_text(os.readlink(path)), None, "link_outside_root",
                       f"{source_path} is a symbolic link to a file outside the raw root, which is never "
                       "followed; copy the file into the raw zone instead.")
    try:
        if size_bytes > max_file_bytes:
            return RawFile(source_path, _sha256_of_file(path), None, "too_large",
                           f"{source_path} is {size_bytes:,} bytes, over the {max_file_bytes:,}-byte cap "
                           "per file; split it or raise --max-file-bytes if it really is one article.")
        data = path.read_bytes()
    except OSError as error:
        return RawFile(source_path, _sha256_text(source_path), None, "unreadable",
                       f"{source_path} could not be read ({error.strerror or error}); "
                       "check its permissions and run ingest again.")
    return RawFile(source_path, hashlib.sha256(data).hexdigest(), data)


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_text(text: str) -> str:
    """Stand-in hash for files whose bytes cannot be read: stable, and never equal to a real file's."""
    return hashlib.sha256(b"unreadable:" + text.encode("utf-8", "surrogateescape")).hexdigest()
