"""`newsetl`: the command line of the pipeline (see CONTRACT.md, section 3).

Bad settings and failed runs end with one sentence on stderr and exit status 1.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from flows.runtime import configure_prefect_env
from flows.settings import SettingError, check_day_range, parse_day, resolve_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsetl", description="News articles ETL: raw/ -> warehouse/ Parquet.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def locations(command: argparse.ArgumentParser, *, raw: bool = True) -> None:
        if raw:
            command.add_argument("--raw", help="raw zone folder (default: $NEWSETL_RAW or ./raw)")
        command.add_argument("--warehouse", help="warehouse folder (default: $NEWSETL_WAREHOUSE or ./warehouse)")

    def run_options(command: argparse.ArgumentParser) -> None:
        locations(command)
        command.add_argument("--batch-size", type=int, help="files per task (default 2000)")
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
    run_options(backfill)
    serve = commands.add_parser("serve", help="long-running: run ingest on a cron schedule until Ctrl-C or SIGTERM")
    serve.add_argument("--cron", default=None, help="when to run ingest, a cron expression (default '0 * * * *', hourly)")
    run_options(serve)
    status = commands.add_parser("status", help="days and row counts, last runs, pending raw files")
    locations(status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_prefect_env()
    _configure_logging()
    try:
        if args.command == "status":
            return _status(args)
        if args.command == "serve":
            return _serve(args)
        return _run(args)
    except SettingError as error:
        print(f"newsetl {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"newsetl {args.command}: interrupted; nothing half-done was published.", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    settings = resolve_settings(args.raw, args.warehouse, **_options(args))
    if args.command == "backfill":
        start, end = parse_day(args.start, option="--start"), parse_day(args.end, option="--end")
        check_day_range(start, end)
    clock = time.monotonic()
    from flows.ingest import backfill_flow, ingest_flow, with_runner  # imports Prefect: after the settings are checked

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


def _serve(args: argparse.Namespace) -> int:
    from flows.serve import DEFAULT_CRON, serve

    return serve(resolve_settings(args.raw, args.warehouse, **_options(args)), cron=args.cron or DEFAULT_CRON)


def _options(args: argparse.Namespace) -> dict:
    return {"batch_size": args.batch_size, "max_file_bytes": args.max_file_bytes, "workers": args.workers,
            "lock_timeout": args.lock_timeout, "dask_address": args.dask_address}


def _summary_line(command: str, run: dict, seconds: float) -> str:
    return (f"newsetl {command}: {run['files_seen']} files seen, {run['files_processed']} processed, "
            f"{run['articles']} articles, {run['rejects']} rejects, {run['duplicates']} duplicates, "
            f"{run.get('near_duplicates', 0)} near-duplicates ({run.get('near_duplicate_links', 0)} links), "
            f"{run['days_published']} day partitions published in {seconds:.1f} s (run {run['run_id']})")


def _status(args: argparse.Namespace) -> int:
    from flows.status import render_status, warehouse_status

    raw = args.raw or os.environ.get("NEWSETL_RAW") or "raw"
    warehouse = args.warehouse or os.environ.get("NEWSETL_WAREHOUSE") or "warehouse"
    print(render_status(warehouse_status(warehouse, raw)))
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
