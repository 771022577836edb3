"""Scale-out: the same flow with its batches on a real Dask cluster (a scheduler and
two worker processes on 127.0.0.1) publishes exactly the rows of a local run."""
from __future__ import annotations

import shutil
from pathlib import Path

import distributed  # the dask extra is part of the test extra: missing, this test fails rather than skips
import pytest

from tests.conftest import write_article
from tests.flows.conftest import duck
from tests.flows.test_near_duplicates import story

# Compared column by column; only what says which run wrote a row may differ.
RUN_COLUMNS = {"run_id", "processed_at"}
KEYS = {"articles": "source_path", "paragraphs": "article_id, position", "rejects": "source_path",
        "files": "source_path", "signatures": "article_id", "near_duplicates": "article_id, other_id"}


def _drop(raw: Path) -> None:
    """Three days beside the seed article, duplicates across days, rejects; six batches at batch_size=4."""
    for day in ("2020-07-05", "2020-07-06", "2020-07-07"):
        for i in range(5):
            write_article(raw / day, f"{i:03d}_{i:016x}.txt", title=f"Story {i} of {day}",
                          paragraphs=(f"Body of story {i} on {day}.", "Second paragraph."))
        write_article(raw / day, "900_aaaaaaaaaaaaaaaa.txt", title="Same story every day",
                      paragraphs=("Identical text.",))
    # a story and a syndicated copy a day later: near-duplicate signatures are computed on the workers
    write_article(raw / "2020-07-05", "950_bbbbbbbbbbbbbbbb.txt", title="Wire story", paragraphs=story(11))
    write_article(raw / "2020-07-06", "951_cccccccccccccccc.txt", title="Rewritten headline",
                  paragraphs=("By a staff writer",) + story(11)[:-1])
    (raw / "2020-07-06" / "empty.txt").write_bytes(b"")
    (raw / "2020-07-07" / "notes.pdf").write_bytes(b"%PDF-1.4")


def _tables(warehouse: Path) -> dict:
    frames = {}
    for table, key in KEYS.items():
        frame = duck(warehouse, table, f"select * from t order by {key}")
        frames[table] = frame.drop(columns=[c for c in RUN_COLUMNS if c in frame.columns])
    return frames


@pytest.fixture(scope="module")
def dask_cluster():
    """A real scheduler with two worker processes (not threads), all on 127.0.0.1."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.mark.slow
def test_dask_run_publishes_the_same_rows_as_a_local_run(tmp_path, raw, dask_cluster):
    from newsetl.flows.ingest import ingest_flow, with_runner
    from newsetl.flows.settings import resolve_settings

    _drop(raw)
    local_wh, dask_wh = tmp_path / "wh-local", tmp_path / "wh-dask"

    local = resolve_settings(str(raw), str(local_wh), batch_size=4, workers=1)
    state = with_runner(ingest_flow, local)(local, return_state=True)
    assert state.is_completed(), state.message

    remote = resolve_settings(str(raw), str(dask_wh), batch_size=4, dask_address=dask_cluster.scheduler_address)
    before = set(_task_keys(dask_cluster))
    state = with_runner(ingest_flow, remote)(remote, return_state=True)
    assert state.is_completed(), state.message
    run = state.result()
    assert (run["files_processed"], run["articles"], run["rejects"]) == (23, 21, 2)  # the seed article too
    assert run["near_duplicate_links"] == 1

    # The batches really ran on the cluster's worker processes, not here.
    ran = set(_task_keys(dask_cluster)) - before
    assert len([k for k in ran if "process-batch" in k or "process_batch" in k]) >= 5, ran

    local_tables, dask_tables = _tables(local_wh), _tables(dask_wh)
    for table in KEYS:
        assert len(local_tables[table]) > 0, table
        assert local_tables[table].equals(dask_tables[table]), table


def test_dask_address_comes_from_the_environment(tmp_path, raw, monkeypatch):
    from newsetl.flows.settings import resolve_settings

    monkeypatch.setenv("NEWSETL_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    assert resolve_settings(str(raw), str(tmp_path / "wh")).dask_address == "tcp://10.0.0.5:8786"
    assert resolve_settings(str(raw), str(tmp_path / "wh"), dask_address="tcp://h:1").dask_address == "tcp://h:1"


def test_a_dask_address_without_scheme_is_a_setting_error(tmp_path, raw):
    from newsetl.flows.settings import SettingError, resolve_settings

    with pytest.raises(SettingError, match="tcp://"):
        resolve_settings(str(raw), str(tmp_path / "wh"), dask_address="10.0.0.5:8786")


def _task_keys(cluster) -> list[str]:
    """Keys of every task the scheduler has seen (its task stream is per worker process)."""
    with distributed.Client(cluster.scheduler_address) as client:
        return [str(key) for key in client.run_on_scheduler(
            lambda dask_scheduler: [str(t["key"]) for t in dask_scheduler.get_task_stream()])]
