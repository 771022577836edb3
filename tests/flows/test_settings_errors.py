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


@pytest.mark.parametrize("warehouse_in", ["raw/wh", "raw", "."])
def test_overlapping_raw_and_warehouse_folders_are_refused(tmp_path, warehouse_in):
    raw = tmp_path / "raw"
    raw.mkdir()
    # "." puts raw/ inside the warehouse; "raw" is the same folder; "raw/wh" the warehouse inside raw/.
    line = _one_sentence(_newsetl("ingest", "--raw", str(raw), "--warehouse", str(tmp_path / warehouse_in)))
    assert "overlap" in line and "separate folders" in line


def test_a_warehouse_reached_through_a_link_into_raw_is_refused(tmp_path):
    raw = tmp_path / "raw"
    (raw / "wh").mkdir(parents=True)
    os.symlink(raw / "wh", tmp_path / "looks-apart")
    line = _one_sentence(_newsetl("backfill", "--start", "2020-07-05", "--end", "2020-07-05", "--raw", str(raw),
                                  "--warehouse", str(tmp_path / "looks-apart")))
    assert "overlap" in line


@pytest.mark.parametrize("seconds", ["nan", "inf", "-5"])
def test_a_lock_timeout_that_is_not_finite_or_negative_is_refused(tmp_path, seconds):
    (tmp_path / "raw").mkdir()
    line = _one_sentence(_newsetl("ingest", "--lock-timeout", seconds, "--raw", str(tmp_path / "raw"),
                                  "--warehouse", str(tmp_path / "wh")))
    assert "--lock-timeout must be" in line


@pytest.mark.parametrize("args, expected", [
    (["ingest", "--batch-size", "abc"], "--batch-size: invalid int value: 'abc'"),
    (["ingest", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["backfill", "--start", "2020-07-05"], "the following arguments are required: --end"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: COMMAND"),
])
def test_every_argument_error_is_one_sentence_and_status_1(args, expected):
    line = _one_sentence(_newsetl(*args))
    assert expected in line and "--help" in line


def test_status_on_a_warehouse_with_a_truncated_manifest_names_the_file(tmp_path):
    import pyarrow.parquet as pq

    from newsetl.schemas import FILES

    (tmp_path / "raw").mkdir()
    day = tmp_path / "wh" / "files" / "ingest_date=2020-07-05"
    day.mkdir(parents=True)
    damaged = day / "part-00000.parquet"
    pq.write_table(FILES.file_schema().empty_table(), damaged)
    damaged.write_bytes(damaged.read_bytes()[:-20])  # cut short, as by a full disk or a bad copy

    line = _one_sentence(_newsetl("status", "--raw", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "wh")))
    assert str(damaged) in line and "backfill --start 2020-07-05 --end 2020-07-05" in line
