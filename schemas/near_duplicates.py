"""near_duplicates: one row per accepted near-duplicate link, under the later article's day."""
from newsetl.schemas._common import INGEST_DATE, PROCESSED_AT, RUN_ID
from newsetl.schemas._types import FLOAT32, STRING
from newsetl.schemas.table import Column as C, Table

NEAR_DUPLICATES = Table(
    name="near_duplicates",
    meaning="One row per accepted near-duplicate link between two articles at most the window apart "
            "(default 7 days), under the later article's day; with duplicate_of, the links that "
            "articles.near_duplicate_of's clusters are the connected components of.",
    partition="ingest_date",
    key=("article_id", "other_id"),
    columns=(
        C("article_id", STRING, False, "the later article (by ingest_date, then source_path)"),
        C("other_id", STRING, False, "the earlier article"),
        C("jaccard", FLOAT32, False, "estimated Jaccard similarity of the two bodies' shingle sets (share of equal signature bins)", dictionary=True),
        C("containment", FLOAT32, False, "estimated share of the smaller body's shingles found in the larger one", dictionary=True),
        C("method_version", STRING, False, "the near-duplicate method (shingles, signature bins, bands, thresholds) that accepted the link", dictionary=True),
        RUN_ID,
        PROCESSED_AT,
        C("ingest_date", INGEST_DATE.type, False, "the later article's ingest_date"),
    ),
)
