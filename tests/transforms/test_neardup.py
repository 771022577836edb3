"""Shingles, one-permutation-hashing signatures, band keys, pair scoring and clusters (transforms/neardup.py)."""
from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from newsetl.transforms.neardup import (METHOD, Side, band_keys, component_roots, decode_minhash, is_unspaced,
                                        link_pairs, linked_pairs, near_duplicate_of, one_permutation_hash, score_pairs,
                                        shingle_hashes, shingle_sets, signature_frame, text_signatures)

REPO = Path(__file__).resolve().parents[2]


def _words(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(50_000)}" for _ in range(n)]


def test_case_punctuation_and_white_space_do_not_change_shingles():
    assert np.array_equal(shingle_hashes("The cat, “sat” on—the mat…\n\nToday!"),
                          shingle_hashes("the cat sat on the mat today"))


def test_digits_are_kept_so_templated_stories_differ_in_their_numbers():
    a = shingle_hashes("revenue rose 5 percent to 10 million dollars on monday")
    b = shingle_hashes("revenue rose 7 percent to 12 million dollars on monday")
    assert len(np.intersect1d(a, b)) < len(a) / 2


def test_word_3_grams_one_per_position():
    assert len(shingle_hashes("a b c d e")) == 3
    assert len(shingle_hashes("a b")) == 0
    assert len(shingle_hashes("a b c a b c")) == 3  # distinct: "a b c" twice counts once (containment needs set sizes)


def test_texts_shingled_together_get_the_shingles_they_get_alone():
    texts = [" ".join(_words(i, 60)) for i in range(5)] + ["", "x", "Ünïcödé wörds, “quoted” — dashed"]
    together = shingle_sets(texts)
    for text, shingles in zip(texts, together):
        assert np.array_equal(shingles, shingle_hashes(text))


def test_unspaced_scripts_get_character_shingles():
    chinese = "东京都政府今天宣布了一项新的经济政策这项政策预计将对整个地区的中小企业产生重大影响"
    assert is_unspaced(chinese) and not is_unspaced("plain english text")
    shingles = shingle_hashes(chinese)
    assert len(shingles) == len(chinese) - METHOD.char_shingle + 1
    edited = shingle_hashes(chinese.replace("今天", "昨天"))
    assert len(np.intersect1d(shingles, edited)) / len(np.union1d(shingles, edited)) > 0.6


def test_signatures_are_the_same_in_another_process_whatever_its_hash_seed():
    texts = ["Syndicated copies must hash alike on every worker, local or Dask; 2024 figures included.",
             " ".join(_words(11, 120)), "东京都政府今天宣布了一项新的经济政策这项政策预计将对整个地区的中小企业产生重大影响", ""]
    code = ("import sys, json; from newsetl.transforms.neardup import text_signatures;"
            "counts, signatures = text_signatures(json.loads(sys.stdin.read()));"
            "print(counts.tolist(), signatures.tolist())")
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                              input=json.dumps(texts), env=dict(os.environ, PYTHONHASHSEED=seed)).stdout
               for seed in ("1", "2")}
    counts, signatures = text_signatures(texts)
    assert outputs == {f"{counts.tolist()} {signatures.tolist()}\n"}


def test_the_workers_signatures_are_those_of_the_shingle_sets():
    texts = [" ".join(_words(i, 90)) for i in range(6)] + ["", "one two", "ภาษาไทยเขียนติดกันโดยไม่มีช่องว่างระหว่างคำ"]
    texts[1] = texts[1] + " " + texts[1]  # every shingle twice (but the one across the seam)
    counts, signatures = text_signatures(texts)
    sets = shingle_sets(texts)
    assert counts.tolist() == [len(s) for s in sets]
    words = [text.split() for text in texts[:8]]
    assert counts.tolist()[:8] == [len(set(zip(w, w[1:], w[2:]))) for w in words]  # distinct word 3-grams
    assert np.array_equal(signatures, one_permutation_hash(sets))


def _sets_with_jaccard(rng: np.random.Generator, size: int, jaccard: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of `size` distinct uint32 values sharing round(2 * size * J / (1 + J)) of them: Jaccard J."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    values = rng.choice(2**32, size=2 * size - shared, replace=False).astype(np.uint32)
    return np.sort(values[:size]), np.sort(values[size - shared:])


@pytest.mark.parametrize("size", [30, 300, 3000])  # 30: the floor, where most bins are filled by densification
@pytest.mark.parametrize("jaccard", [0.2, 0.5, 0.8])
def test_equal_bins_estimate_a_known_jaccard_without_bias(size, jaccard):
    rng = np.random.default_rng(size * 10 + round(jaccard * 10))
    pairs = [_sets_with_jaccard(rng, size, jaccard) for _ in range(200)]
    truth = np.array([len(np.intersect1d(a, b)) / len(np.union1d(a, b)) for a, b in pairs])
    signatures = one_permutation_hash([s for pair in pairs for s in pair])
    estimates = (signatures[0::2] == signatures[1::2]).mean(axis=1)
    errors = estimates - truth
    # 200 pairs: the mean of unbiased estimates is within 0.015 of the truth; one estimate's spread is
    # at most MinHash's binomial sd over 112 bins, sqrt(J (1 - J) / 112) <= 0.047 (fewer when bins are filled)
    assert abs(errors.mean()) < 0.015
    assert errors.std() < np.sqrt(jaccard * (1 - jaccard) / METHOD.bins) * 1.25


def test_text_jaccard_is_estimated_without_bias():
    errors = []
    for seed in range(60):
        a = _words(seed, 400)
        cut = random.Random(seed).randint(40, 400)
        b = a[:cut] + _words(1000 + seed, 400 - cut)
        sa, sb = shingle_hashes(" ".join(a)), shingle_hashes(" ".join(b))
        truth = len(np.intersect1d(sa, sb)) / len(np.union1d(sa, sb))
        signatures = one_permutation_hash([sa, sb])
        jaccard, _ = score_pairs(signatures[:1], signatures[1:], np.array([len(sa)]), np.array([len(sb)]))
        errors.append(jaccard[0] - truth)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.02  # the sd of one estimate at J = 0.5 is at most 0.047 with 112 bins
    assert errors.std() < 0.06


def test_a_single_shingle_fills_every_bin_and_sets_in_one_bin_densify_alike():
    one = one_permutation_hash([np.array([123456789], dtype=np.uint32)])
    assert (one == 123456789).all()
    # every value in bin 0: 111 empty bins, many of which miss all fixed probes and take the fallback
    width = 2**32 // METHOD.bins
    a = np.array([5, 900, 70_000], dtype=np.uint32)
    b = np.array([5, 1_000, width - 1], dtype=np.uint32)
    signatures = one_permutation_hash([a, b])
    assert (signatures == 5).all()  # same minimum in the one filled bin: every bin agrees


def test_short_and_empty_texts():
    counts, signatures = text_signatures(["", "   \n\n ", "two words", "three little words", "…—“”"])
    assert counts.tolist() == [0, 0, 0, 1, 0]
    assert (signatures[[0, 1, 2, 4]] == np.iinfo(np.uint32).max).all()
    assert len(set(signatures[3].tolist())) == 1  # one shingle: every bin holds it


def test_unspaced_scripts_are_found_by_their_share_of_letters():
    assert is_unspaced("東京都は今日、新しい経済政策を発表しました。")
    assert is_unspaced("รัฐบาลประกาศนโยบายเศรษฐกิจใหม่ในวันนี้")
    assert is_unspaced("ក្រសួងសុខាភិបាលបានប្រកាសថ្ងៃនេះ")
    assert not is_unspaced("The Tokyo (東京) government announced a new economic policy today, officials said.")
    assert not is_unspaced("Москва сегодня объявила о новой экономической политике")
    assert not is_unspaced("")


def test_an_abridged_copy_is_contained_in_its_original():
    original = " ".join(_words(1, 500))
    abridged = " ".join(original.split()[:180])  # true Jaccard 0.36, containment 1
    sets = [shingle_hashes(original), shingle_hashes(abridged)]
    signatures = one_permutation_hash(sets)
    jaccard, containment = score_pairs(signatures[:1], signatures[1:], np.array([len(sets[0])]), np.array([len(sets[1])]))
    assert jaccard[0] < METHOD.jaccard and containment[0] >= METHOD.containment


def test_empty_set_has_the_empty_signature_and_equal_sets_equal_band_keys():
    sets = [shingle_hashes(" ".join(_words(3, 80))), np.empty(0, dtype=np.uint32), shingle_hashes(" ".join(_words(3, 80)))]
    signatures = one_permutation_hash(sets)
    assert (signatures[1] == np.iinfo(np.uint32).max).all()
    keys = band_keys(signatures)
    assert keys.shape == (3, METHOD.bands) and np.array_equal(keys[0], keys[2])
    assert not np.isin(keys[0], keys[1]).any()


def test_a_band_holds_bins_a_band_count_apart():
    signatures = np.zeros((2, METHOD.bins), dtype=np.uint32)
    signatures[1, METHOD.bands] = 1  # bin 28: the second row of band 0, not of band 7
    keys = band_keys(signatures)
    assert (keys[0] != keys[1]).tolist() == [True] + [False] * (METHOD.bands - 1)


def test_band_keys_differ_between_bands_holding_the_same_values():
    signatures = np.zeros((1, METHOD.bins), dtype=np.uint32)  # every band holds the same rows
    assert len(set(band_keys(signatures)[0].tolist())) == METHOD.bands


def test_signature_frame_gives_short_bodies_no_band_keys():
    frame = pd.DataFrame({"article_id": ["a", "b"], "source_path": ["d/a.txt", "d/b.txt"], "source_sha256": ["x", "y"],
                          "body": [" ".join(_words(5, 200)), "Too short to link."], "ingest_date": ["2020-07-05"] * 2})
    signatures = signature_frame(frame)
    assert signatures["shingle_count"].tolist()[1] < METHOD.min_shingles
    assert [len(k) for k in signatures["band_keys"]] == [METHOD.bands, 0]
    assert len(signatures["minhash"][0]) == 4 * METHOD.bins
    assert (signatures["method_version"] == METHOD.version).all()
    stored = pa.chunked_array([pa.array(signatures["minhash"].tolist()[:1], pa.binary()),
                               pa.array(signatures["minhash"].tolist()[1:], pa.binary())])
    assert np.array_equal(decode_minhash(stored), one_permutation_hash(shingle_sets(frame["body"].tolist())))


def test_linked_pairs_respects_the_window_and_lists_each_pair_once():
    base = _words(7, 300)
    texts = [" ".join(base), " ".join(base[:280] + _words(8, 20)), " ".join(base), " ".join(_words(9, 300))]
    sets = shingle_sets(texts)
    signatures = one_permutation_hash(sets)
    side = Side(rows=np.arange(4), keys=band_keys(signatures), signatures=signatures,
                counts=np.array([len(s) for s in sets]), days=np.array([0, 1, 30, 0]))
    left, right, jaccard, _ = linked_pairs(side, side, window_days=7, same=True)
    assert sorted(zip(left.tolist(), right.tolist())) == [(0, 1)]  # (0, 2) is 30 days apart, 3 is another story
    assert jaccard[0] > 0.8
    left, _, _, _ = linked_pairs(side, side, window_days=60, same=True)
    assert len(left) == 3


def _planted_pairs(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """n pairs of signatures (rows 2i, 2i + 1) agreeing on the bins of band 0 and on k bins in all,
    k around the thresholds; in odd pairs half of the differing bins keep their low 4 bits (the filter
    over-counts), in even pairs none do (the filter counts exactly, at the threshold too)."""
    rng = np.random.default_rng(seed)
    band_0 = np.arange(METHOD.rows) * METHOD.bands  # the bins of band 0: 0, 28, 56, 84
    signatures = rng.integers(0, 2**32, size=(2 * n, METHOD.bins), dtype=np.uint64).astype(np.uint32)
    counts = np.empty(2 * n, dtype=np.int64)
    sizes = [(300, 300), (100, 400), (60, 500), (400, 40)]
    for i in range(n):
        k = int(rng.integers(20, 90))
        partner = signatures[2 * i].copy()
        differ = rng.choice(np.setdiff1d(np.arange(METHOD.bins), band_0), size=METHOD.bins - k, replace=False)
        high_only = rng.random(len(differ)) < (0.5 if i % 2 else 0.0)  # odd pairs: the filter's count is exact
        partner[differ] = np.where(high_only, partner[differ] ^ np.uint32(0x100), partner[differ] ^ np.uint32(0x3))
        signatures[2 * i + 1] = partner
        counts[2 * i], counts[2 * i + 1] = sizes[i % len(sizes)]
    return signatures, counts, [(2 * i, 2 * i + 1) for i in range(n)]


def test_the_low_bits_filter_never_drops_a_pair_that_scoring_accepts():
    signatures, counts, pairs = _planted_pairs(5)
    left = np.array([a for a, _ in pairs])
    right = np.array([b for _, b in pairs])
    ok, jaccard, _ = link_pairs(signatures[left], signatures[right], counts[left], counts[right])
    expected = {(int(a), int(b)): j for a, b, j, keep in zip(left, right, jaccard, ok) if keep}
    assert 0 < len(expected) < len(pairs)  # thresholds cut through the planted pairs
    n = len(signatures)
    side = Side(rows=np.arange(n), keys=band_keys(signatures), signatures=signatures, counts=counts,
                days=np.zeros(n, dtype=np.int64))
    found_left, found_right, found_jaccard, _ = linked_pairs(side, side, window_days=7, same=True)
    assert dict(zip(zip(found_left.tolist(), found_right.tolist()), found_jaccard.tolist())) == expected
    # probe and index as two sides: the other way of finding candidates gives the same links
    probe = Side(rows=left, keys=band_keys(signatures[left]), signatures=signatures[left], counts=counts[left],
                 days=np.zeros(len(left), dtype=np.int64))
    index = Side(rows=right, keys=band_keys(signatures[right]), signatures=signatures[right], counts=counts[right],
                 days=np.zeros(len(right), dtype=np.int64))
    found_left, found_right, _, _ = linked_pairs(probe, index, window_days=7, same=False)
    assert set(zip(found_left.tolist(), found_right.tolist())) == set(expected)


def test_component_roots_are_the_earliest_member_of_each_component():
    order = np.array([3, 1, 0, 2, 4])  # node 2 is the earliest, node 4 the latest
    roots = component_roots(order, np.array([0, 1]), np.array([1, 2]))  # 0-1-2 chained; 3 and 4 alone
    assert roots.tolist() == [2, 2, 2, 3, 4]


def test_near_duplicate_of_points_at_the_earliest_article_of_the_cluster():
    members = pd.DataFrame({"article_id": ["late", "early", "mid", "alone"],
                            "ingest_date": pd.to_datetime(["2020-07-09", "2020-07-05", "2020-07-07", "2020-07-05"]),
                            "source_path": ["z", "b", "a", "a"]})
    edges = pd.DataFrame({"article_id": ["late", "mid"], "other_id": ["mid", "early"]})
    values = near_duplicate_of(members, edges)
    assert values.iloc[0] == "early" and values.iloc[2] == "early"
    assert pd.isna(values.iloc[1]) and pd.isna(values.iloc[3])


def test_same_day_ties_are_broken_by_source_path():
    members = pd.DataFrame({"article_id": ["x", "y"], "ingest_date": pd.to_datetime(["2020-07-05"] * 2),
                            "source_path": ["2020-07-05/b.txt", "2020-07-05/a.txt"]})
    values = near_duplicate_of(members, pd.DataFrame({"article_id": ["x"], "other_id": ["y"]}))
    assert values.iloc[0] == "y" and pd.isna(values.iloc[1])


@pytest.mark.parametrize("change", [dict(word_shingle=4), dict(bins=128), dict(bands=14, rows=8),
                                    dict(jaccard=0.6), dict(containment=0.9), dict(min_shingles=10)])
def test_every_parameter_is_part_of_the_method_version(change):
    assert dataclasses.replace(METHOD, **change).version != METHOD.version
