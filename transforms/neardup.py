"""Near-duplicate (syndication) detection: shingles, one-permutation-hashing signatures, LSH band
keys, pair scoring and clusters. Pure: arrays and frames in, arrays and frames out.

The batch workers turn each article body into a signature and band keys; publishing
probes new band keys against those of nearby days, scores the candidate pairs and
turns the accepted links (plus exact duplicates) into clusters rooted at the earliest
article. Every hash here is a fixed function of the text (blake2b and fixed integer
mixing; never Python's salted `hash`), so a signature is the same in every process.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_U64 = np.uint64


@dataclass(frozen=True)
class Method:
    """Everything that changes a signature, a band key or a link decision; its `version` names it."""
    word_shingle: int = 3  # word 3-grams: one changed word breaks 3 shingles, a sentence's worth survives
    char_shingle: int = 5  # scripts written without spaces: 5 characters are about as specific as 3 words
    # One-permutation hashing: each shingle's hash picks one of `bins` bins, a signature keeps each bin's
    # smallest hash (empty bins borrow a filled bin's, chosen the same way for every article). Equal
    # bins estimate Jaccard like 112 MinHash permutations do, for one hash per shingle instead of 112.
    bins: int = 112
    bands: int = 28  # 28 x 4: a pair at Jaccard 0.5 collides in some band with p = 0.84, at 0.3 with p = 0.20
    rows: int = 4  # band b holds bins b, b + bands, b + 2 bands, ...: neighbouring bins made 60 % more
    # candidate pairs on the bench drop's template text (24.1 M against 14.8 M at 100,000 articles)
    jaccard: float = 0.5  # accept at this estimated Jaccard ...
    containment: float = 0.8  # ... or when this share of the smaller text's shingles is in the larger (abridged copies)
    # Below this many distinct shingles (about 30 words) an article gets no band keys: a two-line brief
    # shares most of its shingles with any story that quotes it, so only exact duplicates link it.
    min_shingles: int = 30

    @property
    def version(self) -> str:
        return (f"oph1-w{self.word_shingle}c{self.char_shingle}-k{self.bins}-b{self.bands}x{self.rows}s"
                f"-j{self.jaccard:.2f}-c{self.containment:.2f}-m{self.min_shingles}")


METHOD = Method()
METHOD_VERSION = METHOD.version

# Scripts written without spaces between words: Thai, Lao, Khmer, Myanmar, Japanese kana, CJK ideographs
# (all 3-byte UTF-8 code points, so found from their lead bytes).
_UNSPACED_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF), (0x3400, 0x4DBF),
                    (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_UNSPACED_BOUNDS = np.array([edge for low, high in _UNSPACED_RANGES for edge in (low, high + 1)], dtype=np.int64)
_WORD = re.compile(r"\w+")

# Bytes of UTF-8 text that belong to a word (`_word_mask`): ASCII letters and digits (digits stay:
# templated stories differ mainly in their numbers) and every byte of a non-ASCII character, except
# the punctuation blocks below (general punctuation, Latin-1 signs, CJK punctuation, fullwidth forms).
_PUNCTUATION_LEADS = (  # (lead bytes, second byte range) of 2- and 3-byte punctuation characters
    (b"\xc2", 0xA0, 0xBF),  # U+00A0-00BF: NBSP, inverted marks, guillemets, currency and other signs
    (b"\xe2\x80", 0x80, 0xBF),  # U+2000-203F: dashes, curly quotes, ellipsis, spaces
    (b"\xe3\x80", 0x80, 0xBF),  # U+3000-303F: ideographic space, comma, full stop, brackets
    (b"\xef\xbc", 0x80, 0x8F),  # U+FF00-FF0F: fullwidth ! " # ... , - . /
)


def is_unspaced(text: str) -> bool:
    """True when most letters belong to scripts written without spaces (Chinese, Japanese, Thai, ...)."""
    data, offsets = _utf8_lower([text])
    return bool(_unspaced(data, offsets, _word_mask(data))[0])


def _utf8_lower(texts: list[str] | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The texts lower-cased (Unicode) as one UTF-8 byte array, and each text's start offset (n + 1).

    Arrow lower-cases and encodes the whole chunk in C++ (str.casefold is ~4x slower on news text,
    which is rarely pure ASCII: curly quotes); the texts' bytes are the array's data buffer. A
    pandas column of Arrow strings is read as it is, without Python strings."""
    array = pa.array(texts, pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = pc.utf8_lower(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + len(array) + 1]
    data = array.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8)[:offsets[-1]] if data is not None else np.empty(0, dtype=np.uint8)
    return data[offsets[0]:], offsets - offsets[0]


def _unspaced(data: np.ndarray, offsets: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Per text: at least half of its word characters are of an unspaced script."""
    texts = len(offsets) - 1
    leads = np.flatnonzero(data[:max(0, len(data) - 2)] >= 0xE0)
    leads = leads[data[leads] < 0xF0]
    flags = np.zeros(texts, dtype=bool)
    if not len(leads):
        return flags
    points = ((data[leads].astype(np.int64) & 0x0F) << 12 | (data[leads + 1].astype(np.int64) & 0x3F) << 6
              | (data[leads + 2].astype(np.int64) & 0x3F))
    hit = leads[np.searchsorted(_UNSPACED_BOUNDS, points, side="right") % 2 == 1]
    counts = np.bincount(np.searchsorted(offsets, hit, side="right") - 1, minlength=texts)
    for i in np.flatnonzero(counts):  # rare: only texts holding such characters at all
        part = slice(offsets[i], offsets[i + 1])
        characters = int((inside[part] & ((data[part] < 0x80) | (data[part] >= 0xC0))).sum())  # character starts
        flags[i] = counts[i] * 2 >= characters
    return flags


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every output bit depends on every input bit (uint64, wrapping)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _word_mask(data: np.ndarray) -> np.ndarray:
    """Which bytes of UTF-8 `data` are inside a word (punctuation and white space separate words)."""
    # Every byte >= 0x80, ASCII letters and digits: three wrapping uint8 compares, twice as fast as
    # a 256-entry lookup table
    inside = data >= np.uint8(0x80)
    inside |= (data | np.uint8(0x20)) - np.uint8(ord("a")) < np.uint8(26)
    inside |= data - np.uint8(ord("0")) < np.uint8(10)
    # Punctuation characters start with one of a few lead bytes (all >= 0xC2): look only there.
    high = np.flatnonzero(data >= 0xC2)
    for lead, low, high_byte in _PUNCTUATION_LEADS:
        width = len(lead) + 1
        at = high[(data[high] == lead[0]) & (high <= len(data) - width)]
        if len(lead) == 2:
            at = at[data[at + 1] == lead[1]]
        last = data[at + width - 1]
        at = at[(last >= low) & (last <= high_byte)]
        for offset in range(width):
            inside[at + offset] = False
    return inside


_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=_U64)  # the low k bytes of a word


def _token_hashes(data: np.ndarray, inside: np.ndarray, text_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stable 64-bit hash and the start offset of every word of UTF-8 `data`, for all words at
    once: each word's bytes are read 8 at a time (little-endian) and folded in with a fixed mixer.
    A word never runs across `text_starts` (texts are concatenated without separators)."""
    if not len(data):
        return np.empty(0, dtype=_U64), np.empty(0, dtype=np.int64)
    bounded = np.zeros(len(data) + 2, dtype=bool)  # inside, with an outside byte at either end
    bounded[1:-1] = inside
    # where inside changes: a word starts or one ended (nonzero of a bool array is 4x faster than of int8)
    change = np.flatnonzero(bounded[1:] != bounded[:-1])
    starts, ends = change[0::2], change[1::2]
    inner = np.unique(text_starts[text_starts > 0])  # an empty text starts where the next one does
    spans = inner[inside[inner - 1] & inside[inner]]  # a text's last word runs into the next text's first
    if len(spans):
        starts = np.insert(starts, np.searchsorted(starts, spans), spans)
        ends = np.insert(ends, np.searchsorted(ends, spans), spans)
    if not len(starts):
        return np.empty(0, dtype=_U64), starts
    padded = np.concatenate((data, np.zeros(8, dtype=np.uint8)))
    # windows[i] = the 8 bytes from offset i, as one little-endian integer (overlapping, no copy)
    windows = np.ndarray(shape=(len(data),), dtype="<u8", buffer=padded, offset=0, strides=(1,))
    lengths = ends - starts
    with np.errstate(over="ignore"):
        # every word's first 8 bytes with its length; then the next 8 of the ~10 % of longer words, ...
        words = _mix((windows[starts] & _BYTE_MASKS[np.minimum(lengths, 8)])
                     ^ (lengths.astype(_U64) * _U64(0x2545F4914F6CDD1D)))
        active = np.flatnonzero(lengths > 8)
        offset = 8
        while len(active):
            left = lengths[active] - offset
            chunk = windows[starts[active] + offset] & _BYTE_MASKS[np.minimum(left, 8)]
            words[active] = _mix(words[active] * _U64(0x9E3779B97F4A7C15) + chunk)
            offset += 8
            active = active[left > 8]
    return words, starts


def _ngrams(units: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every run of n consecutive units of one owner, and that owner."""
    if len(units) < n:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
    count = len(units) - n + 1
    same = owner[:count] == owner[n - 1:]
    with np.errstate(over="ignore"):
        acc = units[:count].copy()
        for offset in range(1, n):
            acc = acc * _U64(0x9E3779B97F4A7C15) + (units[offset:offset + count] ^ _U64(offset))
        acc = _mix(acc)
    return (acc[same] >> _U64(32)).astype(np.uint32), owner[:count][same]


def shingle_sets(texts: list[str], *, method: Method = METHOD) -> list[np.ndarray]:
    """Per text, the distinct 32-bit hashes of its shingles (sorted): word n-grams of the lower-cased
    text (punctuation separates words, digits kept), or character n-grams for unspaced scripts."""
    values, owner = _shingles(texts, method=method)
    if len(owner) > 1 and (owner[1:] < owner[:-1]).any():  # character shingles come after the word ones
        order = np.argsort(owner, kind="stable")  # each text's shingles are sorted already
        values, owner = values[order], owner[order]
    bounds = np.searchsorted(owner, np.arange(len(texts) + 1))
    return [values[bounds[i]:bounds[i + 1]] for i in range(len(texts))]


def _shingles(texts: list[str] | pd.Series, *, method: Method) -> tuple[np.ndarray, np.ndarray]:
    """Every text's distinct shingle hashes (uint32) and the text each belongs to (int64), flat.

    All texts are tokenised and hashed together in numpy (a Python regex per text costs ~100 us);
    only sorting a text's shingles to drop repeats runs per text (small uint32 sorts stay in cache:
    five times faster than one sort of the chunk's 64-bit (text, hash) keys)."""
    data, offsets = _utf8_lower(texts)
    inside = _word_mask(data)
    unspaced = _unspaced(data, offsets, inside)
    words, starts = _token_hashes(data, inside, offsets[:-1][offsets[:-1] < len(data)])
    word_counts = np.diff(np.searchsorted(starts, offsets))
    owner = np.repeat(np.arange(len(word_counts), dtype=np.int64), word_counts)
    hashes, owners = _ngrams(words, owner, method.word_shingle)
    bounds = np.searchsorted(owners, np.arange(len(texts) + 1))
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        if stop - start > 1:
            hashes[start:stop].sort()
    keep = np.ones(len(hashes), dtype=bool)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (owners[1:] != owners[:-1])
    keep &= ~unspaced[owners]
    values, owners = [hashes[keep]], [owners[keep]]
    for i in np.flatnonzero(unspaced):  # rare: character shingles, text by text
        shingles = _char_shingles(data[offsets[i]:offsets[i + 1]].tobytes().decode("utf-8"), method.char_shingle)
        values.append(shingles)
        owners.append(np.full(len(shingles), i, dtype=np.int64))
    return np.concatenate(values), np.concatenate(owners).astype(np.int64, copy=False)


def _char_shingles(text: str, n: int) -> np.ndarray:
    letters = "".join(_WORD.findall(text))
    units = np.frombuffer(letters.encode("utf-32-le"), dtype=np.uint32).astype(_U64)
    with np.errstate(over="ignore"):
        units = _mix(units + _U64(0x632BE59BD9B4E019))
    hashes, _ = _ngrams(units, np.zeros(len(units), dtype=np.int64), n)
    return _distinct(hashes)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash-table path is several times slower on these arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def shingle_hashes(text: str, *, method: Method = METHOD) -> np.ndarray:
    """Distinct 32-bit shingle hashes of one text (see `shingle_sets`)."""
    return shingle_sets([text], method=method)[0]


# Densification probes this many bins per empty bin before falling back to the next filled bin
# to its right: with 30 shingles (the floor) over 112 bins, 64 probes all miss with p < 1e-7.
_PROBES = 64


def one_permutation_hash(shingles: list[np.ndarray], *, method: Method = METHOD) -> np.ndarray:
    """One row of `bins` values per shingle set (uint32): one-permutation hashing with optimal
    densification (Shrivastava 2017). All-ones for an empty set.

    A shingle hash h falls in bin floor(h * bins / 2**32) and each bin keeps its smallest h, so two
    sets agree on a bin with probability equal to their Jaccard similarity, as with MinHash. An
    empty bin takes the value of the first filled bin among fixed pseudo-random probes of its own
    (the same probes for every set), which keeps that probability. Cost: O(shingles), one pass."""
    lengths = np.array([len(s) for s in shingles], dtype=np.int64)
    values = np.concatenate(shingles).astype(np.uint32, copy=False) if len(shingles) else np.empty(0, np.uint32)
    return _one_permutation_hash(values, np.repeat(np.arange(len(shingles), dtype=np.int64), lengths),
                                 len(shingles), method.bins)


def _one_permutation_hash(values: np.ndarray, owner: np.ndarray, sets: int, bins: int) -> np.ndarray:
    """`one_permutation_hash` of flat shingle hashes and the set each belongs to (any order)."""
    out = np.full((sets, bins), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(values):
        return out
    slot = owner * bins + ((values.astype(_U64) * _U64(bins)) >> _U64(32)).astype(np.int64)
    flat = out.reshape(-1)
    np.minimum.at(flat, slot, values)
    filled = np.zeros(len(flat), dtype=bool)
    filled[slot] = True
    _densify(out, filled.reshape(out.shape), bins)
    return out


def _densify(signatures: np.ndarray, filled: np.ndarray, bins: int) -> None:
    """Empty bins of rows with a filled bin take a filled bin's value, in place (see one_permutation_hash)."""
    rows, columns = np.nonzero(~filled & filled.any(axis=1)[:, None])
    with np.errstate(over="ignore"):
        for attempt in range(_PROBES):
            if not len(rows):
                return
            probe = _mix(columns.astype(_U64) * _U64(0x9E3779B97F4A7C15) + _U64(attempt + 0x7A3B))
            source = (probe % _U64(bins)).astype(np.int64)
            hit = filled[rows, source]
            signatures[rows[hit], columns[hit]] = signatures[rows[hit], source[hit]]
            rows, columns = rows[~hit], columns[~hit]
    for row in np.unique(rows):  # p < 1e-7 per empty bin at the floor: the next filled bin, circularly
        full = np.flatnonzero(filled[row])
        empty = columns[rows == row]
        signatures[row, empty] = signatures[row, full[np.searchsorted(full, empty) % len(full)]]


def text_signatures(texts: list[str] | pd.Series, *, method: Method = METHOD) -> tuple[np.ndarray, np.ndarray]:
    """Per text, its distinct shingle count (int32) and signature (uint32 row of `bins`): what the
    batch workers compute, all texts of a chunk together."""
    values, owner = _shingles(texts, method=method)
    counts = np.bincount(owner, minlength=len(texts)).astype(np.int32)
    return counts, _one_permutation_hash(values, owner, len(texts), method.bins)


def band_keys(signatures: np.ndarray, *, method: Method = METHOD) -> np.ndarray:
    """One int64 key per band (its rows' uint32 bins, strided: b, b + bands, ..., and the band's number, mixed)."""
    n = signatures.shape[0]
    used = signatures[:, :method.bands * method.rows].astype(_U64).reshape(n, method.rows, method.bands)
    with np.errstate(over="ignore"):
        keys = np.broadcast_to(np.arange(method.bands, dtype=_U64) + _U64(0x51ED270B27D8A0C3), (n, method.bands))
        for row in range(method.rows):
            keys = _mix(keys * _U64(0x9E3779B97F4A7C15) + used[:, row, :])
    return keys.view(np.int64)


def signature_frame(articles: pd.DataFrame, *, method: Method = METHOD) -> pd.DataFrame:
    """Per article (article_id, source_path, source_sha256, ingest_date, body): its shingle count,
    signature (little-endian uint32 bytes, one per bin) and band keys (none below the shingle floor)."""
    if articles.empty:
        return pd.DataFrame(columns=["article_id", "source_path", "source_sha256", "shingle_count", "minhash",
                                     "band_keys", "method_version", "ingest_date"])
    counts, signatures = text_signatures(articles["body"], method=method)
    keys = band_keys(signatures, method=method)
    linkable = counts >= method.min_shingles
    # Arrow-backed columns built from the arrays' buffers: no Python bytes or int objects per row.
    width = 4 * method.bins
    minhash = pa.Array.from_buffers(pa.binary(), len(articles), [
        None, pa.py_buffer(np.arange(0, width * (len(articles) + 1), width, dtype=np.int32)),
        pa.py_buffer(np.ascontiguousarray(signatures, dtype="<u4"))])
    key_offsets = np.concatenate(([0], np.cumsum(np.where(linkable, method.bands, 0)))).astype(np.int32)
    keys = pa.ListArray.from_arrays(pa.array(key_offsets), pa.array(keys[linkable].reshape(-1), pa.int64()))
    return pd.DataFrame({
        "article_id": articles["article_id"].array,  # as they are (Arrow strings stay Arrow strings)
        "source_path": articles["source_path"].array,
        "source_sha256": articles["source_sha256"].array,
        "shingle_count": counts,
        "minhash": pd.arrays.ArrowExtensionArray(minhash),
        "band_keys": pd.arrays.ArrowExtensionArray(keys),
        "method_version": method.version,
        "ingest_date": articles["ingest_date"].to_numpy(),
    })


def decode_minhash(values: pa.ChunkedArray | pa.Array | list[bytes], *, method: Method = METHOD) -> np.ndarray:
    """The signatures stored as bytes, back as an (n, bins) uint32 matrix; from an Arrow
    binary column the matrix is a view of its data buffer (no Python bytes objects, no copy)."""
    width = 4 * method.bins
    if isinstance(values, list):
        values = pa.array(values, pa.binary())
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if len(array) == 0:
        return np.empty((0, method.bins), dtype=np.uint32)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset:array.offset + len(array) + 1]
    if array.null_count or not (np.diff(offsets) == width).all():
        raise ValueError(f"signatures of {width} bytes expected (method {method.version})")
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data.view("<u4").reshape(len(array), method.bins)


def score_pairs(left: np.ndarray, right: np.ndarray, left_count: np.ndarray, right_count: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Estimated Jaccard (share of equal bins) and containment of the smaller shingle set in the larger."""
    jaccard = (left == right).mean(axis=1)
    smaller = np.minimum(left_count, right_count).astype(np.float64)
    intersection = jaccard / (1.0 + jaccard) * (left_count.astype(np.float64) + right_count)
    containment = np.minimum(1.0, np.divide(intersection, smaller, out=np.zeros_like(intersection), where=smaller > 0))
    return jaccard, containment


def accepted(jaccard: np.ndarray, containment: np.ndarray, *, method: Method = METHOD) -> np.ndarray:
    return (jaccard >= method.jaccard) | (containment >= method.containment)


def component_roots(order: np.ndarray, edges_a: np.ndarray, edges_b: np.ndarray) -> np.ndarray:
    """Root of each node's connected component: its member with the smallest `order`.

    Nodes are 0..n-1, `order` is each node's rank (earliest first), edges are index pairs.
    Label propagation with pointer jumping, vectorised; a node without edges is its own root."""
    n = len(order)
    rank_to_node = np.empty(n, dtype=np.int64)
    rank_to_node[order] = np.arange(n)
    label = order.astype(np.int64).copy()  # each node starts labelled with its own rank
    a, b = edges_a.astype(np.int64), edges_b.astype(np.int64)
    while len(a):
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        # Pointer jumping: a node takes the label of the node its label names, until nothing moves.
        while True:
            jumped = label[rank_to_node[label]]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            break
    return rank_to_node[label]


def near_duplicate_of(members: pd.DataFrame, edges: pd.DataFrame) -> pd.Series:
    """`near_duplicate_of` per member (article_id, ingest_date, source_path): the article_id of the
    earliest member of its component (by ingest_date, then source_path), null for that one and for
    articles alone. `edges` holds article_id pairs (article_id, other_id) between members."""
    if members.empty:
        return pd.Series([], dtype="object", index=members.index, name="near_duplicate_of")
    ranked = members.reset_index(drop=True)
    order = np.empty(len(ranked), dtype=np.int64)
    order[np.lexsort((ranked["source_path"].to_numpy(), ranked["ingest_date"].to_numpy()))] = np.arange(len(ranked))
    position = pd.Series(np.arange(len(ranked)), index=ranked["article_id"].to_numpy())
    a = position.reindex(edges["article_id"].to_numpy()).to_numpy()
    b = position.reindex(edges["other_id"].to_numpy()).to_numpy()
    keep = ~(np.isnan(a) | np.isnan(b)) if len(edges) else np.zeros(0, dtype=bool)
    roots = component_roots(order, a[keep].astype(np.int64), b[keep].astype(np.int64))
    ids = ranked["article_id"].to_numpy()
    root_ids = ids[roots]
    values = np.where(roots == np.arange(len(ranked)), None, root_ids).astype(object)
    return pd.Series(values, index=members.index, name="near_duplicate_of")


def link_pairs(left: np.ndarray, right: np.ndarray, left_count: np.ndarray, right_count: np.ndarray, *,
               method: Method = METHOD) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score candidate pairs: (accepted mask, estimated Jaccard, estimated containment)."""
    if len(left) == 0:
        empty = np.empty(0, dtype=np.float64)
        return np.empty(0, dtype=bool), empty, empty
    jaccard, containment = score_pairs(left, right, left_count, right_count)
    return accepted(jaccard, containment, method=method), jaccard, containment


def key_matrix(band_key_lists: pa.ChunkedArray | pa.Array, *, method: Method = METHOD) -> tuple[np.ndarray, np.ndarray]:
    """Band keys stored as list<int64> -> (rows that have keys, their (n, bands) int64 matrix)."""
    lists = band_key_lists.combine_chunks() if isinstance(band_key_lists, pa.ChunkedArray) else band_key_lists
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(lengths == method.bands)
    if not len(rows):
        return rows, np.empty((0, method.bands), dtype=np.int64)
    # Rows hold `bands` keys or none: then the flattened lists are the linkable rows' keys, in order
    # (taking the rows first would copy them all).
    whole = len(rows) == len(lists) or bool(np.isin(lengths, (0, method.bands)).all())
    values = pc.list_flatten(lists if whole else lists.take(pa.array(rows))).to_numpy()
    return rows, values.reshape(len(rows), method.bands)


def linked_pairs(probe: "Side", index: "Side", *, window_days: int, same: bool, method: Method = METHOD,
                 chunk: int = 8_192, threads: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Accepted pairs (probe row, index row, Jaccard, containment) among pairs sharing a band key and
    at most `window_days` apart; `same`: probe and index are one side, each unordered pair once.

    Band by band (sort + search), `chunk` pairs at a time: each candidate is first compared on the
    low 4 bits of every bin (56 bytes a side instead of 448), which can only over-count equal bins,
    so a pair failing there would fail on the full values too; only the rest is scored on them.
    Memory follows the bands in flight and the accepted pairs, never all candidate pairs. Bands run
    on `threads` threads (numpy's sorts, gathers and compares release the GIL); results are joined
    in band order."""
    empty = tuple(np.empty(0, dtype=t) for t in (np.int64, np.int64, np.float64, np.float64))
    if not len(probe.keys) or not len(index.keys):
        return empty
    probe_nibbles = _nibbles(probe.signatures)
    index_nibbles = probe_nibbles if same else _nibbles(index.signatures)

    def band_links(band: int) -> list[tuple[np.ndarray, ...]]:
        p, i = (_same_band_pairs if same else _band_pairs)(probe.keys[:, band], index.keys[:, band])
        keep = np.abs(probe.days[p] - index.days[i]) <= window_days
        p, i = p[keep], i[keep]
        found = []
        for start in range(0, len(p), chunk):
            pp, ii = p[start:start + chunk], i[start:start + chunk]
            # np.take of whole rows: 3.5x faster than indexing a 2-D array with an index array
            plausible = _plausible(np.take(probe_nibbles, pp, axis=0), np.take(index_nibbles, ii, axis=0),
                                   probe.counts[pp], index.counts[ii], method=method)
            pp, ii = pp[plausible], ii[plausible]
            ok, jaccard, containment = link_pairs(np.take(probe.signatures, pp, axis=0),
                                                  np.take(index.signatures, ii, axis=0), probe.counts[pp],
                                                  index.counts[ii], method=method)
            found.append((pp[ok], ii[ok], jaccard[ok], containment[ok]))
        return found

    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="near-duplicates") as pool:
        found = [part for parts in pool.map(band_links, range(method.bands)) for part in parts]
    if not found:
        return empty
    p, i, jaccard, containment = (np.concatenate(column) for column in zip(*found))
    # A pair colliding in several bands was scored in each (cheaper than checking earlier bands for
    # every candidate: most candidates collide once, and are rejected); keep it once.
    _, first = np.unique(p.astype(np.int64) * np.int64(len(index.keys)) + i, return_index=True)
    return probe.rows[p[first]], index.rows[i[first]], jaccard[first], containment[first]


def _band_pairs(wanted: np.ndarray, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probe row, index row) for every probe key equal to an index key of this band."""
    order = np.argsort(column, kind="stable")
    ordered = column[order]
    low = np.searchsorted(ordered, wanted, side="left")
    hits = np.searchsorted(ordered, wanted, side="right") - low
    total = int(hits.sum())
    if not total:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    p = np.repeat(np.arange(len(wanted), dtype=np.int32), hits)
    i = order[np.repeat(low, hits) + (np.arange(total) - np.repeat(np.cumsum(hits) - hits, hits))].astype(np.int32)
    return p, i


def _same_band_pairs(column: np.ndarray, _: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unordered pair of rows with equal keys of this band once, as (lower row, higher row)."""
    # A stable sort keeps each run of equal keys in row order: a pair of sorted positions p < q is
    # (lower row, higher row) as it is. int32 rows: a band's pairs take half the memory.
    order = np.argsort(column, kind="stable").astype(np.int32)
    ordered = column[order]
    # each sorted position pairs with the later positions of its run of equal keys
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))).astype(np.int32)
    ends = np.append(starts[1:], np.int32(len(ordered)))
    later = np.repeat(ends, ends - starts) - np.arange(len(ordered), dtype=np.int32) - 1
    total = int(later.sum(dtype=np.int64))
    if not total:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32)
    position = np.int32 if total < 2**31 else np.int64  # positions of pairs, not rows
    first = np.repeat(np.arange(len(ordered), dtype=np.int32), later)
    second = np.arange(total, dtype=position)
    second -= np.repeat((np.cumsum(later, dtype=np.int64) - later).astype(position), later)
    second += first
    second += 1
    return order[first], order[second]


_NIBBLE_LOW_BITS = _U64(0x1111111111111111)


def _nibbles(signatures: np.ndarray) -> np.ndarray:
    """The low 4 bits of every bin, 16 bins to a uint64 word (bin k at bits 4k.. of its word; the
    last word padded with zeros), packed two to a byte first: no (n, bins) uint64 temporary."""
    n, bins = signatures.shape
    words = -(-bins // 16)
    low = np.zeros((n, words * 16), dtype=np.uint8)
    low[:, :bins] = signatures & np.uint32(0xF)
    packed = low[:, 0::2] | (low[:, 1::2] << np.uint8(4))  # (n, 8 * words) bytes, little-endian order
    return np.ascontiguousarray(packed).view("<u8").astype(_U64, copy=False)


def _plausible(left: np.ndarray, right: np.ndarray, left_count: np.ndarray, right_count: np.ndarray, *,
               method: Method) -> np.ndarray:
    """Pairs worth scoring on the full bin values: enough bins agree on their low 4 bits (`left`,
    `right`: gathered `_nibbles` rows, overwritten here) that the pair could reach a threshold.
    Bins equal in full are equal in their low bits, so this never drops a pair that scoring would
    accept (text with much shared boilerplate collides in a band far more often than it links;
    comparing 56 bytes instead of 448 makes rejecting those cheap)."""
    np.bitwise_xor(left, right, out=left)
    np.right_shift(left, _U64(1), out=right)
    left |= right
    np.right_shift(left, _U64(2), out=right)
    left |= right
    left &= _NIBBLE_LOW_BITS  # one bit per nibble that differs
    per_word = np.bitwise_count(left)
    differ = per_word[:, 0].astype(np.int32)
    for word in range(1, per_word.shape[1]):  # column adds: numpy's sum over a short last axis is slow
        differ += per_word[:, word]
    agree = method.bins - differ  # padding nibbles never differ
    small = np.minimum(left_count, right_count).astype(np.float64)
    # the Jaccard at which the containment threshold is reached for these two sizes
    for_containment = method.containment * small / np.maximum(left_count + right_count - method.containment * small, 1.0)
    needed = np.minimum(method.jaccard, for_containment)
    return agree >= needed * method.bins - 1e-6  # slack: never reject a pair scoring exactly at the threshold


@dataclass(frozen=True)
class Side:
    """One side of a probe: rows (positions in the caller's table), band keys, signatures, counts, days."""
    rows: np.ndarray
    keys: np.ndarray
    signatures: np.ndarray
    counts: np.ndarray
    days: np.ndarray
