"""Bytes of one raw article file -> text: gzip, binary sniffing and encoding detection.

The first step of cleaning. Cheap checks run first (BOM, NUL pattern, strict
UTF-8); charset-normalizer is only asked when those heuristics run out.
"""
from __future__ import annotations

import codecs
import zlib
from dataclasses import dataclass, field

import charset_normalizer

from newsetl.transforms.rejects import Rejected

# Known binary signatures. A `.txt` holding one of these is a mis-named file.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "gzip data (name it *.txt.gz)"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"RIFF", "a RIFF media file (WAV/WebP/AVI)"),
)

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 control bytes that never occur in text (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL_BYTES = bytes(range(0x01, 0x09)) + bytes(range(0x0E, 0x1B)) + bytes(range(0x1C, 0x20))
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_HIGH_BYTES = bytes(range(0x80, 0x100))


@dataclass
class DecodedText:
    """Text decoded from raw bytes, the codec it came from and what decoding had to fix."""

    text: str
    encoding: str
    fixes: set[str] = field(default_factory=set)


def decompress_gzip(raw: bytes, *, max_bytes: int) -> bytes:
    """Gunzip `raw` (all members), never inflating more than `max_bytes + 1` bytes."""
    parts: list[bytes] = []
    produced = 0
    data = raw
    try:
        while data:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(data, max_bytes + 1 - produced)
            produced += len(chunk)
            parts.append(chunk)
            if produced > max_bytes:
                raise Rejected(
                    "too_large",
                    f"The gzip content inflates to more than {max_bytes:,} bytes; "
                    "split the article or raise the size cap if it is genuine.",
                )
            if not inflater.eof:
                raise Rejected(
                    "corrupt_gzip",
                    "The gzip stream ends before its end marker (truncated file); "
                    "re-fetch or re-compress the article.",
                )
            # Several gzip members may follow each other; trailing NUL padding is tolerated.
            data = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as error:
        raise Rejected(
            "corrupt_gzip",
            f"The file is not valid gzip ({error}); re-fetch it or store it uncompressed as *.txt.",
        ) from None
    return b"".join(parts)


def decode_bytes(
    raw: bytes,
    *,
    sample_bytes: int = 8192,  # binary/UTF-16 sniffing looks at this prefix only: enough to see a pattern, O(1) per file
    max_nul_ratio: float = 0.10,  # UTF-8/legacy text with more NULs than this (padding excluded) is binary
    max_control_ratio: float = 0.05,  # ...or with more C0 control bytes than this
    utf8_majority: float = 2.0,  # UTF-8 wins over cp1252 when valid multibyte chars outnumber invalid bytes this many times
    legacy_non_ascii_ratio: float = 0.3,  # above this share of high bytes cp1252 is implausible (Cyrillic, Arabic, ...)
) -> DecodedText:
    """Decode the bytes of one article file; raise `Rejected` for binary or undecodable input."""
    _reject_known_binary(raw)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode_with(raw, encoding, fixes={"bom"})
    sample = raw[:sample_bytes]
    if b"\x00" in sample:
        wide = _sniff_utf16_or_32(sample)
        if wide:
            return _decode_with(raw, wide, fixes=set())
    fixes: set[str] = set()
    if b"\x00" in raw:
        raw = _strip_nuls(raw, max_nul_ratio=max_nul_ratio)
        fixes.add("nul_bytes")
    _reject_control_heavy(raw[:sample_bytes], max_control_ratio=max_control_ratio)
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8", fixes)
    except UnicodeDecodeError:
        pass
    # Not clean UTF-8: mostly UTF-8 with a few stray bytes, or a legacy single-byte codec.
    lenient = raw.decode("utf-8", errors="replace")
    invalid = lenient.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    valid_multibyte = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - invalid
    if valid_multibyte > utf8_majority * invalid:
        text = raw.decode("utf-8", errors=_STRAY_BYTE_HANDLER)
        return DecodedText(text, "utf-8", fixes | {"invalid_bytes"})
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    if high <= legacy_non_ascii_ratio * len(raw.translate(None, b" \t\r\n")):
        try:
            return DecodedText(raw.decode("cp1252"), "cp1252", fixes)
        except UnicodeDecodeError:
            return DecodedText(raw.decode("latin-1"), "latin-1", fixes)
    return _decode_with_charset_normalizer(raw, fixes)


def _reject_known_binary(raw: bytes) -> None:
    for magic, what in BINARY_MAGIC:
        if raw.startswith(magic):
            raise Rejected(
                "binary",
                f"The file is {what}, not article text; remove it from the raw zone or export it as text.",
            )


def _sniff_utf16_or_32(sample: bytes, *, min_lane_ratio: float = 0.05, max_other_lane_ratio: float = 0.01) -> str | None:
    """Name the BOM-less UTF-16/32 codec whose NUL pattern `sample` shows, if any.

    In UTF-16-LE text every ASCII character (spaces and newlines at least, even
    in Arabic or Cyrillic text) puts a NUL in an odd byte, while even bytes are
    almost never NUL; BE is the other way round. UTF-32 has NULs in three lanes
    of four. Random binary data has NULs in every lane.
    """
    quarter = max(len(sample) // 4, 1)
    lanes = [sample[i::4].count(0) / quarter for i in range(4)]
    if min(lanes[1:]) > 0.6 and lanes[0] <= max_other_lane_ratio:
        return "utf-32-le"
    if min(lanes[:3]) > 0.6 and lanes[3] <= max_other_lane_ratio:
        return "utf-32-be"
    even = (lanes[0] + lanes[2]) / 2
    odd = (lanes[1] + lanes[3]) / 2
    if odd >= min_lane_ratio and even <= max_other_lane_ratio:
        return "utf-16-le"
    if even >= min_lane_ratio and odd <= max_other_lane_ratio:
        return "utf-16-be"
    return None


def _decode_with(raw: bytes, encoding: str, *, fixes: set[str]) -> DecodedText:
    try:
        return DecodedText(raw.decode(encoding), encoding, fixes)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        return DecodedText(text, encoding, fixes | {"invalid_bytes"})


def _strip_nuls(raw: bytes, *, max_nul_ratio: float) -> bytes:
    """Drop NUL bytes from 8-bit text, or reject the file when they are too many to be noise."""
    # NUL padding at either end (pre-allocated or truncated files) is noise however long.
    core = raw.strip(b"\x00")
    if not core:
        raise Rejected("binary", "The file holds only NUL bytes; it was probably never written, re-fetch it.")
    if core.count(0) > max_nul_ratio * len(core):
        raise Rejected(
            "binary",
            f"More than {max_nul_ratio:.0%} of the bytes are NUL and they follow no UTF-16 pattern, "
            "so this is not text; check what wrote the file.",
        )
    return core.replace(b"\x00", b"")


def _reject_control_heavy(sample: bytes, *, max_control_ratio: float) -> None:
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))
    if controls > max_control_ratio * len(sample):
        raise Rejected(
            "binary",
            f"More than {max_control_ratio:.0%} of the first bytes are control codes, so this is not text; "
            "check what wrote the file.",
        )


def _decode_stray_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are invalid UTF-8 as cp1252, the usual source of stray bytes in mixed files."""
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="ignore"), error.end


_STRAY_BYTE_HANDLER = "newsetl.stray-cp1252"
codecs.register_error(_STRAY_BYTE_HANDLER, _decode_stray_bytes)


def _decode_with_charset_normalizer(raw: bytes, fixes: set[str]) -> DecodedText:
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise Rejected(
            "undecodable",
            "No supported encoding turns these bytes into readable text; "
            "re-export the article as UTF-8.",
        )
    encoding = codecs.lookup(best.encoding).name
    return DecodedText(str(best), encoding, fixes)
