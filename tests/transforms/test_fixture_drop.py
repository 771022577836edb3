"""The fixture drop tests/data/cleaning/: every file through clean_article, checked against expected.json."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from newsetl.transforms.document import clean_article
from newsetl.transforms.rejects import Rejected

DROP = Path(__file__).parents[1] / "data" / "cleaning"
EXPECTED: dict[str, dict] = json.loads((DROP / "expected.json").read_text(encoding="utf-8"))
CHECKED_KEYS = ("title", "publisher", "sections", "paragraph_count", "language", "encoding", "fixes")


def _clean(name: str) -> dict[str, object]:
    return clean_article((DROP / name).read_bytes(), compressed=name.endswith(".gz"))


def test_every_article_file_has_an_expectation_and_vice_versa():
    files = {path.name for path in DROP.iterdir() if path.name.endswith((".txt", ".txt.gz"))}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(name for name, case in EXPECTED.items() if "reject" not in case))
def test_article_fixture(name):
    article = _clean(name)
    expected = dict(EXPECTED[name])
    body_sha256 = expected.pop("body_sha256", None)
    assert {key: article[key] for key in CHECKED_KEYS} == expected
    if body_sha256 is not None:  # the exact cleaned body, for fixtures whose clean text is known
        assert hashlib.sha256(str(article["body"]).encode()).hexdigest() == body_sha256


@pytest.mark.parametrize("name", sorted(name for name, case in EXPECTED.items() if "reject" in case))
def test_reject_fixture(name):
    with pytest.raises(Rejected) as caught:
        _clean(name)
    assert caught.value.reason == EXPECTED[name]["reject"]


def test_fixture_bodies_carry_no_nbsp_zero_width_or_control_characters():
    for name, case in EXPECTED.items():
        if "reject" not in case:
            body = _clean(name)["body"]
            assert not any(char in body for char in "\u00a0\u200b\u2060\ufeff\u00ad\r\t"), name
