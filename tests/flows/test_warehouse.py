"""The single writer: atomic day swaps, removal, and what lives in table folders."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import newsetl.flows.warehouse as warehouse_module
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import FILES

DAY = date(2020, 7, 5)


@pytest.fixture(autouse=True)
def _harness():  # pure I/O tests: no Prefect needed
    yield


def _manifest(version: int, rows: int) -> pa.Table:
    stamp = datetime(2020, 7, 5, tzinfo=timezone.utc)
    return FILES.to_arrow(pa.table({
        "source_path": [f"2020-07-05/{i:05d}.txt" for i in range(rows)],
        "source_sha256": ["0" * 64] * rows,
        "size_bytes": [version] * rows,
        "modified_at": pa.array([stamp] * rows, pa.timestamp("us", tz="UTC")),
        "status": ["article"] * rows,
        "article_id": [f"{i:016x}" for i in range(rows)],
        "reject_reason": pa.array([None] * rows, pa.string()),
        "run_id": [f"run-{version}"] * rows,
        "processed_at": pa.array([stamp] * rows, pa.timestamp("us", tz="UTC")),
    }), with_partition=False)


def test_publish_creates_then_replaces_a_day(tmp_path):
    store = Warehouse(tmp_path)
    staging = store.new_staging("run")

    assert store.publish_day(FILES, DAY, _manifest(1, 3), staging=staging) == "created"
    assert store.publish_day(FILES, DAY, _manifest(2, 2), staging=staging) == "replaced"

    day = store.read_day(FILES, DAY)
    assert day.num_rows == 2 and set(day.column("size_bytes").to_pylist()) == {2}
    assert [p.name for p in store.partition_dir(FILES, DAY).iterdir()] == ["part-00000.parquet"]
    assert not (staging / "publish" / "files" / "ingest_date=2020-07-05").exists()


def test_publishing_no_rows_removes_the_day(tmp_path):
    store = Warehouse(tmp_path)
    staging = store.new_staging("run")
    store.publish_day(FILES, DAY, _manifest(1, 3), staging=staging)

    assert store.publish_day(FILES, DAY, _manifest(1, 0), staging=staging) == "removed"
    assert store.days(FILES) == []
    assert store.publish_day(FILES, DAY, _manifest(1, 0), staging=staging) == "unchanged"


def test_big_days_split_over_numbered_files(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse_module, "MAX_ROWS_PER_FILE", 2)
    store = Warehouse(tmp_path)

    store.publish_day(FILES, DAY, _manifest(1, 5), staging=store.new_staging("run"))

    names = sorted(p.name for p in store.partition_dir(FILES, DAY).iterdir())
    assert names == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert store.read_table(FILES).num_rows == 5


def test_fallback_without_renameat2_still_replaces_the_day(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse_module, "_RENAMEAT2", None)
    store = Warehouse(tmp_path)
    staging = store.new_staging("run")

    store.publish_day(FILES, DAY, _manifest(1, 3), staging=staging)
    store.publish_day(FILES, DAY, _manifest(2, 4), staging=staging)

    assert store.read_day(FILES, DAY).column("size_bytes").to_pylist() == [2] * 4


def test_a_concurrent_reader_never_sees_a_torn_half_or_doubled_day(tmp_path):
    store = Warehouse(tmp_path)
    staging = store.new_staging("run")
    versions = {v: _manifest(v, 500 + 250 * (v % 3)) for v in range(1, 4)}  # days of 500, 750, 1000 rows
    store.publish_day(FILES, DAY, versions[1], staging=staging)
    seen, errors, reads, done = set(), [], [0], threading.Event()

    def read_forever():
        while not done.is_set():
            try:
                table = ds.dataset(store.table_dir(FILES), format="parquet", partitioning="hive").to_table()
            except Exception as error:  # one file per version: a listed file never vanishes
                errors.append(repr(error))
                continue
            sizes = set(table.column("size_bytes").to_pylist())
            if len(sizes) != 1 or table.num_rows != versions[next(iter(sizes))].num_rows:
                errors.append(f"torn, missing or doubled: {table.num_rows} rows of versions {sizes}")
            else:
                seen.update(sizes)
            reads[0] += 1

    reader = threading.Thread(target=read_forever)
    reader.start()
    round_ = 0
    while reads[0] < 200 and round_ < 2000:
        round_ += 1
        store.publish_day(FILES, DAY, versions[1 + round_ % 3], staging=staging)
    done.set()
    reader.join()

    assert errors == []
    assert reads[0] >= 200 and seen == {1, 2, 3}  # the reader really read across many swaps
