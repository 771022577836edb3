"""Are two published warehouses the same? Every table, every row, every column but run metadata.

    python bench/same_warehouse.py WAREHOUSE_A WAREHOUSE_B [--tables articles paragraphs ...]

Meant for two warehouses ingested from the same raw drop by two revisions of the code
(e.g. `newsetl ingest --raw DROP --warehouse A` at the base commit, the same into B at
a branch). Each table is read as readers read it (`<table>/**/*.parquet`, Hive
partitions, so the partition column is compared too), its rows put in order by the
table's key (partition column last), then compared column by column, one column in
memory at a time. Run metadata differs between any two runs and is left out:

  * every table: `run_id` and `processed_at` (which run wrote the row, and when);
  * runs: also `started_at`, `finished_at`, `seconds` (timings) and `parameters` (holds the
    warehouse path); its rows are put in order by `started_at`, so the n-th run of each
    side is compared with the other's n-th run.

Prints rows x columns compared per table and every differing column (how many rows
differ, the first differing key); exit status 1 when anything differs.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsetl.schemas import TABLES  # noqa: E402

RUN_METADATA = {"run_id", "processed_at"}
RUNS_METADATA = RUN_METADATA | {"started_at", "finished_at", "seconds", "parameters"}
DEFAULT_TABLES = ["articles", "paragraphs", "rejects", "files", "signatures", "near_duplicates", "runs"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("--tables", nargs="+", default=DEFAULT_TABLES)
    args = parser.parse_args(argv)
    same = True
    for name in args.tables:
        same = compare_table(args.left, args.right, name) and same
    print("SAME" if same else "DIFFERENT")
    return 0 if same else 1


def _dataset(warehouse: Path, name: str) -> ds.Dataset | None:
    folder = warehouse / name
    if not folder.is_dir():
        return None
    table = TABLES[name]
    partitioning = ds.partitioning(pa.schema([pa.field(table.partition, pa.date32())]), flavor="hive")
    return ds.dataset(folder, format="parquet", partitioning=partitioning)


def _sorted_column(dataset: ds.Dataset, keys: list[str], column: str) -> tuple[pa.ChunkedArray, pa.Table]:
    """One column of the dataset in key order (read with the keys, so that no read order is assumed),
    and the keys in that order."""
    rows = dataset.to_table(columns=list(dict.fromkeys([*keys, column])))
    rows = rows.take(pc.sort_indices(rows, sort_keys=[(key, "ascending") for key in keys]))
    return rows.column(column), rows.select(keys)


def compare_table(left_wh: Path, right_wh: Path, name: str) -> bool:
    table = TABLES[name]
    left, right = _dataset(left_wh, name), _dataset(right_wh, name)
    if left is None or right is None:
        print(f"{name}: missing in {'both' if left is right else ('left' if left is None else 'right')}")
        return left is right
    ignored = RUNS_METADATA if name == "runs" else RUN_METADATA
    keys = ["started_at"] if name == "runs" else [*table.key, table.partition]
    left_columns, right_columns = set(left.schema.names), set(right.schema.names)
    columns = sorted((left_columns & right_columns) - ignored)
    differing: dict[str, str] = {}
    for column in sorted((left_columns ^ right_columns) - ignored):
        differing[column] = "only in left" if column in left_columns else "only in right"
    left_rows, right_rows = left.count_rows(), right.count_rows()
    if left_rows != right_rows:
        differing["(rows)"] = f"{left_rows:,} left, {right_rows:,} right"
    else:
        for column in columns:
            a, left_keys = _sorted_column(left, keys, column)
            b, right_keys = _sorted_column(right, keys, column)
            if name != "runs" and not left_keys.equals(right_keys):
                differing["(keys)"] = "the two sides hold different keys"
                break
            if a.type != b.type:
                differing[column] = f"types differ: {a.type} left, {b.type} right"
                continue
            if a.equals(b):
                continue
            a, b = a.to_pylist(), b.to_pylist()
            bad = [i for i, (x, y) in enumerate(zip(a, b)) if not _same(x, y)]
            if bad:  # (none: equal values, NaN equal to NaN here)
                first = left_keys.slice(bad[0], 1).to_pylist()[0]
                differing[column] = f"{len(bad):,} rows differ, first at {first}: {a[bad[0]]!r:.120} -> {b[bad[0]]!r:.120}"
    verdict = "same" if not differing else "DIFFERENT"
    print(f"{name}: {left_rows:,} rows x {len(columns)} columns compared "
          f"(ignored: {', '.join(sorted(ignored & (left_columns | right_columns)))}): {verdict}", flush=True)
    for column, what in differing.items():
        print(f"  {column}: {what}")
    return not differing


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


if __name__ == "__main__":
    sys.exit(main())
