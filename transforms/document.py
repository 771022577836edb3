"""One raw article file (bytes) -> one cleaned article record: the whole per-document cleaning.

Called once per document by the ingest flow; raises `transforms.rejects.Rejected`
when the bytes cannot be an article. Steps, in order: gunzip (optional) ->
decode (decode.py) -> normalise text (normalise.py) -> breadcrumb, headline,
paragraphs (structure.py) -> edge boilerplate (boilerplate.py) -> language
(language.py) -> quality signals (quality.py) -> content hash.

Fix codes (`fixes`, sorted, unique) are listed with their meaning in
`FIX_CODES`; quality flags in `transforms.quality.QUALITY_FLAGS`. Both dicts
can feed the data dictionary.

`language` is None when the text is too short (then `language_score` is None
too) or when the model is not confident (then `language_score` still holds the
low score, so analysts can see why).
"""
from __future__ import annotations

import hashlib

from newsetl.transforms.boilerplate import strip_boilerplate
from newsetl.transforms.decode import decode_bytes, decompress_gzip
from newsetl.transforms.language import detect_language
from newsetl.transforms.normalise import DOUBLE_SPACE, normalise_text
from newsetl.transforms.quality import language_flags, quality_signals, single_spaced
from newsetl.transforms.rejects import Rejected, TimeBudget
from newsetl.transforms.structure import join_lines, parse_article

# Bump (in transforms/version.py) when the output of `clean_article` changes for some input.
from newsetl.transforms.version import CLEANING_VERSION  # noqa: E402,F401  (re-exported)

# Machine codes of the `fixes` column: what cleaning changed in a document.
FIX_CODES: dict[str, str] = {
    "bom": "a byte-order mark was removed (UTF-8/16/32 BOM, or U+FEFF opening the text)",
    "nul_bytes": "NUL bytes were removed from 8-bit text",
    "invalid_bytes": "bytes invalid in the detected encoding were decoded leniently "
    "(stray bytes in UTF-8 are read as cp1252, undefined ones dropped; elsewhere they become U+FFFD)",
    "mojibake": "text decoded with the wrong codec was repaired (`â€œ` -> `“`)",
    "html": "HTML remnants were cleaned (the contract's umbrella code, set with html_tags or html_entities)",
    "html_tags": "HTML tags were removed (block tags become paragraph breaks, `<br>` a line break)",
    "html_entities": "HTML entities were unescaped (`&amp;` -> `&`, `&#8217;` -> `’`)",
    "crlf": "CRLF / CR line endings became LF",
    "line_breaks": "VT, FF, U+2028 became line breaks, U+2029 a paragraph break",
    "control_chars": "C0/C1 control characters, DEL, lone surrogates or noncharacters were removed",
    "zero_width": "zero-width characters were removed (ZWSP, word joiner, U+FEFF inside the text, and "
    "ZWNJ/ZWJ unless between two non-ASCII letters, as in Persian, Indic scripts or emoji)",
    "bidi_controls": "invisible bidirectional marks and embeddings (LRM, RLM, ALM, U+202A-E, U+2066-9) were removed",
    "soft_hyphen": "soft hyphens (U+00AD) were removed",
    "nbsp": "non-breaking spaces became ASCII spaces",
    "unicode_space": "other Unicode spaces (U+2000-200A, U+202F, U+205F, U+3000, U+1680) became ASCII spaces",
    "nfc": "the text was not in Unicode NFC and was normalised",
    "whitespace": "tabs, runs of spaces, spaces at line ends or runs of blank lines were collapsed",
    "hard_wrap": "a headline or paragraph wrapped over several lines was rejoined",
    "boilerplate": "site furniture lines were removed before the headline or at the start or end of the body",
}

_ASCII_WHITESPACE = b" \t\r\n\x0b\x0c"


def clean_article(
    raw: bytes,
    *,
    compressed: bool = False,
    max_bytes: int = 10_000_000,
    time_budget_seconds: float | None = 5.0,
) -> dict[str, object]:
    """Decode, clean and parse one raw article file; raise transforms.rejects.Rejected when it cannot be an article."""
    return add_language(clean_article_but_language(
        raw, compressed=compressed, max_bytes=max_bytes, time_budget_seconds=time_budget_seconds))


def clean_article_but_language(
    raw: bytes,
    *,
    compressed: bool = False,
    max_bytes: int = 10_000_000,  # cap on (decompressed) bytes; over it -> Rejected("too_large", ...)
    # CPU seconds one file may cost, checked between steps; over it -> Rejected("too_slow", ...). Every step
    # is linear: a real article takes ~0.4 ms, the worst hostile text ~1.5 s per MB, so only hostile files
    # near the size cap reach it, and a run is never held up for long by one file. None: no budget.
    time_budget_seconds: float | None = 5.0,
) -> dict[str, object]:
    """`clean_article` without its language (`add_language` adds it): a batch identifies the languages of
    its articles one after the other, once all are cleaned, where fastText's model stays in the CPU's
    caches (~60 us a file less than between cleaning steps). Language identification is bounded (at
    most two looks at 2,000 characters), so it is left out of the time budget."""
    budget = TimeBudget(time_budget_seconds)
    if compressed:
        raw = decompress_gzip(raw, max_bytes=max_bytes)
    elif len(raw) > max_bytes:
        raise Rejected(
            "too_large",
            f"The file has {len(raw):,} bytes, more than the {max_bytes:,}-byte cap; "
            "split it or raise the cap if it is a genuine article.",
        )
    if not raw.strip(_ASCII_WHITESPACE):
        raise Rejected("empty", "The file has no bytes or only white space; re-fetch the article or delete the file.")
    decoded = decode_bytes(raw)
    budget.check("decoding")
    normalised = normalise_text(decoded.text, check=budget.check)
    fixes = decoded.fixes | normalised.fixes
    if not normalised.text:
        raise Rejected("empty", "The file holds only white space or invisible characters; re-fetch the article.")
    parts = parse_article(normalised.text)
    budget.check("breadcrumb, headline and paragraphs")
    body_blocks, boilerplate_lines = strip_boilerplate(parts.body_blocks)
    budget.check("boilerplate removal")
    boilerplate_lines += parts.boilerplate_lines
    if not body_blocks:
        raise Rejected(
            "no_body",
            f"After the headline only {boilerplate_lines} boilerplate line(s) remain (sharing, copyright, ads); "
            "check that the crawler captured the article text.",
        )
    if boilerplate_lines:
        fixes.add("boilerplate")
    if fixes & {"html_tags", "html_entities"}:
        fixes.add("html")
    if parts.title_wrapped or any(len(block) > 1 for block in body_blocks):
        fixes.add("hard_wrap")
    paragraphs = [join_lines(block) for block in body_blocks]
    body = "\n\n".join(paragraphs)
    budget.check("paragraph joining")
    # Casefolded once, for the quality flags and the content hash.
    folded = (parts.title.casefold(), body.casefold())
    spaced = single_spaced(paragraphs)  # checked once, for the quality statistics and the content hash
    quality = quality_signals(
        title=parts.title,
        body=body,
        paragraph_count=len(paragraphs),
        publisher=parts.publisher,
        language=_NOT_YET,  # its flag is add_language's
        paragraphs=paragraphs,
        folded=folded,
        spaced=spaced,
    )
    budget.check("quality signals")
    return {
        "encoding": decoded.encoding,
        "publisher": parts.publisher,
        "sections": parts.sections,
        "title": parts.title,
        "paragraphs": paragraphs,
        "paragraph_word_counts": quality["paragraph_word_counts"],  # they add up to word_count
        "body": body,
        "paragraph_count": len(paragraphs),
        "word_count": quality["word_count"],
        "char_count": len(body),
        "language": _NOT_YET,
        "language_score": None,
        "content_hash": _folded_hash(*folded, single_spaced_body=spaced is not None),
        "fixes": sorted(fixes),
        "title_word_count": quality["title_word_count"],
        "mean_word_length": quality["mean_word_length"],
        "non_alpha_ratio": quality["non_alpha_ratio"],
        "boilerplate_lines_removed": boilerplate_lines,
        "quality_flags": sorted([*quality["quality_flags"], *parts.layout_flags]),
    }


# `language` of a record that `add_language` has not seen yet: not None, so quality_signals gives no
# language flag; add_language adds the real one (language_flags).
_NOT_YET = "?"


def add_language(record: dict[str, object]) -> dict[str, object]:
    """The record of `clean_article_but_language` with its `language`, `language_score` and, when no
    language was identified, the `no_language` quality flag: the record `clean_article` gives."""
    assert record["language"] is _NOT_YET, "add_language was already given this record"
    language, language_score = detect_language(f"{record['title']}\n{record['body']}")
    record.update(language=language, language_score=language_score,
                  quality_flags=sorted([*record["quality_flags"], *language_flags(language)]))
    return record


def content_hash(title: str, body: str) -> str:
    """sha256 of casefolded, whitespace-collapsed title + "\\n" + body: equal text, equal hash."""
    return _folded_hash(title.casefold(), body.casefold())


def _folded_hash(folded_title: str, folded_body: str, *, single_spaced_body: bool = False) -> str:
    """content_hash of a title and body already casefolded. `single_spaced_body`: the body before casefolding
    was paragraphs joined by blank lines that `quality.single_spaced` accepts. Casefolding maps each character
    on its own, and a printable character other than the space to printable ones other than the space
    (tests/transforms/test_document.py checks every code point): so the folded body, its blank lines made
    spaces, is single-spaced printable text already, the collapse's answer without its checks."""
    body = folded_body.replace("\n\n", " ") if single_spaced_body else _comparable(folded_body)
    normalised = f"{_comparable(folded_title)}\n{body}"
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _comparable(folded: str) -> str:
    # Cleaned text is single-spaced, its paragraphs joined by a blank line: then turning each
    # blank line into a space is the whole collapse, and split + join (a string per word) is
    # skipped. `isprintable` is False for every white space but the ASCII space, so it proves
    # there is nothing else to collapse; any other text takes the general path.
    flat = folded.replace("\n\n", " ")
    if flat.isprintable() and not DOUBLE_SPACE.search(flat) and flat[:1] != " " and flat[-1:] != " ":
        return flat
    return " ".join(folded.split())
