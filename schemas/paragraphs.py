"""paragraphs: one row per paragraph of an accepted article, for downstream NLP."""
from newsetl.schemas._types import DAY, INT32, STRING
from newsetl.schemas.table import Column as C, Table

PARAGRAPHS = Table(
    name="paragraphs",
    meaning="One row per paragraph of each article, in order.",
    partition="ingest_date",
    key=("article_id", "position"),
    columns=(
        C("article_id", STRING, False, "the article this paragraph belongs to"),
        C("position", INT32, False, "0-based position of the paragraph in the body", dictionary=True),
        C("text", STRING, False, "cleaned paragraph text"),
        C("word_count", INT32, False, "words in text, counted as in articles.word_count: an article's paragraphs add up to it", dictionary=True),
        C("ingest_date", DAY, False, "the article's ingest_date"),
    ),
)
