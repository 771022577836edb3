"""runtime.py: Prefect's environment defaults, applied before Prefect is imported."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newsetl.flows.runtime import configure_prefect_env


def test_defaults_silence_telemetry_and_keep_home_project_local(monkeypatch, tmp_path):
    for name in ("PREFECT_HOME", "DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    configure_prefect_env()
    assert os.environ["PREFECT_HOME"] == str(tmp_path / ".prefect")
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_first_start_in_a_new_home_gets_time_to_create_the_database(monkeypatch):
    # Prefect waits 20 s by default; creating the database of a new PREFECT_HOME took 20-30 s here.
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    configure_prefect_env(home="/nonexistent/home")
    assert int(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]) >= 120


def test_what_the_user_set_wins(monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "7")
    monkeypatch.setenv("DO_NOT_TRACK", "0")
    configure_prefect_env(home="/nonexistent/home")
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "7"
    assert os.environ["DO_NOT_TRACK"] == "0"


def test_arrow_allocator_is_one_that_gives_memory_back(tmp_path):
    # mimalloc, the wheel's default, kept freed memory: the driver and each batch worker stayed bigger.
    script = ("from flows.runtime import configure_prefect_env\n"
              "configure_prefect_env()\n"
              "import pyarrow as pa\n"
              "print(pa.default_memory_pool().backend_name)\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=Path(__file__).parents[2], timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "jemalloc"
