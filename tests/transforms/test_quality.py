"""quality.py: counts, ratios and flags; descriptive columns, never filters."""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.transforms.quality import _token_stats, count_words, paragraph_stats, quality_signals, single_spaced, text_stats

LONG_BODY = " ".join(["word"] * 60) + "."


def _flags(**overrides) -> list[str]:
    arguments = {"title": "A calm headline", "body": LONG_BODY, "paragraph_count": 2, "publisher": "X", "language": "en"}
    return quality_signals(**(arguments | overrides))["quality_flags"]


def test_words_are_tokens_with_a_letter_or_digit():
    assert text_stats("Iranian-backed groups – on July 4, “sovereignty”.")[0] == 6


def test_mean_word_length_counts_attached_punctuation():
    assert text_stats("ab cd, e")[1] == round((2 + 3 + 1) / 3, 4)


def test_non_alpha_ratio_counts_digits_and_punctuation():
    assert text_stats("abc 12.")[2] == round(3 / 6, 4)


def test_combining_marks_count_as_letters():
    assert text_stats("عَرَبِيّ हिन्दी")[2] == 0.0


def test_empty_text_has_zero_stats():
    assert text_stats("") == (0, 0.0, 0.0)


def test_clean_article_has_no_flags():
    assert _flags() == []


def test_short_body_flag():
    assert _flags(body="Only a few words here.") == ["short_body"]


def test_title_in_body_flag():
    assert "title_in_body" in _flags(body="A CALM headline\n\n" + LONG_BODY)


def test_all_caps_title_flag():
    assert "all_caps_title" in _flags(title="MILITIAS PUSH GAINS")


def test_single_acronym_title_is_not_all_caps():
    assert "all_caps_title" not in _flags(title="NATO")


def test_long_title_flag():
    assert "long_title" in _flags(title=" ".join(["word"] * 26))


def test_mostly_non_text_flag():
    assert "mostly_non_text" in _flags(body=" ".join(["12.5%"] * 60))


def test_no_publisher_flag():
    assert _flags(publisher=None) == ["no_publisher"]


def test_no_language_flag():
    assert _flags(language=None) == ["no_language"]


def test_replacement_chars_flag():
    assert "replacement_chars" in _flags(body=LONG_BODY + " caf\ufffd")


def test_single_paragraph_flag():
    assert _flags(paragraph_count=1) == ["single_paragraph"]


def test_flags_are_sorted():
    flags = _flags(publisher=None, language=None, paragraph_count=1, body="short")
    assert flags == sorted(flags) and len(flags) == 4


def test_every_flag_raised_is_documented():
    from newsetl.transforms.quality import QUALITY_FLAGS

    flags = _flags(title=" ".join(["WORD"] * 30), body="1 2 3 \ufffd", paragraph_count=1, publisher=None, language=None)
    # The layout flags come from structure.py (test_document.py checks that they reach the row).
    assert set(flags) == set(QUALITY_FLAGS) - {"title_in_body", "ambiguous_headline", "ambiguous_breadcrumb"}


# text_stats counts non-letters with a byte table for ASCII and a regex for the rest; this is
# the all-regex version it replaced (cleaning 1.2.0), which the fast one must match exactly.
_NON_WORD_CHAR = re.compile(r"[\d_]|[^\w\s]")
_SYMBOL_TOKEN = re.compile(r"(?<!\S)[^\s\w]++(?!\S)")


def _is_mark(char: str) -> bool:
    return 0x300 <= ord(char) <= 0xE01EF and unicodedata.category(char)[0] == "M"


def _reference_text_stats(text: str) -> tuple[int, float, float]:
    tokens = text.split()
    if not tokens:
        return 0, 0.0, 0.0
    non_space = sum(map(len, tokens))
    mixed = " ".join([token for token in tokens if not token.isalpha()])
    symbols = _SYMBOL_TOKEN.findall(mixed)
    word_count = len(tokens) - len(symbols)
    word_chars = non_space - sum(map(len, symbols))
    non_word_chars = _NON_WORD_CHAR.findall(mixed)
    non_letters = len(non_word_chars) - sum(map(_is_mark, non_word_chars))
    mean_word_length = round(word_chars / word_count, 4) if word_count else 0.0
    return word_count, mean_word_length, round(non_letters / non_space, 4)


# Letters (Latin, Arabic, Devanagari), combining marks, digits (ASCII, Arabic-Indic, astral),
# other numerics, underscore, ASCII and Unicode punctuation, every kind of white space,
# controls, a joiner and an emoji.
_ALPHABET = st.sampled_from(list(
    "aZéßعह\u094d\u093f\u064e\u0651\u0301\U000e0100" "09\u0663\U0001d7d8²½Ⅻ_" "-–—|&.,;“”’«»€%#@"
    " \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000" "\x00\x7f\x9d\u200c\U0001f600"
))


@settings(max_examples=2000, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_text_stats_equals_the_all_regex_version(text):
    assert text_stats(text) == _reference_text_stats(text)


def test_text_stats_equals_the_all_regex_version_on_samples():
    for text in ("Iranian-backed groups – on July 4, “sovereignty”.", "عَرَبِيّ هِ، 12٫5 – हिन्दी।", "a _ b2 ½ 𝟘 – —", ""):
        assert text_stats(text) == _reference_text_stats(text), text


@settings(max_examples=1000, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_count_words_counts_as_text_stats_does(text):
    assert count_words(text) == text_stats(text)[0]


# Single-spaced paragraphs, as cleaning leaves them, mostly ASCII (counted on the whole text at once) or
# mostly not (token by token): tokens of the alphabet above without its white space and controls.
_PRINTABLE = [char for char in _ALPHABET.elements if char.isprintable() and char != " "]
_WORD = st.lists(st.sampled_from(_PRINTABLE), min_size=1, max_size=6).map("".join)
_PARAGRAPHS = st.lists(st.lists(st.one_of(_WORD, st.sampled_from(["word", "Prices", "rose,", "4.5%", "–"])),
                                min_size=1, max_size=12).map(" ".join), min_size=1, max_size=4)


@settings(max_examples=2000, deadline=None)
@given(_PARAGRAPHS)
def test_single_spaced_paragraphs_are_counted_as_the_all_regex_version_counts_them(paragraphs):
    assert single_spaced(paragraphs) == " " + " ".join(paragraphs)
    *stats, counts = paragraph_stats(paragraphs)

    assert tuple(stats) == _reference_text_stats("\n\n".join(paragraphs))
    assert counts == [_reference_text_stats(paragraph)[0] for paragraph in paragraphs]
    assert paragraph_stats(paragraphs) == _token_stats(paragraphs)


def test_paragraphs_with_other_white_space_or_empty_ones_are_not_single_spaced():
    for paragraphs in (["a  b"], [" a"], ["a "], ["a", ""], [""], [], ["a\tb"], ["a\nb"], ["a\xa0b"], ["a\u200cb"]):
        assert single_spaced(paragraphs) is None, paragraphs
        *stats, counts = paragraph_stats(paragraphs)
        assert tuple(stats) == _reference_text_stats("\n\n".join(paragraphs))


def test_dashes_and_bullets_standing_alone_are_not_words():
    assert count_words("Oil prices rose – again • 4 %") == 5
