"""Site furniture at the edges of an article body ("Share this article", "© 2020 X. All rights reserved.").

Fourth step of cleaning. Lines are removed only from the start and the end of
the body, never from the middle, and only when a whole line matches one of
`BOILERPLATE_PATTERNS`. To extend the list, append a compiled pattern and a
test case in `tests/transforms/test_boilerplate.py`.
"""
from __future__ import annotations

import re

_SOCIAL = r"(?:facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|tiktok|reddit|pinterest|email|e-mail|messenger)"
_FLAGS = re.IGNORECASE

# Each pattern must match a whole (stripped) line.
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Sharing and following
    re.compile(r"share (?:this|the) (?:article|story|post|page)(?: (?:on|via) .{1,40})?[.!:]?", _FLAGS),
    re.compile(rf"share(?: (?:on|via))? {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*[.!]?", _FLAGS),
    re.compile(rf"{_SOCIAL}(?:[ ,|/]+{_SOCIAL})+", _FLAGS),  # a bare row of share buttons
    re.compile(rf"follow us(?: on {_SOCIAL}(?:[ ,|/]+(?:and )?{_SOCIAL})*)?(?: (?:for|to) .{{1,60}})?[.!:]?", _FLAGS),
    # Cross links
    re.compile(r"(?:read|see) (?:more|also|next)(?:\s*[:\-\u2013\u2014>\u00bb]\s*.{0,200}|[.!]?)", _FLAGS),
    re.compile(r"(?:related(?: (?:articles|stories|news|content|posts))?|recommended(?: for you)?|most read)(?:\s*:.{0,200})?", _FLAGS),
    re.compile(r"more from [^.!?]{1,40}:?", _FLAGS),
    re.compile(r"click here .{0,120}", _FLAGS),
    re.compile(r"tags?\s*:\s*.{0,200}", _FLAGS),
    # Ads
    re.compile(r"(?:advertisement|advertising|sponsored(?: content)?|ad|scroll to continue(?: with content)?)[.!]?", _FLAGS),
    # Rights
    # `(c)` also numbers list items, so it needs a year; the © sign alone is unambiguous.
    re.compile(r"(?:\u00a9|\(c\)\s*\d{4}|copyright\s*(?:\u00a9|\(c\))?\s*(?:\d{4}|by\b)).{0,200}", _FLAGS),
    re.compile(r".{0,160}\ball rights reserved\.?", _FLAGS),
    # Newsletters and subscriptions
    re.compile(r"(?:sign up|subscribe)(?: now| today| here)?(?: (?:for|to) .{0,80})?[.!]?", _FLAGS),
    re.compile(r"get (?:our|the) .{0,40}newsletter.{0,80}", _FLAGS),
    # Comment and print widgets
    re.compile(r"(?:comments?|leave a comment|print|print this article|email this article|0 comments)[.!]?", _FLAGS),
)

# A boilerplate line is short; a longer line that happens to start like one
# ("Copyright law reform passed ... in 2020, ...") is article text.
MAX_BOILERPLATE_WORDS = 25


# All patterns as one alternation: one regex call per line instead of one per pattern.
_ANY_BOILERPLATE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in BOILERPLATE_PATTERNS), _FLAGS)


def is_boilerplate(line: str, *, max_words: int = MAX_BOILERPLATE_WORDS) -> bool:
    """Whether a whole line is site furniture rather than article text."""
    # Lines are normalised (single spaces), so counting spaces counts words, cheaply.
    if not line or line.count(" ") >= max_words:
        return False
    return _ANY_BOILERPLATE.fullmatch(line) is not None


def strip_boilerplate(blocks: list[list[str]]) -> tuple[list[list[str]], int]:
    """Remove boilerplate lines at the start and end of the body; return the blocks and lines removed."""
    lines = [(index, line) for index, block in enumerate(blocks) for line in block]
    start, end = 0, len(lines)
    while start < end and is_boilerplate(lines[start][1]):
        start += 1
    while end > start and is_boilerplate(lines[end - 1][1]):
        end -= 1
    removed = len(lines) - (end - start)
    if not removed:
        return blocks, 0
    kept: dict[int, list[str]] = {}
    for index, line in lines[start:end]:
        kept.setdefault(index, []).append(line)
    return list(kept.values()), removed
