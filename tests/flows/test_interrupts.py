"""A CLI run never hangs: Ctrl-C to its whole process group (the CLI, its temporary Prefect server and
the batch workers) ends it within 5 s, quietly; a Prefect server that dies mid-run ends it within a
bounded time with one sentence; and the next ingest converges after either."""
from __future__ import annotations

import os
import signal
import time

import pytest

from newsetl.flows.lifeline import LOST_AFTER_SECONDS
from newsetl.flows.server import LocalServer
from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env, group_alive
from tests.flows.conftest import duck, run_ingest


def _raw_zone(raw) -> int:
    for n in range(6):
        write_article(raw / "2020-07-06", f"01{n}_00000000000001{n}0.txt", title=f"Monday story {n}")
    return 7


def _exit_seconds(command: Command, timeout: float) -> float:
    start = time.monotonic()
    try:
        command.process.wait(timeout)
    except Exception:
        raise AssertionError(f"newsetl still running {timeout} s later:\n{command.output}") from None
    return time.monotonic() - start


def _assert_quiet(output: str) -> None:
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output


def _assert_converges(raw, warehouse, files: int) -> None:
    run_ingest(raw, warehouse)
    assert duck(warehouse, "files", "select count(*) n from t")["n"][0] == files
    assert run_ingest(raw, warehouse)["files_processed"] == 0


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_ends_the_run_within_5_s_quietly(raw, warehouse, tmp_path):
    files = _raw_zone(raw)
    # A home of its own: its temporary server must not open a database another Prefect version migrated.
    env = cli_env(NEWSETL_TEST_PAUSE_AT="transform", PREFECT_HOME=str(tmp_path / ".prefect"))
    env.pop("PREFECT_API_URL")  # as in a terminal: the CLI starts its temporary server, in its process group
    run = Command(["ingest", "--raw", str(raw), "--warehouse", str(warehouse), "--workers", "2",
                   "--batch-size", "1"], env)
    try:
        run.wait_for("newsetl test pause at transform", timeout=180)  # a batch staged, workers and server up
        os.killpg(run.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        seconds = _exit_seconds(run, timeout=30)
    finally:
        run.kill()

    assert run.process.returncode == 130, run.output
    assert seconds < 5.0, f"{seconds:.1f} s"
    time.sleep(0.5)
    assert not group_alive(run.process.pid)
    _assert_quiet(run.output)
    assert run.output.count("newsetl ingest: interrupted; nothing half-done was published.") == 1
    _assert_converges(raw, warehouse, files)


@pytest.mark.slow
def test_a_prefect_server_that_dies_mid_run_ends_it_with_one_sentence(raw, warehouse, tmp_path):
    files = _raw_zone(raw)
    server = LocalServer(tmp_path / "prefect-home")
    server.start()
    env = cli_env(NEWSETL_TEST_PAUSE_AT="transform", PREFECT_API_URL=server.url)
    run = Command(["ingest", "--raw", str(raw), "--warehouse", str(warehouse), "--workers", "2",
                   "--batch-size", "1"], env)
    try:
        run.wait_for("newsetl test pause at transform", timeout=120)
        os.killpg(server.process.pid, signal.SIGKILL)  # the server crashes
        seconds = _exit_seconds(run, timeout=LOST_AFTER_SECONDS + 45)
    finally:
        run.kill()
        server.stop()

    assert run.process.returncode == 1, run.output
    assert seconds < LOST_AFTER_SECONDS + 15, f"{seconds:.1f} s"
    assert not group_alive(run.process.pid)
    _assert_quiet(run.output)
    last = run.lines[-1]
    assert last.startswith("newsetl ingest: failed: the Prefect API at ") and "stopped answering" in last, run.output
    assert "nothing was published" in last
    assert not (warehouse / "articles").exists()
    _assert_converges(raw, warehouse, files)
