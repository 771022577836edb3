"""Normalised article text -> breadcrumb (sections, publisher), headline and paragraphs.

Third step of cleaning. Works on text whose lines are already stripped, so a
paragraph break is simply an empty line.

The breadcrumb rule: the first block is a breadcrumb when
  * it is a single line of at most `max_breadcrumb_chars` characters that does
    not end with sentence punctuation (`.`, `!`, `?`, `:`, `;`, `,`);
  * it splits on separators -- a hyphen, en dash, em dash or pipe with white
    space on both sides -- into 1 to `max_breadcrumb_parts` non-empty parts of
    at most `max_part_words` words each (`Al-Monitor` has no spaces around its
    hyphen, so it is one part); a single part (a bare publisher) has at most
    `max_publisher_words` words;
  * a headline-like block follows it: at most `max_title_words` words and not
    boilerplate. A headline may end with any punctuation (`...`, `…`, `.`, `?`,
    `!`, quotes, `。`, `؟`).
Boilerplate-only blocks before the headline (at the top, or between breadcrumb
and headline) are skipped and counted. Otherwise there is no breadcrumb
(publisher None, sections empty) and the first block is the headline: a missing
publisher is better than a wrong one. A breadcrumb followed by a headline and
nothing else is `no_body`, not a headline with a one-line body.

Fields are never moved on a guess. Where the first blocks fit two layouts, the
contract's positions are kept and `layout_flags` says what was uncertain:
  * `ambiguous_headline`: the first line is a single part that could be a bare
    publisher or a short headline (a name in capitals, or a script without case),
    and the next block ends with a full stop (`.`, `…`, `。`): read as publisher, then
    headline (headline, then body, when nothing follows). A first line in
    sentence case (`Iran talks resume`) is a headline.
  * `ambiguous_breadcrumb`: the first line splits like a breadcrumb, but the block
    after it is too long for a headline: the file has no headline line, so the
    first line is the title (publisher None).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from newsetl.transforms.boilerplate import is_boilerplate
from newsetl.transforms.rejects import Rejected

_BLOCK_BREAK = re.compile(r"\n\n+")
# The white space after a separator is only looked at, so `News - | X` splits twice (and has an empty part).
_BREADCRUMB_SEPARATOR = re.compile(r"\s+[-\u2013\u2014|](?=\s)")
_SEPARATOR_CHARS = "-\u2013\u2014|"
# A line ending with a letter and a hyphen, continued by a lowercase letter, was
# wrapped inside a hyphenated word (`Iranian-\nbacked`): join without a space.
_HYPHEN_WRAP = re.compile(r"(?<=\w-)\n(?=[^\W\d_])")
_SENTENCE_END = re.compile(r"[.!?:;,][\"'\u201d\u2019)\]]*$")


@dataclass(frozen=True)
class ArticleParts:
    """The parts of one article before boilerplate removal: blocks are lists of lines."""

    publisher: str | None
    sections: list[str]
    title: str
    body_blocks: list[list[str]]
    title_wrapped: bool
    boilerplate_lines: int = 0  # boilerplate lines skipped before the headline
    layout_flags: tuple[str, ...] = ()  # what was uncertain about the layout (quality flags)


def split_blocks(text: str) -> list[list[str]]:
    """Split normalised text into blocks (paragraphs) of lines at empty lines."""
    if not text:
        return []
    return [block.split("\n") for block in _BLOCK_BREAK.split(text.strip("\n"))]


def join_lines(lines: list[str]) -> str:
    """Rejoin a hard-wrapped block into one line."""
    if len(lines) == 1:
        return lines[0]
    joined = "\n".join(lines)
    if "-\n" in joined:  # what a hyphen wrap needs; `in` skips the regex's lookbehind at every character
        joined = _HYPHEN_WRAP.sub("", joined)
    return joined.replace("\n", " ")


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
    """A headline is short and not boilerplate; it may end with any punctuation (`My memories of Marley...`)."""
    return 0 < len(text.split()) <= max_title_words and not is_boilerplate(text)


# What ends a sentence in the scripts of the drop, and what may close it (quotes, brackets).
# A first paragraph ends with a full stop; a question or an exclamation is as likely a headline.
_FULL_STOPS = frozenset(".…。．｡۔।")
_SENTENCE_FINAL = _FULL_STOPS | frozenset("!?！？؟")
_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)]）」』"


def _ends_like_sentence(text: str, *, final: frozenset[str] = _SENTENCE_FINAL) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in final


def _could_be_a_name(text: str) -> bool:
    """A bare publisher is a name: its longer words are capitalised (`The Globe and Mail`), or its
    script has no case (`الجزيرة`, `新华网`); `Iran talks resume` is a headline in sentence case."""
    return all(word[0].isupper() for word in text.split() if len(word) > 3 and word[0].islower() != word[0].isupper())


def parse_article(
    text: str,
    *,
    max_title_words: int = 40,  # longer than any real headline; a longer first block is body text
    max_publisher_words: int = 4,  # a breadcrumb of one part is a bare publisher name ("The Jerusalem Post")
) -> ArticleParts:
    """Find breadcrumb, headline and body blocks; raise `Rejected` when there is no headline or body."""
    blocks = split_blocks(text)
    if not blocks:
        raise Rejected("empty", "The file holds only white space or invisible characters; re-fetch the article.")
    # Site furniture before the headline ("Advertisement" above it, or between it
    # and the breadcrumb) is skipped, so it can never be taken for the headline.
    blocks, skipped = _skip_boilerplate_blocks(blocks)
    publisher: str | None = None
    sections: list[str] = []
    layout_flags: tuple[str, ...] = ()
    if len(blocks) > 1 and len(blocks[0]) == 1:
        parts = parse_breadcrumb(blocks[0][0])
        # A breadcrumb never ends like a sentence (`…`, `。`, `؟` too).
        if parts and (
            _ends_like_sentence(blocks[0][0]) or (len(parts) == 1 and len(parts[0].split()) > max_publisher_words)
        ):
            parts = None
        rest, skipped_after = _skip_boilerplate_blocks(blocks[1:])
        if parts and rest:
            headline = join_lines(rest[0])
            # looks_like_headline, but a one-line block that was not skipped is a line already known
            # not to be boilerplate: is_boilerplate (~3 us) is not asked twice.
            headline_like = 0 < len(headline.split()) <= max_title_words and (
                len(rest[0]) == 1 or not is_boilerplate(headline))
            if not headline_like:
                # Sections and a publisher but no headline line, or a headline holding ` - `.
                if len(parts) > 1:
                    layout_flags = ("ambiguous_breadcrumb",)
            elif len(parts) > 1 or not _ends_like_sentence(headline, final=_FULL_STOPS):
                *sections, publisher = parts
                blocks, skipped = rest, skipped + skipped_after
            elif _could_be_a_name(parts[0]):
                # `Reuters` then `Markets fell.`: publisher and headline, or headline and lede?
                # The contract's positions, flagged; headline and body when nothing follows.
                layout_flags = ("ambiguous_headline",)
                if len(rest) > 1:
                    *sections, publisher = parts
                    blocks, skipped = rest, skipped + skipped_after
    if not blocks:
        raise Rejected(
            "no_title",
            "The file holds only site furniture (sharing, copyright, ads), no headline; "
            "check that the crawler captured the article.",
        )
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
    return ArticleParts(
        publisher,
        sections,
        title,
        body_blocks,
        title_wrapped=len(blocks[0]) > 1,
        boilerplate_lines=skipped,
        layout_flags=layout_flags,
    )


def _skip_boilerplate_blocks(blocks: list[list[str]]) -> tuple[list[list[str]], int]:
    """Drop the leading blocks made only of boilerplate lines; return the rest and the lines dropped."""
    skipped_lines = 0
    for index, block in enumerate(blocks):
        if not all(is_boilerplate(line) for line in block):
            return blocks[index:], skipped_lines
        skipped_lines += len(block)
    return [], skipped_lines
