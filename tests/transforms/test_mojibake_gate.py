"""The cheap pre-check in front of ftfy changes nothing: `repair_mojibake` (ftfy only
on the lines where `looks_like_mojibake`) gives exactly what ftfy on every whole text gives."""
from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.normalise import _CONTINUATIONS, _LEADS, MOJIBAKE_FIXER, repair_mojibake

SAMPLES = [
    "Plain ASCII news text, nothing to repair.",
    "â€œsovereigntyâ€\x9d and the Ã©lite cafÃ© â€” donâ€™t",  # UTF-8 read as cp1252
    "Le prÃ©sident a dÃ©clarÃ© Ã  Paris",
    "El niÃ±o llegÃ³ maÃ±ana",
    "Ù…Ø±Ø­Ø¨Ø§",  # Arabic UTF-8 read as cp1252
    "Correct accents: café, élite, “quotes”, don’t, مرحبا",
    "Â\xa0non-breaking mojibake",
    "â œ ",  # a 0xA0 inside a three-byte sequence that became a space (hypothesis found it)
]
# Letters that mojibake is made of, plus the clean text they come from.
_ALPHABET = st.sampled_from(list("aeé’“”—–ÃÂâ€™œ\x9d\x80\x93\x94ØÙ…©®±ñ ó.,\n") + ["Ã©", "â€™", "Ã ", "Ø§"])


def test_gate_equals_ftfy_on_samples():
    for text in SAMPLES:
        assert repair_mojibake(text) == ftfy.fix_text(text, MOJIBAKE_FIXER), text


@settings(max_examples=1000, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_gate_equals_ftfy_on_generated_text(text):
    assert repair_mojibake(text) == ftfy.fix_text(text, MOJIBAKE_FIXER)


def test_lines_without_a_hint_are_left_out_and_the_text_is_the_same():
    text = "\n".join(SAMPLES + SAMPLES[::-1]) + "\n\nLast line Ã©"
    assert repair_mojibake(text) == ftfy.fix_text(text, MOJIBAKE_FIXER)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_ALPHABET, max_size=12).map("".join), max_size=8).map("\n".join))
def test_gate_equals_ftfy_on_generated_lines(text):
    assert repair_mojibake(text) == ftfy.fix_text(text, MOJIBAKE_FIXER)


def test_gate_equals_ftfy_on_every_lead_space_continuation_triple():
    # Every character a wrong codec makes of a UTF-8 lead byte, then a space (a 0xA0 that was
    # replaced), then every continuation rendering: the cases ftfy's byte-A0 repair looks for.
    for lead in sorted(_LEADS):
        for after in sorted(_CONTINUATIONS) + ["a", " "]:
            text = f"x {lead} {after}x"
            assert repair_mojibake(text) == ftfy.fix_text(text, MOJIBAKE_FIXER), text
