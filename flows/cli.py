"""`newsetl`: the command line of the pipeline (see CONTRACT.md, section 3).

Bad settings and failed runs end with one sentence on stderr and exit status 1.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from newsetl.flows.ahead import list_raw_zone_ahead
from newsetl.flows.lifeline import end_cli_runs_promptly, say_once, track_stderr_lines
from newsetl.flows.runtime import collector_paused, configure_prefect_env
from newsetl.flows.settings import SettingError, check_day_range, parse_day, resolve_settings


class _Parser(argparse.ArgumentParser):
    """argparse, but a wrong argument is one sentence and status 1 like every other bad setting
    (argparse itself prints its usage and exits 2)."""

    def error(self, message: str):
        raise SettingError(f"{message}; see '{self.prog} --help'.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsetl", description="News articles ETL: raw/ -> warehouse/ Parquet.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def locations(command: argparse.ArgumentParser, *, raw: bool = True) -> None:
        if raw:
            command.add_argument("--raw", help="raw zone folder (default: $NEWSETL_RAW or ./raw)")
        command.add_argument("--warehouse", help="warehouse folder (default: $NEWSETL_WAREHOUSE or ./warehouse)")

    def run_options(command: argparse.ArgumentParser) -> None:
        locations(command)
        command.add_argument("--batch-size", type=int, help="files per task at most (default 5000)")
        command.add_argument("--max-file-bytes", type=int, help="per-file cap after decompression (default 10 MB)")
        command.add_argument("--workers", type=int, help="batch worker processes, 0 = one per core (default 0)")
        command.add_argument("--lock-timeout", type=float, metavar="SECONDS",
                             help="wait this long for another run's lock on the warehouse (default 60)")
        command.add_argument("--dask-address", help="run the batches on this Dask scheduler, tcp://HOST:PORT "
                             "(default: $NEWSETL_DASK_ADDRESS, else on this machine)")

    ingest = commands.add_parser("ingest", help="process new or changed raw files and publish their days")
    run_options(ingest)
    backfill = commands.add_parser("backfill", help="rebuild the days START..END from raw/, replacing them")
    backfill.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
    backfill.add_argument("--allow-empty", action="store_true", default=None,
                          help="rebuild a day that has published rows but no raw file left, removing its rows "
                               "(refused otherwise: an unmounted share looks the same)")
    run_options(backfill)
    serve = commands.add_parser("serve", help="long-running: run ingest on a cron schedule until Ctrl-C or SIGTERM")
    serve.add_argument("--cron", default=None, help="when to run ingest, a cron expression (default '0 * * * *', hourly)")
    run_options(serve)
    server = commands.add_parser("server", help="a standing local Prefect server that runs reuse: start, stop or status")
    server.add_argument("action", choices=["start", "stop", "status"])
    status = commands.add_parser("status", help="days and row counts, last runs, pending raw files")
    locations(status)
    report = commands.add_parser("report", help="write the feed-health HTML page (default: last 30 days with data)")
    locations(report, raw=False)
    report.add_argument("--start", help="first day, YYYY-MM-DD (default: 30 days with data before --end)")
    report.add_argument("--end", help="last day, YYYY-MM-DD, inclusive (default: the last day with data)")
    report.add_argument("--out", help="the HTML file to write (default: WAREHOUSE/report.html)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `newsetl` command. With `argv` (tests) runs happen in this process as they are; as the command
    itself, a run starts its own temporary Prefect server when none is set, and ends promptly on Ctrl-C
    or a lost API (flows/lifeline.py)."""
    as_command = argv is None
    try:
        args = build_parser().parse_args(argv)
    except SettingError as error:
        print(f"newsetl: {error}", file=sys.stderr)
        return 1
    configure_prefect_env()
    if as_command:
        track_stderr_lines()
    _configure_logging()
    try:
        if args.command == "status":
            return _status(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "server":
            return _server(args)
        if args.command == "report":
            return _report(args)
        code = _run(args, as_command=as_command)
        if as_command:
            _exit_without_teardown(code)
        return code
    except SettingError as error:
        print(f"newsetl {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        sentence = f"newsetl {args.command}: interrupted; nothing half-done was published."
        say_once(sentence) if as_command else print(sentence, file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, *, as_command: bool) -> int:
    settings = resolve_settings(args.raw, args.warehouse, **_options(args))
    if args.command == "backfill":
        start, end = parse_day(args.start, option="--start"), parse_day(args.end, option="--end")
        check_day_range(start, end)
    else:
        start = end = None
    clock = time.monotonic()
    if as_command:
        end_cli_runs_promptly(args.command)
    with _prefect_api() if as_command else nullcontext(None) as booting:
        # Prefect is imported after PREFECT_API_URL is set (it reads it once), but while a server we
        # started boots in its own process, and while raw/ is listed in another (flows/ahead.py).
        ahead = list_raw_zone_ahead(settings.raw, start, end) if as_command else None
        with collector_paused():
            from newsetl.flows.ingest import (backfill_flow, ingest_flow, prelist_raw_zone, prestart_batch_workers,
                                              with_runner)

        if as_command:
            prelist_raw_zone(settings, start, end, ahead)
        if booting is not None:
            prestart_batch_workers(settings, start, end)
            with collector_paused():
                _import_what_the_run_imports_first()
            booting.wait_healthy()
        with _without_heartbeats():
            if args.command == "ingest":
                state = with_runner(ingest_flow, settings)(settings, return_state=True)
            else:
                state = with_runner(backfill_flow, settings)(settings, start, end, return_state=True)
    if not state.is_completed():
        print(f"newsetl {args.command}: failed: {state.message}", file=sys.stderr)
        return 1
    run = state.result()
    print(_summary_line(args.command, run, time.monotonic() - clock))
    return 0


def _import_what_the_run_imports_first() -> None:
    """While our own server boots (the CLI has nothing else to do): what Prefect imports only when a flow
    run starts, after the server answers. FastAPI's encoder, for the run's parameters, is most of it
    (0.23 s of `-X importtime`); a Prefect that no longer needs a module only made this wait longer."""
    import importlib

    for module in ("fastapi.encoders", "prefect.flow_engine", "prefect.task_engine", "prefect.artifacts"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass


@contextmanager
def _prefect_api():
    """PREFECT_API_URL when set; else the standing server of `newsetl server start` when it answers;
    else a temporary server of our own for this command (see flows/server.py), yielded while it boots
    (the caller calls its `wait_healthy` before the flow starts); None when no server is booting."""
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    from newsetl.flows.server import LocalServer, standing_server

    home = Path(os.environ["PREFECT_HOME"])
    standing = standing_server(home)
    if standing is not None:
        os.environ["PREFECT_API_URL"] = standing["url"]
        try:
            yield None
        finally:
            os.environ.pop("PREFECT_API_URL", None)
        return
    server = LocalServer(home, role="temporary")
    try:
        server.launch()
        yield server
        _drain_prefect_senders()
    finally:
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)


def _without_heartbeats():
    """A one-off run sends no flow-run heartbeats (unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY is set).

    Prefect (3.8.8 and 3.9) sends one every 180 s from a thread that sleeps a second at a time and is joined when
    the run ends: ~0.5 s of every run spent waiting. Heartbeats only feed a server-side automation
    that marks runs whose heartbeats stop as crashed; a CLI run's own watchdog (flows/lifeline.py)
    already ends it with one sentence when its API goes, and sets its final state itself. Served
    runs (`newsetl serve`) keep them."""
    import prefect.settings

    setting = getattr(prefect.settings, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)  # in 3.8.8 and 3.9 alike
    if setting is None or os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY"):
        return nullcontext()
    return prefect.settings.temporary_settings(updates={setting: None})


def _exit_without_teardown(code: int) -> None:
    """End a finished CLI run at once: its rows are published, its runs row and artifact written, its
    server (if its own) stopped; what is left is sending the last logs and events, done here, and the
    interpreter's teardown of Prefect's ~1,500 modules (0.15-0.5 s here), skipped."""
    from newsetl.flows.runners import stop_workers
    from newsetl.flows.workers import exit_at_once

    stop_workers()
    _drain_prefect_senders()
    exit_at_once(code)


def _drain_prefect_senders(timeout: float = 10.0) -> None:
    """Let Prefect send the run's last logs and events before its server stops (it would do so at exit)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for sender in (APILogWorker, EventsWorker):
        sender.drain_all(timeout=timeout)


def _server(args: argparse.Namespace) -> int:
    from newsetl.flows.server import standing_server, start_standing, stop_standing

    home = Path(os.environ["PREFECT_HOME"])
    if args.action == "start":
        record = start_standing(home)
        print(f"Prefect server running at {record['url']} (pid {record['pid']}, log {record['log']}); "
              "ingest and backfill use it until 'newsetl server stop'.")
    elif args.action == "stop":
        record = stop_standing(home)
        print(f"Prefect server at {record['url']} stopped." if record else "no Prefect server was recorded.")
    else:
        record = standing_server(home)
        print(f"Prefect server running at {record['url']} (pid {record['pid']})." if record else
              "no Prefect server running: each ingest or backfill starts a temporary one.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from newsetl.flows.serve import DEFAULT_CRON, serve

    return serve(resolve_settings(args.raw, args.warehouse, **_options(args)), cron=args.cron or DEFAULT_CRON)


def _options(args: argparse.Namespace) -> dict:
    return {"batch_size": args.batch_size, "max_file_bytes": args.max_file_bytes, "workers": args.workers,
            "lock_timeout": args.lock_timeout, "dask_address": args.dask_address,
            "allow_empty": getattr(args, "allow_empty", None)}


def _summary_line(command: str, run: dict, seconds: float) -> str:
    return (f"newsetl {command}: {run['files_seen']} files seen, {run['files_processed']} processed, "
            f"{run['articles']} articles, {run['rejects']} rejects, {run['duplicates']} duplicates, "
            f"{run.get('near_duplicates', 0)} near-duplicates ({run.get('near_duplicate_links', 0)} links), "
            f"{run['days_published']} day partitions published in {seconds:.1f} s (run {run['run_id']})")


def _status(args: argparse.Namespace) -> int:
    from newsetl.flows.status import render_status, warehouse_status

    raw = args.raw or os.environ.get("NEWSETL_RAW") or "raw"
    warehouse = args.warehouse or os.environ.get("NEWSETL_WAREHOUSE") or "warehouse"
    from newsetl.flows.warehouse import WarehouseDamaged

    try:
        print(render_status(warehouse_status(warehouse, raw)))
    except WarehouseDamaged as damaged:
        print(f"newsetl status: {damaged}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    from newsetl.flows.health import build_report

    start = parse_day(args.start, option="--start") if args.start else None
    end = parse_day(args.end, option="--end") if args.end else None
    if start and end:
        check_day_range(start, end)
    warehouse = args.warehouse or os.environ.get("NEWSETL_WAREHOUSE") or "warehouse"
    result = build_report(warehouse, start=start, end=end, out=args.out)
    print(f"newsetl report: wrote {result.path} ({result.size_bytes / 1024:,.0f} KB, {len(result.days)} days "
          f"{result.days[0]}..{result.days[-1]}, {len(result.alerts)} thing(s) to look at) in {result.seconds:.1f} s")
    return 0


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("newsetl")
    logger.setLevel(os.environ.get("NEWSETL_LOG_LEVEL", "INFO"))
    # Bound to the current stderr: drop the one an earlier main() in this process added (tests call it repeatedly).
    for old in [h for h in logger.handlers if getattr(h, "newsetl_cli", False)]:
        logger.removeHandler(old)
    handler.newsetl_cli = True
    if not logger.handlers:
        logger.addHandler(handler)
    logger.propagate = False


if __name__ == "__main__":
    sys.exit(main())
