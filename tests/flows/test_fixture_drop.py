"""The cleaning fixture drop (tests/data/cleaning) ingested end to end, checked through DuckDB."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.flows.conftest import duck, run_ingest

DROP = Path(__file__).resolve().parents[1] / "data" / "cleaning"
EXPECTED = json.loads((DROP / "expected.json").read_text(encoding="utf-8"))
DAY = "2021-01-01"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, prefect_harness):
    root = tmp_path_factory.mktemp("fixture-drop")
    raw = root / "raw" / DAY
    raw.mkdir(parents=True)
    for name in EXPECTED:
        shutil.copy(DROP / name, raw / name)
    run = run_ingest(root / "raw", root / "warehouse")
    return run, root / "warehouse"


def test_every_fixture_file_is_an_article_or_a_reject_once(ingested):
    run, warehouse = ingested
    accepted = set(duck(warehouse, "articles", "select source_path from t")["source_path"])
    rejected = set(duck(warehouse, "rejects", "select source_path from t")["source_path"])

    assert not accepted & rejected
    assert {p.split("/", 1)[1] for p in accepted | rejected} == set(EXPECTED)
    assert run["articles"] + run["rejects"] == len(EXPECTED)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "reject" not in e))
def test_article_fields_match_the_expectation(ingested, name):
    _, warehouse = ingested
    expected = EXPECTED[name]
    row = duck(warehouse, "articles",
               f"select title, publisher, sections, paragraph_count, language, fixes, encoding, body, article_id "
               f"from t where source_path = '{DAY}/{name}'").iloc[0]

    assert row["title"] == expected["title"]
    assert (row["publisher"] if isinstance(row["publisher"], str) else None) == expected["publisher"]
    assert list(row["sections"]) == expected["sections"]
    assert row["paragraph_count"] == expected["paragraph_count"]
    assert (row["language"] if isinstance(row["language"], str) else None) == expected["language"]
    assert sorted(row["fixes"]) == sorted(expected["fixes"])
    assert row["encoding"] == expected["encoding"]
    paragraphs = duck(warehouse, "paragraphs",
                      f"select count(*) n from t where article_id = '{row['article_id']}'")["n"][0]
    assert paragraphs == expected["paragraph_count"]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "reject" in e))
def test_reject_reasons_match_the_expectation(ingested, name):
    _, warehouse = ingested
    row = duck(warehouse, "rejects", f"select reason, detail from t where source_path = '{DAY}/{name}'").iloc[0]

    assert row["reason"] == EXPECTED[name]["reject"]
    assert row["detail"].endswith(".")
