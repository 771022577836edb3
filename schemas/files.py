"""files: the manifest, one row per raw file the pipeline has seen."""
from schemas._types import DAY, INT64, STRING, TIMESTAMP
from schemas.table import Column as C, Table

FILES = Table(
    name="files",
    meaning="The manifest: one row per raw file the pipeline has processed; ingest compares raw/ against it.",
    partition="ingest_date",
    key=("source_path",),
    columns=(
        C("source_path", STRING, False, "path relative to the raw root, '/'-separated"),
        C("source_sha256", STRING, False, "sha256 of the raw file bytes"),
        C("size_bytes", INT64, False, "size of the raw file in bytes"),
        C("modified_at", TIMESTAMP, False, "the raw file's modification time when it was processed"),
        C("status", STRING, False, "article or rejected"),
        C("article_id", STRING, True, "the article's key when status is article"),
        C("reject_reason", STRING, True, "the reject reason when status is rejected"),
        C("run_id", STRING, False, "the run that processed the file"),
        C("processed_at", TIMESTAMP, False, "when the file was processed"),
        C("ingest_date", DAY, False, "day folder under raw/, else the file's modification day (UTC)"),
    ),
)
