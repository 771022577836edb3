"""`newsetl serve` with no server configured: starts its own, lands new raw files on the cron schedule,
and leaves no process behind after SIGTERM."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env
from tests.flows.conftest import duck

# A `* * * * *` run starts at the next minute; the server needs ~15 s to start: 150 s bounds both.
LANDING_TIMEOUT = 150


def _descendants(root: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


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
            seen |= _descendants(serving.process.pid)
            if (warehouse / "articles").is_dir() and any((warehouse / "articles").rglob("*.parquet")):
                titles = duck(warehouse, "articles", "select title from t")["title"].tolist()
                landed = "Dropped while serving" in titles
            time.sleep(1)
        assert landed, serving.output
        assert any("published articles 2020-07-06" in line for line in serving.lines), serving.output

        seen |= _descendants(serving.process.pid)
        serving.process.send_signal(signal.SIGTERM)
        assert serving.process.wait(60) == 0, serving.output
        time.sleep(0.5)
        assert seen and not [pid for pid in seen if _alive(pid)], serving.output
        assert "Prefect server stopped" in serving.output
    finally:
        for pid in seen | _descendants(serving.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        serving.kill()
