"""articles: one row per accepted raw article file."""
from newsetl.schemas._common import INGEST_DATE, PIPELINE_VERSION, PROCESSED_AT, RUN_ID, SIZE_BYTES, SOURCE_PATH, SOURCE_SHA256
from newsetl.schemas._types import FLOAT32, INT32, STRING, STRINGS
from newsetl.schemas.table import Column as C, Table

ARTICLES = Table(
    name="articles",
    meaning="One row per raw file that became an article.",
    partition="ingest_date",
    key=("article_id",),
    columns=(
        C("article_id", STRING, False, "16 hex of sha256 of source_path: the row's key, stable across reruns and backfills"),
        C("source_id", STRING, True, "the crawler's 16-hex id from the file name; not unique when a source re-delivers"),
        SOURCE_PATH,
        SOURCE_SHA256,
        C("publisher", STRING, True, "last breadcrumb part, cleaned; null when the file has no breadcrumb", dictionary=True),
        C("sections", STRINGS, False, "breadcrumb parts before the publisher", dictionary=True),
        C("title", STRING, False, "cleaned headline"),
        C("body", STRING, False, "cleaned paragraphs joined by a blank line"),
        C("paragraph_count", INT32, False, "paragraphs in body", dictionary=True),
        C("word_count", INT32, False, "words in body: whitespace-separated tokens holding a letter or digit (a lone dash is not one)", dictionary=True),
        C("char_count", INT32, False, "characters in body"),
        C("language", STRING, True, "ISO 639-1 code of the body; null when detection is not confident", dictionary=True),
        C("language_score", FLOAT32, True, "confidence of the language detector, 0 to 1", dictionary=True),
        C("content_hash", STRING, False, "sha256 of the normalised title and body: equal text gives equal hash"),
        C("duplicate_of", STRING, True, "article_id of the earliest article (ingest_date, then source_path) with the same content_hash, when this is not it"),
        C("near_duplicate_of", STRING, True, "article_id of the earliest article (ingest_date, then source_path) of its "
          "near-duplicate cluster (syndicated or lightly edited copies, exact duplicates included), when this is not it; "
          "may change on a published row when a later run links clusters"),
        C("encoding", STRING, False, "encoding the raw bytes were decoded from", dictionary=True),
        C("fixes", STRINGS, False, "what cleaning changed (crlf, nbsp, mojibake, html_tags, boilerplate, ...)", dictionary=True),
        C("title_word_count", INT32, False, "words in title", dictionary=True),
        C("mean_word_length", FLOAT32, False, "mean characters per word of body"),
        C("non_alpha_ratio", FLOAT32, False, "share of the non-space characters of body that are not letters", dictionary=True),
        C("boilerplate_lines_removed", INT32, False, "boilerplate lines cut from the start or end of the body", dictionary=True),
        C("quality_flags", STRINGS, False, "quality signals, never filters (short_body, title_in_body, all_caps_title, mostly_non_text, ...)", dictionary=True),
        SIZE_BYTES,
        RUN_ID,
        PROCESSED_AT,
        PIPELINE_VERSION,
        INGEST_DATE,
    ),
)
