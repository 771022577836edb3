"""signatures: the signature (one-permutation hashing, MinHash-like) and LSH band keys of each article, for near-duplicate linking."""
from newsetl.schemas._common import INGEST_DATE, SOURCE_PATH, SOURCE_SHA256
from newsetl.schemas._types import BINARY, INT32, INT64S, STRING
from newsetl.schemas.table import Column as C, Table

SIGNATURES = Table(
    name="signatures",
    meaning="One row per article: the signature and band keys its near-duplicate links are computed from "
            "(computed once per raw file version and cleaning version; a new method version is recomputed by a backfill).",
    partition="ingest_date",
    key=("article_id",),
    columns=(
        C("article_id", STRING, False, "the article (articles.article_id)"),
        SOURCE_PATH,
        SOURCE_SHA256,
        C("shingle_count", INT32, False, "distinct shingles of the body (word 3-grams, or character 5-grams for unspaced scripts)", dictionary=True),
        C("minhash", BINARY, False, "the signature: one little-endian uint32 minimum per bin (one-permutation hashing; equal bins estimate Jaccard as MinHash minima do)"),
        C("band_keys", INT64S, False, "one LSH key per band; empty below the shingle floor (such articles link only as exact duplicates)"),
        C("method_version", STRING, False, "the near-duplicate method that computed this row; rows of another version are never compared", dictionary=True),
        C("cleaning_version", STRING, True, "the cleaning version of the body it was computed from: a re-processed file whose bytes, "
          "cleaning and method are unchanged reuses its row instead of hashing again (null: written before this column)",
          dictionary=True),
        INGEST_DATE,
    ),
)
