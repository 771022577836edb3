"""From raw file bytes to the rows of one batch: articles, their paragraphs, and rejects.

Calls the per-document cleaner once per file; everything a file yields, or the
reason it yields nothing, leaves as a row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from newsetl.transforms.document import add_language, clean_article_but_language
from newsetl.transforms.identity import article_id_for, is_article_file, is_compressed, source_id_from_name
from newsetl.transforms.rejects import Rejected


@dataclass(frozen=True)
class BatchRows:
    """A batch's rows as Arrow tables, built column by column (no per-row records or frames);
    Python types inferred (int64, double, ...): the table declarations cast them when staging."""
    articles: pa.Table
    paragraphs: pa.Table
    rejects: pa.Table


# clean_article's fields that become article columns, in the order of the old frame's columns.
ARTICLE_FIELDS = (
    "encoding", "publisher", "sections", "title", "body", "paragraph_count", "word_count", "char_count",
    "language", "language_score", "content_hash", "fixes", "title_word_count", "mean_word_length",
    "non_alpha_ratio", "boilerplate_lines_removed", "quality_flags",
)


def build_articles(
    files: pd.DataFrame | dict[str, list],
    *,
    run_id: str,
    processed_at: datetime,
    pipeline_version: str,
    max_bytes: int = 10_000_000,  # per file, after decompression: news articles are kilobytes
    time_budget_seconds: float | None = 5.0,  # CPU seconds per file (see clean_article); over it -> a too_slow reject
) -> BatchRows:
    """Clean every file of `files` (columns source_path, source_sha256, size_bytes, ingest_date, raw,
    reject_reason, reject_detail: a frame or a dict of lists) into article, paragraph and reject rows."""
    column = files.__getitem__ if isinstance(files, dict) else (lambda name: files[name].tolist())
    articles: dict[str, list] = {name: [] for name in ("source_path", "source_sha256", "size_bytes", "ingest_date",
                                                         "article_id", "source_id", *ARTICLE_FIELDS)}
    article_columns = list(articles.items())
    paragraph_texts: list[str] = []
    paragraph_words: list[int] = []
    rejects: dict[str, list] = {name: [] for name in ("source_path", "reason", "detail", "source_sha256",
                                                        "size_bytes", "ingest_date")}
    cleaned: list[dict[str, object]] = []
    for path, sha256, size, day, raw, reason, detail in zip(
            column("source_path"), column("source_sha256"), column("size_bytes"), column("ingest_date"),
            column("raw"), column("reject_reason"), column("reject_detail")):
        name = path.rsplit("/", 1)[-1]
        try:
            if isinstance(reason, str):  # the reader already gave up on this file
                raise Rejected(reason, detail)
            if not is_article_file(name):
                raise Rejected(
                    "unsupported_type",
                    f"{path} is not a *.txt or *.txt.gz article file; "
                    "move it out of the raw zone or rename it if it is an article.",
                )
            record = clean_article_but_language(raw, compressed=is_compressed(name), max_bytes=max_bytes,
                                                time_budget_seconds=time_budget_seconds)
        except Rejected as reject:
            for values, value in zip(rejects.values(), (path, reject.reason, reject.detail, sha256, size, day)):
                values.append(value)
            continue
        record.update(source_path=path, source_sha256=sha256, size_bytes=size, ingest_date=day,
                      article_id=article_id_for(path), source_id=source_id_from_name(name))
        cleaned.append(record)
    # Languages last, one article after the other (see clean_article_but_language): the same records
    # as clean_article's.
    for record in map(add_language, cleaned):
        for field, values in article_columns:
            values.append(record[field])
        # Paragraphs leave as rows of their own table, with the word counts cleaning made of them.
        paragraph_texts += record["paragraphs"]
        paragraph_words += record["paragraph_word_counts"]

    meta = {"run_id": run_id, "processed_at": processed_at, "pipeline_version": pipeline_version}
    article_table = _table(articles, duplicate_of=None, **meta)
    counts = articles["paragraph_count"]
    # One row per paragraph, numbered from 0 within its article: key columns repeated by position.
    owner = pa.array(np.repeat(np.arange(len(counts), dtype=np.int64), counts), pa.int64())
    paragraphs = pa.table({
        "article_id": article_table.column("article_id").take(owner),
        "position": pa.array([position for count in counts for position in range(count)], pa.int64()),
        "text": pa.array(paragraph_texts, pa.string()),
        "word_count": pa.array(paragraph_words, pa.int64()),
        "ingest_date": article_table.column("ingest_date").take(owner),
    })
    return BatchRows(articles=article_table, paragraphs=paragraphs, rejects=_table(rejects, **meta))


def _table(columns: dict[str, list], **constants: object) -> pa.Table:
    """An Arrow table of the columns (types inferred from the values) and constant columns, as many rows."""
    rows = len(next(iter(columns.values())))
    arrays = {name: pa.array(values) for name, values in columns.items()}
    for name, value in constants.items():
        arrays[name] = pa.nulls(rows) if value is None else pa.repeat(pa.scalar(value), rows)
    return pa.table(arrays)
