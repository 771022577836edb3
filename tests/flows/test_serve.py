"""`newsetl serve` with no server configured: starts its own, lands new raw files on the cron schedule,
and leaves no process behind after SIGTERM."""
from __future__ import annotations

import os
import signal
import time

import pytest

from newsetl.flows.lifeline import alive, descendants
from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env
from tests.flows.conftest import duck

# A `* * * * *` run starts at the next minute; the server needs ~15 s to start: 150 s bounds both.
LANDING_TIMEOUT = 150


@pytest.mark.slow
def test_serve_lands_a_new_file_on_schedule_and_stops_everything_on_sigterm(raw, warehouse, tmp_path):
    env = cli_env(PREFECT_HOME=str(tmp_path / ".prefect"))
    env.pop("PREFECT_API_URL", None)  # as on a fresh clone: serve starts its own server
    serving = Command(["serve", "--cron", "* * * * *", "--raw", str(raw), "--warehouse", str(warehouse),
                       "--workers", "1"], env)
    seen: set[int] = set()
    try:
        serving.wait_for("serving ingest on '* * * * *'", timeout=120)
        write_article(raw / "2020-07-06", "001_00000000000000d1.txt", title="Dropped while serving")
        deadline = time.monotonic() + LANDING_TIMEOUT
        landed = False
        while time.monotonic() < deadline and not landed:
            seen |= descendants(serving.process.pid)
            if (warehouse / "articles").is_dir() and any((warehouse / "articles").rglob("*.parquet")):
                titles = duck(warehouse, "articles", "select title from t")["title"].tolist()
                landed = "Dropped while serving" in titles
            time.sleep(1)
        assert landed, serving.output
        assert any("published articles 2020-07-06" in line for line in serving.lines), serving.output

        seen |= descendants(serving.process.pid)
        serving.process.send_signal(signal.SIGTERM)
        assert serving.process.wait(60) == 0, serving.output
        time.sleep(0.5)
        assert seen and not [pid for pid in seen if alive(pid)], serving.output
        assert "Prefect server stopped" in serving.output
    finally:
        for pid in seen | descendants(serving.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        serving.kill()


@pytest.mark.slow
def test_sigterm_while_serve_starts_its_server_exits_0_and_leaves_nothing(raw, warehouse, tmp_path):
    env = cli_env(PREFECT_HOME=str(tmp_path / ".prefect"))
    env.pop("PREFECT_API_URL", None)
    serving = Command(["serve", "--raw", str(raw), "--warehouse", str(warehouse)], env)
    try:
        serving.wait_for("starting a Prefect server", timeout=60)
        seen = descendants(serving.process.pid)
        serving.process.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert serving.process.wait(60) == 0, serving.output
        time.sleep(0.5)
        assert not [pid for pid in seen if alive(pid)], serving.output
        assert "Traceback" not in serving.output
    finally:
        serving.kill()
