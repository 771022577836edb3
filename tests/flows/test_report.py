"""What a run shows: its markdown artifact in Prefect and its progress lines."""
from __future__ import annotations

import logging

from newsetl.flows import report
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


def test_the_report_counts_near_duplicate_links_and_lists_the_biggest_clusters(raw, warehouse):
    from prefect.artifacts import Artifact

    from tests.conftest import write_article
    from tests.flows.test_near_duplicates import story
    from newsetl.transforms.identity import article_id_for

    write_article(raw / "2020-07-06", "001_00000000000000f1.txt", title="Wire story", paragraphs=story(4))
    write_article(raw / "2020-07-07", "002_00000000000000f2.txt", paragraphs=story(4)[:-1])
    run_ingest(raw, warehouse)

    text = Artifact.get("newsetl-ingest").data
    assert "| near-duplicates (among the new articles) | 1 |" in text and "| near-duplicate links added | 1 |" in text
    assert f"| `{article_id_for('2020-07-06/001_00000000000000f1.txt')}` | 2 | Wire story |" in text
