"""From raw file bytes to the rows of one batch: articles, their paragraphs, and rejects.

Calls the per-document cleaner once per file; everything a file yields, or the
reason it yields nothing, leaves as a row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from newsetl.transforms.document import clean_article
from newsetl.transforms.identity import is_article_file, is_compressed, with_article_ids
from newsetl.transforms.quality import count_words
from newsetl.transforms.rejects import Rejected


@dataclass(frozen=True)
class BatchRows:
    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    rejects: pd.DataFrame


def build_articles(
    files: pd.DataFrame,
    *,
    run_id: str,
    processed_at: datetime,
    pipeline_version: str,
    max_bytes: int = 10_000_000,  # per file, after decompression: news articles are kilobytes
    time_budget_seconds: float | None = 5.0,  # CPU seconds per file (see clean_article); over it -> a too_slow reject
) -> BatchRows:
    """Clean every file of `files` (source_path, source_sha256, size_bytes, ingest_date, raw,
    reject_reason, reject_detail) into article, paragraph and reject rows."""
    files = with_article_ids(files)
    cleaned: list[dict] = []
    paragraphs: list[list[str]] = []  # each cleaned article's paragraphs, in the order of `cleaned`
    rejected: list[dict] = []
    for row in files.itertuples(index=False):
        name = row.source_path.rsplit("/", 1)[-1]
        try:
            if isinstance(row.reject_reason, str):  # the reader already gave up on this file
                raise Rejected(row.reject_reason, row.reject_detail)
            if not is_article_file(name):
                raise Rejected(
                    "unsupported_type",
                    f"{row.source_path} is not a *.txt or *.txt.gz article file; "
                    "move it out of the raw zone or rename it if it is an article.",
                )
            record = clean_article(row.raw, compressed=is_compressed(name), max_bytes=max_bytes,
                                   time_budget_seconds=time_budget_seconds)
        except Rejected as reject:
            rejected.append({"source_path": row.source_path, "reason": reject.reason, "detail": reject.detail})
            continue
        record["source_path"] = row.source_path
        # Paragraphs leave as rows of their own table, built from the Python lists.
        paragraphs.append(record.pop("paragraphs"))
        cleaned.append(record)

    meta = {"run_id": run_id, "processed_at": processed_at, "pipeline_version": pipeline_version}
    keys = files.drop(columns=["raw", "reject_reason", "reject_detail"]).set_index("source_path")

    articles = pd.DataFrame(cleaned, columns=_article_columns(cleaned))
    articles = articles.join(keys, on="source_path").assign(duplicate_of=None, **meta)

    rejects = pd.DataFrame(rejected, columns=["source_path", "reason", "detail"])
    rejects = rejects.join(keys[["source_sha256", "size_bytes", "ingest_date"]], on="source_path").assign(**meta)
    return BatchRows(articles=articles, paragraphs=_paragraph_rows(articles, paragraphs), rejects=rejects)


def _article_columns(cleaned: list[dict]) -> list[str] | None:
    return None if cleaned else ["source_path"]


def _paragraph_rows(articles: pd.DataFrame, paragraphs: list[list[str]]) -> pd.DataFrame:
    """One row per paragraph (`paragraphs[i]` belongs to the i-th article), numbered from 0 within its article."""
    if articles.empty:
        return pd.DataFrame(columns=["article_id", "position", "text", "word_count", "ingest_date"])
    counts = [len(article) for article in paragraphs]
    texts = [text for article in paragraphs for text in article]
    # Key columns repeated by position keep their dtypes; the text is counted while it is still a
    # Python str (iterating the frame's Arrow-backed column would convert every paragraph back).
    rows = articles[["article_id", "ingest_date"]].take(np.repeat(np.arange(len(articles)), counts))
    return rows.reset_index(drop=True).assign(
        text=texts,
        position=[position for count in counts for position in range(count)],
        word_count=[n for article, total in zip(paragraphs, articles["word_count"].tolist())
                    for n in _paragraph_word_counts(article, total)],
    )


def _paragraph_word_counts(paragraphs: list[str], article_words: int) -> list[int]:
    """Words per paragraph as the article's word_count counts them, so they add up to it.

    Most articles hold no token without a letter or digit (a lone dash or bullet): then the
    article's count equals its plain token count and so does every paragraph's (~30 us an
    article); only the others are counted word by word (~75 us).
    """
    plain = [len(text.split()) for text in paragraphs]
    return plain if sum(plain) == article_words else [count_words(text) for text in paragraphs]
