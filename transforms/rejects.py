"""Reject reasons: why a raw file could not become an article.

A step that gives up on a document raises `Rejected`; the batch builder turns
it into a `rejects` row, so nothing is ever dropped silently.
"""
from __future__ import annotations

# Machine codes of the `rejects.reason` column, with what each one means.
REASONS: dict[str, str] = {
    "empty": "the file has no bytes, or only white space",
    "binary": "the bytes are not text (NUL-heavy or a known binary signature)",
    "undecodable": "no supported encoding decodes the bytes to sensible text",
    "no_title": "no headline line could be found",
    "no_body": "a headline was found but no paragraph follows it",
    "too_large": "the file, or its decompressed content, exceeds the size cap",
    "unsupported_type": "the file name is not *.txt or *.txt.gz",
    "corrupt_gzip": "a *.txt.gz file that does not decompress",
    "unreadable": "the file could not be read (permissions, I/O error, vanished)",
    "link_outside_root": "a symbolic link pointing out of the raw root, which is never followed",
    "not_a_regular_file": "a FIFO, socket or device (or a link to one) in the raw zone, which is never opened",
}


class Rejected(Exception):
    """A document that cannot become an article: a reason code and one human sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reject reason {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
