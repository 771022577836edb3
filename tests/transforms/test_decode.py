"""decode.py: gzip with a cap, binary sniffing, encoding detection."""
from __future__ import annotations

import gzip

import charset_normalizer
import pytest

from newsetl.transforms import decode
from newsetl.transforms.decode import BINARY_MAGIC, decode_bytes, decompress_gzip
from newsetl.transforms.rejects import Rejected

TEXT = "Business – Markets | Al-Monitor\n\nThe “sovereignty” push\n\nCafé owners said so.\n"


def _reason(raw: bytes) -> str:
    with pytest.raises(Rejected) as caught:
        decode_bytes(raw)
    return caught.value.reason


@pytest.fixture
def no_charset_normalizer(monkeypatch):
    """Fail the test if the slow charset-normalizer fallback is consulted."""

    def refuse(*args, **kwargs):
        raise AssertionError("charset-normalizer was called although a cheap heuristic suffices")

    monkeypatch.setattr(charset_normalizer, "from_bytes", refuse)


def test_plain_utf8(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode())
    assert (decoded.text, decoded.encoding, decoded.fixes) == (TEXT, "utf-8", set())


def test_utf8_bom_is_removed(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode("utf-8-sig"))
    assert (decoded.text, decoded.encoding, decoded.fixes) == (TEXT, "utf-8-sig", {"bom"})


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_in_either_byte_order(codec, no_charset_normalizer):
    bom = "\ufeff".encode(codec)
    decoded = decode_bytes(bom + TEXT.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.fixes) == (TEXT, "utf-16", {"bom"})


def test_utf32_with_bom(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode("utf-32"))
    assert (decoded.text, decoded.encoding) == (TEXT, "utf-32")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_found_by_its_nul_pattern(codec, no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode(codec))
    assert (decoded.text, decoded.encoding) == (TEXT, codec)


def test_arabic_utf16_without_bom_is_not_binary(no_charset_normalizer):
    arabic = "أخبار العراق\n\nقال الرئيس للصحفيين إنه راض عن الاتفاق\n"
    assert decode_bytes(arabic.encode("utf-16-le")).text == arabic


def test_utf32_without_bom_is_found_by_its_nul_pattern(no_charset_normalizer):
    assert decode_bytes(TEXT.encode("utf-32-le")).encoding == "utf-32-le"


def test_utf16_with_odd_trailing_byte_decodes_leniently():
    decoded = decode_bytes(TEXT.encode("utf-16") + b"x")
    assert decoded.text.startswith(TEXT) and "invalid_bytes" in decoded.fixes


def test_nul_bytes_in_utf8_are_stripped(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode().replace(b" ", b" \x00", 3))
    assert (decoded.text, decoded.fixes) == (TEXT, {"nul_bytes"})


def test_nul_padding_is_stripped_however_long(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode() + bytes(50_000))
    assert (decoded.text, decoded.fixes) == (TEXT, {"nul_bytes"})


def test_only_nul_bytes_is_binary():
    assert _reason(bytes(100)) == "binary"


def test_scattered_nuls_are_binary():
    assert _reason(b"ab\x00\x01\x00cd\x00\x00\xff\x00" * 50) == "binary"


def test_control_heavy_bytes_are_binary():
    assert _reason(bytes(range(1, 32)) * 20) == "binary"


@pytest.mark.parametrize(("magic", "what"), BINARY_MAGIC)
def test_known_binary_signatures_are_binary(magic, what):
    with pytest.raises(Rejected) as caught:
        decode_bytes(magic + b"rest of the file")
    assert caught.value.reason == "binary" and what in caught.value.detail


def test_stray_invalid_byte_keeps_the_file_utf8(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode().replace(b"push", b"pu\xffsh"))
    assert decoded.encoding == "utf-8" and decoded.fixes == {"invalid_bytes"}
    assert "“sovereignty”" in decoded.text and "Café" in decoded.text


def test_stray_byte_is_read_as_cp1252(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode().replace(b"owners", b"owners caf\xe9"))
    assert "owners café" in decoded.text


def test_cp1252_text(no_charset_normalizer):
    decoded = decode_bytes(TEXT.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (TEXT, "cp1252")


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(no_charset_normalizer):
    decoded = decode_bytes("Café owners\n".encode("cp1252") + b"\x81")
    assert (decoded.text, decoded.encoding) == ("Café owners\n\x81", "latin-1")


def test_cyrillic_cp1251_goes_to_charset_normalizer():
    russian = "Новости\n\nПрезидент заявил журналистам, что очень доволен соглашением.\n"
    decoded = decode_bytes(russian.encode("cp1251"))
    assert (decoded.text, decoded.encoding) == (russian, "cp1251")


def test_noise_no_codec_explains_is_undecodable():
    noise = bytes((i * 151 + 17) % 128 + 128 for i in range(2000))
    assert _reason(noise) == "undecodable"


# ---------------------------------------------------------------- gzip


def test_gzip_round_trip():
    assert decompress_gzip(gzip.compress(b"hello"), max_bytes=100) == b"hello"


def test_gzip_with_several_members_is_read_whole():
    assert decompress_gzip(gzip.compress(b"one ") + gzip.compress(b"two"), max_bytes=100) == b"one two"


def test_gzip_with_trailing_nul_padding_is_accepted():
    assert decompress_gzip(gzip.compress(b"hello") + bytes(10), max_bytes=100) == b"hello"


def test_gzip_exactly_at_the_cap_is_accepted():
    assert decompress_gzip(gzip.compress(b"a" * 100), max_bytes=100) == b"a" * 100


def test_gzip_bomb_is_too_large():
    with pytest.raises(Rejected) as caught:
        decompress_gzip(gzip.compress(b"a" * 1_000_000), max_bytes=1000)
    assert caught.value.reason == "too_large" and "1,000 bytes" in caught.value.detail


def test_gzip_bomb_is_never_inflated_beyond_the_cap(monkeypatch):
    inflated: list[int] = []
    real = decode.zlib.decompressobj

    class Spy:
        def __init__(self, *args, **kwargs):
            self._inner = real(*args, **kwargs)

        def decompress(self, data, max_length=0):
            chunk = self._inner.decompress(data, max_length)
            inflated.append(len(chunk))
            return chunk

        def __getattr__(self, name):
            return getattr(self._inner, name)

    monkeypatch.setattr(decode.zlib, "decompressobj", Spy)
    with pytest.raises(Rejected):
        decompress_gzip(gzip.compress(b"a" * 1_000_000), max_bytes=1000)
    assert sum(inflated) <= 1001


def test_garbage_is_corrupt_gzip():
    with pytest.raises(Rejected) as caught:
        decompress_gzip(b"not gzip at all", max_bytes=100)
    assert caught.value.reason == "corrupt_gzip"


def test_truncated_gzip_is_corrupt():
    with pytest.raises(Rejected) as caught:
        decompress_gzip(gzip.compress(b"hello world" * 10)[:-10], max_bytes=1000)
    assert caught.value.reason == "corrupt_gzip" and "truncated" in caught.value.detail
