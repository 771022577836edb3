"""Prefect servers on loopback that newsetl starts itself: for `serve`, for one CLI run, or standing.

`newsetl server start` leaves one running and records its URL and pid in PREFECT_HOME; a later
`ingest` or `backfill` with no PREFECT_API_URL finds it there, checks it answers, and reports to
it instead of paying for a server of its own (PREFECT_API_URL still wins).
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from newsetl.flows.lifeline import proc_stat
from newsetl.flows.settings import SettingError

log = logging.getLogger("newsetl.server")

ROLES = ("serve", "temporary", "standing")
# The server's first start creates its database: seconds on an idle machine, more on a busy CI runner.
SERVER_START_TIMEOUT = 120.0
# How long the server gets to exit on SIGTERM before it is killed.
SERVER_STOP_TIMEOUT = 15.0
# How often a stopping server is looked for: it exits 0.15-0.2 s after SIGTERM here, and a look
# (a scan of /proc) costs ~2.5 ms; the CLI waits for its own server before it ends.
SERVER_STOP_POLL = 0.02
# The server's scheduler looks for runs to create this often; Prefect's default (60 s) would let a
# fresh `* * * * *` schedule miss its first minutes.
SCHEDULER_LOOP_SECONDS = "10"
# Where `newsetl server start` records the standing server, inside PREFECT_HOME.
RECORD = "newsetl-server.json"
# A server that lives for one CLI run skips what only a lasting server is for (unless the user set
# these): registering Prefect's block types, and checking whether they changed, which imports every
# installed Prefect collection (prefect-dask: Dask's distributed, ~1 s); and the automations services
# (triggers and the actions they fire, whose client builds the API app a second time, ~1.8 s under
# the profiler), which no one-off run has. See flows/server_process.py for the figures.
ONE_RUN_SERVER = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false", "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
                  "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false"}


def start_standing(home: Path) -> dict:
    """Start a standing server unless one answers already; its record."""
    running = standing_server(home)
    if running is not None:
        return running
    server = LocalServer(home, role="standing")
    server.start()
    record = {"url": server.url, "pid": server.process.pid, "log": str(server.log_path)}
    (home / RECORD).write_text(json.dumps(record))
    return record


def standing_server(home: Path) -> dict | None:
    """The recorded standing server if its process lives and its API answers; None otherwise."""
    try:
        record = json.loads((home / RECORD).read_text())
        url, pid = str(record["url"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _group_alive(pid):
        return None
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            return record if answer.status == 200 else None
    except OSError:
        return None


def stop_standing(home: Path) -> dict | None:
    """Stop the recorded standing server (its whole process group) and forget it; the record, if any."""
    path = home / RECORD
    try:
        record = json.loads(path.read_text())
        pid = int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    _stop_group(pid)
    path.unlink(missing_ok=True)
    return record


class LocalServer:
    """A Prefect server on a free loopback port, in its own session: a Ctrl-C typed at the terminal
    reaches the command, which stops the server itself.

    Roles: `serve` runs `prefect server start` (with its scheduler, on its own serve.db); `temporary`
    is what a one-off CLI run without PREFECT_API_URL starts: the API app alone, as Prefect's own
    temporary server runs it (flows/server_process.py, with ONE_RUN_SERVER), on the home's prefect.db,
    without importing the app into the CLI; `standing` is the same app left running by `newsetl server
    start` for later runs to reuse (with Prefect's default settings). The first two die with the
    command that started them (SIGTERM when their parent dies, on Linux)."""

    def __init__(self, home: Path, *, role: str = "serve") -> None:
        if role not in ROLES:
            raise ValueError(f"unknown server role {role!r}")
        self.home = home
        self.role = role
        self.process: subprocess.Popen | None = None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = self.home / f"{role}-server.log"
        # Only `serve`'s and `server start`'s servers are news to the user; a run's own is a detail.
        self._level = logging.DEBUG if role == "temporary" else logging.INFO

    def start(self) -> None:
        """Launch the server and wait until it answers."""
        self.launch()
        self.wait_healthy()

    def launch(self) -> None:
        """Start the server's process and point PREFECT_API_URL at it, without waiting for it: the
        command imports Prefect and lists raw/ while it boots (the URL is known before it answers, so
        Prefect, imported meanwhile, reads the right one), then calls `wait_healthy`."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(self.port),
                   PREFECT_UI_ENABLED="false")
        env.pop("PREFECT_API_URL", None)
        if self.role != "serve":
            env.update(PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")  # as Prefect starts its own
            if self.role == "temporary":
                env = {**ONE_RUN_SERVER, **env}  # what the user set wins
            command = [sys.executable, "-m", "newsetl.flows.server_process", "127.0.0.1", str(self.port)]
        else:
            # Its own database: the servers of hand-started runs use prefect.db.
            env.update(PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{self.home / 'serve.db'}",
                       PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS=SCHEDULER_LOOP_SECONDS)
            command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                       "--port", str(self.port)]
        with open(self.log_path, "ab") as server_log:
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=server_log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=None if self.role == "standing" else _die_with_parent)
        log.log(self._level, "starting a Prefect server on 127.0.0.1:%d (pid %d, log %s)", self.port, self.process.pid,
                self.log_path)
        os.environ["PREFECT_API_URL"] = self.url

    def wait_healthy(self) -> None:
        """Return once the server answers /health; fail with one sentence if it exits or never answers."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise SettingError(f"the Prefect server exited with status {self.process.returncode} while "
                                   f"starting; see {self.log_path}.")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        log.log(self._level, "Prefect server is healthy at %s", self.url)
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SettingError(f"the Prefect server did not answer on {self.url}/health within "
                           f"{SERVER_START_TIMEOUT:.0f} s; see {self.log_path}.")

    def stop(self) -> None:
        """SIGTERM the server's process group, then SIGKILL whatever is left after a grace period."""
        if self.process is None or self.process.returncode is not None and not _group_alive(self.process.pid):
            return
        _stop_group(self.process.pid, poll=self.process.poll)
        self.process.wait(SERVER_STOP_TIMEOUT)
        log.log(self._level, "Prefect server stopped")


def _die_with_parent() -> None:
    """In the server's process, before exec: SIGTERM it when the process that started it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the command's own exit paths stop the server


_PR_SET_PDEATHSIG = 1


def _stop_group(pgid: int, poll=lambda: None) -> None:
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + SERVER_STOP_TIMEOUT
    while time.monotonic() < deadline and _group_alive(pgid):
        poll()  # reaps our own child, so its zombie does not count
        time.sleep(SERVER_STOP_POLL)
    if _group_alive(pgid):
        _signal_group(pgid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not os.path.isdir("/proc"):
        return True
    # A reaped group leader's zombie children count as gone.
    return any(_in_group(proc_stat(name), pgid) for name in os.listdir("/proc") if name.isdigit())


def _in_group(fields: list[str] | None, pgid: int) -> bool:
    return fields is not None and fields[0] != "Z" and int(fields[2]) == pgid
