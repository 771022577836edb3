"""The I/O floor: the least work any ingest must do, to compare newsetl against.

Reads every non-hidden file under --raw as bytes (gunzipping *.gz), decodes it
as UTF-8 with errors="replace", and streams (path, text) in batches into one
zstd Parquet file, so memory stays flat whatever the size of the drop.
Single process, no cleaning, no partitioning: a floor, not a pipeline.

    python bench/io_floor.py --raw DIR --out FILE.parquet [--batch-files N] [--batch-mb M]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([("path", pa.string()), ("text", pa.string())])


def raw_files(root: Path):
    """Relative '/'-separated path and absolute path of every non-hidden regular file, sorted."""
    for folder, dirs, files in os.walk(root):  # does not follow symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.startswith(".") or os.path.islink(path):
                continue
            yield os.path.relpath(path, root).replace(os.sep, "/"), path


def write_floor(root: Path, out: Path, *, batch_files: int, batch_bytes: int) -> dict:
    """Copy the drop into one Parquet file; return counts and timings."""
    started = time.perf_counter()
    files = raw_bytes = text_bytes = batches = 0
    paths: list[str] = []
    texts: list[str] = []
    pending = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(out, SCHEMA, compression="zstd") as writer:
        def flush() -> None:
            nonlocal paths, texts, pending, batches
            if paths:
                writer.write_table(pa.table([paths, texts], schema=SCHEMA))
                batches += 1
            paths, texts, pending = [], [], 0

        for relative, path in raw_files(root):
            with open(path, "rb") as handle:
                data = handle.read()
            raw_bytes += len(data)
            if path.endswith(".gz"):
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError):
                    pass  # a corrupt gzip is kept as its raw bytes
            text = data.decode("utf-8", errors="replace")
            files += 1
            text_bytes += len(data)
            paths.append(relative)
            texts.append(text)
            pending += len(data)
            if len(paths) >= batch_files or pending >= batch_bytes:
                flush()
        flush()
    seconds = time.perf_counter() - started
    return {
        "raw": str(root), "out": str(out), "files": files, "bytes": raw_bytes,
        "decompressed_bytes": text_bytes, "parquet_bytes": out.stat().st_size, "row_groups": batches,
        "seconds": round(seconds, 3),
        "files_per_s": round(files / seconds, 1) if seconds else None,
        "mb_per_s": round(raw_bytes / 1e6 / seconds, 1) if seconds else None,
        # Linux reports ru_maxrss in KiB.
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder to read recursively")
    parser.add_argument("--out", type=Path, required=True, help="Parquet file to write (replaced)")
    parser.add_argument("--batch-files", type=int, default=2000, help="rows per row group at most")
    parser.add_argument("--batch-mb", type=float, default=32, help="text MB per row group at most")
    args = parser.parse_args(argv)
    if not args.raw.is_dir():
        print(f"io_floor: {args.raw} is not a folder; pass the raw drop with --raw.", file=sys.stderr)
        return 2
    result = write_floor(args.raw, args.out, batch_files=args.batch_files,
                         batch_bytes=int(args.batch_mb * 1e6))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
