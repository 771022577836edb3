"""Running the real `newsetl` command in a subprocess for the crash, lock and serve tests.

Each command runs in its own session (process group), so a test can SIGKILL the
command with every process it started, and nothing outlives the test.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from newsetl.flows.lifeline import proc_stat

NEWSETL = Path(sys.executable).with_name("newsetl")


def cli_env(**extra: str) -> dict[str, str]:
    """The test's environment plus the session's Prefect API, so the command starts no server of its own."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ, NEWSETL_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    env.pop("NEWSETL_TEST_PAUSE_AT", None)
    if PREFECT_API_URL.value():
        env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    env.update(extra)
    return env


class Command:
    """A running `newsetl` command whose stderr lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen([str(NEWSETL), *args], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        """Block until a line containing `text` is printed; fail with the output so far if it is not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.process.poll() is not None and self._queue.empty():
                time.sleep(0.2)  # let the reader catch up once more
                if any(text in line for line in self.lines):
                    return
                raise AssertionError(f"newsetl exited {self.process.returncode} before printing {text!r}:\n{self.output}")
            time.sleep(0.1)
        raise AssertionError(f"newsetl did not print {text!r} within {timeout} s:\n{self.output}")

    def finish(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the command's whole process group (it and every child), then reap it."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        self.process.wait(30)


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    command = Command(args, env)
    code = command.finish(timeout)
    time.sleep(0.1)
    return code, command.output


def _live_stats() -> dict[int, list[str]]:
    stats = {int(p): proc_stat(p) for p in os.listdir("/proc") if p.isdigit()}
    return {pid: fields for pid, fields in stats.items() if fields and fields[0] != "Z"}


def group_alive(pgid: int) -> list[int]:
    """Pids still running in a process group."""
    return [pid for pid, fields in _live_stats().items() if int(fields[2]) == pgid]
