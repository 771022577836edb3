"""The single writer of warehouse/: partition paths, staging, and the atomic swap of a day.

Nothing else writes under warehouse/. A day's next version is built in
`warehouse/.staging/<run>/publish/` (same filesystem, outside every table
folder), fsynced, then exchanged with the live partition folder in one
`renameat2(RENAME_EXCHANGE)`: a reader sees the old day or the new one.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import sys
import uuid
from datetime import date
from pathlib import Path
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsetl.schemas import TABLES, Table

log = logging.getLogger("newsetl.warehouse")

STAGING = ".staging"
# Days bigger than this are split over several files; one file per day otherwise.
MAX_ROWS_PER_FILE = 1_000_000
ROW_GROUP_ROWS = 64_000
# Also cut a row group at this many bytes of Arrow data, so a day of long articles is never held whole.
ROW_GROUP_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class BuiltDay:
    """A day's next version, written and fsynced in `folder` under staging (`Warehouse.build_day`),
    waiting for `Warehouse.swap_day`; `rows` 0: the day is to go."""
    table: Table
    day: date
    folder: Path
    rows: int


@dataclass(frozen=True)
class ParquetSettings:
    """How final day files are encoded, for every table (which columns get a dictionary comes from the
    table's declaration). Only codecs and encodings that DuckDB, Polars, pandas and Spark all read."""
    compression: str
    level: int | None  # None: the codec's own default (snappy and lz4 have no level)
    dictionary: bool | None  # None: per column, as the table declares (Column.dictionary); else every column

    def writer_options(self, table: Table) -> dict:
        """Keyword arguments of pyarrow.parquet.ParquetWriter for one table's files."""
        return {"compression": self.compression, "compression_level": self.level,
                "use_dictionary": table.dictionary_columns() if self.dictionary is None else self.dictionary}


# Day files are rewritten on every run that touches their day (each hourly run rewrites today's) and
# scanned many times a day; bench/parquet_settings.py on 20k and 100k articles (bench/README.md): zstd 3
# made the warehouse 5.6-6.2 % smaller than zstd 1 (most of it synthetic MinHash; text ~2 %, while ids
# grow) for 22-52 % more write CPU, and no scan got measurably faster; dictionaries on every column cost
# 6-15 % more write CPU and 3-4 % more bytes than where declared.
DAY_FILES = ParquetSettings(compression="zstd", level=1, dictionary=None)

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class WarehouseDamaged(Exception):
    """A published file cannot be read; the message names it and says how to rebuild it."""


class Warehouse:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # ---- paths -------------------------------------------------------------
    def table_dir(self, table: Table | str) -> Path:
        return self.root / _name(table)

    def partition_dir(self, table: Table | str, day: date) -> Path:
        table = TABLES[_name(table)]
        return self.table_dir(table) / f"{table.partition}={day.isoformat()}"

    @property
    def staging_root(self) -> Path:
        return self.root / STAGING

    def new_staging(self, run_id: str) -> Path:
        path = self.staging_root / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    # ---- reading -----------------------------------------------------------
    def days(self, table: Table | str) -> list[date]:
        """Days with a published partition, oldest first."""
        table = TABLES[_name(table)]
        prefix = f"{table.partition}="
        folder = self.table_dir(table)
        if not folder.is_dir():
            return []
        found = []
        for entry in os.scandir(folder):
            if entry.is_dir() and entry.name.startswith(prefix):
                try:
                    found.append(date.fromisoformat(entry.name[len(prefix):]))
                except ValueError:
                    continue
        return sorted(found)

    def read_day(self, table: Table | str, day: date, columns: list[str] | None = None) -> pa.Table:
        """One published day, without its partition column (empty if the day does not exist)."""
        table = TABLES[_name(table)]
        folder = self.partition_dir(table, day)
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        schema = table.file_schema()
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        if not files:
            return schema.empty_table()
        with self._naming_damage(files):
            parts = [pq.read_table(f, columns=schema.names, schema=schema) for f in files]
        return pa.concat_tables(parts)

    def iter_day(self, table: Table | str, day: date) -> Iterator[pa.Table]:
        """One published day a row group at a time, in file order (nothing if the day does not exist)."""
        table = TABLES[_name(table)]
        folder = self.partition_dir(table, day)
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            with self._naming_damage([path]):
                parquet = pq.ParquetFile(path)
                groups = [parquet.read_row_group(group) for group in range(parquet.num_row_groups)]
            yield from groups

    def read_table(self, table: Table | str, columns: list[str] | None = None,
                   filter: ds.Expression | None = None, days: Iterable[date] | None = None) -> pa.Table:
        """The whole table, or only the days `days` (only their files are opened, so time and memory
        follow them, not the warehouse), partition column included as a date; only rows matching
        `filter` when given (evaluated while scanning, so memory follows the matches, not the table)."""
        table = TABLES[_name(table)]
        schema = table.arrow_schema()
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        folder = self.table_dir(table)
        if days is None:
            if not folder.is_dir() or not self.days(table):
                return schema.empty_table()
            source, files = folder, lambda: sorted(folder.glob("*/*.parquet"))
        else:
            files = [path for day in sorted(set(days)) for path in sorted(self.partition_dir(table, day).glob("*.parquet"))]
            if not files:
                return schema.empty_table()
            source = [str(path) for path in files]
        dataset = ds.dataset(
            source,
            format="parquet",
            schema=table.arrow_schema(),
            partitioning=ds.partitioning(pa.schema([pa.field(table.partition, pa.date32())]), flavor="hive"),
            partition_base_dir=None if days is None else str(folder),
            exclude_invalid_files=False,
        )
        with self._naming_damage(files):
            return dataset.to_table(columns=schema.names, filter=filter).cast(schema)

    @contextmanager
    def _naming_damage(self, files):
        """Turn Arrow's error on an unreadable published file into one naming that file."""
        try:
            yield
        except (pa.ArrowException, OSError) as error:
            candidates = files() if callable(files) else files
            damaged = next((path for path in candidates if not _readable(path)), None)
            if damaged is None:
                raise
            day = damaged.parent.name.partition("=")[2]
            remedy = ("the record of that day's runs is then lost" if damaged.parent.parent.name == "runs" else
                      f"back-fill {day} (newsetl backfill --start {day} --end {day}) to rebuild it")
            raise WarehouseDamaged(f"{damaged} cannot be read as Parquet ({str(error).strip().splitlines()[0]}); "
                                   f"move it out of the warehouse; {remedy}.") from None

    # ---- writing -----------------------------------------------------------
    def publish_day(self, table: Table | str, day: date, rows: pa.Table | Iterable[pa.Table | pa.RecordBatch], *,
                    staging: Path, settings: ParquetSettings = DAY_FILES) -> str:
        """Replace one day of one table with `rows` (file schema) atomically; no rows removes the day.

        `rows` is one Arrow table, or chunks of the day in the order they go into the files: the
        day is then written chunk by chunk, never held whole. Each chunk is cast and checked for
        nulls as it arrives; the key is checked across the whole day (key columns only) before the
        swap, so a bad day never goes in. Days over MAX_ROWS_PER_FILE rows are split into
        part-00000.parquet, part-00001.parquet, ... in row order.

        `settings` are the Parquet encoding (DAY_FILES unless a benchmark compares others).
        Returns what happened: "replaced", "created", "removed" or "unchanged" (nothing there, nothing to write).
        """
        return self.swap_day(self.build_day(table, day, rows, staging=staging, settings=settings), staging=staging)

    def build_day(self, table: Table | str, day: date, rows: pa.Table | Iterable[pa.Table | pa.RecordBatch], *,
                  staging: Path, settings: ParquetSettings = DAY_FILES) -> BuiltDay:
        """The first half of `publish_day`: the day's next version written and fsynced under staging,
        nothing live touched yet; `swap_day` puts it in. Several days can wait built, then go in later."""
        table = TABLES[_name(table)]
        built = staging / "publish" / table.name / self.partition_dir(table, day).name
        if built.exists():  # debris of an earlier attempt of this very run
            shutil.rmtree(built)
        built.mkdir(parents=True)
        chunks = [rows] if isinstance(rows, (pa.Table, pa.RecordBatch)) else rows
        written = _write_day(table, built, chunks, settings)
        if written == 0:
            shutil.rmtree(built)
        else:
            _fsync_dir(built)
        return BuiltDay(table=table, day=day, folder=built, rows=written)

    def swap_day(self, built: BuiltDay, *, staging: Path) -> str:
        """The second half of `publish_day`: a day `build_day` wrote goes in, in one rename."""
        table, day, live = built.table, built.day, self.partition_dir(built.table, built.day)
        if built.rows == 0:
            if not live.exists():
                return "unchanged"
            self._retire(live, staging)
            log.info("published %s %s: removed (no rows left)", table.name, day)
            return "removed"
        outcome = self._swap_in(built.folder, live)
        log.info("published %s %s: %s, %d rows", table.name, day, outcome, built.rows)
        return outcome

    def create_table(self, table: Table | str, days: dict[date, pa.Table], *, staging: Path) -> None:
        """Create a table that does not exist yet with all its days (file schema) at once: the days
        are written and fsynced under staging, and the table folder appears in one rename, whole."""
        table = TABLES[_name(table)]
        built = staging / "publish-table" / table.name
        if built.exists():  # debris of an earlier attempt of this very run
            shutil.rmtree(built)
        built.mkdir(parents=True)
        for day, rows in sorted(days.items()):
            folder = built / f"{table.partition}={day.isoformat()}"
            folder.mkdir()
            _write_day(table, folder, [rows], DAY_FILES)
            _fsync_dir(folder)
        _fsync_dir(built)
        _rename_noreplace(built, self.table_dir(table))
        _fsync_dir(self.root)

    def _swap_in(self, built: Path, live: Path) -> str:
        """Exchange a fully written, fsynced day folder with the live one (or create it)."""
        live.parent.mkdir(parents=True, exist_ok=True)
        if live.exists():
            _exchange(built, live)
            _fsync_dir(live.parent)
            shutil.rmtree(built)  # now holds the old version
            return "replaced"
        _rename_noreplace(built, live)
        _fsync_dir(live.parent)
        return "created"

    def _retire(self, live: Path, staging: Path) -> None:
        """Take a day out of its table in one rename, then delete it outside the table."""
        graveyard = staging / "retired" / f"{live.parent.name}-{live.name}-{uuid.uuid4().hex[:8]}"
        graveyard.parent.mkdir(parents=True, exist_ok=True)
        os.rename(live, graveyard)
        _fsync_dir(live.parent)
        shutil.rmtree(graveyard)

    def drop_staging(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def clean_debris(self, *, keep: set[str] = frozenset()) -> list[str]:
        """Remove staging folders left by killed runs (the caller holds the writer lock)."""
        removed = []
        if self.staging_root.is_dir():
            for entry in os.scandir(self.staging_root):
                if entry.name not in keep:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(entry.name)
        return removed


def _write_day(table: Table, folder: Path, chunks: Iterable[pa.Table | pa.RecordBatch],
               settings: ParquetSettings) -> int:
    """Write a day's chunks into `folder` as part-NNNNN.parquet files; return the rows written."""
    schema = table.file_schema()
    options = settings.writer_options(table)
    keys, pending, pending_rows, pending_bytes = [], [], 0, 0
    writer, number, in_file, total = None, -1, 0, 0

    def flush() -> None:
        nonlocal writer, number, in_file, pending, pending_rows, pending_bytes
        data = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
        pending, pending_rows, pending_bytes = [], 0, 0
        start = 0
        while start < data.num_rows:
            if writer is None or in_file >= MAX_ROWS_PER_FILE:
                if writer is not None:
                    _close(writer, folder / f"part-{number:05d}.parquet")
                number, in_file = number + 1, 0
                writer = pq.ParquetWriter(folder / f"part-{number:05d}.parquet", schema, **options,
                                          coerce_timestamps="us", allow_truncated_timestamps=False)
            take = min(data.num_rows - start, MAX_ROWS_PER_FILE - in_file)
            writer.write_table(data.slice(start, take), row_group_size=ROW_GROUP_ROWS)
            start, in_file = start + take, in_file + take

    try:
        for chunk in chunks:
            if isinstance(chunk, pa.RecordBatch):
                chunk = pa.Table.from_batches([chunk])
            if chunk.num_rows == 0:
                continue
            chunk = table.to_arrow(chunk, with_partition=False, check_key=False)
            keys.append(chunk.select([k for k in table.key if k in chunk.column_names]))
            pending.append(chunk)
            pending_rows += chunk.num_rows
            pending_bytes += chunk.nbytes
            total += chunk.num_rows
            # A row group of ROW_GROUP_ROWS rows, or less when rows are big (article bodies).
            if pending_rows >= ROW_GROUP_ROWS or pending_bytes >= ROW_GROUP_BYTES:
                flush()
        if pending:
            flush()
        if keys:
            table.validate_key(pa.concat_tables(keys))
    finally:
        if writer is not None:
            writer.close()
    if writer is not None:
        _fsync_file(folder / f"part-{number:05d}.parquet")
    return total


def _close(writer: pq.ParquetWriter, path: Path) -> None:
    writer.close()
    _fsync_file(path)


def _readable(path: Path) -> bool:
    try:
        pq.read_metadata(path)
        return True
    except (pa.ArrowException, OSError):
        return False


def _name(table: Table | str) -> str:
    return table if isinstance(table, str) else table.name


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":  # directories cannot be opened for fsync there
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def _call_renameat2(source: Path, target: Path, flags: int) -> bool:
    """True when renameat2 did it; False when this system or filesystem lacks it."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(target))


def _exchange(built: Path, live: Path) -> None:
    """Swap two folders atomically; elsewhere than Linux, fall back to two renames.

    The fallback leaves a window of a few microseconds in which the day is
    missing (never torn or doubled): readers may see the day absent, briefly.
    """
    if _call_renameat2(built, live, _RENAME_EXCHANGE):
        return
    aside = built.with_name(built.name + ".old")
    os.rename(live, aside)
    os.rename(built, live)
    os.rename(aside, built)


def _rename_noreplace(built: Path, live: Path) -> None:
    if _call_renameat2(built, live, _RENAME_NOREPLACE):
        return
    if live.exists():
        raise FileExistsError(errno.EEXIST, "partition appeared while publishing", str(live))
    os.rename(built, live)
