"""Near-duplicate quality on labelled syndication drops (bench/syndication.py), beside a
datatrove-style baseline, and the CPU cost of computing signatures.

    python bench/neardup.py [--seeds 1 2] [--stories 3000] [--days 10] [--window 7] [--sweep]

For each seed: the drop's article bodies go through the same functions the pipeline uses
(transforms/neardup.py: shingles, one-permutation-hashing signatures, band keys, candidate
pairs, scoring, components), with the same day window; clusters are scored against the labels
with pairwise precision, recall, F1 and the adjusted Rand index. The baseline follows datatrove's
MinHash defaults: word 5-grams, digits folded to 0, 112 MinHash permutations as 14 bands x 8
rows, any band collision is a duplicate.
`--sweep` scores other band layouts and thresholds (choose on one seed, confirm on another).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from syndication import generate  # noqa: E402
from newsetl.transforms.neardup import (METHOD, Method, Side, band_keys, component_roots, linked_pairs,  # noqa: E402
                                        shingle_sets, text_signatures)

# Any band collision is a duplicate: thresholds at 0 accept every candidate pair.
DATATROVE = Method(word_shingle=5, bins=112, bands=14, rows=8, jaccard=0.0, containment=0.0, min_shingles=0)
CHUNK = 500  # articles shingled together, as a batch worker's chunk


def classic_minhash(shingles: list[np.ndarray], permutations: int) -> np.ndarray:
    """MinHash as datatrove computes it: `permutations` hash functions x -> a*x + b (mod 2**32),
    the minimum of each over every shingle (newsetl used this before one-permutation hashing)."""
    seeds = [hashlib.blake2b(f"newsetl-minhash:{i}".encode(), digest_size=8).digest() for i in range(permutations)]
    a = np.array([int.from_bytes(s[:4], "little") | 1 for s in seeds], dtype=np.uint32)
    b = np.array([int.from_bytes(s[4:], "little") for s in seeds], dtype=np.uint32)
    out = np.full((len(shingles), permutations), np.iinfo(np.uint32).max, dtype=np.uint32)
    for row, values in enumerate(shingles):
        if len(values):
            out[row] = (np.multiply.outer(a, values) + b[:, None]).min(axis=1)  # uint32 wraps: a permutation
    return out


def signatures(bodies: list[str], method: Method, *, classic: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Shingle counts, signature matrix, band keys (empty rows below the floor), and CPU seconds
    spent; `classic`: MinHash with `method.bins` permutations instead of one-permutation hashing."""
    start = time.process_time()
    counts, matrices = [], []
    for i in range(0, len(bodies), CHUNK):
        if classic:
            sets = shingle_sets(bodies[i:i + CHUNK], method=method)
            counts.append(np.array([len(s) for s in sets]))
            matrices.append(classic_minhash(sets, method.bins))
        else:  # what the batch workers run (signature_frame)
            chunk_counts, matrix = text_signatures(bodies[i:i + CHUNK], method=method)
            counts.append(chunk_counts)
            matrices.append(matrix)
    matrix = np.concatenate(matrices)
    keys = band_keys(matrix, method=method)
    seconds = time.process_time() - start
    return np.concatenate(counts), matrix, keys, seconds


def clusters(days: np.ndarray, counts: np.ndarray, matrix: np.ndarray, keys: np.ndarray, exact: np.ndarray,
             method: Method, *, window: int) -> np.ndarray:
    """Cluster root per article: components of accepted pairs within the window, plus exact duplicates."""
    rows = np.flatnonzero(counts >= method.min_shingles)
    side = Side(rows=rows, keys=keys[rows], signatures=matrix[rows], counts=counts[rows].astype(np.int64),
                days=days[rows])
    left, right, _, _ = linked_pairs(side, side, window_days=window, same=True, method=method)
    # exact duplicates (same text): duplicate_of edges, whatever the distance
    same = pd.Series(np.arange(len(exact))).groupby(exact).transform("min").to_numpy()
    dup = np.flatnonzero(same != np.arange(len(exact)))
    a = np.concatenate([left, dup])
    b = np.concatenate([right, same[dup]])
    order = np.arange(len(days))  # any fixed order: scoring needs the partition, not the root
    return component_roots(order, a, b)


def pair_scores(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Pairwise precision, recall, F1 and the adjusted Rand index of two partitions."""
    def pairs(n):
        n = np.asarray(n, dtype=np.float64)
        return float((n * (n - 1) / 2).sum())

    table = pd.DataFrame({"t": truth, "p": predicted})
    both = pairs(table.groupby(["t", "p"]).size())
    true_pairs, predicted_pairs = pairs(table.groupby("t").size()), pairs(table.groupby("p").size())
    total = pairs([len(table)])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = true_pairs * predicted_pairs / total
    ari = (both - expected) / (0.5 * (true_pairs + predicted_pairs) - expected)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "ari": round(ari, 4),
            "true_pairs": int(true_pairs), "predicted_pairs": int(predicted_pairs)}


def evaluate(seed: int, stories: int, days: int, window: int, methods: dict[str, Method]) -> dict:
    articles = generate(stories, days, seed)
    bodies = ["\n\n".join(a.paragraphs) for a in articles]
    truth = pd.factorize(pd.Series([a.label for a in articles]))[0]
    day = np.array([a.day for a in articles])
    exact = np.array([hashlib.sha256((a.title + "\n" + b).encode()).hexdigest() for a, b in zip(articles, bodies)])
    kinds = pd.Series([a.kind for a in articles]).value_counts().to_dict()
    out = {"seed": seed, "articles": len(articles), "kinds": kinds, "methods": {}}
    cache: dict[tuple, tuple] = {}
    for name, method in methods.items():
        digits_folded = name.startswith("datatrove")
        key = (method.word_shingle, method.bins, digits_folded)
        if key not in cache:
            texts = [re.sub(r"\d", "0", b) for b in bodies] if digits_folded else bodies
            cache[key] = signatures(texts, method, classic=digits_folded)
        counts, matrix, _, seconds = cache[key]
        keys = band_keys(matrix, method=method)
        predicted = clusters(day, counts, matrix, keys, exact, method, window=window)
        scores = pair_scores(truth, predicted)
        scores["signature_us_per_article"] = round(seconds / len(articles) * 1e6, 1)
        out["methods"][name] = scores
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--window", type=int, default=7)
    parser.add_argument("--sweep", action="store_true", help="also score other band layouts and thresholds")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()

    methods = {f"newsetl {METHOD.version}": METHOD,
               "datatrove-style (w5, digits->0, 14x8, any collision)": DATATROVE}
    if args.sweep:
        for bands, rows in ((28, 4), (22, 5), (18, 6)):
            for jaccard, containment in ((0.5, 0.8), (0.4, 0.8), (0.5, 0.7), (0.4, 0.7)):
                m = dataclasses.replace(METHOD, bands=bands, rows=rows, jaccard=jaccard, containment=containment)
                methods.setdefault(f"sweep {m.version}", m)
    results = [evaluate(seed, args.stories, args.days, args.window, methods) for seed in args.seeds]

    print("| seed | articles | method | precision | recall | F1 | ARI | signature CPU us/article |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        for name, s in result["methods"].items():
            print(f"| {result['seed']} | {result['articles']} | {name} | {s['precision']:.4f} | {s['recall']:.4f} | "
                  f"{s['f1']:.4f} | {s['ari']:.4f} | {s['signature_us_per_article']} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    ours = [r["methods"][f"newsetl {METHOD.version}"] for r in results]
    return 0 if all(s["f1"] >= 0.95 and s["ari"] >= 0.95 for s in ours) else 1


if __name__ == "__main__":
    sys.exit(main())
