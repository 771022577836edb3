"""The table declarations: casting, validation, and the README generated from them."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from newsetl.schemas import ARTICLES, FILES, RUNS, TABLES
from newsetl.schemas.__main__ import with_dictionary
from newsetl.schemas.table import SchemaViolation

README = Path(__file__).resolve().parents[2] / "README.md"


def _manifest_row(**overrides) -> dict:
    row = {"source_path": "2020-07-05/a.txt", "source_sha256": "0" * 64, "size_bytes": 10,
           "modified_at": datetime(2020, 7, 5, tzinfo=timezone.utc), "status": "article", "article_id": "a" * 16,
           "reject_reason": None, "run_id": "r", "processed_at": datetime(2020, 7, 5, tzinfo=timezone.utc),
           "ingest_date": date(2020, 7, 5)}
    return row | overrides


def test_to_arrow_orders_and_casts_columns():
    frame = pd.DataFrame([_manifest_row()]).iloc[:, ::-1]  # columns in the wrong order

    data = FILES.to_arrow(frame)

    assert data.schema.names == FILES.column_names
    assert data.schema.field("modified_at").type == pa.timestamp("us", tz="UTC")
    assert data.schema.field("ingest_date").type == pa.date32()


def test_file_schema_leaves_the_partition_out():
    assert "ingest_date" not in ARTICLES.file_schema().names
    assert "run_date" not in RUNS.file_schema().names


def test_missing_column_is_a_violation():
    frame = pd.DataFrame([_manifest_row()]).drop(columns=["status"])

    with pytest.raises(SchemaViolation, match="missing columns.*status"):
        FILES.to_arrow(frame)


def test_null_in_a_non_null_column_is_a_violation():
    with pytest.raises(SchemaViolation, match="files.source_sha256: 1 null"):
        FILES.to_arrow(pd.DataFrame([_manifest_row(source_sha256=None)]))


def test_duplicate_key_is_a_violation():
    frame = pd.DataFrame([_manifest_row(), _manifest_row()])

    with pytest.raises(SchemaViolation, match="appear more than once"):
        FILES.to_arrow(frame)


def test_every_table_declares_its_partition_and_key():
    for table in TABLES.values():
        assert table.partition in table.column_names
        assert set(table.key) <= set(table.column_names)
        assert all(column.meaning for column in table.columns)


def test_readme_data_dictionary_is_up_to_date():
    text = README.read_text(encoding="utf-8")

    assert with_dictionary(text) == text, "run `make docs` to regenerate the README's data dictionary"
