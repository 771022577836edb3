"""rejects: one row per raw file that could not become an article."""
from newsetl.schemas._common import INGEST_DATE, PIPELINE_VERSION, PROCESSED_AT, RUN_ID, SIZE_BYTES, SOURCE_PATH, SOURCE_SHA256
from newsetl.schemas._types import STRING
from newsetl.schemas.table import Column as C, Table

REJECTS = Table(
    name="rejects",
    meaning="One row per raw file that could not become an article, with the reason.",
    partition="ingest_date",
    key=("source_path",),
    columns=(
        SOURCE_PATH,
        SOURCE_SHA256,
        C("reason", STRING, False, "machine code: empty, binary, undecodable, no_title, no_body, too_large, unsupported_type, ...", dictionary=True),
        C("detail", STRING, False, "one human sentence: what was wrong and what to do", dictionary=True),
        SIZE_BYTES,
        RUN_ID,
        PROCESSED_AT,
        PIPELINE_VERSION,
        INGEST_DATE,
    ),
)
