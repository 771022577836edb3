"""What a run shows: its markdown artifact in Prefect and its progress lines."""
from __future__ import annotations

import logging

from flows import report
from tests.flows.conftest import run_ingest


def test_each_run_leaves_a_markdown_report_in_prefect(raw, warehouse):
    from prefect.artifacts import Artifact

    (raw / "2020-07-05" / "010_empty.txt").write_bytes(b"")
    run = run_ingest(raw, warehouse)

    artifact = Artifact.get("newsetl-ingest")
    assert str(artifact.flow_run_id) == run["run_id"]
    text = artifact.data
    assert text.startswith("# newsetl ingest: success")
    assert "| articles | 1 |" in text and "| rejects | 1 |" in text and "| duplicates (among the new articles) | 0 |" in text
    assert "| empty | 1 |" in text
    assert "| 2020-07-05 | 1 | 1 |" in text  # rows now in the day: articles, rejects
    assert "files/s over" in text
    assert "- `2020-07-05/010_empty.txt` (empty): " in text
    assert "http" not in text


def test_without_a_terminal_progress_is_a_log_line_every_few_seconds(monkeypatch, caplog):
    monkeypatch.setattr(report, "PROGRESS_EVERY_SECONDS", 0.0)
    logger = logging.getLogger("newsetl.flow")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="newsetl.flow"):
            progress = report.Progress(10)
            progress.advance(4)
            progress.close()
    finally:
        logger.removeHandler(caplog.handler)

    assert progress.bar is None
    assert "processed 4/10 files (" in caplog.text and "left)" in caplog.text
