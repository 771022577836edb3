"""The mojibake pre-check is never narrower than ftfy.

`repair_mojibake` sends to ftfy only the lines where `looks_like_mojibake` finds a
hint; these tests prove that this gives exactly what ftfy gives on every whole
text: the hint pattern matches exactly where ftfy's own heuristic (`BADNESS_RE`)
does, and ftfy changes nothing where that heuristic does not match. Text in many
scripts is encoded as UTF-8 and decoded with every single-byte codec ftfy can
undo (`ftfy.chardata.CHARMAP_ENCODINGS`), sometimes twice, sometimes with a byte
lost to U+FFFD, and the pipeline must repair it as ftfy does; clean text in all
those scripts must come back unchanged.
"""
from __future__ import annotations

import itertools
import re

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs ftfy repairs)
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from ftfy.chardata import CHARMAP_ENCODINGS
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.scripts_text import news_text
from newsetl.transforms.decode import decode_bytes
from newsetl.transforms.normalise import MOJIBAKE_FIXER, looks_like_mojibake, normalise_text, repair_mojibake

# ftfy cuts text into lines and asks BADNESS_RE about each line, so `^` is the start of a line.
_BADNESS_PER_LINE = re.compile(BADNESS_RE.pattern, re.VERBOSE | re.MULTILINE)

SAMPLES = [
    "Plain ASCII news text, nothing to repair.",
    "â€œsovereigntyâ€\x9d and the Ã©lite cafÃ© â€” donâ€™t",  # UTF-8 read as cp1252
    "Le prÃ©sident a dÃ©clarÃ© Ã  Paris",
    "El niÃ±o llegÃ³ maÃ±ana",
    "Ù…Ø±Ø­Ø¨Ø§",  # Arabic UTF-8 read as cp1252
    "Correct accents: café, élite, “quotes”, don’t, مرحبا",
    "Â\xa0non-breaking mojibake",
    "â œ ",  # a 0xA0 inside a three-byte sequence that became a space
    # The issue's cases; the pre-check before cleaning version 1.4.0 missed all but the Turkish one:
    "LiĂ¨ge",  # cp1250
    "Ĺ˝inoma",  # cp1250 (Lithuanian `Žinoma`)
    "╨┐╤Ç╨░╨▓╨╕╤é╨╡╨╗╤î╤ü╤é╨▓╨╛",  # cp437 (Russian `правительство`)
    "CumhurbaÅŸkanÄ± ErdoÄŸan: Kentler BOÅžALTILDI",  # Turkish letters read as cp1252 (ftfy needs the sentence)
    "ĞŸÑ€Ğ°Ğ²Ğ¸Ñ‚ĞµĞ»ÑŒÑÑ‚Ğ²Ğ¾",  # cp1254 (Russian), its C1 byte in `с` already dropped
    "NajwiÄ\ufffdksze miasta",  # lossy: the second byte of `ę` already lost to U+FFFD
]
ISSUE_CASES = {
    "LiĂ¨ge": "Liège",
    "Ĺ˝inoma": "Žinoma",
    "╨┐╤Ç╨░╨▓╨╕╤é╨╡╨╗╤î╤ü╤é╨▓╨╛": "правительство",
    "CumhurbaÅŸkanÄ± ErdoÄŸan: Kentler BOÅžALTILDI": "Cumhurbaşkanı Erdoğan: Kentler BOŞALTILDI",
    "NajwiÄ\ufffdksze miasta": "Najwi\ufffdksze miasta",  # what is lost stays lost, as one U+FFFD
    # windows-1254 (Turkish) renders the lead byte D0 as `Ğ` (Serbian `Влада`: `Ğ’Ğ»Ğ°Ğ´Ğ°`).
    "Влада".encode("utf-8").decode("sloppy-windows-1254"): "Влада",
}


def _ftfy(text: str) -> str:
    return ftfy.fix_text(text, MOJIBAKE_FIXER)


def test_gate_equals_ftfy_on_samples():
    for text in SAMPLES:
        assert repair_mojibake(text) == _ftfy(text), text


@pytest.mark.parametrize("broken, repaired", ISSUE_CASES.items())
def test_the_issues_mojibake_is_repaired(broken, repaired):
    assert repair_mojibake(broken) == repaired


# ---------------------------------------------------------------- the gate is ftfy's heuristic
# Every character ftfy's heuristic names, with ASCII letters, white space and punctuation around them.
_CATEGORY_CHARS = sorted(
    {ch for chars in MOJIBAKE_CATEGORIES.values() for ch in re.sub(r".-.", "", chars)}
    | {chr(c) for chars in MOJIBAKE_CATEGORIES.values() for a, b in re.findall(r"(.)-(.)", chars)
       for c in range(ord(a), ord(b) + 1)}
    | set("ÂÃÎÐØÙàÄâóäêìîïòôúùûπ√≈‚вЂГўВРСβ€ΒΓΞΟā°µ²³¹¼½¾×Œœ\xa0\xad–—´ŸŠšž±∂†≠®™≤≥¥ø¢Ά")
)
_CONTEXT_CHARS = list("aZz .,?!\n\t-'") + ["\u3000"]


def test_the_gate_matches_exactly_where_ftfys_heuristic_does_on_every_pair():
    # Every two-character string over the heuristic's characters and some context: ~300,000 texts.
    alphabet = _CATEGORY_CHARS + _CONTEXT_CHARS
    for a, b in itertools.product(alphabet, repeat=2):
        text = a + b
        assert looks_like_mojibake(text) == bool(_BADNESS_PER_LINE.search(text)), repr(text)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from(_CATEGORY_CHARS + _CONTEXT_CHARS), max_size=12))
def test_the_gate_matches_exactly_where_ftfys_heuristic_does(text):
    assert looks_like_mojibake(text) == bool(_BADNESS_PER_LINE.search(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(_CATEGORY_CHARS + _CONTEXT_CHARS), max_size=10), max_size=6).map("\n".join))
def test_lines_without_a_hint_come_back_from_ftfy_unchanged(text):
    assert repair_mojibake(text) == _ftfy(text)


# ---------------------------------------------------------------- mojibake made by every codec ftfy undoes
def _mis_decode(text: str, codec: str, *, times: int) -> str:
    for _ in range(times):
        text = text.encode("utf-8").decode(codec)
    return text


@pytest.mark.parametrize("codec", CHARMAP_ENCODINGS)
@settings(max_examples=150, deadline=None)
@given(text=news_text(), times=st.sampled_from([1, 1, 1, 2]), data=st.data())
def test_mojibake_from_every_codec_is_repaired_as_ftfy_repairs_it(codec, text, times, data):
    broken = _mis_decode(text, codec, times=times)
    # A byte already lost: a mojibake character after another one (a continuation byte)
    # became U+FFFD, as a strict decoder upstream makes it.
    positions = [i for i in range(1, len(broken)) if not broken[i - 1].isascii()]
    if positions and data.draw(st.booleans(), label="lossy"):
        at = data.draw(st.sampled_from(positions), label="lost at")
        broken = broken[:at] + "\ufffd" + broken[at + 1:]
    assert repair_mojibake(broken) == _ftfy(broken)


@pytest.mark.parametrize("codec", ["sloppy-windows-1252", "sloppy-windows-1250", "cp437", "sloppy-windows-1254"])
@settings(max_examples=60, deadline=None)
@given(text=news_text())
def test_resaved_mojibake_through_decode_and_normalise_equals_ftfys_repair(codec, text):
    # The file on disk is the mis-decoded text saved again as UTF-8: the pipeline reads its bytes.
    broken = _mis_decode(text, codec, times=1)
    decoded = decode_bytes(broken.encode("utf-8")).text
    assert normalise_text(decoded).text == normalise_text(_ftfy(decoded)).text


@settings(max_examples=400, deadline=None)
@given(news_text(max_lines=6))
def test_clean_text_in_every_script_is_never_changed(text):
    assert repair_mojibake(text) == text
    assert not looks_like_mojibake(text)


def test_a_text_too_long_for_one_ftfy_segment_goes_through_ftfy_whole():
    # ftfy cuts a line at max_decode_length, and `^[ÃÂ] ` then matches mid-line.
    cut = MOJIBAKE_FIXER.max_decode_length
    text = "a" * (cut - 1) + ".Ã bc"
    assert repair_mojibake(text) == _ftfy(text)
