"""clean_article: the whole per-document cleaning, on the real sample and small inline inputs."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from newsetl.transforms.document import CLEANING_VERSION, clean_article, content_hash
from newsetl.transforms.rejects import REASONS, Rejected

SAMPLE = Path(__file__).parents[1] / "data" / "cleaning" / "real_000_b7a10fd9200f5948.txt"

BODY = (
    "The first paragraph of the article says something about the news of the day.\n\n"
    "The second paragraph adds a quote from an official and some context for readers."
)
ARTICLE = f"World - Reuters\n\nA headline about the news\n\n{BODY}\n"

KEYS = {
    "encoding", "publisher", "sections", "title", "paragraphs", "body", "paragraph_count", "word_count",
    "char_count", "language", "language_score", "content_hash", "fixes", "title_word_count",
    "mean_word_length", "non_alpha_ratio", "boilerplate_lines_removed", "quality_flags", "paragraph_word_counts",
}


def test_real_sample_comes_out_as_the_contract_says():
    article = clean_article(SAMPLE.read_bytes())
    assert article["publisher"] == "Baghdadpost"
    assert article["sections"] == ["Iraq News", "Local News"]
    assert article["title"] == "Iranian-backed militias in Iraq push their gains on July 4"
    assert article["paragraph_count"] == 9
    assert article["language"] == "en"
    assert "\u00a0" not in article["body"] and "\u00a0" not in article["title"]
    assert article["fixes"] == ["nbsp"]


def test_record_has_exactly_the_contract_keys_and_types():
    article = clean_article(ARTICLE.encode())
    assert set(article) == KEYS
    assert isinstance(article["paragraphs"], list) and isinstance(article["sections"], list)
    assert isinstance(article["word_count"], int) and isinstance(article["mean_word_length"], float)
    assert isinstance(article["language_score"], float)


def test_body_is_paragraphs_joined_by_blank_line_and_counts_follow():
    article = clean_article(ARTICLE.encode())
    assert article["body"] == BODY
    assert article["paragraphs"] == BODY.split("\n\n")
    assert article["paragraph_count"] == 2
    assert article["char_count"] == len(BODY)
    assert article["word_count"] == len(BODY.split())


def test_paragraph_word_counts_are_each_paragraphs_words_and_add_up_to_word_count():
    raw = ("World - Reuters\n\nA headline\n\nPrices rose – again, on July 4.\n\n"
           "A second paragraph • with a bullet and 12 words in it – or so.\n\nThird one.\n")
    article = clean_article(raw.encode())
    assert article["paragraph_word_counts"] == [6, 13, 2]  # the dash and the bullet are not words
    assert sum(article["paragraph_word_counts"]) == article["word_count"]


def test_content_hash_ignores_case_and_whitespace_layout():
    once = clean_article(ARTICLE.encode())["content_hash"]
    again = clean_article(ARTICLE.replace("first paragraph", "FIRST   paragraph").encode())["content_hash"]
    assert once == again
    assert once == hashlib.sha256(f"a headline about the news\n{' '.join(BODY.casefold().split())}".encode()).hexdigest()


def test_content_hash_differs_when_words_differ():
    assert content_hash("Title", "one two") != content_hash("Title", "one three")


def test_cleaning_version_is_a_string():
    assert isinstance(CLEANING_VERSION, str) and CLEANING_VERSION


def test_gzip_is_decompressed_transparently():
    assert clean_article(gzip.compress(ARTICLE.encode()), compressed=True)["body"] == BODY


def test_crlf_is_normalised_and_recorded():
    article = clean_article(ARTICLE.replace("\n", "\r\n").encode())
    assert article["body"] == BODY
    assert "crlf" in article["fixes"]


def test_utf16_with_bom_is_decoded():
    article = clean_article(ARTICLE.encode("utf-16"))
    assert article["encoding"] == "utf-16"
    assert article["body"] == BODY


def test_cp1252_falls_back_when_not_utf8():
    article = clean_article(ARTICLE.replace("news of the day", "café of the day").encode("cp1252"))
    assert article["encoding"] == "cp1252"
    assert "café" in article["body"]


def test_boilerplate_at_the_edges_is_counted_and_recorded():
    article = clean_article(f"Advertisement\n\n{ARTICLE}\nShare this article\n".encode())
    assert article["body"] == BODY
    assert (article["boilerplate_lines_removed"], "boilerplate" in article["fixes"]) == (2, True)


def test_boilerplate_above_the_headline_alone_is_recorded():
    article = clean_article(f"Advertisement\n\n{ARTICLE}".encode())
    assert (article["boilerplate_lines_removed"], article["fixes"]) == (1, ["boilerplate"])


def _reject(raw: bytes, **options) -> Rejected:
    with pytest.raises(Rejected) as caught:
        clean_article(raw, **options)
    assert caught.value.reason in REASONS
    assert caught.value.detail.endswith(".") and len(caught.value.detail.split()) > 5
    return caught.value


def test_reject_empty_file():
    assert _reject(b"").reason == "empty"


def test_reject_whitespace_only_file():
    assert _reject(b" \r\n\t \n").reason == "empty"


def test_reject_invisible_only_file():
    assert _reject("\u00a0\u200b\n\ufeff".encode()).reason == "empty"


def test_reject_png_as_binary():
    error = _reject(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert error.reason == "binary" and "PNG" in error.detail


def test_reject_nul_heavy_bytes_as_binary():
    assert _reject(b"ab\x00\x01\x00cd\x00\x00\xff\x00" * 50).reason == "binary"


def test_reject_undecodable_bytes():
    noise = bytes((i * 151 + 17) % 128 + 128 for i in range(2000))
    assert _reject(noise).reason == "undecodable"


def test_reject_single_long_block_as_no_title():
    error = _reject((" ".join(["word"] * 80) + ".").encode())
    assert error.reason == "no_title" and "80 words" in error.detail


def test_reject_headline_without_paragraph_as_no_body():
    assert _reject(b"Iraq News - Baghdadpost\n\nA headline alone\n").reason == "no_body"


def test_reject_body_of_only_boilerplate_as_no_body():
    error = _reject(b"A headline\n\nShare this article\n\nAdvertisement\n")
    assert error.reason == "no_body" and "2 boilerplate" in error.detail


def test_reject_over_cap_as_too_large():
    assert _reject(ARTICLE.encode(), max_bytes=100).reason == "too_large"


def test_reject_gzip_bomb_as_too_large():
    assert _reject(gzip.compress(b"a" * 100_000), compressed=True, max_bytes=10_000).reason == "too_large"


def test_reject_broken_gzip_as_corrupt():
    assert _reject(b"\x1f\x8b\x08\x00garbage", compressed=True).reason == "corrupt_gzip"


def test_reject_truncated_gzip_as_corrupt():
    assert _reject(gzip.compress(ARTICLE.encode())[:-12], compressed=True).reason == "corrupt_gzip"


# ---------------------------------------------------------------- properties

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FORBIDDEN = set("\x00\r\t\u00a0\u200b\u2060\ufeff\u00ad") | {chr(c) for c in range(1, 32) if c != 10}

troublesome = st.sampled_from(
    ["\r\n", "\n\n", "\n", " - ", " | ", "\u00a0", "\u200b", "\ufeff", "<p>", "</p>", "&amp;", "&nbsp;", "â€œ", ".", "\t"]
)
words = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=12)
article_text = st.lists(st.one_of(words, words, words, troublesome, st.just(" ")), min_size=1, max_size=200).map("".join)


def _line(parts: st.SearchStrategy, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(parts, min_size=1, max_size=max_size).map(" ".join)


# Article-shaped text: an optional breadcrumb, a headline, paragraphs with
# troublesome characters, hard wraps and boilerplate, blank-line runs of any length.
messy_word = st.one_of(words, words, words, words, troublesome)
structured_article = st.builds(
    lambda crumb, title, paragraphs, blank: blank.join([*crumb, title, *paragraphs]),
    st.lists(_line(words, 3), max_size=5).map(lambda parts: [" - ".join(parts)] if parts else []),
    _line(messy_word, 12),
    st.lists(st.one_of(_line(messy_word, 60), st.sampled_from(["Share this article", "Advertisement", "© 2020 X"])),
             min_size=1, max_size=6),
    st.sampled_from(["\n\n", "\r\n\r\n", "\n \n\n", "\n\u00a0\n"]),
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_give_an_article_or_a_rejection(raw):
    try:
        article = clean_article(raw)
    except Rejected as error:
        assert error.reason in REASONS
    else:
        assert article["title"] and article["body"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_gzip_give_an_article_or_a_rejection(raw):
    for payload in (raw, gzip.compress(raw, mtime=0)):
        try:
            clean_article(payload, compressed=True)
        except Rejected as error:
            assert error.reason in REASONS


def _article_or_none(raw: bytes):
    try:
        return clean_article(raw)
    except Rejected:
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(article_text, structured_article), encodings)
def test_article_text_in_any_encoding_is_clean(text, encoding):
    raw = text.encode(encoding, errors="ignore")
    article = _article_or_none(raw)
    if article is None:
        return
    for value in [article["title"], article["body"], *article["sections"], article["publisher"] or ""]:
        assert not FORBIDDEN & set(value)
        assert "  " not in value and "\n\n\n" not in value and value == value.strip()
    assert article["body"] == "\n\n".join(article["paragraphs"])
    assert all(paragraph and "\n" not in paragraph for paragraph in article["paragraphs"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured_article)
def test_cleaning_a_cleaned_article_changes_nothing(text):
    article = _article_or_none(text.encode())
    # Known exception: a headline wrapped over several lines is never a breadcrumb,
    # but once rejoined into one short line it can look like one (`0 \r\n 0\n\n0`).
    assume(article is not None and "hard_wrap" not in article["fixes"])
    breadcrumb = " - ".join([*article["sections"], article["publisher"]]) + "\n\n" if article["publisher"] else ""
    again = clean_article(f"{breadcrumb}{article['title']}\n\n{article['body']}".encode())
    for key in ("publisher", "sections", "title", "paragraphs", "content_hash", "language"):
        assert again[key] == article[key], key


def test_every_fix_code_cleaning_can_emit_is_documented():
    from newsetl.transforms.document import FIX_CODES
    from newsetl.transforms.normalise import _FIX_CODE

    emitted_elsewhere = {"bom", "nul_bytes", "invalid_bytes", "mojibake", "html", "html_tags", "html_entities",
                         "crlf",
                         "nfc", "whitespace", "hard_wrap", "boilerplate"}
    assert set(_FIX_CODE.values()) | emitted_elsewhere == set(FIX_CODES)


def test_quality_flags_of_an_article_are_documented():
    from newsetl.transforms.quality import QUALITY_FLAGS

    article = clean_article(b"HEADLINE IN CAPS\n\nA headline in caps\n\n12 34 56 78\n")
    assert article["quality_flags"] and set(article["quality_flags"]) <= set(QUALITY_FLAGS)


def test_an_ambiguous_layout_keeps_the_contracts_positions_and_flags_the_row():
    article = clean_article(f"Reuters\n\nMarkets fell sharply on Monday.\n\n{BODY}\n".encode())
    assert (article["publisher"], article["title"]) == ("Reuters", "Markets fell sharply on Monday.")
    assert "ambiguous_headline" in article["quality_flags"]
    assert article["quality_flags"] == sorted(article["quality_flags"])


def test_a_headline_ending_in_an_ellipsis_after_a_breadcrumb_keeps_every_field_in_place():
    article = clean_article(f"Entertainment - Jamaica Observer\n\nMy memories of Marley...\n\n{BODY}\n".encode())
    assert (article["sections"], article["publisher"], article["title"], article["paragraph_count"]) == (
        ["Entertainment"], "Jamaica Observer", "My memories of Marley...", 2
    )
    assert not {"ambiguous_headline", "ambiguous_breadcrumb"} & set(article["quality_flags"])


def _content_hash_by_split(title: str, body: str) -> str:
    """content_hash without its fast path for single-spaced text: split and join every word."""
    comparable = f"{' '.join(title.casefold().split())}\n{' '.join(body.casefold().split())}"
    return hashlib.sha256(comparable.encode("utf-8")).hexdigest()


# Letters that casefold to more than one (ß, İ), Persian ZWNJ (kept by cleaning, not printable),
# every kind of white space, and runs of them.
_HASH_ALPHABET = st.sampled_from(list("aBßİ\u200cه ") + ["\n", "\n\n", "\n\n\n", "  ", "\t", "\xa0", "\u2028", "\x85"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_HASH_ALPHABET, max_size=30).map("".join), st.lists(_HASH_ALPHABET, max_size=60).map("".join))
def test_content_hash_fast_path_equals_split_and_join(title, body):
    assert content_hash(title, body) == _content_hash_by_split(title, body)


def test_content_hash_of_cleaned_paragraphs_equals_split_and_join():
    for title, body in [("A Headline", BODY), ("Straße", "Ein Absatz.\n\nZweiter Absatz."), ("", ""), ("x", " y"),
                        ("می\u200cخواهم", "می\u200cخواهم بروم.\n\nدوم")]:
        assert content_hash(title, body) == _content_hash_by_split(title, body)


def test_casefolding_keeps_printable_characters_printable_and_never_makes_a_space():
    # What the hash of a single-spaced body relies on (document._folded_hash): every code point.
    import sys

    broken = [char for char in map(chr, range(sys.maxunicode + 1)) if char.isprintable() and char != " "
              and not all(folded.isprintable() and folded != " " for folded in char.casefold())]
    assert broken == []


# Tokens of letters that casefold to more than one (ß, İ), Persian ZWNJ (not printable: then the body is
# not single-spaced), Greek final sigma, digits and punctuation, joined by single spaces into paragraphs.
_TOKENS = st.lists(st.sampled_from(list("aBßİΣς\u200cه1.–“")), min_size=1, max_size=4).map("".join)
_SPACED_PARAGRAPHS = st.lists(st.lists(_TOKENS, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=4)


@settings(max_examples=1000, deadline=None)
@given(_TOKENS, _SPACED_PARAGRAPHS)
def test_the_hash_of_a_single_spaced_body_equals_split_and_join(title, paragraphs):
    from newsetl.transforms.document import _folded_hash
    from newsetl.transforms.quality import single_spaced

    body = "\n\n".join(paragraphs)
    spaced = single_spaced(paragraphs) is not None
    assert spaced == ("\u200c" not in body)
    assert _folded_hash(title.casefold(), body.casefold(), single_spaced_body=spaced) == \
        _content_hash_by_split(title, body)


def test_a_file_that_uses_up_its_time_budget_is_a_too_slow_reject():
    clean_article(ARTICLE.encode())  # the language model is loaded on first use: not this file's cost
    hostile = f"World - Reuters\n\nA headline\n\n{'<p class=' * 250_000}\n\n{BODY}\n".encode()

    with pytest.raises(Rejected) as caught:
        clean_article(hostile, time_budget_seconds=0.02)

    assert caught.value.reason == "too_slow"
    assert "over the budget of 0.02 s per file" in caught.value.detail
    assert clean_article(ARTICLE.encode(), time_budget_seconds=0.02)["title"] == "A headline about the news"
