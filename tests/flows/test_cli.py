"""The command line: its new options, and one sentence with exit status 1 when a run cannot go ahead."""
from __future__ import annotations

from newsetl.flows.cli import main
from newsetl.flows.lock import writer_lock


def test_a_negative_lock_timeout_is_one_sentence_and_exit_1(raw, warehouse, capsys):
    code = main(["ingest", "--raw", str(raw), "--warehouse", str(warehouse), "--lock-timeout", "-1"])

    assert code == 1
    assert capsys.readouterr().err.strip() == \
        "newsetl ingest: --lock-timeout must be 0 (do not wait) or a finite number of seconds, not -1."


def test_ingest_against_a_locked_warehouse_exits_1_naming_the_holder(raw, warehouse, capsys):
    with writer_lock(warehouse, command="backfill run H", timeout=0):
        code = main(["ingest", "--raw", str(raw), "--warehouse", str(warehouse), "--lock-timeout", "0",
                     "--workers", "1"])

    err = capsys.readouterr().err
    assert code == 1
    assert "newsetl ingest: failed: the warehouse" in err and "backfill run H" in err
    assert "Traceback" not in err


def test_serve_rejects_a_bad_cron_with_one_sentence(raw, warehouse, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # the session's server: serve starts none
    code = main(["serve", "--cron", "61 * * * *", "--raw", str(raw), "--warehouse", str(warehouse)])

    assert code == 1
    assert capsys.readouterr().err.strip().endswith(
        "newsetl serve: --cron '61 * * * *' is not a cron expression; use five fields like '0 * * * *'.")


def test_backfill_runs_through_the_cli_and_prints_its_summary(raw, warehouse, capsys):
    code = main(["backfill", "--start", "2020-07-05", "--end", "2020-07-05", "--raw", str(raw),
                 "--warehouse", str(warehouse), "--workers", "1"])

    assert code == 0
    assert capsys.readouterr().out.startswith("newsetl backfill: 1 files seen, 1 processed, 1 articles, 0 rejects")
