"""Keys and names: article_id from the raw path, source_id from the file name,
and which file names are article files at all."""
from __future__ import annotations

import hashlib
import re

# `000_b7a10fd9200f5948.txt`: a sequence number, then the crawler's 16-hex source id.
_SOURCE_ID = re.compile(r"^\d+_([0-9a-f]{16})\.txt(?:\.gz)?$")
ARTICLE_SUFFIXES = (".txt", ".txt.gz")


def article_id_for(source_path: str) -> str:
    """16 hex of sha256 of the raw-root-relative path: stable across reruns and backfills."""
    return hashlib.sha256(source_path.encode("utf-8")).hexdigest()[:16]


def source_id_from_name(file_name: str) -> str | None:
    """The crawler's 16-hex id from a name like `000_b7a10fd9200f5948.txt`, else None."""
    match = _SOURCE_ID.match(file_name)
    return match.group(1) if match else None


def is_compressed(file_name: str) -> bool:
    return file_name.endswith(".txt.gz")


def is_article_file(file_name: str) -> bool:
    return file_name.endswith(ARTICLE_SUFFIXES)
