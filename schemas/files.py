"""files: the manifest, one row per raw file the pipeline has seen."""
from newsetl.schemas._common import INGEST_DATE, SIZE_BYTES, SOURCE_PATH, SOURCE_SHA256
from newsetl.schemas._types import STRING, TIMESTAMP
from newsetl.schemas.table import Column as C, Table

FILES = Table(
    name="files",
    meaning="The manifest: one row per raw file the pipeline has processed; ingest compares raw/ against it.",
    partition="ingest_date",
    key=("source_path",),
    columns=(
        SOURCE_PATH,
        SOURCE_SHA256,
        SIZE_BYTES,
        C("modified_at", TIMESTAMP, False, "the raw file's modification time when it was processed"),
        C("status", STRING, False, "article or rejected", dictionary=True),
        C("article_id", STRING, True, "the article's key when status is article"),
        C("reject_reason", STRING, True, "the reject reason when status is rejected", dictionary=True),
        C("run_id", STRING, False, "the run that processed the file", dictionary=True),
        C("processed_at", TIMESTAMP, False, "when the file was processed", dictionary=True),
        INGEST_DATE,
    ),
)
