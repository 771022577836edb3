"""runtime.py: Prefect's environment defaults, applied before Prefect is imported."""
from __future__ import annotations

import os

from flows.runtime import configure_prefect_env


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
