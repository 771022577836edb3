"""`newsetl serve`: the `ingest` flow on a cron schedule, with a Prefect server of its own if none is configured.

Prefect's ephemeral mode cannot schedule, so without PREFECT_API_URL this starts
`prefect server start` on loopback (its database under the project-local
PREFECT_HOME), waits for /api/health, serves, and on Ctrl-C or SIGTERM pauses the
schedule and stops every process it started. Prefect is imported only after the
API URL is settled: its settings are read once, at import.
"""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from newsetl.flows.server import LocalServer
from newsetl.flows.settings import Settings, SettingError

log = logging.getLogger("newsetl.serve")

DEFAULT_CRON = "0 * * * *"
DEPLOYMENT = "scheduled"


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
        from newsetl.flows.ingest import scheduled_ingest  # imports Prefect: after PREFECT_API_URL is set

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
