"""Flow-test helpers: run the real flows against temporary folders and read the
result back with DuckDB and Polars, tools that did not write it."""
from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from newsetl.flows.settings import resolve_settings


@pytest.fixture(autouse=True)
def _harness(prefect_harness):
    yield


def worker_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str):
    """A module of `source` that spawned worker processes can import as well (spawn hands them
    sys.path), imported here; it leaves sys.path and sys.modules at the end of the test."""
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    monkeypatch.setitem(sys.modules, name, module)  # undone after the test: the module is forgotten
    return module


def run_ingest(raw: Path, warehouse: Path, **options) -> dict:
    from newsetl.flows.ingest import ingest_flow

    state = ingest_flow(resolve_settings(str(raw), str(warehouse), **options), return_state=True)
    assert state.is_completed(), state.message
    return state.result()


def run_backfill(raw: Path, warehouse: Path, start: str, end: str, **options) -> dict:
    from newsetl.flows.ingest import backfill_flow

    settings = resolve_settings(str(raw), str(warehouse), **options)
    state = backfill_flow(settings, date.fromisoformat(start), date.fromisoformat(end), return_state=True)
    assert state.is_completed(), state.message
    return state.result()


def duck(warehouse: Path, table: str, query: str = "select * from t"):
    """Query one table with DuckDB over its Hive-partitioned Parquet files; a pandas frame back."""
    pattern = str(warehouse / table / "**" / "*.parquet")
    con = duckdb.connect()
    con.execute(f"create view t as select * from read_parquet('{pattern}', hive_partitioning=true)")
    return con.execute(query).df()


def polars_frame(warehouse: Path, table: str) -> pl.DataFrame:
    return pl.scan_parquet(str(warehouse / table / "**" / "*.parquet"), hive_partitioning=True).collect()


def parquet_files(warehouse: Path) -> dict[str, float]:
    """Every file under the table folders with its mtime (to see what a run rewrote)."""
    found = {}
    for table in ("articles", "paragraphs", "rejects", "files", "runs"):
        for path in (warehouse / table).rglob("*"):
            if path.is_file():
                found[str(path.relative_to(warehouse))] = os.stat(path).st_mtime_ns
    return found


def after_the_root_is_listed(monkeypatch, happen) -> None:
    """Make `happen()` run once the raw-zone listing has listed the root and opens its next folder."""
    from newsetl.flows import rawzone

    real_scandir = os.scandir
    calls = []

    def scandir(path):
        calls.append(path)
        if len(calls) == 2:
            happen()
        return real_scandir(path)

    monkeypatch.setattr(rawzone.os, "scandir", scandir)
