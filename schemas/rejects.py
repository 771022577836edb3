"""rejects: one row per raw file that could not become an article."""
from schemas._types import DAY, INT64, STRING, TIMESTAMP
from schemas.table import Column as C, Table

REJECTS = Table(
    name="rejects",
    meaning="One row per raw file that could not become an article, with the reason.",
    partition="ingest_date",
    key=("source_path",),
    columns=(
        C("source_path", STRING, False, "path relative to the raw root, '/'-separated"),
        C("source_sha256", STRING, False, "sha256 of the raw file bytes"),
        C("reason", STRING, False, "machine code: empty, binary, undecodable, no_title, no_body, too_large, unsupported_type, ..."),
        C("detail", STRING, False, "one human sentence: what was wrong and what to do"),
        C("size_bytes", INT64, False, "size of the raw file in bytes"),
        C("run_id", STRING, False, "the run that wrote this row"),
        C("processed_at", TIMESTAMP, False, "when this row was produced"),
        C("pipeline_version", STRING, False, "newsetl package version and cleaning version that produced the row"),
        C("ingest_date", DAY, False, "day folder under raw/, else the file's modification day (UTC)"),
    ),
)
