"""The single writer: atomic day swaps, removal, and what lives in table folders."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import newsetl.flows.warehouse as warehouse_module
from newsetl.flows.warehouse import Warehouse
from newsetl.schemas import ARTICLES, FILES, SIGNATURES, TABLES
from tests.flows.conftest import duck, polars_frame

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


def _rows(table, rows: int) -> pa.Table:
    """A day of `table` with a value of the column's type in every cell: three distinct values per column."""
    def values(kind: pa.DataType, i: int):
        if pa.types.is_list(kind):
            return [values(kind.value_type, i), values(kind.value_type, i + 1)]
        if pa.types.is_string(kind):
            return f"value {i % 3}"
        if pa.types.is_binary(kind):
            return bytes([i % 3]) * 8
        if pa.types.is_timestamp(kind):
            return datetime(2020, 7, 5, i % 3, tzinfo=timezone.utc)
        return i % 3
    schema = table.file_schema()
    columns = {f.name: pa.array([values(f.type, i) for i in range(rows)], f.type) for f in schema}
    for key in table.key:
        if pa.types.is_string(schema.field(key).type):
            columns[key] = pa.array([f"{i:016x}" for i in range(rows)])
    return table.to_arrow(pa.table(columns), with_partition=False)


@pytest.mark.parametrize("table", list(TABLES.values()), ids=lambda t: t.name)
def test_day_files_are_zstd_with_dictionaries_only_where_the_table_declares_them(tmp_path, table):
    store = Warehouse(tmp_path)
    store.publish_day(table, DAY, _rows(table, 300), staging=store.new_staging("run"))

    metadata = pq.ParquetFile(store.partition_dir(table, DAY) / "part-00000.parquet").metadata
    declared = {column.name for column in table.columns if column.dictionary}
    for group in range(metadata.num_row_groups):
        for index in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(index)
            assert chunk.compression == "ZSTD", chunk.path_in_schema
            # zstd's level is not recorded in a Parquet file; 1 is also Arrow's default.
            column = chunk.path_in_schema.split(".")[0]  # a list's values: sections.list.element
            assert chunk.has_dictionary_page == (column in declared), chunk.path_in_schema
    assert metadata.num_columns > len(declared) > 0


def test_declared_dictionaries_are_the_few_valued_columns():
    assert {"publisher", "language", "sections.list.element", "fixes.list.element",
            "pipeline_version"} <= set(ARTICLES.dictionary_columns())
    assert not {"article_id", "title", "body", "content_hash", "source_path"} & set(ARTICLES.dictionary_columns())
    assert not {"minhash", "band_keys.list.element"} & set(SIGNATURES.dictionary_columns())
    for table in TABLES.values():  # every declared path is one the writer knows (a typo is silently ignored)
        sink = pa.BufferOutputStream()
        pq.write_table(table.file_schema().empty_table(), sink)
        parquet_schema = pq.read_metadata(pa.BufferReader(sink.getvalue())).schema
        writer_paths = {parquet_schema.column(i).path for i in range(len(parquet_schema))}
        assert set(table.dictionary_columns()) <= writer_paths, table.name


def test_day_files_read_back_alike_in_duckdb_polars_and_pandas(tmp_path):
    store = Warehouse(tmp_path)
    day = _rows(ARTICLES, 300)
    store.publish_day(ARTICLES, DAY, day, staging=store.new_staging("run"))
    wanted = day.select(["article_id", "publisher", "sections", "body"]).to_pandas()

    by_duckdb = duck(tmp_path, "articles", "select article_id, publisher, sections, body from t order by article_id")
    by_polars = polars_frame(tmp_path, "articles").select(list(wanted.columns)).sort("article_id").to_pandas()
    by_pandas = pd.read_parquet(store.table_dir(ARTICLES), columns=list(wanted.columns)).sort_values("article_id")
    for frame in (by_duckdb, by_polars, by_pandas):
        frame = frame.reset_index(drop=True).assign(sections=lambda f: f["sections"].map(list))
        assert frame.to_dict("list") == wanted.assign(sections=wanted["sections"].map(list)).to_dict("list")


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
