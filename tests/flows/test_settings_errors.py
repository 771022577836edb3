"""A bad setting ends the CLI with one clear sentence and exit status 1, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NEWSETL = str(Path(sys.executable).with_name("newsetl"))


@pytest.fixture(autouse=True)
def _harness():  # these runs stop before Prefect starts
    yield


def _newsetl(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSETL, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def _one_sentence(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_raw_folder(tmp_path):
    line = _one_sentence(_newsetl("ingest", "--raw", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh")))
    assert "raw folder" in line and "does not exist" in line and "--raw" in line


def test_raw_folder_from_the_environment(tmp_path):
    line = _one_sentence(_newsetl("ingest", "--warehouse", str(tmp_path / "wh"),
                                  env={"NEWSETL_RAW": str(tmp_path / "elsewhere")}))
    assert str(tmp_path / "elsewhere") in line


def test_unwritable_warehouse(tmp_path):
    (tmp_path / "raw").mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = _one_sentence(_newsetl("ingest", "--raw", str(tmp_path / "raw"), "--warehouse", str(blocker / "wh")))
    assert "not writable" in line and "--warehouse" in line


def test_malformed_date(tmp_path):
    (tmp_path / "raw").mkdir()
    line = _one_sentence(_newsetl("backfill", "--start", "2020-13-01", "--end", "2020-07-05",
                                  "--raw", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "wh")))
    assert "--start must be a date like 2020-07-05" in line


def test_start_after_end(tmp_path):
    (tmp_path / "raw").mkdir()
    line = _one_sentence(_newsetl("backfill", "--start", "2020-07-06", "--end", "2020-07-05",
                                  "--raw", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "wh")))
    assert "after --end" in line


def test_bad_batch_size(tmp_path):
    (tmp_path / "raw").mkdir()
    line = _one_sentence(_newsetl("ingest", "--batch-size", "0", "--raw", str(tmp_path / "raw"),
                                  "--warehouse", str(tmp_path / "wh")))
    assert "--batch-size" in line
