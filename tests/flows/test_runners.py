"""The local batch workers give their memory back before publishing: the whole run's peak memory
(issues 10 and 12) was the driver starting to publish while the workers were still ending."""
from __future__ import annotations

import os

import pytest

from newsetl.flows import runners
from tests.flows.conftest import worker_module

PROBE = (
    "import os\n\n"
    "class Marker:\n"
    "    def __init__(self, path):\n"
    "        self.path, self.open = path, open  # builtins may be gone when teardown reaches it\n\n"
    "    def __del__(self):\n"
    "        self.open(self.path, 'w').close()\n\n"
    "def pid(_):\n"
    "    return os.getpid()\n\n"
    "def mark_teardown(path):\n"
    "    # A module global is destroyed by the interpreter's teardown at exit, never by os._exit.\n"
    "    global marker\n"
    "    marker = Marker(path)\n"
    "    return os.getpid()\n"
)


@pytest.fixture
def probe(tmp_path, monkeypatch):
    yield worker_module(tmp_path, monkeypatch, "runner_probe", PROBE)
    runners._POOL.shutdown(wait=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_are_gone_when_the_last_part_of_a_run_returns(probe):
    first = runners.run_in_processes(probe.pid, None, processes=2, run="r", part=0, parts=2)
    assert _alive(first)  # the run has a part left: the pool stays
    last = runners.run_in_processes(probe.pid, None, processes=2, run="r", part=1, parts=2)
    # Exited and reaped before the caller (the last batch task, then publish) goes on.
    assert not _alive(first) and not _alive(last)


def test_a_stopped_worker_skips_the_interpreters_teardown(probe, tmp_path):
    marker = tmp_path / "torn-down"
    pid = runners.run_in_processes(probe.mark_teardown, str(marker), processes=2, run="r", part=0, parts=1)
    assert not _alive(pid)
    assert not marker.exists()
