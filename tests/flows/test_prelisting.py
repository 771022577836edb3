"""The listing a CLI run makes while its Prefect server boots is the plan's listing when still fresh."""
from __future__ import annotations

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
