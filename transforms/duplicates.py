"""Exact-duplicate flagging: every article with the same content_hash points at
the earliest one (by ingest_date, then source_path)."""
from __future__ import annotations

import pandas as pd


def flag_duplicates(index: pd.DataFrame) -> pd.Series:
    """`duplicate_of` per row of (article_id, content_hash, ingest_date, source_path); null for the earliest."""
    if index.empty:
        return pd.Series([], dtype="object", index=index.index, name="duplicate_of")
    ordered = index.sort_values(["content_hash", "ingest_date", "source_path"], kind="stable")
    canonical = ordered.groupby("content_hash", sort=False)["article_id"].transform("first")
    duplicate_of = canonical.where(canonical != ordered["article_id"])
    return duplicate_of.reindex(index.index).astype("object").rename("duplicate_of")
