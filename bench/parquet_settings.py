"""Parquet settings of the final day files: CPU to write, bytes on disk, and scan speed for readers.

Reads every published day of a warehouse's tables once, then rewrites them with the warehouse's own
writer (`Warehouse.publish_day`) under each candidate setting, one copy of the warehouse per setting,
and times on each copy what analysts run (DuckDB) and what the pipeline reads (pyarrow):

    python bench/parquet_settings.py --warehouse bench/out/wh-100000-1 --out bench/out/parquet-settings \\
        [--repeat 3] [--settings zstd1-all zstd1-declared ...] [--columns] [--json FILE]

Every figure is the best of `--repeat` runs; the settings take turns within each repeat, so a change
in the machine's load falls on all of them alike. Write CPU is process time (user + system) of
publishing every day of a table (cast, key check, encode, compress, fsync); scans, from a warm page
cache, are wall time and process time (all threads: less moved by other jobs on a shared machine).
Query results must agree across settings, or the script stops. `--columns` adds the compressed bytes
of every column, from the files' metadata.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from newsetl.flows.warehouse import DAY_FILES, ParquetSettings, Warehouse  # noqa: E402
from newsetl.schemas import TABLES  # noqa: E402

# `declared`: dictionary only on the columns a table declares with dictionary=True (schemas/).
# snappy and lz4 are references: fast codecs every reader knows, not candidates (the contract says zstd).
SETTINGS = {
    "zstd1-all": ParquetSettings("zstd", 1, True),  # what every run wrote before the study
    "zstd1-none": ParquetSettings("zstd", 1, False),
    "zstd1-declared": ParquetSettings("zstd", 1, None),
    "zstd3-all": ParquetSettings("zstd", 3, True),
    "zstd3-none": ParquetSettings("zstd", 3, False),
    "zstd3-declared": ParquetSettings("zstd", 3, None),
    "snappy-declared": ParquetSettings("snappy", None, None),
    "lz4-declared": ParquetSettings("lz4", None, None),
}

# What analysts type against the warehouse (CONTRACT.md: read_parquet with Hive partitioning).
QUERIES = {
    "group": "SELECT publisher, language, count(*) FROM {articles} GROUP BY ALL ORDER BY ALL",
    "sections": "SELECT s, count(*) FROM (SELECT unnest(sections) AS s FROM {articles}) GROUP BY ALL ORDER BY ALL",
    "like": "SELECT count(*), sum(word_count) FROM {articles} WHERE body LIKE '%parliament%'",
    "by_id": "SELECT * FROM {articles} WHERE article_id = '{article_id}'",
    "para_like": "SELECT count(DISTINCT article_id) FROM {paragraphs} WHERE text LIKE '%ceasefire%'",
    "files": "SELECT status, reject_reason, count(*), sum(size_bytes) FROM {files} GROUP BY ALL ORDER BY ALL",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, type=Path, help="a published warehouse (only read)")
    parser.add_argument("--out", required=True, type=Path, help="where the rewritten copies go (replaced)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--settings", nargs="+", choices=sorted(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--columns", action="store_true", help="also print the bytes of every column")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    source = Warehouse(args.warehouse)
    tables = [name for name in TABLES if source.days(name)]
    if "articles" not in tables:
        sys.exit(f"{args.warehouse}: no articles published; give a warehouse that `newsetl ingest` wrote")
    days = {name: {day: source.read_day(name, day) for day in source.days(name)} for name in tables}
    rows = {name: sum(t.num_rows for t in by_day.values()) for name, by_day in days.items()}
    load_before = os.getloadavg()

    shutil.rmtree(args.out, ignore_errors=True)
    write_cpu = {s: {} for s in args.settings}
    for _ in range(args.repeat):
        for name in args.settings:
            for table in tables:
                seconds = _publish(Warehouse(args.out / name), table, days[table], SETTINGS[name])
                write_cpu[name][table] = min(seconds, write_cpu[name].get(table, float("inf")))
    del days

    sizes = {s: {t: _bytes(args.out / s / t) for t in tables} for s in args.settings}
    column_sizes = {s: {t: _column_bytes(args.out / s / t) for t in tables} for s in args.settings}
    article_id = _middle_id(args.out / args.settings[0])
    read, query, answers = {s: {} for s in args.settings}, {s: {} for s in args.settings}, {}
    for _ in range(args.repeat):
        for name in args.settings:
            copy = Warehouse(args.out / name)
            for table in tables:
                _best(read[name], table, copy.read_table, table)
            with duckdb.connect() as connection:
                for label, sql in QUERIES.items():
                    text = sql.format(article_id=article_id, **{t: _scan(args.out / name / t) for t in TABLES})
                    answer = _best(query[name], label, lambda sql: connection.sql(sql).fetchall(), text)
                    if answers.setdefault(label, answer) != answer:
                        sys.exit(f"{name}: query {label!r} answered differently from {args.settings[0]}")

    figures = {"warehouse": str(args.warehouse), "rows": rows, "repeat": args.repeat,
               "load_before": load_before, "load_after": os.getloadavg(), "duckdb": duckdb.__version__,
               "pyarrow": pa.__version__, "cpus": os.cpu_count(), "production": asdict(DAY_FILES),
               "settings": {s: asdict(SETTINGS[s]) for s in args.settings},
               "write_cpu_s": write_cpu, "bytes": sizes, "column_bytes": column_sizes, "read_s": read, "query_s": query}
    _print(figures, tables)
    if args.columns:
        _print_columns(figures, tables)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def _publish(warehouse: Warehouse, table: str, by_day: dict, settings: ParquetSettings) -> float:
    """CPU seconds to publish every day of one table under `settings`."""
    staging = warehouse.new_staging("bench")
    clock = time.process_time()
    for day, data in by_day.items():
        warehouse.publish_day(table, day, data, staging=staging, settings=settings)
    seconds = time.process_time() - clock
    warehouse.drop_staging(staging)
    return seconds


def _best(best: dict, label: str, work, *args):
    """Run `work(*args)`; keep the least wall and the least CPU seconds (all threads) seen under `label`."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work(*args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    old_wall, old_cpu = best.get(label, (float("inf"), float("inf")))
    best[label] = (min(wall, old_wall), min(cpu, old_cpu))
    return result


def _bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("*/*.parquet"))


def _column_bytes(folder: Path) -> dict[str, int]:
    """Compressed bytes of each column (a list's values under name.list.element), over every file."""
    sizes: dict[str, int] = {}
    for path in sorted(folder.glob("*/*.parquet")):
        metadata = pq.read_metadata(path)
        for group in range(metadata.num_row_groups):
            for index in range(metadata.num_columns):
                chunk = metadata.row_group(group).column(index)
                sizes[chunk.path_in_schema] = sizes.get(chunk.path_in_schema, 0) + chunk.total_compressed_size
    return sizes


def _scan(folder: Path) -> str:
    return f"read_parquet('{folder}/**/*.parquet', hive_partitioning=true)"


def _middle_id(root: Path) -> str:
    """An article id from the middle of the id order: a lookup that no file's first rows answer by luck."""
    ids = duckdb.sql(f"SELECT article_id FROM {_scan(root / 'articles')} ORDER BY article_id").fetchall()
    return ids[len(ids) // 2][0]


def _print(figures: dict, tables: list[str]) -> None:
    settings = list(figures["settings"])
    base = settings[0]
    total = {s: sum(figures["bytes"][s].values()) for s in settings}
    cpu = {s: sum(figures["write_cpu_s"][s].values()) for s in settings}
    read = {s: [sum(pair[i] for pair in figures["read_s"][s].values()) for i in (0, 1)] for s in settings}
    print(f"{figures['warehouse']}: {figures['rows']['articles']:,} articles; best of {figures['repeat']}; "
          f"load {figures['load_before'][0]:.1f} -> {figures['load_after'][0]:.1f} on {figures['cpus']} CPUs; "
          f"pyarrow {figures['pyarrow']}, duckdb {figures['duckdb']}")
    queries = list(QUERIES)
    print("scans: wall / CPU (all threads); arrow read: every table with Warehouse.read_table, in s; queries in ms")
    header = (f"{'setting':<16} {'write CPU s':>11} {'all MB':>8} {'vs ' + base:>14} {'articles MB':>11} "
              f"{'arrow read s':>13} " + " ".join(f"{q:>13}" for q in queries))
    print(header)
    for s in settings:
        print(f"{s:<16} {cpu[s]:>11.3f} {total[s] / 1e6:>8.2f} {total[s] / total[base] - 1:>+14.1%} "
              f"{figures['bytes'][s]['articles'] / 1e6:>11.2f} {read[s][0]:>6.3f}/{read[s][1]:<6.3f} "
              + " ".join(f"{figures['query_s'][s][q][0] * 1e3:>6.1f}/{figures['query_s'][s][q][1] * 1e3:<6.1f}"
                         for q in queries))
    print("\nper table: write CPU s / MB")
    print(f"{'setting':<16} " + " ".join(f"{t:>22}" for t in tables))
    for s in settings:
        print(f"{s:<16} " + " ".join(
            f"{figures['write_cpu_s'][s][t]:>10.3f} /{figures['bytes'][s][t] / 1e6:>9.3f}" for t in tables))


def _print_columns(figures: dict, tables: list[str]) -> None:
    settings = list(figures["settings"])
    print("\nper column: compressed KB over every file of the table")
    print(f"{'column':<40} " + " ".join(f"{s:>16}" for s in settings))
    for table in tables:
        for column in figures["column_bytes"][settings[0]][table]:
            print(f"{table + '.' + column:<40} "
                  + " ".join(f"{figures['column_bytes'][s][table][column] / 1e3:>16.1f}" for s in settings))


if __name__ == "__main__":
    main()
