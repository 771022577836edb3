"""Does a change to transforms/ leave the cleaned output the same? Every column of articles,
paragraphs and rejects, built by `build_articles` from one raw drop, before and after.

    python bench/same_output.py --raw DROP --before REV [--after REV] [--keep DIR]

`--before` (and `--after`, default: the working tree) is any git revision; its
`transforms/` and `schemas/` are exported with `git archive` into a temporary folder
and run there in a child process, so both sides run the same interpreter and the
same libraries. Files are read in sorted order (hidden ones skipped) and handed to
`build_articles` as raw bytes, 500 at a time as the flow does, with fixed run metadata.
Prints, per table, the rows and columns compared and every column that differs
(with the first differing keys); exits 1 when anything differs, 0 when nothing does.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import math
import os
import re
import subprocess
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLES = {"articles": ["source_path"], "paragraphs": ["article_id", "position"], "rejects": ["source_path"]}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHUNK_FILES = 500  # as flows/batch.py cleans them


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", required=True, help="raw drop to clean (e.g. tests/data/cleaning or a bench drop)")
    parser.add_argument("--before", required=True, help="git revision of the reference code")
    parser.add_argument("--after", help="git revision of the changed code (default: the working tree)")
    parser.add_argument("--keep", help="write both sides' Parquet files here instead of a temporary folder")
    parser.add_argument("--dump", nargs=2, metavar=("CODE", "OUT"), help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args(argv)
    if args.dump:
        return _dump(Path(args.raw), code=Path(args.dump[0]), out=Path(args.dump[1]))

    with tempfile.TemporaryDirectory(prefix="same-output-") as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        sides = {}
        for side, revision in (("before", args.before), ("after", args.after)):
            code = _export(revision, Path(scratch) / f"code-{side}") if revision else REPO
            out = work / side
            out.mkdir(parents=True, exist_ok=True)
            print(f"{side}: {revision or 'working tree'} ({code})", flush=True)
            subprocess.run([sys.executable, __file__, "--raw", args.raw, "--before", "-", "--dump", str(code), str(out)],
                           check=True)
            sides[side] = out
        return 0 if _compare(sides["before"], sides["after"]) else 1


def _export(revision: str, folder: Path) -> Path:
    """`transforms/` and `schemas/` of `revision` in `folder`/newsetl/, importable as `newsetl.transforms` (the
    code's imports since the namespace change) and, through links, as `transforms` (the imports before it)."""
    (folder / "newsetl").mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "transforms", "schemas"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder / "newsetl")], input=archive, check=True)
    for package in ("transforms", "schemas"):
        (folder / package).symlink_to(folder / "newsetl" / package)
    return folder


def code_module(code: Path, name: str):
    """The module `name` (e.g. 'transforms.articles') of the code in `code`, whichever imports that code uses."""
    exported = code / "newsetl" / "transforms" / "articles.py"
    new_style = not exported.exists() or "from newsetl." in exported.read_text()
    module = importlib.import_module(f"newsetl.{name}" if new_style else name)
    assert Path(module.__file__).is_relative_to(code), f"wrong {name} imported: {module.__file__}"
    return module


def _dump(raw: Path, *, code: Path, out: Path) -> int:
    """In the child: clean every file of `raw` with the code in `code`; write one Parquet file per table."""
    sys.path.insert(0, str(code))
    import pandas as pd

    build_articles = code_module(code, "transforms.articles").build_articles
    paths = sorted(p for p in raw.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(raw).parts))
    tables: dict[str, list] = {name: [] for name in TABLES}
    for start in range(0, len(paths), CHUNK_FILES):
        rows = []
        for path in paths[start:start + CHUNK_FILES]:
            data = path.read_bytes()
            rel = path.relative_to(raw).as_posix()
            day = next((part for part in reversed(rel.split("/")[:-1]) if _DAY.match(part)), "2020-01-01")
            rows.append({"source_path": rel, "source_sha256": hashlib.sha256(data).hexdigest(),
                         "size_bytes": len(data), "ingest_date": date.fromisoformat(day), "raw": data,
                         "reject_reason": None, "reject_detail": None})
        batch = build_articles(pd.DataFrame(rows), run_id="same-output",
                               processed_at=datetime(2020, 1, 1, tzinfo=timezone.utc), pipeline_version="same-output")
        for name in TABLES:
            rows = getattr(batch, name)  # a frame, or an Arrow table since the batch builds columns
            tables[name].append(rows if isinstance(rows, pd.DataFrame) else rows.to_pandas())
    for name, frames in tables.items():
        frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        frame.to_parquet(out / f"{name}.parquet", index=False)
    print(f"  {len(paths):,} files cleaned", flush=True)
    return 0


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _compare(before: Path, after: Path) -> bool:
    import pyarrow.parquet as pq

    same = True
    for name, keys in TABLES.items():
        left = pq.read_table(before / f"{name}.parquet")
        right = pq.read_table(after / f"{name}.parquet")
        sort = [(key, "ascending") for key in keys]
        left, right = left.sort_by(sort), right.sort_by(sort)
        columns = sorted(set(left.column_names) | set(right.column_names))
        only = sorted(set(left.column_names) ^ set(right.column_names))
        differing = {}
        if left.num_rows != right.num_rows:
            differing["(row count)"] = f"{left.num_rows:,} before, {right.num_rows:,} after"
        else:
            key_rows = list(zip(*(left.column(key).to_pylist() for key in keys)))
            for column in columns:
                if column in only:
                    continue
                a, b = left.column(column).to_pylist(), right.column(column).to_pylist()
                bad = [i for i, (x, y) in enumerate(zip(a, b)) if not _same(x, y)]
                if bad:
                    differing[column] = f"{len(bad):,} rows differ, first at {key_rows[bad[0]]}: {a[bad[0]]!r} -> {b[bad[0]]!r}"
        for column in only:
            differing[column] = "only before" if column in left.column_names else "only after"
        verdict = "same" if not differing else "DIFFERENT"
        print(f"{name}: {left.num_rows:,} rows x {len(columns)} columns: {verdict}")
        for column, what in differing.items():
            print(f"  {column}: {what[:300]}")
        same = same and not differing
    return same


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
