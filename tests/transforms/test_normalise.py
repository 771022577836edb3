"""normalise.py: mojibake, HTML remnants, invisible characters, spaces and newlines."""
from __future__ import annotations

import re
import unicodedata

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from newsetl.transforms.normalise import (
    MOJIBAKE_FIXER,
    collapse_whitespace,
    looks_like_mojibake,
    normalise_invisible,
    normalise_text,
    repair_mojibake,
    strip_markup,
)

# ---------------------------------------------------------------- mojibake


def test_mojibake_of_curly_quotes_is_repaired():
    assert repair_mojibake("â€œsovereigntyâ€\x9d") == "\u201csovereignty\u201d"


def test_mojibake_of_accented_latin_is_repaired():
    assert repair_mojibake("Ã©tÃ© franÃ§ais") == "été français"


def test_mojibake_of_arabic_is_repaired():
    assert repair_mojibake("Ù…Ø±Ø­Ø¨Ø§") == "مرحبا"


def test_mojibake_of_cyrillic_read_as_cp1251_is_repaired():
    assert repair_mojibake("РџСЂРёРІРµС‚") == "Привет"


def test_cp1252_read_as_latin1_c1_controls_are_repaired():
    assert repair_mojibake("\x93quoted\x94") == "\u201cquoted\u201d"


def test_mojibake_is_recorded_in_fixes():
    assert "mojibake" in normalise_text("the government\u00e2\u20ac\u2122s forces").fixes


def test_legitimate_punctuation_and_accents_are_left_alone():
    text = "“Déjà vu” — l’été à Genève… «Ça va?» ½ ﬁ"
    assert repair_mojibake(text) == text


CLEAN_CORPUS = [
    "The government’s “sovereignty” push – and the US response… isn't over.",
    "Le président a déclaré à la presse qu’il était « très satisfait » de l’accord conclu à Genève.",
    "L'été dernier, Noël et Zoë sont allés à Besançon, où ils ont mangé des crêpes.",
    "El niño comió paella en Córdoba; ¿por qué no? ¡Qué día tan señorial! Año 2020.",
    "São Paulo, Açores, Ñandú, über, Straße, Ærø, Ångström, Øresund, Þingvellir.",
    "قال الرئيس للصحفيين إنه راضٍ جداً عن الاتفاق الذي تم التوصل إليه في جنيف.",
    "عَرَبِيّ مع التشكيل، وأرقام ١٢٣٤٥ و«اقتباس».",
    "Президент заявил журналистам, что очень доволен соглашением, заключённым вчера в Женеве.",
    "שלום עולם, זהו טקסט בעברית עם ניקוד: שָׁלוֹם.",
    "می‌خواهم به خانه بروم. هندی: हिन्दी में समाचार।",
    "中文新闻：政府宣布新的经济政策。日本語のニュース。한국어 뉴스.",
    "Prices rose 5% to €1,200 (£1,050; ¥180,000) — a record © 2020 ® ™ ° ± µ.",
    "Çok güzel bir gün; İstanbul’da hava 25°C. Ελληνικά: Καλημέρα κόσμε.",
    "Emoji 😀👍🏽 and flags 🇮🇶 and a ZWJ family 👨‍👩‍👧 in text.",
    "A line with NBSP\u00a0and narrow\u202fspaces before : and ; in French.",
]
# Texts ftfy's heuristic calls suspect and ftfy then leaves alone: they only cost an ftfy
# call. An accented letter right before a currency sign looks like UTF-8 read as cp1252.
GATE_FALSE_POSITIVES = [
    "Le menu du café€ est cher.",
]
# The gate before cleaning version 1.4.0 sent these to ftfy too (Ukrainian `ні` looks like
# UTF-8 read as cp1251); ftfy's heuristic does not, and neither does the gate now.
UKRAINIAN = "Премʼєр-міністр України: ні, ці гроші ще не надійшли."
# What a browser or a crawler produces: UTF-8 bytes read as cp1252 (undefined
# bytes kept as C1 controls, as ftfy's `sloppy-windows-1252` does), latin-1 or cp1251.
MOJIBAKE_CODECS = ("sloppy-windows-1252", "latin-1", "sloppy-windows-1251")
MOJIBAKE_CORPUS = [
    text.encode("utf-8").decode(codec)
    for text in CLEAN_CORPUS
    for codec in MOJIBAKE_CODECS
    if text.encode("utf-8").decode(codec) != text
]


def test_precheck_passes_clean_text_without_calling_ftfy():
    assert [text for text in CLEAN_CORPUS + [UKRAINIAN] if looks_like_mojibake(text)] == []


def test_precheck_false_positives_are_left_unchanged_by_ftfy_when_ambiguous():
    assert all(looks_like_mojibake(text) for text in GATE_FALSE_POSITIVES)
    assert repair_mojibake(GATE_FALSE_POSITIVES[0]) == GATE_FALSE_POSITIVES[0]


def test_precheck_agrees_with_full_ftfy_path_on_varied_corpus():
    # The gate may only skip texts ftfy would leave unchanged.
    for text in CLEAN_CORPUS + GATE_FALSE_POSITIVES + MOJIBAKE_CORPUS:
        if not looks_like_mojibake(text):
            assert ftfy.fix_text(text, MOJIBAKE_FIXER) == text, text


def test_precheck_catches_every_mojibaked_text_of_the_corpus_that_ftfy_repairs():
    # ftfy's heuristic does not see Latin or Arabic text read as cp1251 (`NoГ«l`); ftfy leaves it
    # as it is, and so does the pipeline (`test_mojibake_gate.py` holds the pipeline to ftfy).
    repaired = [text for text in MOJIBAKE_CORPUS if ftfy.fix_text(text, MOJIBAKE_FIXER) != text]
    assert len(repaired) > 20
    assert all(looks_like_mojibake(text) for text in repaired)


def test_utf8_read_as_cp1252_or_latin1_repairs_back_to_the_original():
    for text in CLEAN_CORPUS:
        for codec in ("sloppy-windows-1252", "latin-1"):
            assert repair_mojibake(text.encode("utf-8").decode(codec)) == text, (codec, text)


# ---------------------------------------------------------------- markup


def test_html_tags_are_removed():
    assert strip_markup("a <b>bold</b> <span class='x'>word</span>") == ("a bold word", {"html_tags"})


def test_block_tags_become_paragraph_breaks():
    assert strip_markup("<p>one</p><p>two</p>")[0].split() == ["one", "two"]
    assert "\n\n" in strip_markup("one<p>two")[0]


def test_br_becomes_a_line_break():
    assert strip_markup("one<br/>two")[0] == "one\ntwo"


def test_entities_are_unescaped():
    assert strip_markup("Tom &amp; Jerry &#8217; &#x2019; &eacute;") == ("Tom & Jerry \u2019 \u2019 é", {"html_entities"})


def test_double_escaped_entities_are_unescaped_to_the_end():
    assert strip_markup("Tom &amp;amp; Jerry")[0] == "Tom & Jerry"


def test_lone_angle_brackets_and_ampersands_in_prose_survive():
    text = "a < b and c > d, if x<y and y>z, <3, AT&T, Q&A, R&D;"
    assert strip_markup(text) == (text, set())


def test_script_and_comment_content_is_dropped():
    assert strip_markup("<script>var x = 1;</script>Text<!-- note -->after")[0].split() == ["Text", "after"]


def test_nbsp_entity_ends_as_a_plain_space():
    assert normalise_text("a&nbsp;b").text == "a b"


# ---------------------------------------------------------------- invisible characters and spaces


def test_crlf_and_cr_become_lf():
    assert normalise_invisible("a\r\nb\rc") == ("a\nb\nc", {"crlf"})


def test_nbsp_becomes_space():
    assert normalise_invisible("a\u00a0b") == ("a b", {"nbsp"})


def test_other_unicode_spaces_become_space():
    assert normalise_invisible("a\u2009b\u202fc\u3000d") == ("a b c d", {"unicode_space"})


def test_zero_width_space_and_word_joiner_are_removed():
    assert normalise_invisible("zero\u200bwidth\u2060s") == ("zerowidths", {"zero_width"})


def test_leading_bom_is_removed_and_recorded_as_bom():
    assert normalise_invisible("\ufeffText") == ("Text", {"bom"})


def test_inner_bom_is_a_zero_width_character():
    assert normalise_invisible("a\ufeffb") == ("ab", {"zero_width"})


def test_soft_hyphen_is_removed():
    assert normalise_invisible("hy\u00adphen") == ("hyphen", {"soft_hyphen"})


def test_zwnj_inside_persian_word_is_kept():
    assert normalise_invisible("می\u200cخواهم") == ("می\u200cخواهم", set())


def test_zwj_inside_emoji_sequence_is_kept():
    family = "👨\u200d👩\u200d👧"
    assert normalise_invisible(family) == (family, set())


def test_zwnj_between_latin_letters_is_removed():
    assert normalise_invisible("a\u200cb") == ("ab", {"zero_width"})


def test_bidi_marks_are_removed_but_hebrew_stays():
    assert normalise_invisible("\u202bעברית\u202c \u200fhello") == ("עברית hello", {"bidi_controls"})


def test_control_characters_are_removed():
    assert normalise_invisible("a\x01b\x7fc\x9fd") == ("abcd", {"control_chars"})


def test_lone_surrogates_are_removed():
    assert normalise_invisible("a\ud800b\udfffc") == ("abc", {"control_chars"})


def test_tab_becomes_space():
    assert normalise_invisible("a\tb") == ("a b", {"whitespace"})


def test_unicode_line_separators_become_newlines():
    assert normalise_invisible("a\u2028b\u2029c\x0cd") == ("a\nb\n\nc\nd", {"line_breaks"})


def test_decomposed_accents_are_composed_to_nfc():
    assert normalise_invisible("e\u0301te\u0301") == ("été", {"nfc"})


def test_arabic_combining_marks_survive():
    text = "عَرَبِيّ"
    assert normalise_text(text).text == text


def test_space_runs_collapse_and_line_ends_are_stripped():
    assert collapse_whitespace("  a   b  \n  c ") == ("a b\nc", {"whitespace"})


def test_blank_line_runs_collapse_to_one_blank_line():
    assert collapse_whitespace("a\n\n\n\n\nb") == ("a\n\nb", {"whitespace"})


def test_clean_text_records_no_fix():
    assert normalise_text("A clean line.\n\nAnother one.") == ("A clean line.\n\nAnother one.", set())


def test_invisible_character_hiding_an_entity_still_converges():
    once = normalise_text("&am\u200bp; and Ã\u200b©").text
    assert normalise_text(once).text == once


# ---------------------------------------------------------------- properties

FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u200b\u2060\ufeff\u2000-\u200a\u202f\u3000\ud800-\udfff]")
# Text as it arrives: any characters, weighted towards the troublesome ones.
troublesome = st.sampled_from(
    list("\r\n\t \u00a0\u200b\u200c\u200d\u00ad\ufeff\u2028\u2029<>&;#/pbr") + ["<p>", "&amp;", "&nbsp;", "\r\n", "â€", "Ã©"]
)
messy_text = st.lists(st.one_of(st.text(max_size=8), troublesome), max_size=40).map("".join)
# Already-clean prose: letters, digits, single spaces and paragraph breaks.
clean_words = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=10)
clean_text = st.lists(
    st.tuples(clean_words, st.sampled_from([" ", "\n", "\n\n"])), min_size=1, max_size=30
).map(lambda pairs: "".join(word + sep for word, sep in pairs).strip())


def _longest_whitespace_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"\s+", text)), default=0)


@settings(max_examples=300, deadline=None)
@given(messy_text)
def test_normalise_never_raises_and_is_idempotent(text):
    once = normalise_text(text).text
    assert normalise_text(once).text == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_never_raises_on_any_str(text):
    normalise_text(text)


@settings(max_examples=300, deadline=None)
@given(messy_text)
def test_no_nbsp_zero_width_or_control_survives(text):
    assert not FORBIDDEN.search(normalise_text(text).text)


@settings(max_examples=300, deadline=None)
@given(messy_text)
def test_whitespace_runs_are_at_most_a_paragraph_break(text):
    result = normalise_text(text).text
    assert "  " not in result and "\n\n\n" not in result and " \n" not in result and "\n " not in result
    assert _longest_whitespace_run(result) <= 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="<&\u2029", exclude_categories=["Cf", "Cc", "Cs"])))
def test_never_grows_whitespace_runs_without_markup(text):
    # Markup (`<p>` -> paragraph break) and U+2029 may legitimately create a break where there was none.
    assert _longest_whitespace_run(normalise_text(text).text) <= max(_longest_whitespace_run(text), 1)


@settings(max_examples=300, deadline=None)
@given(clean_text)
def test_letters_and_digits_of_clean_text_survive_unchanged(text):
    nfc = unicodedata.normalize("NFC", text)
    # Random letters can spell mojibake (`Ã©`): such text is not "already clean".
    assume(not looks_like_mojibake(nfc))
    assert normalise_text(nfc).text == nfc


# ---------------------------------------------------------------- linear-time markup and NFC
# The old patterns, searched across the text: quadratic on unclosed openers, so kept here only as
# the reference the linear strippers must agree with on short texts.
_OLD_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^<>]{0,2000}>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_OLD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_SOUP = st.lists(st.sampled_from([
    "<script>", "<SCRIPT a=1>", "</script>", "</ScRiPt >", "</script\n>", "<style>", "</style>", "</STYLE  >",
    "<scripts>", "<script", "</script", "<style/>", "<\u017fcript>", "</\u017fcript>", "<scr\u0131pt>", "</SCR\u0130PT>",
    "<!--", "-->", "--", "<!-", "->", "<", ">", "<p>", "x", " ", "\n",
]), max_size=16).map("".join)


@given(_TAG_SOUP)
@settings(max_examples=400, deadline=None)
def test_comments_are_stripped_as_the_old_pattern_did(text):
    from newsetl.transforms.normalise import _strip_comments

    assert _strip_comments(text) == _OLD_COMMENT.sub(" ", text)


@given(_TAG_SOUP)
@settings(max_examples=400, deadline=None)
def test_script_and_style_elements_are_stripped_as_the_old_pattern_did(text):
    from newsetl.transforms.normalise import _strip_elements

    assert _strip_elements(text) == _OLD_SCRIPT_OR_STYLE.sub(" ", text)


_MARK_RUNS = st.lists(st.one_of(
    st.text(st.sampled_from("\u0301\u0316\u0323\u0308\u0327\u0345\u05b0\u064e\u0651\u093c\u094d\u0f71\u0f72"
                            "\u0344\u0340\u0f73\u0f75\u0f81\U0001d165\U0001d167"), min_size=20, max_size=90),
    st.text(st.sampled_from("ae\u00e9\u0113 \n\u1100\u1161\u11a8\uac00\u0f40\u0915x\U0001d11e\U00012000"), max_size=40),
), max_size=6).map("".join)


@given(_MARK_RUNS)
@settings(max_examples=300, deadline=None)
def test_nfc_of_long_combining_mark_runs_is_unicodedata_nfc(text):
    from newsetl.transforms.normalise import _nfc

    assert _nfc(text) == unicodedata.normalize("NFC", text)


def test_a_text_longer_than_ftfys_line_cut_is_repaired_in_line_pieces_as_ftfy_does_whole():
    import ftfy

    from newsetl.transforms.normalise import MOJIBAKE_FIXER

    lines = [("Ã©tÃ© franÃ§ais â€œquotedâ€\x9d" if n % 7 == 0 else "plain line of news text " * (n % 5)) for n in range(30_000)]
    long_line = "â€œ" * 400_000 + "y" * 700_000  # one line over ftfy's 1,000,000-character cut
    text = "\n".join(lines) + "\n" + long_line + "\nÃ©t\n"
    assert len(text) > MOJIBAKE_FIXER.max_decode_length
    checks = []

    repaired = repair_mojibake(text, check=checks.append)

    assert repaired == ftfy.fix_text(text, MOJIBAKE_FIXER)
    assert len(checks) >= 10 and set(checks) == {"mojibake repair"}  # a time budget can stop it midway


# normalise_text does not search a pass's output for mojibake hints again when the pass's input held
# none and the pass only cut line breaks off the ends: a text cut out of a hint-free text is hint-free.
hint_prone = st.lists(st.one_of(st.text(max_size=4), st.sampled_from(
    list("\n \nÃÂÎÐØÙŒœ°€™©®±²³µ·»«¡¿–—‚„†‡•…‰‹›×÷ВГРСЂβ€ΒΓΞΟ√≈à\u200b\u00ad\u00a0\r") + ["Ã\n", "\nÂ ", "Œ\n", "a\nÃ ", "\n\n"])),
    max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(hint_prone)
@example("\nÃ\u200b©\n")  # cutting the zero-width space instead would make `Ã©`, a hint
def test_cutting_line_breaks_off_the_ends_never_makes_a_mojibake_hint(text):
    assume(not looks_like_mojibake(text))
    assert not looks_like_mojibake(text.strip("\n"))


def _normalise_text_searching_every_pass(text: str):
    """normalise_text as it was before the hint search was skipped (the reference)."""
    from newsetl.transforms import normalise as module

    fixes: set[str] = set()
    for _ in range(module.MAX_PASSES):
        before = text
        repaired = repair_mojibake(text)
        if repaired != text:
            fixes.add("mojibake")
        text, markup_fixes = strip_markup(repaired)
        text, invisible_fixes = normalise_invisible(text)
        text, space_fixes = collapse_whitespace(text)
        fixes |= markup_fixes | invisible_fixes | space_fixes
        if text == before or not module._needs_another_pass(text):
            break
    return text, fixes


@settings(max_examples=500, deadline=None)
@given(st.one_of(messy_text, hint_prone, hint_prone.map(lambda text: f"\n{text}\n")))
@example("Ã\u200b© and more\n")  # hint-free until the zero-width space goes: then `Ã©` needs a second pass
@example("\nA clean line, nothing to repair.\n")  # only the line breaks at the ends change
def test_normalise_equals_the_version_that_searches_every_pass(text):
    assert tuple(normalise_text(text)) == _normalise_text_searching_every_pass(text)
