"""The warehouse tables, each declared once: names, Arrow types, nullability, meaning.

Writing (`Table.to_arrow`), validation and the README's data dictionary
(`python -m schemas`) all derive from these declarations.
"""
from newsetl.schemas.table import Column, Table
from newsetl.schemas.tables import (ARTICLES, CLUSTER_INDEX, FILES, NEAR_DUPLICATES, PARAGRAPHS, REJECTS, RUNS,
                                    SIGNATURES, TABLES)

__all__ = ["Column", "Table", "ARTICLES", "CLUSTER_INDEX", "FILES", "NEAR_DUPLICATES", "PARAGRAPHS", "REJECTS", "RUNS",
           "SIGNATURES", "TABLES"]
