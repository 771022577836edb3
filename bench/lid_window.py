"""How much text does language ID need? Agreement and cost of lid.176 per input window.

    python bench/lid_window.py --raw DROP [--files 3000] [--windows 100,200,500,2000]

Cleans each article once (transforms.document), then calls `detect_language` on
title + body cut to each window; reports microseconds per call and the share of
articles whose code equals the one from the widest window. Chose `max_chars`.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsetl.transforms.document import clean_article  # noqa: E402
from newsetl.transforms.identity import is_compressed  # noqa: E402
from newsetl.transforms.language import detect_language  # noqa: E402
from newsetl.transforms.rejects import Rejected  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", required=True)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--windows", default="100,200,500,2000")
    args = parser.parse_args(argv)
    windows = sorted(int(w) for w in args.windows.split(","))
    texts = []
    for path in sorted(p for p in Path(args.raw).rglob("*") if p.is_file())[: args.files]:
        try:
            article = clean_article(path.read_bytes(), compressed=is_compressed(path.name))
        except Rejected:
            continue
        texts.append(f"{article['title']}\n{article['body']}")
    reference = [detect_language(t, max_chars=windows[-1])[0] for t in texts]
    print(f"{len(texts)} articles; reference: the {windows[-1]}-character window")
    print("| window (chars) | µs per call | same code as reference |")
    print("|---|---|---|")
    for window in windows:
        clock = time.perf_counter()
        codes = [detect_language(t, max_chars=window)[0] for t in texts]
        per_call = (time.perf_counter() - clock) / len(texts) * 1e6
        same = sum(c == r for c, r in zip(codes, reference)) / len(texts)
        print(f"| {window} | {per_call:.0f} | {same:.2%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
