"""One writer per warehouse: the lock file, waiting, giving up with a sentence, and taking over a dead holder's lock."""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket

import pytest

from newsetl.flows.lock import LockTimeout, lock_path, read_lock, writer_lock
from newsetl.flows.settings import resolve_settings
from tests.conftest import write_article
from tests.flows.cli_process import Command, cli_env, run
from tests.flows.conftest import duck


def test_the_lock_names_its_holder_and_is_released(warehouse):
    with writer_lock(warehouse, command="ingest run A", timeout=0) as holder:
        recorded, held = read_lock(warehouse)
        assert held and recorded == holder
        assert (recorded.pid, recorded.host, recorded.command) == (os.getpid(), socket.gethostname(), "ingest run A")
    assert read_lock(warehouse) == (None, False)  # emptied, not deleted
    assert lock_path(warehouse).exists()


def _hold_lock(warehouse, ready, release):
    with writer_lock(warehouse, command="backfill run B", timeout=0):
        ready.set()
        release.wait(30)


def test_a_second_writer_waits_then_gives_up_naming_the_holder(warehouse):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(warehouse, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(LockTimeout) as waited:
            with writer_lock(warehouse, command="ingest run C", timeout=0.5):
                pass
        message = str(waited.value)
        assert f"pid {holder.pid} on {socket.gethostname()}" in message
        assert "backfill run B" in message and "waited 0.5 s" in message and "\n" not in message
    finally:
        release.set()
        holder.join(30)
    with writer_lock(warehouse, command="ingest run C", timeout=5):  # free again once the holder is done
        pass


def test_a_lock_left_by_a_killed_process_is_taken_over(warehouse, caplog):
    warehouse.mkdir()
    dead = {"pid": 999999, "host": socket.gethostname(), "started_at": "2020-07-05T10:00:00+00:00",
            "command": "ingest run killed"}
    lock_path(warehouse).write_text(json.dumps(dead))  # what a SIGKILLed run leaves: details, but no flock
    assert read_lock(warehouse)[1] is False

    logger = logging.getLogger("newsetl.lock")
    logger.addHandler(caplog.handler)  # the CLI stops `newsetl` records propagating to the root logger
    try:
        with caplog.at_level(logging.WARNING, logger="newsetl.lock"):
            with writer_lock(warehouse, command="ingest run D", timeout=0):
                pass
    finally:
        logger.removeHandler(caplog.handler)

    assert "pid 999999" in caplog.text and "ingest run killed" in caplog.text


def test_ingest_does_not_start_while_another_run_holds_the_lock(raw, warehouse):
    from newsetl.flows.ingest import ingest_flow

    settings = resolve_settings(str(raw), str(warehouse), lock_timeout=0.3)
    with writer_lock(warehouse, command="backfill run E", timeout=0):
        state = ingest_flow(settings, return_state=True)

    assert state.is_failed()
    assert f"locked by pid {os.getpid()}" in state.message and "backfill run E" in state.message
    assert not (warehouse / "runs").exists()  # nothing written without the lock, not even the runs row


@pytest.mark.slow
def test_two_real_writers_one_waits_and_gives_up_then_takes_over_after_a_kill(raw, warehouse):
    for n in range(3):
        write_article(raw / "2020-07-06", f"00{n}_00000000000000a{n}.txt", title=f"Story {n}")
    common = ["--raw", str(raw), "--warehouse", str(warehouse), "--workers", "1"]
    first = Command(["ingest", *common], cli_env(NEWSETL_TEST_PAUSE_AT="staged"))
    try:
        first.wait_for("newsetl test pause at staged", timeout=90)

        code, output = run(["ingest", *common, "--lock-timeout", "1"], cli_env())
        assert code == 1, output
        refusal = [line for line in output.splitlines() if line.startswith("newsetl ingest: failed:")]
        assert len(refusal) == 1, output
        assert f"locked by pid {first.process.pid} on {socket.gethostname()}, started " in refusal[0]
        assert "Traceback" not in output
    finally:
        first.kill()

    code, output = run(["ingest", *common, "--lock-timeout", "5"], cli_env())
    assert code == 0, output
    assert f"took over the warehouse lock left by a run that is gone: pid {first.process.pid}" in output
    counts = duck(warehouse, "files", "select count(*) n, count(distinct source_path) d from t")
    assert (counts["n"][0], counts["d"][0]) == (4, 4)
