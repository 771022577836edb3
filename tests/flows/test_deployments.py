"""prefect.yaml: deployed to a real Prefect server, the `backfill` deployment runs on a process
worker with the parameters given to `prefect deployment run`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.flows.server import LocalServer
from tests.conftest import REPO, write_article
from tests.flows.conftest import duck

PREFECT = Path(sys.executable).with_name("prefect")


@pytest.mark.slow
def test_the_backfill_deployment_runs_with_its_parameters(raw, warehouse, tmp_path, monkeypatch):
    write_article(raw / "2020-07-06", "001_00000000000000f1.txt", title="Deployed backfill")
    write_article(raw / "2020-07-07", "002_00000000000000f2.txt", title="Outside the range")
    monkeypatch.setenv("PREFECT_API_URL", "restored after the test")  # LocalServer.start sets it
    server = LocalServer(tmp_path / ".prefect")
    try:
        server.start()
        env = dict(os.environ, PREFECT_HOME=str(tmp_path / ".prefect"), PREFECT_API_URL=server.url)

        def prefect(*args: str, timeout: float = 120) -> str:
            done = subprocess.run([str(PREFECT), *args], cwd=REPO, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
            return done.stdout

        prefect("work-pool", "create", "newsetl", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        prefect("deployment", "run", "backfill/on-demand", "--param", "start=2020-07-06",
                "--param", "end=2020-07-06", "--param", f"raw={raw}", "--param", f"warehouse={warehouse}")
        prefect("worker", "start", "--pool", "newsetl", "--run-once", timeout=180)
    finally:
        server.stop()

    rows = duck(warehouse, "articles", "select title, ingest_date from t order by 1")
    assert rows["title"].tolist() == ["Deployed backfill"]  # only the day asked for
    runs = duck(warehouse, "runs", "select flow, status, parameters from t")
    assert runs["flow"].tolist() == ["backfill"] and runs["status"].tolist() == ["success"]
    assert '"start": "2020-07-06"' in runs["parameters"][0]
