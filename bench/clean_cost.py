"""CPU cost of `clean_article` per article, for several revisions of transforms/ on the same files.

    python bench/clean_cost.py --raw DROP --revisions REV [REV ...] [--files 4000] [--rounds 5]

Each revision (`.` is the working tree) is exported as in bench/same_output.py and
timed in its own child process: the first `--files` files of the drop (sorted) are
read into memory, cleaned once to warm up, then cleaned `--rounds` times; a round's
figure is CPU seconds of the process (so other load on the machine counts less).
Children run round-robin, one round each in turn, so a burst of load hits all
revisions alike; the table shows the best and the median round per revision, in µs
an article.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from same_output import REPO, _export, code_module  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", required=True)
    parser.add_argument("--revisions", nargs="+", required=True, help="git revisions; '.' is the working tree")
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(Path(args.raw), Path(args.child), args.files)

    rounds: dict[str, list[float]] = {revision: [] for revision in args.revisions}
    with tempfile.TemporaryDirectory(prefix="clean-cost-") as scratch:
        children = {}
        for index, revision in enumerate(args.revisions):
            code = REPO if revision == "." else _export(revision, Path(scratch) / f"code-{index}")
            children[revision] = subprocess.Popen(
                [sys.executable, __file__, "--raw", args.raw, "--revisions", "-", "--files", str(args.files),
                 "--child", str(code)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for child in children.values():
            articles = json.loads(child.stdout.readline())["articles"]  # loaded and warmed
        for _ in range(args.rounds):
            for revision, child in children.items():
                child.stdin.write("go\n")
                child.stdin.flush()
                rounds[revision].append(json.loads(child.stdout.readline())["cpu"])
        for child in children.values():
            child.stdin.close()
            child.wait()
    print(f"{args.files:,} files ({articles:,} articles), {args.rounds} rounds; CPU us per file")
    print(f"{'revision':>12} {'best':>8} {'median':>8}")
    for revision, figures in rounds.items():
        per_file = [seconds / args.files * 1e6 for seconds in figures]
        print(f"{revision:>12} {min(per_file):8.1f} {statistics.median(per_file):8.1f}")
    return 0


def _child(raw: Path, code: Path, files: int) -> int:
    sys.path.insert(0, str(code))
    clean_article = code_module(code, "transforms.document").clean_article
    is_compressed = code_module(code, "transforms.identity").is_compressed
    Rejected = code_module(code, "transforms.rejects").Rejected

    paths = sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith("."))[:files]
    blobs = [(p.read_bytes(), is_compressed(p.name)) for p in paths]

    def clean_all() -> int:
        articles = 0
        for data, compressed in blobs:
            try:
                clean_article(data, compressed=compressed)
                articles += 1
            except Rejected:
                pass
        return articles

    print(json.dumps({"articles": clean_all()}), flush=True)
    for _ in sys.stdin:
        started = time.process_time()
        clean_all()
        print(json.dumps({"cpu": time.process_time() - started}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
