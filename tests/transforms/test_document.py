"""clean_article: the whole per-document cleaning, on the real sample and small inline inputs."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from transforms.document import CLEANING_VERSION, clean_article, content_hash
from transforms.rejects import REASONS, Rejected

SAMPLE = Path(__file__).parents[1] / "data" / "cleaning" / "real_000_b7a10fd9200f5948.txt"

BODY = (
    "The first paragraph of the article says something about the news of the day.\n\n"
    "The second paragraph adds a quote from an official and some context for readers."
)
ARTICLE = f"World - Reuters\n\nA headline about the news\n\n{BODY}\n"

KEYS = {
    "encoding", "publisher", "sections", "title", "paragraphs", "body", "paragraph_count", "word_count",
    "char_count", "language", "language_score", "content_hash", "fixes", "title_word_count",
    "mean_word_length", "non_alpha_ratio", "boilerplate_lines_removed", "quality_flags",
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
