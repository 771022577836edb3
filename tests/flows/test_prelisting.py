"""The listing a CLI run makes while its Prefect server boots is the plan's listing when still fresh."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsetl.flows import ingest
from newsetl.flows.settings import resolve_settings
from tests.conftest import write_article


def test_the_plan_takes_a_fresh_prelisting_and_lists_again_when_it_is_stale(raw, warehouse, monkeypatch):
    settings = resolve_settings(str(raw), str(warehouse))
    ingest.prelist_raw_zone(settings, None, None)
    write_article(raw / "2020-07-06", "001_0000000000000010.txt", title="Arrived after the listing")

    assert ingest._raw_listing(settings, None, None).num_rows == 1  # the prelisting, taken once
    assert ingest._raw_listing(settings, None, None).num_rows == 2  # listed again

    ingest.prelist_raw_zone(settings, None, None)
    write_article(raw / "2020-07-06", "002_0000000000000020.txt", title="Arrived later still")
    monkeypatch.setattr(ingest, "PRELIST_MAX_AGE_SECONDS", -1.0)  # a run that waited for the lock
    assert ingest._raw_listing(settings, None, None).num_rows == 3


def test_a_backfill_prelisting_is_not_taken_by_an_ingest(raw, warehouse):
    settings = resolve_settings(str(raw), str(warehouse))
    ingest.prelist_raw_zone(settings, None, None)
    write_article(raw / "2020-07-06", "001_0000000000000010.txt", title="Arrived after the listing")
    from datetime import date

    listing = ingest._raw_listing(settings, date(2020, 7, 6), date(2020, 7, 6))
    assert listing.column("source_path").to_pylist() == ["2020-07-06/001_0000000000000010.txt"]
    ingest._PRELISTED.clear()


def test_a_listing_made_ahead_in_a_process_of_its_own_is_the_plans_listing(raw, warehouse):
    from newsetl.flows.ahead import list_raw_zone_ahead
    from newsetl.flows.rawzone import scan_raw_zone

    settings = resolve_settings(str(raw), str(warehouse))
    expected = scan_raw_zone(raw)
    ahead = list_raw_zone_ahead(settings.raw, None, None)
    ingest.prelist_raw_zone(settings, None, None, ahead)  # waits for the lister
    write_article(raw / "2020-07-06", "001_0000000000000010.txt", title="Arrived after the listing")

    assert ingest._raw_listing(settings, None, None).equals(expected)  # the lister's, not a new one
    assert ingest._raw_listing(settings, None, None).num_rows == 2  # taken once; then listed again


def test_the_lister_hands_its_listing_over(raw):
    from newsetl.flows.ahead import list_raw_zone_ahead
    from newsetl.flows.rawzone import scan_raw_zone

    listing = list_raw_zone_ahead(raw, None, None).take()
    assert listing is not None  # None: the plan would quietly list raw/ again itself
    assert listing.equals(scan_raw_zone(raw))


def test_a_command_killed_while_its_lister_runs_leaves_no_listing_file(raw, tmp_path):
    """The listing's file never has a name: SIGKILL of the command alone (the lister finishes
    and ends on its own) leaves nothing in the temporary folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    for day in range(200):  # enough files that the lister is still at work when the command dies
        write_article(raw / "2020-07-06", f"{day:03d}_{day:016d}.txt", title=f"Story {day}")
    script = ("import os, signal, sys\n"
              "from newsetl.flows.ahead import list_raw_zone_ahead\n"
              "ahead = list_raw_zone_ahead(sys.argv[1], None, None)\n"
              "print(ahead.pid, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script, str(raw)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TMPDIR": str(temporary)})
    assert done.returncode == -signal.SIGKILL
    lister = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{lister}").exists() and time.monotonic() < deadline:  # reparented: not ours to wait for
        time.sleep(0.05)
    assert list(temporary.iterdir()) == []


def test_a_lister_that_fails_leaves_the_listing_to_the_run(warehouse, tmp_path):
    from newsetl.flows.ahead import list_raw_zone_ahead

    (tmp_path / "gone").mkdir()
    missing = resolve_settings(str(tmp_path / "gone"), str(warehouse))
    (tmp_path / "gone").rmdir()  # an unmounted share
    ingest.prelist_raw_zone(missing, None, None, list_raw_zone_ahead(missing.raw, None, None))
    assert ingest._PRELISTED == {}  # the plan lists it and fails the run with its sentence


def test_workers_are_started_ahead_only_when_the_listing_promises_two_batches(raw, warehouse, monkeypatch):
    from tests.flows.conftest import run_ingest

    started = []
    monkeypatch.setattr(ingest, "prestart_workers", started.append)
    for n in range(5):
        write_article(raw / "2020-07-06", f"00{n}_000000000000001{n}.txt", title=f"Story {n}")
    settings = resolve_settings(str(raw), str(warehouse), batch_size=2, workers=2)

    ingest.prelist_raw_zone(settings, None, None)
    assert ingest.prestart_batch_workers(settings, None, None) == 2  # 5 new files: 3 batches

    run_ingest(raw, warehouse, batch_size=2, workers=1)
    ingest.prelist_raw_zone(settings, None, None)
    assert ingest.prestart_batch_workers(settings, None, None) == 0  # all 5 in the manifest: nothing to do
    write_article(raw / "2020-07-06", "009_0000000000000019.txt", title="One more")
    ingest.prelist_raw_zone(settings, None, None)
    assert ingest.prestart_batch_workers(settings, None, None) == 0  # one batch runs in the task's thread
    assert started == [2, 0, 0]
    ingest._PRELISTED.clear()


def test_prestarted_workers_have_imported_the_batch_code_and_loaded_the_language_model(tmp_path, monkeypatch):
    from newsetl.flows.runners import _SharedPool
    from tests.flows.conftest import worker_module

    model_probe = worker_module(tmp_path, monkeypatch, "model_probe", (
        "import sys\n\n"
        "def loaded(_):\n"
        "    language = sys.modules.get('newsetl.transforms.language')\n"
        "    return language is not None and bool(language._DETECTOR._models)\n"
    ))
    pool, one = _SharedPool(), _SharedPool()
    try:
        pool.prestart(2)
        assert len(pool._executor._processes) == 2  # both started at once, before any batch
        one.prestart(1)
        assert one.run(model_probe.loaded, None, 1) is True  # its warm-up ran first
    finally:
        pool.shutdown(wait=True)
        one.shutdown(wait=True)
