"""`newsetl server start|status|stop`: a standing local Prefect server that later CLI runs reuse."""
from __future__ import annotations

import json

import pytest

from tests.flows.cli_process import cli_env, group_alive, run
from tests.flows.conftest import duck


@pytest.mark.slow
def test_a_standing_server_is_reused_by_runs_and_stopped_whole(raw, warehouse, tmp_path):
    home = tmp_path / ".prefect"
    env = cli_env(PREFECT_HOME=str(home))
    env.pop("PREFECT_API_URL", None)
    try:
        code, output = run(["server", "start"], env, timeout=180)
        assert code == 0 and "Prefect server running at http://127.0.0.1:" in output, output
        record = json.loads((home / "newsetl-server.json").read_text())
        assert run(["server", "status"], env)[1].strip().startswith(f"Prefect server running at {record['url']}")

        code, output = run(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)], env)

        assert code == 0, output
        assert duck(warehouse, "articles", "select count(*) n from t")["n"][0] == 1
        assert not (home / "temporary-server.log").exists()  # the run started no server of its own
    finally:
        code, output = run(["server", "stop"], env)
    assert code == 0 and "stopped" in output, output
    assert not group_alive(record["pid"])
    assert "no Prefect server running" in run(["server", "status"], env)[1]
