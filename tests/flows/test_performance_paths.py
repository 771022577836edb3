"""The fast paths give the rows of the plain ones: batches in the local process pool
versus one thread, and duplicate flags recomputed from only the affected hashes
versus a fresh ingest of the same raw zone."""
from __future__ import annotations

import shutil
from pathlib import Path

from newsetl.flows.runners import local_processes
from newsetl.flows.settings import resolve_settings
from tests.conftest import write_article
from tests.flows.conftest import duck, run_backfill, run_ingest

RUN_COLUMNS = ["run_id", "processed_at"]


def _articles(warehouse: Path):
    frame = duck(warehouse, "articles", "select * from t order by article_id")
    return frame.drop(columns=RUN_COLUMNS)


def _same_story(folder: Path, name: str) -> None:
    write_article(folder, name, title="The same story", paragraphs=("Told word for word.",))


def test_local_processes_only_for_several_batches_and_never_on_dask(tmp_path, raw):
    settings = resolve_settings(str(raw), str(tmp_path / "wh"), workers=2)
    assert local_processes(settings, 1) == 0  # one batch: no worker start-up to pay
    assert local_processes(settings, 5) == 2
    assert local_processes(resolve_settings(str(raw), str(tmp_path / "wh"), workers=1), 5) == 0
    on_dask = resolve_settings(str(raw), str(tmp_path / "wh"), workers=2, dask_address="tcp://127.0.0.1:1")
    assert local_processes(on_dask, 5) == 0  # a Dask worker is already a process of its own


def test_process_pool_gives_the_rows_of_a_single_thread(tmp_path, raw):
    for i in range(7):
        write_article(raw / "2020-07-06", f"{i:03d}_{i:016x}.txt", title=f"Story {i}",
                      paragraphs=(f"Paragraph of story {i}.", "Another one."))
    _same_story(raw / "2020-07-06", "100_aaaaaaaaaaaaaaaa.txt")
    _same_story(raw / "2020-07-07", "101_aaaaaaaaaaaaaaaa.txt")
    pooled = run_ingest(raw, tmp_path / "wh-pool", batch_size=3, workers=2)
    single = run_ingest(raw, tmp_path / "wh-one", batch_size=3, workers=1)
    assert pooled["articles"] == single["articles"] == 10
    assert _articles(tmp_path / "wh-pool").equals(_articles(tmp_path / "wh-one"))


def test_incremental_duplicate_flags_equal_a_fresh_ingest(tmp_path, raw):
    day1, day2, day3 = raw / "2020-07-06", raw / "2020-07-07", raw / "2020-07-08"
    _same_story(day1, "100_aaaaaaaaaaaaaaaa.txt")
    write_article(day1, "101_bbbbbbbbbbbbbbbb.txt", title="Unrelated", paragraphs=("Nothing alike.",))
    incremental = tmp_path / "wh-incremental"
    run_ingest(raw, incremental)

    _same_story(day2, "200_aaaaaaaaaaaaaaaa.txt")  # a duplicate of a live article
    run_ingest(raw, incremental)
    _same_story(day3, "300_aaaaaaaaaaaaaaaa.txt")
    # The canonical article changes its text: day2's copy becomes the earliest.
    write_article(day1, "100_aaaaaaaaaaaaaaaa.txt", title="A corrected story", paragraphs=("Now different.",))
    run_ingest(raw, incremental)
    flags = duck(incremental, "articles", "select source_path, duplicate_of from t order by source_path")
    assert flags["duplicate_of"].notna().sum() == 1  # only day3's copy, pointing at day2's

    fresh = tmp_path / "wh-fresh"
    run_ingest(raw, fresh)
    assert _articles(incremental).equals(_articles(fresh))

    # Backfill day2 without its copy: day3's copy becomes the earliest, its day is rewritten.
    (day2 / "200_aaaaaaaaaaaaaaaa.txt").unlink()  # day2's only file, removed on purpose
    run_backfill(raw, incremental, "2020-07-07", "2020-07-07", allow_empty=True)
    shutil.rmtree(fresh)
    run_ingest(raw, fresh)
    assert _articles(incremental).equals(_articles(fresh))
    assert duck(incremental, "articles", "select count(*) n from t where duplicate_of is not null")["n"][0] == 0


def test_a_batch_staged_in_chunks_equals_one_chunk(tmp_path, raw):
    import pandas as pd
    import pyarrow.dataset as ds

    from newsetl.flows.batch import BatchJob, run_batch
    from newsetl.flows.plan import MANIFEST_COLUMNS, plan_ingest, write_plan
    from newsetl.flows.rawzone import scan_raw_zone

    for i in range(9):
        write_article(raw / f"2020-07-0{6 + i % 3}", f"{i:03d}_{i:016x}.txt", title=f"Story {i}",
                      paragraphs=(f"Paragraph of story {i}.", "Another one."))
    (raw / "2020-07-06" / "empty.txt").write_bytes(b"")
    plan = plan_ingest(scan_raw_zone(raw), pd.DataFrame(columns=MANIFEST_COLUMNS))
    staged = {}
    for chunk_files in (2, 500):
        staging = tmp_path / f"staging-{chunk_files}"
        assert write_plan(plan, staging, batch_size=100) == 1
        job = BatchJob(raw=str(raw), staging=str(staging), batch=0, run_id="r", pipeline_version="p",
                       max_file_bytes=10_000_000)
        summary = run_batch(job, chunk_files=chunk_files)
        assert (summary["articles"], summary["rejects"]) == (10, 1)
        staged[chunk_files] = {table: _staged(staging, table, keys)
                               for table, keys in (("articles", ["source_path"]), ("rejects", ["source_path"]),
                                                   ("files", ["source_path"]), ("paragraphs", ["article_id", "position"]))}
    for table in staged[2]:
        assert staged[2][table].equals(staged[500][table]), table


def _staged(staging: Path, table: str, keys: list[str]):
    import pyarrow.dataset as ds

    rows = ds.dataset(staging / table, format="parquet", partitioning="hive").to_table()
    rows = rows.drop_columns([c for c in ("processed_at",) if c in rows.column_names])
    return rows.sort_by([(k, "ascending") for k in keys]).to_pandas()


def test_staged_files_are_neither_compressed_nor_dictionary_encoded(tmp_path, raw):
    """Staging is read once by publish and deleted: its Parquet is written plain, the cheapest to write and read."""
    import pandas as pd
    import pyarrow.parquet as pq

    from newsetl.flows.batch import BatchJob, run_batch
    from newsetl.flows.plan import MANIFEST_COLUMNS, plan_ingest, write_plan
    from newsetl.flows.rawzone import scan_raw_zone

    for i in range(3):
        write_article(raw / "2020-07-06", f"{i:03d}_{i:016x}.txt", title=f"Story {i}", paragraphs=("Same words.",) * 2)
    staging = tmp_path / "staging"
    write_plan(plan_ingest(scan_raw_zone(raw), pd.DataFrame(columns=MANIFEST_COLUMNS)), staging, batch_size=100)
    run_batch(BatchJob(raw=str(raw), staging=str(staging), batch=0, run_id="r", pipeline_version="p",
                       max_file_bytes=10_000_000))
    staged = [path for path in staging.rglob("*.parquet") if path.parent.name != "plan"]
    assert {path.parts[-3] for path in staged} == {"articles", "paragraphs", "signatures", "files"}
    for path in staged:
        metadata = pq.ParquetFile(path).metadata
        for group in range(metadata.num_row_groups):
            for column in range(metadata.num_columns):
                chunk = metadata.row_group(group).column(column)
                assert chunk.compression == "UNCOMPRESSED", (path, chunk.path_in_schema)
                assert not any("DICTIONARY" in encoding for encoding in chunk.encodings), (path, chunk.path_in_schema)


def test_batch_workers_do_not_import_prefect(tmp_path, monkeypatch):
    # A spawned worker imports the modules of its initializer and of the batch function: Prefect
    # there would cost each worker ~60 MB and ~1 s of CPU for nothing.
    from newsetl.flows.runners import _SharedPool
    from tests.flows.conftest import worker_module

    worker_probe = worker_module(tmp_path, monkeypatch, "worker_probe", (
        "import sys\n\n"
        "def loaded(_):\n"
        "    from newsetl.flows.batch import run_batch  # what a batch job imports in the worker\n"
        "    from newsetl.flows.neardup import article_signatures\n"
        "    from newsetl.transforms.articles import build_articles\n"
        "    return sorted(name for name in sys.modules if name.split('.')[0] == 'prefect')\n"
    ))
    pool = _SharedPool()
    try:
        assert pool.run(worker_probe.loaded, None, 2) == []
    finally:
        pool.shutdown(wait=True)


def test_batch_workers_reuse_freed_memory_instead_of_faulting_fresh_pages(tmp_path, monkeypatch):
    # A batch step makes and frees arrays of a few MB; with glibc's defaults each one is a fresh
    # mapping whose pages fault in zeroed (25 us of system time an article in the signature step).
    from newsetl.flows.runners import _SharedPool
    from tests.flows.conftest import worker_module

    worker_probe = worker_module(tmp_path, monkeypatch, "fault_probe", (
        "import resource\n"
        "import numpy as np\n\n"
        "def faults(_):\n"
        "    data = np.ones(1 << 21, dtype=np.uint8)  # a chunk's bytes\n"
        "    def temporaries():\n"
        "        for _ in range(20):  # a step's arrays of 8-16 MB, made and freed\n"
        "            wide = data.astype(np.uint64)\n"
        "            mixed = wide * np.uint64(3)\n"
        "            flags = (mixed > 1).astype(np.int32)\n"
        "            del wide, mixed, flags\n"
        "    temporaries()  # the heap grows to what the step needs once\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    temporaries()\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before\n"
    ))
    pool = _SharedPool()
    try:
        # 20 rounds of 40 MB fault ~40,000 pages in afresh with glibc's defaults; reused, a handful
        assert pool.run(worker_probe.faults, None, 2) < 2_000
    finally:
        pool.shutdown(wait=True)
