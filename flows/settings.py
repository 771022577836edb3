"""Run settings: where raw/ and warehouse/ are, and the knobs of a run.

Every bad setting becomes one `SettingError` sentence for the user, never a traceback.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The version only: transforms.document would load ftfy, charset-normalizer and the language
# model into the driver, which never cleans a document.
from newsetl.transforms.version import CLEANING_VERSION


class SettingError(Exception):
    """A setting the run cannot work with; the message is one sentence for the user."""


def package_version() -> str:
    try:
        return version("newsetl")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def pipeline_version() -> str:
    """Package version plus cleaning version: rows made by different cleaning code differ here."""
    return f"{package_version()}+clean.{CLEANING_VERSION}"


@dataclass(frozen=True)
class Settings:
    raw: str
    warehouse: str
    # Files per Prefect task at most (batch.batch_slices evens them out over the workers): a task runs for
    # seconds (a task run costs ~4 ms in the driver and ~30 ms of the server's CPU); memory per worker does not
    # grow with it (a batch cleans and stages CHUNK_FILES files at a time). 5,000 rather than 2,000: the
    # 100k bench ingest took 31.0 s instead of 31.75 s (two runs each), the server's CPU 4.45 s instead of 5.3 s.
    batch_size: int = 5000
    # Per file, after decompression: news articles are kilobytes; larger files are rejects.
    max_file_bytes: int = 10_000_000
    # Parallel batch workers (processes); 0 means one per core.
    workers: int = 0
    # Seconds to wait for another run's writer lock on the warehouse before giving up: long
    # enough to absorb a hand-started run finishing, short enough that an hourly run stuck
    # behind a long backfill fails within a minute (and the next hour picks its files up).
    lock_timeout: float = 60.0
    # An existing Dask scheduler (tcp://HOST:PORT) to run the batches on; None runs them here.
    # raw/ and warehouse/ must then be on a filesystem every Dask worker sees at the same path.
    dask_address: str | None = None
    # backfill only: let it empty a day that has published rows but no raw file left. Off, because an
    # unmounted share or a renamed folder looks exactly like that, and would delete published data.
    allow_empty: bool = False
    # Near-duplicate links join articles at most this many days apart (either side): syndicated
    # copies appear within hours or days; a wider window costs probing time, not correctness.
    near_duplicate_window_days: int = 7

    def as_parameters(self) -> dict:
        return asdict(self)


def resolve_settings(raw: str | None, warehouse: str | None, **options) -> Settings:
    """Settings from CLI values, then NEWSETL_* environment variables, then defaults; checked."""
    raw_root = Path(raw or os.environ.get("NEWSETL_RAW") or "raw").expanduser().resolve()
    warehouse_root = Path(warehouse or os.environ.get("NEWSETL_WAREHOUSE") or "warehouse").expanduser().resolve()
    if not raw_root.is_dir():
        raise SettingError(f"raw folder {raw_root} does not exist or is not a folder; pass --raw PATH or set NEWSETL_RAW.")
    _check_apart(raw_root, warehouse_root)
    _check_writable(warehouse_root)
    options.setdefault("dask_address", None)
    options["dask_address"] = options["dask_address"] or os.environ.get("NEWSETL_DASK_ADDRESS") or None
    settings = Settings(raw=str(raw_root), warehouse=str(warehouse_root),
                        **{k: v for k, v in options.items() if v is not None})
    if settings.batch_size < 1:
        raise SettingError(f"--batch-size must be at least 1, not {settings.batch_size}.")
    if settings.max_file_bytes < 1:
        raise SettingError(f"--max-file-bytes must be at least 1, not {settings.max_file_bytes}.")
    if not math.isfinite(settings.lock_timeout) or settings.lock_timeout < 0:
        raise SettingError(f"--lock-timeout must be 0 (do not wait) or a finite number of seconds, not {settings.lock_timeout:g}.")
    if settings.workers < 0:
        raise SettingError(f"--workers must be 0 (one per core) or more, not {settings.workers}.")
    if settings.near_duplicate_window_days < 0:
        raise SettingError(f"the near-duplicate window must be 0 or more days, not {settings.near_duplicate_window_days}.")
    if settings.dask_address is not None and "://" not in settings.dask_address:
        raise SettingError(f"--dask-address must be a scheduler address like tcp://10.0.0.5:8786, "
                           f"not {settings.dask_address!r}.")
    return settings


def _check_apart(raw_root: Path, warehouse_root: Path) -> None:
    """raw/ and warehouse/ must not overlap (both resolved): the warehouse's own files would become raw input."""
    if raw_root == warehouse_root or warehouse_root.is_relative_to(raw_root) or raw_root.is_relative_to(warehouse_root):
        raise SettingError(f"raw folder {raw_root} and warehouse folder {warehouse_root} overlap (one is, or is "
                           "inside, the other); the warehouse's own files would be read as raw input: "
                           "give them separate folders.")


def _check_writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise SettingError(
            f"warehouse folder {root} is not writable ({error.strerror or error}); "
            "pass --warehouse PATH or set NEWSETL_WAREHOUSE to a folder you can write."
        ) from None


def parse_day(text: str, *, option: str) -> date:
    """A YYYY-MM-DD day; anything else (20200705, 2020-7-5, 2020-13-01) is a SettingError."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise SettingError(f"{option} must be a date like 2020-07-05, not {text!r}.") from None


def check_day_range(start: date, end: date) -> None:
    if start > end:
        raise SettingError(f"--start {start} is after --end {end}; give the earlier day first.")
