"""Normalised article text -> breadcrumb (sections, publisher), headline and paragraphs.

Third step of cleaning. Works on text whose lines are already stripped, so a
paragraph break is simply an empty line.

The breadcrumb rule: the first block is a breadcrumb when
  * it is a single line of at most `max_breadcrumb_chars` characters that does
    not end with sentence punctuation (`.`, `!`, `?`, `:`, `;`, `,`);
  * it splits on separators -- a hyphen, en dash, em dash or pipe with white
    space on both sides -- into 1 to `max_breadcrumb_parts` non-empty parts of
    at most `max_part_words` words each (`Al-Monitor` has no spaces around its
    hyphen, so it is one part);
  * a headline-like block follows it: at most `max_title_words` words, not
    ending with a period (the first body paragraph usually does).
Otherwise there is no breadcrumb (publisher None, sections empty) and the first
block is the headline: a missing publisher is better than a wrong one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.boilerplate import is_boilerplate
from transforms.rejects import Rejected

_BLOCK_BREAK = re.compile(r"\n\n+")
# The white space after a separator is only looked at, so `News - | X` splits twice (and has an empty part).
_BREADCRUMB_SEPARATOR = re.compile(r"\s+[-\u2013\u2014|](?=\s)")
_SEPARATOR_CHARS = "-\u2013\u2014|"
# A line ending with a letter and a hyphen, continued by a lowercase letter, was
# wrapped inside a hyphenated word (`Iranian-\nbacked`): join without a space.
_HYPHEN_WRAP = re.compile(r"(?<=\w-)\n(?=[^\W\d_])")
_SENTENCE_END = re.compile(r"[.!?:;,][\"'\u201d\u2019)\]]*$")
_PERIOD_END = re.compile(r"\.[\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class ArticleParts:
    """The parts of one article before boilerplate removal: blocks are lists of lines."""

    publisher: str | None
    sections: list[str]
    title: str
    body_blocks: list[list[str]]
    title_wrapped: bool


def split_blocks(text: str) -> list[list[str]]:
    """Split normalised text into blocks (paragraphs) of lines at empty lines."""
    if not text:
        return []
    return [block.split("\n") for block in _BLOCK_BREAK.split(text.strip("\n"))]


def join_lines(lines: list[str]) -> str:
    """Rejoin a hard-wrapped block into one line."""
    if len(lines) == 1:
        return lines[0]
    return _HYPHEN_WRAP.sub("", "\n".join(lines)).replace("\n", " ")


def parse_breadcrumb(
    line: str,
    *,
    max_breadcrumb_chars: int = 200,  # real breadcrumbs are short navigation trails
    max_breadcrumb_parts: int = 5,  # sections... + publisher, as seen in the crawled sites
    max_part_words: int = 6,  # "Middle East and North Africa" is long for a section; a clause is longer
) -> list[str] | None:
    """Split a breadcrumb line into its parts, or None when the line does not look like one."""
    if not line or len(line) > max_breadcrumb_chars or _SENTENCE_END.search(line):
        return None
    parts = [part.strip() for part in _BREADCRUMB_SEPARATOR.split(line)]
    if not 1 <= len(parts) <= max_breadcrumb_parts:
        return None
    if any(
        not part or part[0] in _SEPARATOR_CHARS or part[-1] in _SEPARATOR_CHARS or len(part.split()) > max_part_words
        for part in parts
    ):
        return None
    return parts


def looks_like_headline(text: str, *, max_title_words: int = 40) -> bool:
    """A headline is short, does not end with a period (a body paragraph usually does) and is not boilerplate."""
    return 0 < len(text.split()) <= max_title_words and not _PERIOD_END.search(text) and not is_boilerplate(text)


def parse_article(
    text: str,
    *,
    max_title_words: int = 40,  # longer than any real headline; a longer first block is body text
) -> ArticleParts:
    """Find breadcrumb, headline and body blocks; raise `Rejected` when there is no headline or body."""
    blocks = split_blocks(text)
    if not blocks:
        raise Rejected("empty", "The file holds only white space or invisible characters; re-fetch the article.")
    publisher: str | None = None
    sections: list[str] = []
    if len(blocks) > 1 and len(blocks[0]) == 1:
        parts = parse_breadcrumb(blocks[0][0])
        if parts and looks_like_headline(join_lines(blocks[1]), max_title_words=max_title_words):
            *sections, publisher = parts
            blocks = blocks[1:]
    title = join_lines(blocks[0])
    if len(title.split()) > max_title_words:
        raise Rejected(
            "no_title",
            f"The first block has {len(title.split())} words, too many for a headline, so the article has no "
            "title line; put the headline on its own line followed by a blank line.",
        )
    body_blocks = blocks[1:]
    if not body_blocks:
        raise Rejected(
            "no_body",
            "A headline was found but no paragraph follows it; check that the file was not truncated.",
        )
    return ArticleParts(publisher, sections, title, body_blocks, title_wrapped=len(blocks[0]) > 1)
