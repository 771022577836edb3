"""Planning: which raw files a run processes, decided in bulk against the manifest."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from newsetl.flows.plan import plan_backfill, plan_ingest, vanished_files


@pytest.fixture(autouse=True)
def _harness():
    yield


def _listing(*rows):
    return pd.DataFrame(rows, columns=["source_path", "size_bytes", "modified_us", "ingest_date", "link_outside"])


def _manifest(*rows):
    frame = pd.DataFrame(rows, columns=["source_path", "source_sha256", "size_bytes", "modified_at", "ingest_date",
                                        "status", "reject_reason"])
    frame["modified_at"] = pd.to_datetime(frame["modified_at"], unit="us", utc=True)
    return frame


D5, D6 = date(2020, 7, 5), date(2020, 7, 6)
LISTING = _listing(("a.txt", 10, 1_000, D5, False), ("b.txt", 20, 2_000, D5, False),
                   ("c.txt", 30, 3_000, D6, False), ("d.txt", 40, 4_000, D6, False))
MANIFEST = _manifest(("a.txt", "ha", 10, 1_000, D5, "article", None),   # unchanged
                     ("b.txt", "hb", 21, 2_000, D5, "article", None),   # size changed
                     ("c.txt", "hc", 30, 3_000, D6, "rejected", "unreadable"),  # retry
                     ("z.txt", "hz", 1, 1, D6, "article", None))        # vanished


def test_ingest_plans_new_changed_and_unreadable_files():
    plan = plan_ingest(LISTING, MANIFEST).to_pandas()

    assert plan["source_path"].tolist() == ["b.txt", "c.txt", "d.txt"]
    assert plan.set_index("source_path").loc["b.txt", "previous_sha256"] == "hb"
    assert pd.isna(plan.set_index("source_path").loc["d.txt", "previous_sha256"])


def test_ingest_on_an_empty_warehouse_plans_everything():
    assert plan_ingest(LISTING, _manifest()).num_rows == 4


def test_backfill_plans_every_file_of_its_days_and_never_skips():
    plan = plan_backfill(LISTING, MANIFEST, D5, D5).to_pandas()

    assert plan["source_path"].tolist() == ["a.txt", "b.txt"]
    assert plan["previous_sha256"].isna().all()
    assert plan["previous_ingest_date"].tolist() == [D5, D5]


def test_vanished_files_are_manifest_rows_without_a_raw_file():
    assert vanished_files(LISTING, MANIFEST).column("source_path").to_pylist() == ["z.txt"]


@pytest.mark.parametrize("text", ["20200705", "2020-7-5", "2020-13-01", "yesterday", ""])
def test_days_must_be_written_yyyy_mm_dd(text):
    from newsetl.flows.settings import SettingError, parse_day

    with pytest.raises(SettingError, match="must be a date like 2020-07-05"):
        parse_day(text, option="--start")


@pytest.mark.parametrize("files, batch_size, spread, sizes", [
    (100_000, 5000, 2, [5000] * 20),
    (7000, 5000, 2, [3500, 3500]),  # not 5,000 + 2,000: one worker idle half the time
    (11_000, 5000, 2, [2750] * 4),  # not 5,000 + 5,000 + 1,000: three rounds on two workers
    (4000, 5000, 2, [4000]),  # one batch stays one (no worker pool for it)
    (3, 2, 4, [1, 1, 1]),  # never an empty batch
    (10, 4, 1, [3, 3, 4]),  # Dask (spread 1): as few as the size allows, even
    (0, 5000, 2, []),
])
def test_batches_are_as_few_as_the_size_allows_even_and_a_multiple_of_the_workers(files, batch_size, spread, sizes):
    from newsetl.flows.batch import batch_slices

    slices = batch_slices(files, batch_size=batch_size, spread=spread)
    assert [length for _, length in slices] == sizes
    assert [start for start, _ in slices] == [sum(sizes[:i]) for i in range(len(sizes))]


def test_the_plan_is_written_in_those_batches(tmp_path):
    import pyarrow.parquet as pq

    from newsetl.flows.batch import batch_plan_path
    from newsetl.flows.plan import write_plan

    listing = _listing(*[(f"{i:02d}.txt", 10, 1_000, D5, False) for i in range(7)])
    assert write_plan(plan_ingest(listing, _manifest()), tmp_path, batch_size=5, spread=2) == 2
    batches = [pq.read_table(batch_plan_path(tmp_path, batch)).column("source_path").to_pylist() for batch in (0, 1)]
    assert batches == [[f"{i:02d}.txt" for i in range(3)], [f"{i:02d}.txt" for i in range(3, 7)]]
