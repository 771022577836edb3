"""`newsetl serve`: the `ingest` flow on a cron schedule, with a Prefect server of its own if none is configured.

Prefect's ephemeral mode cannot schedule, so without PREFECT_API_URL this starts
`prefect server start` on loopback (its database under the project-local
PREFECT_HOME), waits for /api/health, serves, and on Ctrl-C or SIGTERM pauses the
schedule and stops every process it started. Prefect is imported only after the
API URL is settled: its settings are read once, at import.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.settings import Settings, SettingError

log = logging.getLogger("newsetl.serve")

DEFAULT_CRON = "0 * * * *"
DEPLOYMENT = "scheduled"
# The server's first start creates its database: seconds on an idle machine, more on a busy CI runner.
SERVER_START_TIMEOUT = 120.0
# How long the server gets to exit on SIGTERM before it is killed.
SERVER_STOP_TIMEOUT = 15.0
# The server's scheduler looks for runs to create this often; Prefect's default (60 s) would let a
# fresh `* * * * *` schedule miss its first minutes.
SCHEDULER_LOOP_SECONDS = "10"


def serve(settings: Settings, *, cron: str) -> int:
    """Serve `ingest` on `cron` until Ctrl-C or SIGTERM; 0 when it stopped as asked."""
    # Until Prefect's runner installs its own handler, SIGTERM unwinds like Ctrl-C so the server is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    # Our loggers reach the API inside flow runs; the serving process itself logs to stderr only.
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    server = None
    try:
        if not os.environ.get("PREFECT_API_URL"):
            server = LocalServer(Path(os.environ["PREFECT_HOME"]))
            server.start()
        _check_cron(cron)
        from flows.ingest import scheduled_ingest  # imports Prefect: after PREFECT_API_URL is set

        log.info("serving ingest on %r for %s -> %s against %s", cron, settings.raw, settings.warehouse,
                 os.environ["PREFECT_API_URL"])
        scheduled_ingest.serve(name=DEPLOYMENT, cron=cron, parameters=_parameters(settings),
                               print_starting_message=False, pause_on_shutdown=True,
                               entrypoint_type=_module_entrypoint())
        log.info("schedule stopped")
        return 0
    except KeyboardInterrupt:
        if not _terminated:
            raise  # Ctrl-C: the CLI's 130
        log.info("stopped by SIGTERM")  # asked to stop, and stopped: a success (while starting, too)
        return 0
    finally:
        if server is not None:
            server.stop()


_terminated = False


def _interrupt(signum, frame) -> None:
    global _terminated
    _terminated = True
    raise KeyboardInterrupt


def _parameters(settings: Settings) -> dict:
    """The served flow's parameters: every setting but the backfill-only one, as JSON values."""
    return {name: value for name, value in settings.as_parameters().items() if name != "allow_empty"}


def _module_entrypoint():
    # A module path runs the flow from the installed package whatever the working directory is.
    from prefect.deployments.runner import EntrypointType

    return EntrypointType.MODULE_PATH


def _check_cron(cron: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise SettingError(f"--cron {cron!r} is not a cron expression; use five fields like '0 * * * *'.") from None


class LocalServer:
    """A Prefect server on a free loopback port, in its own session: a Ctrl-C typed at the terminal
    reaches the command, which stops the server itself, and the server dies with the command
    (SIGTERM when its parent dies, on Linux) however the command ends.

    `serve` runs `prefect server start` (with its scheduler, on its own database); a one-off CLI run
    that has no PREFECT_API_URL runs a `temporary` one: the API app alone, as Prefect's own
    temporary server does, on the home's prefect.db, without importing the app into the CLI."""

    def __init__(self, home: Path, *, temporary: bool = False) -> None:
        self.home = home
        self.temporary = temporary
        self.process: subprocess.Popen | None = None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = self.home / ("temporary-server.log" if temporary else "serve-server.log")

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(self.port),
                   PREFECT_UI_ENABLED="false")
        env.pop("PREFECT_API_URL", None)
        if self.temporary:
            env.update(PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")  # as Prefect starts its own
            command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                       "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        else:
            # Its own database: the temporary servers of hand-started runs use prefect.db.
            env.update(PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{self.home / 'serve.db'}",
                       PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS=SCHEDULER_LOOP_SECONDS)
            command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                       "--port", str(self.port)]
        with open(self.log_path, "ab") as server_log:
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=server_log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        log.log(logging.DEBUG if self.temporary else logging.INFO,
                "starting a Prefect server on 127.0.0.1:%d (pid %d, log %s)", self.port, self.process.pid,
                self.log_path)
        self._wait_healthy()
        os.environ["PREFECT_API_URL"] = self.url

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise SettingError(f"the Prefect server exited with status {self.process.returncode} while "
                                   f"starting; see {self.log_path}.")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        log.log(logging.DEBUG if self.temporary else logging.INFO,
                                "Prefect server is healthy at %s", self.url)
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise SettingError(f"the Prefect server did not answer on {self.url}/health within "
                           f"{SERVER_START_TIMEOUT:.0f} s; see {self.log_path}.")

    def stop(self) -> None:
        """SIGTERM the server's process group, then SIGKILL whatever is left after a grace period."""
        if self.process is None or self.process.returncode is not None and not _group_alive(self.process.pid):
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + SERVER_STOP_TIMEOUT
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            self.process.poll()
            time.sleep(0.2)
        if _group_alive(self.process.pid):
            _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(SERVER_STOP_TIMEOUT)
        log.log(logging.DEBUG if self.temporary else logging.INFO, "Prefect server stopped")


def _die_with_parent() -> None:
    """In the server's process, before exec: SIGTERM it when the process that started it dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the command's own exit paths stop the server


_PR_SET_PDEATHSIG = 1


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
    return any(_in_group(pid, pgid) for pid in _pids())


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _in_group(pid: int, pgid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and int(fields[2]) == pgid
