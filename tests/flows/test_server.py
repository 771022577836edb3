"""`newsetl server start|status|stop`: a standing local Prefect server that later CLI runs reuse."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest

from newsetl.flows.lifeline import LOST_AFTER_SECONDS
from newsetl.flows.server import LocalServer
from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env, group_alive, run
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
        # The command ends without Prefect's teardown: its flow run, task runs, logs and artifact are all in.
        run_id = output.rsplit("(run ", 1)[1].split(")")[0]
        flow_run = _api(record["url"], f"/flow_runs/{run_id}")
        assert flow_run["state_type"] == "COMPLETED", flow_run
        tasks = _api(record["url"], "/task_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})
        assert sorted(t["name"].rsplit("-", 1)[0] for t in tasks if t["state_type"] == "COMPLETED") == [
            "plan", "process-batch", "publish", "record-run"]
        logs = _api(record["url"], "/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200})
        assert any("published runs" in entry["message"] for entry in logs), logs
        artifacts = _api(record["url"], "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}})
        assert [a["key"] for a in artifacts] == ["newsetl-ingest"]
    finally:
        code, output = run(["server", "stop"], env)
    assert code == 0 and "stopped" in output, output
    assert not group_alive(record["pid"])
    assert "no Prefect server running" in run(["server", "status"], env)[1]


@pytest.mark.slow
def test_a_standing_server_killed_mid_run_fails_it_cleanly_and_the_next_run_converges(raw, warehouse, tmp_path):
    for n in range(4):
        write_article(raw / "2020-07-06", f"02{n}_00000000000002{n}0.txt", title=f"Tuesday story {n}")
    home = tmp_path / ".prefect"
    env = cli_env(PREFECT_HOME=str(home))
    env.pop("PREFECT_API_URL", None)
    code, output = run(["server", "start"], env, timeout=180)
    assert code == 0, output
    record = json.loads((home / "newsetl-server.json").read_text())
    ingest = Command(["ingest", "--raw", str(raw), "--warehouse", str(warehouse), "--workers", "2",
                      "--batch-size", "1"], dict(env, NEWSETL_TEST_PAUSE_AT="transform"))
    try:
        ingest.wait_for("newsetl test pause at transform", timeout=120)
        os.killpg(record["pid"], signal.SIGKILL)  # the long-lived server crashes mid-run
        start = time.monotonic()
        ingest.process.wait(LOST_AFTER_SECONDS + 45)
        seconds = time.monotonic() - start
    finally:
        ingest.kill()
        run(["server", "stop"], env)

    assert ingest.process.returncode == 1, ingest.output
    assert seconds < LOST_AFTER_SECONDS + 15, f"{seconds:.1f} s"
    assert "Traceback" not in ingest.output, ingest.output
    last = ingest.lines[-1]
    assert last.startswith("newsetl ingest: failed: the Prefect API at ") and "nothing was published" in last, last
    assert not (warehouse / "articles").exists()
    assert not group_alive(ingest.process.pid)
    # The record names a dead server now: the next run starts a temporary one and converges.
    code, output = run(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)], env, timeout=240)
    assert code == 0, output
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == 5
    assert (home / "temporary-server.log").exists()


@pytest.mark.slow
def test_a_one_run_server_registers_no_blocks_yet_records_the_whole_run(raw, warehouse, tmp_path, monkeypatch):
    """The temporary server is the lean one (flows/server_process.py, ONE_RUN_SERVER): no block types
    registered, no automations, yet a run's flow run, task runs and artifact are all recorded."""
    monkeypatch.setenv("PREFECT_API_URL", os.environ.get("PREFECT_API_URL", ""))  # launch() points it at its server
    home = tmp_path / ".prefect"
    # A database of its own (the suite's Prefect test harness points every server at a shared one).
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{tmp_path / 'one-run.db'}")
    server = LocalServer(home, role="temporary")
    try:
        server.start()
        with open(f"/proc/{server.process.pid}/cmdline", "rb") as cmdline:
            assert b"newsetl.flows.server_process" in cmdline.read()
        code, output = run(["ingest", "--raw", str(raw), "--warehouse", str(warehouse)],
                           cli_env(PREFECT_HOME=str(home), PREFECT_API_URL=server.url))
        assert code == 0, output
        run_id = output.rsplit("(run ", 1)[1].split(")")[0]
        assert _api(server.url, f"/flow_runs/{run_id}")["state_type"] == "COMPLETED"
        tasks = _api(server.url, "/task_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})
        assert sorted(t["name"].rsplit("-", 1)[0] for t in tasks if t["state_type"] == "COMPLETED") == [
            "plan", "process-batch", "publish", "record-run"]
        assert [a["key"] for a in _api(server.url, "/artifacts/filter",
                                       {"artifacts": {"flow_run_id": {"any_": [run_id]}}})] == ["newsetl-ingest"]
        assert _api(server.url, "/block_types/filter", {}) == []
    finally:
        server.stop()


def _api(url: str, path: str, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}{path}", data=data, method="GET" if body is None else "POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())
