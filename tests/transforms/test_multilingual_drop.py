"""The multilingual fixture drop (tests/data/multilingual): every file through clean_article, against expected.json.

29 languages in 7 scripts, each file carrying one kind of mess: mojibake from every
codec ftfy undoes, headlines ending in punctuation, furniture in the article's own
language, first windows the language model is unsure of. tests/flows/ ingests the
same drop with `newsetl ingest` and reads it back with DuckDB.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsetl.transforms.document import clean_article

DROP = Path(__file__).parents[1] / "data" / "multilingual"
EXPECTED: dict[str, dict] = json.loads((DROP / "expected.json").read_text(encoding="utf-8"))


def test_the_drop_covers_15_languages_and_4_scripts_and_every_file_has_an_expectation():
    files = {path.name for path in DROP.iterdir() if path.name.endswith(".txt")}
    assert files == set(EXPECTED)
    assert len({case["language"] for case in EXPECTED.values()}) >= 15
    scripts = {
        script for case in EXPECTED.values() for script, (first, last) in {
            "latin": (0x41, 0x24F), "greek": (0x370, 0x3FF), "cyrillic": (0x400, 0x4FF), "hebrew": (0x590, 0x5FF),
            "arabic": (0x600, 0x6FF), "cjk": (0x3040, 0x9FFF),
        }.items() if any(first <= ord(char) <= last for char in case["title"])
    }
    assert len(scripts) >= 4, scripts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_title_paragraph_and_language_is_right(name):
    article = clean_article((DROP / name).read_bytes())
    expected = EXPECTED[name]
    assert article["title"] == expected["title"]
    assert (article["publisher"], article["sections"]) == (expected["publisher"], expected["sections"])
    assert article["paragraphs"] == expected["paragraphs"]
    assert article["language"] == expected["language"]
    assert article["fixes"] == expected["fixes"]
    assert article["boilerplate_lines_removed"] == expected["boilerplate_lines_removed"]
    assert set(expected["quality_flags_include"]) <= set(article["quality_flags"])
    # Nothing was moved on a guess where the layout was clear.
    if "ambiguous_headline" not in expected["quality_flags_include"]:
        assert not {"ambiguous_headline", "ambiguous_breadcrumb"} & set(article["quality_flags"])
