"""Columns that several tables share, declared once with their one meaning."""
from newsetl.schemas._types import DAY, INT64, STRING, TIMESTAMP
from newsetl.schemas.table import Column

SOURCE_PATH = Column("source_path", STRING, False, "path relative to the raw root, '/'-separated; a name byte that is not UTF-8 is written \\xNN (Python's backslashreplace)")
SOURCE_SHA256 = Column("source_sha256", STRING, False, "sha256 of the raw file bytes")
SIZE_BYTES = Column("size_bytes", INT64, False, "size of the raw file in bytes")
RUN_ID = Column("run_id", STRING, False, "the run that wrote this row", dictionary=True)
PROCESSED_AT = Column("processed_at", TIMESTAMP, False, "when this row was produced", dictionary=True)
PIPELINE_VERSION = Column("pipeline_version", STRING, False,
                          "newsetl package version and cleaning version that produced the row", dictionary=True)
INGEST_DATE = Column("ingest_date", DAY, False, "day folder under raw/, else the file's modification day (UTC)")
