"""Hostile article text: cleaning stays linear, so one file costs at most seconds per MB.

Each input is a plain article (breadcrumb, headline, paragraphs) with one hostile
stretch of about `size` bytes in its body. A pattern or algorithm that is quadratic
in that stretch (the old `<!--.*?-->` searched from every unclosed `<!--`, CPython's
insertion sort of combining marks) takes minutes at these sizes; linear cleaning
takes well under a second. The limit is CPU seconds of the test's thread, so a busy
machine does not make it fail; a wall-clock alarm stops a run that would take minutes.
"""
from __future__ import annotations

import random
import signal
import threading
import time

import pytest

from newsetl.transforms.document import clean_article
from newsetl.transforms.rejects import Rejected

KB = 1024
# CPU seconds allowed: a fixed part (imports are warm, but the language model's first call is
# not) plus a rate per MB. Linear cleaning of the worst inputs below costs ~1 s per MB on the
# development machine; a quadratic step costs over 10 s at 256 KB.
FIXED_SECONDS = 0.5
SECONDS_PER_MB = 6.0

HEAD = "World - Reuters\n\nA headline over hostile text\n\n"
TAIL = "\n\nA closing paragraph of the story.\n"


def _repeat(unit: str, size: int) -> str:
    return unit * (size // len(unit.encode("utf-8")) + 1)


def _article(hostile: str) -> bytes:
    return (HEAD + "An opening paragraph. " + hostile + TAIL).encode("utf-8")


def _random_marks(size: int) -> str:
    # Combining marks of many classes (above, below, Hebrew and Arabic points, Devanagari signs).
    marks = "\u0301\u0316\u0323\u0308\u0327\u0345\u05b0\u05bc\u064e\u0651\u0670\u093c\u094d\u0f71\u0f72\u0344\u0f73"
    rnd = random.Random(9)
    return "a" + "".join(rnd.choice(marks) for _ in range(size // 2))


def _hard_wrapped(size: int) -> str:
    line = "a wrapped line of a paragraph that was never given a blank line to end it and goes"
    return "\n".join([line] * (size // len(line)))


# name -> (hostile stretch of about `size` bytes, size)
HOSTILE: dict[str, tuple[str, int]] = {
    # Markup: openers without their closers.
    "unclosed_comments": (_repeat("<!--", 512 * KB), 512 * KB),
    "unclosed_comments_with_text": (_repeat("<!-- a remark ", 512 * KB), 512 * KB),
    "unclosed_script_tags": (_repeat("<script>", 512 * KB), 512 * KB),
    "unclosed_style_tags_with_attributes": (_repeat('<STYLE type="text/css">', 512 * KB), 512 * KB),
    "script_tags_closed_by_style": (_repeat("<script>x</style>", 512 * KB), 512 * KB),
    "closed_comments_in_a_flood": (_repeat("<!-- x -->y", 512 * KB), 512 * KB),
    "unclosed_block_tags": (_repeat("<p class=", 512 * KB), 512 * KB),
    "unclosed_tags_with_tabs": (_repeat("<div\t", 512 * KB), 512 * KB),
    "unclosed_line_breaks": (_repeat("<br", 512 * KB), 512 * KB),
    "less_than_signs": (_repeat("<", 512 * KB), 512 * KB),
    "nested_openers": (_repeat("<<b>p>", 512 * KB), 512 * KB),
    # Entities.
    "ampersand_hash_runs": (_repeat("&#", 512 * KB), 512 * KB),
    "unfinished_numeric_entities": (_repeat("&#x1F600&#12345", 512 * KB), 512 * KB),
    "escaped_entity_chains": (_repeat("&amp;amp;amp;amp;amp;lt;p&amp;amp;gt;", 512 * KB), 512 * KB),
    # White space.
    "blank_line_flood": (_repeat("\n", 512 * KB), 512 * KB),
    "blank_lines_of_spaces_and_tabs": (_repeat(" \t \r\n", 512 * KB), 512 * KB),
    "space_run": (_repeat(" ", 512 * KB), 512 * KB),
    "nbsp_and_zero_width_run": (_repeat("\u00a0\u200b\u200c", 512 * KB), 512 * KB),
    # Combining marks of mixed classes on one base letter.
    "alternating_combining_marks": ("a" + _repeat("\u0301\u0316", 256 * KB), 256 * KB),
    "random_combining_marks": (_random_marks(256 * KB), 256 * KB),
    "combining_marks_above_the_bmp": ("a" + _repeat("\U0001d167\u0301", 256 * KB), 256 * KB),
    # Paragraphs and lines.
    "huge_single_paragraph": (_repeat("word ", 512 * KB), 512 * KB),
    "one_word_without_spaces": (_repeat("a", 512 * KB), 512 * KB),
    "hard_wrapped_paragraph": (_hard_wrapped(512 * KB), 512 * KB),
    "hyphen_wrapped_lines": (_repeat("Iranian-\nbacked ", 512 * KB), 512 * KB),
    "hyphen_run": (_repeat("-", 512 * KB), 512 * KB),
    "bullet_run": (_repeat("\u2022 ", 512 * KB), 512 * KB),
    "dash_and_pipe_separators": (_repeat(" - | \u2013 ", 512 * KB), 512 * KB),
    "share_buttons_line": (_repeat("facebook,twitter|", 512 * KB), 512 * KB),
    "boilerplate_lines": (_repeat("Advertisement\n\nShare this article\n", 512 * KB), 512 * KB),
    "sentence_ends": (_repeat(".)\u201d", 512 * KB), 512 * KB),
    "mojibake_run": (_repeat("\u00e2\u20ac\u0153x", 512 * KB), 512 * KB),
}

# Whole files whose first lines are hostile (breadcrumb and headline parsing).
HOSTILE_FILES: dict[str, tuple[bytes, int]] = {
    "separator_run_as_breadcrumb": (
        (_repeat(" - ", 512 * KB) + "\n\nA headline\n\nA paragraph.\n").encode(), 512 * KB),
    "short_separator_run_as_breadcrumb": (
        (" -" * 99 + "\n\nA headline\n\nA paragraph.\n" + _repeat("Another paragraph.\n\n", 512 * KB)).encode(),
        512 * KB),
    "huge_headline": (("News - X\n\n" + _repeat("headline ", 512 * KB) + "\n\nA paragraph.\n").encode(), 512 * KB),
    "only_blank_lines_and_furniture": (_repeat("\n\nAdvertisement\n\n", 1024 * KB).encode(), 1024 * KB),
}


class _TooLong(Exception):
    pass


def _cpu_seconds_to_clean(raw: bytes, limit: float) -> tuple[float, str]:
    """CPU seconds `clean_article` takes on `raw`, and its outcome: "article" or the reject reason."""
    guard = threading.current_thread() is threading.main_thread()
    if guard:
        def _stop(signum, frame):
            raise _TooLong(f"still cleaning after {limit * 4 + 10:.0f} s of wall time (limit {limit:.1f} s CPU)")

        previous = signal.signal(signal.SIGALRM, _stop)
        # Wall time: generous for a loaded machine, short enough that a quadratic step stops here.
        signal.setitimer(signal.ITIMER_REAL, limit * 4 + 10)
    started = time.thread_time()
    try:
        try:
            clean_article(raw)
            outcome = "article"
        except Rejected as reject:
            outcome = reject.reason
    finally:
        if guard:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return time.thread_time() - started, outcome


def _limit(size: int) -> float:
    return FIXED_SECONDS + SECONDS_PER_MB * size / (1024 * KB)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_in_the_body_is_cleaned_in_linear_time(name):
    hostile, size = HOSTILE[name]
    limit = _limit(size)

    seconds, outcome = _cpu_seconds_to_clean(_article(hostile), limit)

    assert seconds <= limit, f"{name}: {seconds:.2f} s of CPU for {size // KB} KB, over {limit:.1f} s"
    assert outcome == "article", f"{name}: rejected as {outcome}"


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_first_lines_are_parsed_in_linear_time(name):
    raw, size = HOSTILE_FILES[name]
    limit = _limit(size)

    seconds, outcome = _cpu_seconds_to_clean(raw, limit)

    assert seconds <= limit, f"{name}: {seconds:.2f} s of CPU for {size // KB} KB, over {limit:.1f} s"
    assert outcome in {"article", "no_title", "no_body"}, f"{name}: rejected as {outcome}"


def test_unclosed_openers_stay_text_and_closed_ones_go():
    """An opener without its closer is prose to keep; the elements and comments that close are removed."""
    raw = _article("<!-- gone --> <script>gone()</script> kept <!-- and <script> and <style> stay")

    body = clean_article(raw)["body"]

    assert "gone" not in body
    assert "kept <!-- and <script> and <style> stay" in body
