"""Quality signals of a cleaned article: columns for analysts, never filters.

Last step of cleaning. Nothing here rejects a document; flags only describe it.

Quality flags (sorted in the output) are listed with their meaning in `QUALITY_FLAGS`.
"""
from __future__ import annotations

import itertools
import re
import string
import sys
import unicodedata

# Machine codes of the `quality_flags` column, with what each one means.
QUALITY_FLAGS: dict[str, str] = {
    "short_body": "the body has fewer than 50 words (teaser, caption or stub)",
    "title_in_body": "the title reappears in the body (casefolded)",
    "all_caps_title": "the title has at least two words and no lowercase letter",
    "long_title": "the title has more than 25 words (probably a lede, not a headline)",
    "mostly_non_text": "more than half of the body's non-space characters are not letters",
    "no_publisher": "no breadcrumb was recognised, so publisher is null",
    "no_language": "language identification was not confident, or the text was too short",
    "replacement_chars": "the body contains U+FFFD: characters were lost before or while decoding",
    "single_paragraph": "the body is one paragraph (paragraph breaks may have been lost upstream)",
    # Set by structure.py: the first blocks fit two layouts and fields were not moved on a guess.
    "ambiguous_headline": "the first line may be a bare publisher or a short headline and the next block ends "
    "like a sentence: read in the contract's positions (publisher, then headline; headline, then body when "
    "nothing follows)",
    "ambiguous_breadcrumb": "the first line splits like a breadcrumb but the next block is too long for a "
    "headline: the first line is the title and publisher is null",
}


def _combining_marks() -> frozenset[str]:
    """Every combining mark (category M): letters' accents and vowel signs."""
    return frozenset(
        chr(c) for c in range(0x300, min(sys.maxunicode, 0xE01EF) + 1) if unicodedata.category(chr(c))[0] == "M"
    )


# Inside tokens that are not all letters: a digit, underscore, or a character
# that is neither a word character nor a space -- except combining marks (Arabic
# vowel marks and Devanagari vowel signs are text, not symbols).
_NON_WORD_CHAR = re.compile(r"[\d_]|[^\w\s]")
_MARKS = _combining_marks()
# A token with no letter or digit (`–`, `•`), in text whose tokens are each preceded by one
# space: opening with a literal lets the regex engine skip ahead, about four times faster
# than a lookbehind for white space.
_SPACED_SYMBOL_TOKEN = re.compile(r" [^\s\w]++(?!\S)")
# Deleting these from an ASCII token leaves its non-letters: digits, `_` and punctuation (and, from a
# whole single-spaced text, nothing else: its only white space is the space).
_ASCII_LETTERS_AND_SPACE = (string.ascii_letters + " ").encode("ascii")
_ASCII = bytes(range(128))
# As transforms.normalise.DOUBLE_SPACE (a literal search: faster than `in` here), defined again because the CLI
# imports this module for QUALITY_FLAGS (flows/health_page.py) and importing normalise would load ftfy there.
_DOUBLE_SPACE = re.compile("  ")
# `quality_signals(spaced=...)` when the caller has not asked `single_spaced`: it never answers "" (a text it
# accepts opens with a space), so "" cannot be mistaken for an answer.
UNCHECKED = ""


def text_stats(text: str) -> tuple[int, float, float]:
    """Word count, mean word length and non-letter share of the non-space characters.

    A word is a whitespace-separated token holding at least one letter or digit
    (`Iranian-backed`, `gains,` and `4` are words, `–` is not); its length counts
    attached punctuation. Tokens made only of letters, most of them in prose, are
    settled by `str.isalpha`; only the rest are looked at character by character.
    """
    return paragraph_stats([text])[:3]


def paragraph_stats(paragraphs: list[str]) -> tuple[int, float, float, list[int]]:
    """`text_stats` of the paragraphs joined by blank lines, and each paragraph's word count.

    Tokens never cross a paragraph break, so the paragraphs are tokenised one by one, once:
    the per-paragraph counts (they add up to the word count) cost no second pass over the text.
    """
    return _paragraph_stats(paragraphs, single_spaced(paragraphs))


def _paragraph_stats(paragraphs: list[str], spaced: str | None) -> tuple[int, float, float, list[int]]:
    if spaced is not None and _mostly_ascii(spaced):
        return _single_spaced_stats(spaced, paragraphs)
    return _token_stats(paragraphs)


def _mostly_ascii(text: str, *, sample_chars: int = 256) -> bool:
    """Whether the text's start is mostly ASCII (Latin-script prose with quotes, dashes and accents).
    The regex that counts non-ASCII non-letters costs ~25 ns a character: over Cyrillic, Arabic or
    Greek prose, filtering out all-letter tokens first (`_token_stats`) is faster. Either way the
    figures are the same; this only picks the faster way."""
    sample = text[:sample_chars]
    return len(sample.encode("utf-8", "surrogatepass")) <= len(sample) * 1.25


def single_spaced(paragraphs: list[str]) -> str | None:
    """The paragraphs as one text with a space before each token, when they are single-spaced: every
    token of every paragraph follows exactly one ASCII space there, and no other white space (or other
    character that is not printable) is left. None otherwise. Cleaned paragraphs are single-spaced."""
    spaced = " " + " ".join(paragraphs)
    # `isprintable` is False for every white space but the ASCII space; then no double space and no
    # space at the end leave one space before each token (a leading or empty paragraph doubles one).
    if spaced[-1] != " " and spaced.isprintable() and not _DOUBLE_SPACE.search(spaced):
        return spaced
    return None


def _single_spaced_stats(spaced: str, paragraphs: list[str]) -> tuple[int, float, float, list[int]]:
    """paragraph_stats of single-spaced paragraphs (`spaced` is `single_spaced(paragraphs)`), counted on the
    whole text at once, without a string per token: each space starts a token, the symbol-only tokens are
    found by one regex, and a letter (an all-letter token's every character) is never a non-letter, so the
    non-letters of the whole text are those of the tokens that are not all letters."""
    tokens = spaced.count(" ")
    symbols = _SPACED_SYMBOL_TOKEN.findall(spaced)
    non_space = len(spaced) - tokens
    word_count = tokens - len(symbols)
    word_chars = non_space - (sum(map(len, symbols)) - len(symbols))
    paragraph_words = ([paragraph.count(" ") + 1 for paragraph in paragraphs] if not symbols
                       else [count_words(paragraph) for paragraph in paragraphs])
    mean_word_length = round(word_chars / word_count, 4) if word_count else 0.0
    return word_count, mean_word_length, round(_non_letters(spaced) / non_space, 4), paragraph_words


def _token_stats(paragraphs: list[str]) -> tuple[int, float, float, list[int]]:
    """paragraph_stats of any paragraphs, token by token."""
    tokens_by_paragraph = [paragraph.split() for paragraph in paragraphs]
    tokens = list(itertools.chain.from_iterable(tokens_by_paragraph))
    mixed, symbols = _mixed_and_symbols(tokens)
    # Most articles hold no token without a letter or digit (a lone dash or bullet): then each
    # paragraph's word count is its token count; only the others are counted word by word.
    paragraph_words = ([len(words) for words in tokens_by_paragraph] if not symbols
                       else [count_words(paragraph) for paragraph in paragraphs])
    if not tokens:
        return 0, 0.0, 0.0, paragraph_words
    non_space = len("".join(tokens))  # one C loop; sum(map(len, ...)) calls len once a token
    word_count = len(tokens) - len(symbols)
    word_chars = non_space - (sum(map(len, symbols)) - len(symbols))
    mean_word_length = round(word_chars / word_count, 4) if word_count else 0.0
    return word_count, mean_word_length, round(_non_letters(mixed) / non_space, 4), paragraph_words


def _non_letters(text: str) -> int:
    """Characters of `text` that are neither letters, combining marks nor white space.

    ASCII characters through a byte table (regex classes of Unicode categories cost ~40 ns a
    character); only the few others (quotes, dashes, accents) go through the regex, taken out of
    the text by deleting every ASCII byte from its UTF-8 (no byte of a longer sequence is ASCII),
    in C."""
    count = len(text.encode("ascii", "ignore").translate(None, _ASCII_LETTERS_AND_SPACE))
    if not text.isascii():
        beyond_ascii = text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")
        non_word_chars = _NON_WORD_CHAR.findall(beyond_ascii)
        count += len(non_word_chars) - sum(map(_MARKS.__contains__, non_word_chars))
    return count


def count_words(text: str) -> int:
    """Words in `text` as text_stats counts them: whitespace-separated tokens with a letter or digit."""
    tokens = text.split()
    return len(tokens) - len(_mixed_and_symbols(tokens)[1])


def _mixed_and_symbols(tokens) -> tuple[str, list[str]]:
    """The tokens that are not all letters, each after one space; and the symbol-only ones among
    them (each match a space and a token)."""
    mixed = " " + " ".join(itertools.filterfalse(str.isalpha, tokens))  # no bytecode run per token
    return mixed, _SPACED_SYMBOL_TOKEN.findall(mixed)


def language_flags(language: str | None) -> list[str]:
    """The quality flags that follow from the article's language alone."""
    return ["no_language"] if language is None else []


def quality_signals(
    *,
    title: str,
    body: str,
    paragraph_count: int,
    publisher: str | None,
    language: str | None,
    min_body_words: int = 50,  # a news item shorter than this is a teaser, a caption or a stub
    max_title_words: int = 25,  # real headlines stay under ~20 words; longer ones are usually a lede
    max_non_alpha_ratio: float = 0.5,  # prose is ~80% letters; tables, code and lists of numbers fall below half
    paragraphs: list[str] | None = None,  # body's paragraphs (body is them joined by blank lines): counted one by one
    folded: tuple[str, str] | None = None,  # title and body casefolded, when the caller has them already
    spaced: str | None = UNCHECKED,  # single_spaced(paragraphs) (None: not single-spaced), if the caller has it
) -> dict[str, object]:
    """Word counts, ratios and flags describing one cleaned article (and, given its paragraphs, theirs)."""
    if paragraphs is None:
        word_count, mean_word_length, ratio = text_stats(body)
        paragraph_words = None
    else:
        word_count, mean_word_length, ratio, paragraph_words = _paragraph_stats(
            paragraphs, single_spaced(paragraphs) if spaced == UNCHECKED else spaced)
    title_word_count = count_words(title)
    flags: list[str] = []
    if word_count < min_body_words:
        flags.append("short_body")
    # Title and body are normalised already (single spaces), so casefolding is enough.
    folded_title, folded_body = folded or (title.casefold(), body.casefold())
    if title and folded_title in folded_body:
        flags.append("title_in_body")
    if title_word_count >= 2 and title.isupper():
        flags.append("all_caps_title")
    if title_word_count > max_title_words:
        flags.append("long_title")
    if ratio > max_non_alpha_ratio:
        flags.append("mostly_non_text")
    if publisher is None:
        flags.append("no_publisher")
    flags += language_flags(language)
    if "\ufffd" in body:
        flags.append("replacement_chars")
    if paragraph_count == 1:
        flags.append("single_paragraph")
    return {
        "word_count": word_count,
        "title_word_count": title_word_count,
        "mean_word_length": mean_word_length,
        "non_alpha_ratio": ratio,
        "quality_flags": sorted(flags),
        "paragraph_word_counts": paragraph_words,
    }
