"""The multilingual fixture drop (tests/data/multilingual) through the real `newsetl ingest`, read back with DuckDB.

29 languages, 7 scripts, each file with one kind of mess (mojibake from every codec
ftfy undoes, headlines ending in punctuation, furniture in other languages, unsure
first windows for language ID): every title, paragraph list and language must be right.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.flows.cli_process import cli_env, run
from tests.flows.conftest import duck

DROP = Path(__file__).resolve().parents[1] / "data" / "multilingual"
EXPECTED = json.loads((DROP / "expected.json").read_text(encoding="utf-8"))
DAY = "2024-03-01"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, prefect_harness):
    root = tmp_path_factory.mktemp("multilingual-drop")
    raw = root / "raw" / DAY
    raw.mkdir(parents=True)
    for name in EXPECTED:
        shutil.copy(DROP / name, raw / name)
    code, output = run(["ingest", "--raw", str(root / "raw"), "--warehouse", str(root / "warehouse"),
                        "--workers", "1"], cli_env(), timeout=300)
    assert code == 0, output
    assert f"{len(EXPECTED)} articles, 0 rejects" in output, output
    return root / "warehouse"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title_paragraphs_and_language_read_back_with_duckdb(warehouse, name):
    expected = EXPECTED[name]
    row = duck(warehouse, "articles",
               "select article_id, title, publisher, sections, language, fixes, quality_flags, boilerplate_lines_removed "
               f"from t where source_path = '{DAY}/{name}'").iloc[0]
    paragraphs = duck(warehouse, "paragraphs",
                      f"select text from t where article_id = '{row['article_id']}' order by position")["text"]

    assert row["title"] == expected["title"]
    assert (row["publisher"] if isinstance(row["publisher"], str) else None) == expected["publisher"]
    assert list(row["sections"]) == expected["sections"]
    assert list(paragraphs) == expected["paragraphs"]
    assert row["language"] == expected["language"]
    assert sorted(row["fixes"]) == expected["fixes"]
    assert row["boilerplate_lines_removed"] == expected["boilerplate_lines_removed"]
    assert set(expected["quality_flags_include"]) <= set(row["quality_flags"])
