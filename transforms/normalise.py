"""Text-level normalisation of one decoded article: mojibake, markup, invisible characters, spaces.

Second step of cleaning, after decoding and before structure parsing. Every
step first asks a cheap compiled regex whether it has anything to do, so a
clean article pays for a handful of searches only.
"""
from __future__ import annotations

import html
import itertools
import re
import unicodedata
from typing import Callable, NamedTuple

import ftfy
from ftfy.badness import MOJIBAKE_CATEGORIES

# ---------------------------------------------------------------- mojibake
# ftfy restricted to encoding repairs: everything that would rewrite legitimate
# text (HTML unescaping, quote uncurling, ligatures, width, NFC, line breaks,
# control removal) is off, because later steps own those and must record them.
MOJIBAKE_FIXER = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _char_class(chars: set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


# With MOJIBAKE_FIXER, ftfy changes a line (it repairs text line by line) only when its
# badness heuristic `ftfy.badness.BADNESS_RE` matches there: `fix_encoding` returns a line
# unchanged unless `is_bad` holds, and the one other fix left on, `fix_c1_controls`, needs
# a C1 control, which BADNESS_RE's first branch matches. So BADNESS_RE is the exact gate,
# but it tries ~40 branches at every character (~600 us a bench article). _MOJIBAKE_HINT is
# the same set of branches rewritten around one "anchor" character each, the rarest one of
# its branch (never a lowercase accented, Greek or Cyrillic letter, `’`, `–` or `—`): the
# pattern opens with the class of all anchors, which the regex engine scans for in C, and
# only at an anchor do lookbehinds check the branch's characters before it and the pattern
# those after it. Each branch checks its own anchor's class, so a match of _MOJIBAKE_HINT is a
# match of BADNESS_RE; and every match of BADNESS_RE holds its branch's anchor, so the
# reverse holds too. tests/transforms/test_mojibake_gate.py checks both directions.
def _badness_anchored() -> str:
    """ftfy's BADNESS_RE, branch by branch, as one pattern that opens with a character class."""
    before_bad = "{bad}{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}"
    after_bad = "{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}"
    branches = [  # BADNESS_RE's branches in its order, each as (?<=what precedes + the anchor)what follows
        "(?<=[{c1}])",
        f"(?<=[{before_bad}][{{bad}}])",
        "(?<=[a-zA-Z][{lower_common}{upper_common}][{bad}])",
        f"(?<=[{{bad}}])[{after_bad}]",
        "(?<=[{lower_accented}{lower_common}{box}{end_punctuation}{currency}{numeric}][{upper_accented}])",
        "(?<=[{box}{end_punctuation}{currency}{numeric}])[{lower_accented}]",
        "(?<=[{lower_accented}{box}{end_punctuation}][{currency}])",
        r"(?<=\s[{upper_accented}][{currency}])",
        "(?<=[{upper_accented}{box}][{numeric}{law}])",
        "(?<=[{lower_accented}{upper_accented}{box}{currency}{end_punctuation}][{start_punctuation}][{numeric}])",
        "(?<=[{lower_accented}{upper_accented}{currency}{numeric}{box}{law}][{end_punctuation}][{start_punctuation}])",
        "(?<=[{currency}{numeric}{box}][{start_punctuation}])",
        "(?<=[a-z][{upper_accented}][{start_punctuation}{currency}])",
        "(?<=[{box}])[{kaomoji}]",
        "(?<=[{lower_accented}{upper_accented}{currency}{numeric}{start_punctuation}{end_punctuation}{law}][{box}])",
        "(?<=[{box}])[{end_punctuation}]",
        r"(?<=[{lower_accented}{upper_accented}][{start_punctuation}{end_punctuation}])\w",
        "(?<=[Œœ])[^A-Za-z]",
        "(?<=[{upper_accented}]°)",
        "(?<=[ÂÃÎÐ])[€œŠš¢£Ÿž\xa0\xad®©°·»{start_punctuation}{end_punctuation}–—´]",
        "(?<=×)[²³]",
        "(?<=[ØÙ])[{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»][ØÙ][{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»]",
        "(?<=à[²µ¹¼½¾])",
        "(?<=√)[±∂†≠®™´≤≥¥µø]",
        "(?<=≈)[°¢]",
        "(?<=‚)Ä[ìîïòôúùû†°¢π]",
        "(?<=‚)[âó][àä°ê]",
        "(?<=вЂ)",
        "(?<=[ВГРС][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°µ])[ВГРС]",
        "(?<=ГўВЂ)В.[A-Za-z ]",
        "(?<=Ã)[\xa0¡]",
        "(?<=[a-z][ÃÂ])[ ]",
        r"(?<=[a-z]\s[ÃÂ])[ ]",
        "(?<=^[ÃÂ])[ ]",
        "(?<=[a-z.,?!{end_punctuation}]Â)[ {start_punctuation}{end_punctuation}]",
        "(?<=β€)[™\xa0Ά\xad®°]",
        "(?<=[ΒΓΞΟ][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°])[ΒΓΞΟ]",
        "(?<=ā€)",
    ]
    anchors = "{c1}{bad}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}Œœ°ÙЂ"
    return f"[{anchors}](?:{'|'.join(branches)})".format(**MOJIBAKE_CATEGORIES)


_MOJIBAKE_HINT = re.compile(_badness_anchored(), re.MULTILINE)  # `^`: the start of each line, as ftfy sees lines


def looks_like_mojibake(text: str) -> bool:
    """Cheap pre-check: could ftfy's encoding repair change this text?"""
    return _MOJIBAKE_HINT.search(text) is not None


def _no_check(step: str) -> None:
    pass


# Repaired lines between two time-budget checks (a check costs ~0.4 us; ftfy on a line ~10 us or more).
CHECK_EVERY_LINES = 256


def repair_mojibake(text: str, *, check: Callable[[str], None] = _no_check) -> str:
    """Undo text decoded with the wrong codec (`â€œsovereigntyâ€\\x9d` -> `“sovereignty”`).

    `check` is called every CHECK_EVERY_LINES repaired lines: a flood of one-hint lines costs
    ftfy ~5 s a MB, so a time budget must be able to stop it midway."""
    return _repair_mojibake(text, check=check)[0]


def _repair_mojibake(text: str, *, check: Callable[[str], None]) -> tuple[str, bool]:
    """`repair_mojibake`, and whether the text held no hint at all (then it is returned as it was)."""
    if len(text) > MOJIBAKE_FIXER.max_decode_length:
        # ftfy also cuts a line longer than this, and `^` in its heuristic then matches inside
        # the line, where _MOJIBAKE_HINT's `^` does not: such a text (never a real article)
        # goes through ftfy whole, in pieces of whole lines so that the budget is checked.
        return _fix_in_line_chunks(text, check=check), False
    hint = _MOJIBAKE_HINT.search(text)
    if hint is None:
        return text, True
    # ftfy repairs a text line by line (`fix_text` cuts it after every "\n") and changes only
    # the lines where its heuristic matches, which are the lines holding a hint: only those go
    # through ftfy (ftfy on whole articles took twice as long on the bench drop).
    pieces: list[str] = []
    done = 0
    while hint is not None:
        line_start = text.rfind("\n", 0, hint.start()) + 1
        line_end = text.find("\n", hint.end()) + 1 or len(text)
        pieces += (text[done:line_start], ftfy.fix_text(text[line_start:line_end], MOJIBAKE_FIXER))
        done = line_end
        if len(pieces) % (2 * CHECK_EVERY_LINES) == 0:
            check("mojibake repair")
        hint = _MOJIBAKE_HINT.search(text, line_end)
    pieces.append(text[done:])
    return "".join(pieces), False


def _fix_in_line_chunks(text: str, *, check: Callable[[str], None], chunk_chars: int = 1 << 16) -> str:
    """ftfy.fix_text over pieces of about `chunk_chars` that end after a line break: the same text as
    one call, since ftfy fixes a text segment by segment, each segment starting at a line start."""
    pieces, start = [], 0
    while start < len(text):
        end = text.find("\n", start + chunk_chars) + 1 or len(text)
        pieces.append(ftfy.fix_text(text[start:end], MOJIBAKE_FIXER))
        start = end
        check("mojibake repair")
    return "".join(pieces)


# ---------------------------------------------------------------- HTML remnants
# Tags that separate blocks become paragraph breaks, `<br>` a line break,
# every other known tag disappears. Only known tag names count, so prose such as
# `a < b`, `x<y` or `<3` survives.
_BLOCK_TAGS = (
    "p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|section|article|header|footer|table|thead|tbody"
    "|tfoot|tr|figure|figcaption|aside|nav|hr|pre|main|address|caption"
)
_INLINE_TAGS = (
    "a|abbr|b|big|center|cite|code|del|dfn|em|font|i|iframe|img|ins|kbd|label|mark|meta|link"
    "|noscript|picture|q|s|samp|small|source|span|strike|strong|sub|sup|td|th|time|tt|u|var"
    "|video|audio|wbr|button|input|form|svg|path|html|head|body|title|o:p"
)
# A `<script>` or `<style>` element goes with its content. The pattern is only ever matched at an
# opener `_SCRIPT_OR_STYLE_OPENER` found (see `_strip_elements`): searched for across the text, its
# lazy `.*?` would rescan the rest of the text from every unclosed opener (quadratic).
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^<>]{0,2000}>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_OR_STYLE_OPENER = re.compile(r"<(script|style)\b[^<>]{0,2000}>", re.IGNORECASE)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})(?:\s[^<>]{{0,2000}})?/?>", re.IGNORECASE)
_LINE_BREAK_TAG = re.compile(r"</?br(?:\s[^<>]{0,2000})?/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})(?:\s[^<>]{{0,2000}})?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A gate only (a superset of what the patterns above need): one leading class scans fast.
_MARKUP_HINT = re.compile(r"[<&][/!#A-Za-z]")


def _may_hold_markup(text: str) -> bool:
    # `in` runs through a clean article ~100x faster than the regex engine (~8 ns a character),
    # and most articles hold neither `<` nor `&`.
    return ("<" in text or "&" in text) and _MARKUP_HINT.search(text) is not None


# Each unescaping round shortens the text; the cap only bounds adversarial
# chains such as `&amp;amp;amp;...` (deeper ones stay partly escaped).
MAX_UNESCAPE_ROUNDS = 10


def strip_markup(text: str, *, check: Callable[[str], None] = _no_check) -> tuple[str, set[str]]:
    """Remove HTML tags and unescape entities left in the text; return the text and fix codes.

    `check(step)` is called after each round (a time budget: it may raise to stop the work).
    """
    fixes: set[str] = set()
    if not _may_hold_markup(text):
        return text, fixes
    for _ in range(MAX_UNESCAPE_ROUNDS):
        before = text
        unescaped = _ENTITY.sub(_unescape_entity, text)
        if unescaped != text:
            fixes.add("html_entities")
        stripped = _strip_tags(unescaped)
        if stripped != unescaped:
            fixes.add("html_tags")
        text = stripped
        if text == before:
            break
        check("markup removal")
    return text, fixes


def _unescape_entity(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def _strip_tags(text: str) -> str:
    if "<" not in text:
        return text
    text = _strip_elements(text)
    text = _strip_comments(text)
    text = _BLOCK_TAG.sub("\n\n", text)
    text = _LINE_BREAK_TAG.sub("\n", text)
    return _INLINE_TAG.sub("", text)



def _strip_comments(text: str) -> str:
    """`<!--` to the next `-->` becomes a space, as `re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)` does.

    With `str.find` instead of that pattern: one opener without its `-->` means no later opener
    has one either, so the scan stops there; the pattern rescanned the rest from every opener.
    """
    start = text.find("<!--")
    if start < 0:
        return text
    pieces: list[str] = []
    done = 0
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        pieces += (text[done:start], " ")
        done = end + 3
        start = text.find("<!--", done)
    pieces.append(text[done:])
    return "".join(pieces)


def _strip_elements(text: str) -> str:
    """Every `<script>` / `<style>` element becomes a space, as `_SCRIPT_OR_STYLE.sub(" ", text)` does.

    The whole pattern is matched only at openers, and an opener whose closing tag is missing
    marks its tag name dead: a later opener of the same name cannot find one either (its
    search would start further on), so each stretch of text is scanned a bounded number of times.
    """
    opener = _SCRIPT_OR_STYLE_OPENER.search(text)
    if opener is None:
        return text
    pieces: list[str] = []
    done = 0
    # The closing tag must repeat the opener's name (`\1`), case-insensitively: openers whose
    # names lowercase alike accept the same closing tags.
    unclosed: set[str] = set()
    while opener is not None:
        name = opener.group(1).lower()
        element = None if name in unclosed else _SCRIPT_OR_STYLE.match(text, opener.start())
        if element is None:
            unclosed.add(name)
            opener = _SCRIPT_OR_STYLE_OPENER.search(text, opener.end())
            continue
        pieces += (text[done:element.start()], " ")
        done = element.end()
        opener = _SCRIPT_OR_STYLE_OPENER.search(text, done)
    pieces.append(text[done:])
    return "".join(pieces)

# ---------------------------------------------------------------- invisible characters and spaces
def _code_points(*ranges: tuple[int, int]) -> list[str]:
    return [chr(c) for first, last in ranges for c in range(first, last + 1)]


# What each suspicious character becomes, and the fix code recorded when it is seen.
_REPLACEMENTS: dict[str, tuple[str, str]] = {}
for _char in _code_points((0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0xFFFE, 0xFFFF), (0x206A, 0x206F)):
    _REPLACEMENTS[_char] = ("", "control_chars")
for _char in _code_points((0x200B, 0x200B), (0x2060, 0x2064), (0xFEFF, 0xFEFF), (0x180E, 0x180E), (0xFFF9, 0xFFFB)):
    _REPLACEMENTS[_char] = ("", "zero_width")
for _char in _code_points((0x200E, 0x200F), (0x061C, 0x061C), (0x202A, 0x202E), (0x2066, 0x2069)):
    _REPLACEMENTS[_char] = ("", "bidi_controls")
_REPLACEMENTS["\u00ad"] = ("", "soft_hyphen")
_REPLACEMENTS["\u00a0"] = (" ", "nbsp")
for _char in _code_points((0x1680, 0x1680), (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)):
    _REPLACEMENTS[_char] = (" ", "unicode_space")
_REPLACEMENTS["\t"] = (" ", "whitespace")
for _char in ("\x0b", "\x0c", "\u2028"):
    _REPLACEMENTS[_char] = ("\n", "line_breaks")
_REPLACEMENTS["\u2029"] = ("\n\n", "line_breaks")
del _char

_REPLACEMENT = {char: replacement for char, (replacement, _) in _REPLACEMENTS.items()}
_FIX_CODE = {char: code for char, (_, code) in _REPLACEMENTS.items()}
_SUSPECT = re.compile(_char_class(set(_REPLACEMENTS)))


def _replacement(match: re.Match[str]) -> str:
    return _REPLACEMENT[match.group(0)]


# ZWNJ and ZWJ shape Persian, Arabic, Indic scripts and emoji sequences: they are
# kept between two non-ASCII, non-space characters and removed anywhere else
# (next to Latin letters, spaces, line ends or each other they only hide words).
_STRAY_JOINER = re.compile(
    r"(?<![^\x00-\x7f\s\u200c\u200d])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f\s\u200c\u200d])"
)
# Characters whose canonical decomposition holds only combining marks (canonical combining class
# above 0): the marks themselves and a few composed ones (U+0344, U+0F73). CPython's NFC puts
# combining marks in canonical order with an insertion sort, so a run of k marks of mixed classes
# costs k squared (30,000 alternating marks: 3 s); `_nfc` sorts long runs itself first.
def _combining_only() -> dict[str, str]:
    """Each such character -> its canonical decomposition (itself for most)."""
    chars: dict[str, str] = {}
    for code in range(0x300, 0x1E950):  # no character outside this range has a combining class
        char = chr(code)
        if unicodedata.combining(char) or unicodedata.decomposition(char)[:1] not in ("", "<"):
            decomposed = unicodedata.normalize("NFD", char)
            if all(map(unicodedata.combining, decomposed)):
                chars[char] = decomposed
    return chars


_COMBINING_ONLY = _combining_only()
# Runs this long never occur in real text (Unicode's stream-safe format caps them at 30), and
# shorter ones cost CPython's sort at most a few hundred swaps. The regex engine tests a class of
# BMP characters in one step but characters above U+FFFF one by one, so the class takes the
# astral planes up to the last mark as one range: a superset, narrowed down in `_nfc`.
_MARK_RUN_OR_ASTRAL = re.compile(
    _char_class({char for char in _COMBINING_ONLY if char <= "\uffff"})[:-1] + "\U00010000-\U0001e94f]{32,}"
)


def _nfc(text: str) -> str:
    """`unicodedata.normalize("NFC", text)`, in linear time however long its runs of combining marks.

    Long runs are decomposed and put in canonical order here first: canonical ordering is a
    stable sort of each run of marks by combining class, and stable-sorting part of a run
    beforehand leaves the final order the same, so the result is exactly NFC of the input.
    """
    pieces: list[str] = []
    done = 0
    for candidate in _MARK_RUN_OR_ASTRAL.finditer(text):
        pieces.append(text[done:candidate.start()])
        for is_mark, chars in itertools.groupby(candidate.group(), _COMBINING_ONLY.__contains__):
            if is_mark:
                marks = [mark for char in chars for mark in _COMBINING_ONLY[char]]
                marks.sort(key=unicodedata.combining)  # stable
                pieces += marks
            else:
                pieces += chars
        done = candidate.end()
    if pieces:
        text = "".join(pieces) + text[done:]
    return unicodedata.normalize("NFC", text)


_SPACE_RUN = re.compile(r" {2,}")
_LINE_EDGE_SPACE = re.compile(r"^ +| +$", re.MULTILINE)
_BLANK_LINE_RUN = re.compile(r"\n{3,}")
# Gates for a needle that ends with a space: CPython 3.11's `in` skips ahead on the needle's last
# character, so in a text that is not pure ASCII it looks at nearly every space (~10 us a bench
# article for `"  " in text`); the regex engine's literal search takes half that. (`" \n" in text`,
# whose last character is rare, stays fast.)
DOUBLE_SPACE = re.compile("  ")
_LINE_START_SPACE = re.compile("\n ")


def normalise_invisible(text: str) -> tuple[str, set[str]]:
    """Remove control, zero-width and bidi characters, make every space an ASCII space, NFC."""
    fixes: set[str] = set()
    if text.startswith("\ufeff"):
        text = text[1:]
        fixes.add("bom")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        fixes.add("crlf")
    if _SUSPECT.search(text):
        fixes.update(_FIX_CODE[char] for char in set(_SUSPECT.findall(text)))
        # A substitution per match: much cheaper than str.translate over a mostly clean text.
        text = _SUSPECT.sub(_replacement, text)
    if not unicodedata.is_normalized("NFC", text):
        text = _nfc(text)
        fixes.add("nfc")
    if "\u200c" in text or "\u200d" in text:
        joined = _STRAY_JOINER.sub("", text)
        if joined != text:
            fixes.add("zero_width")
            # Removing a joiner can bring a base letter and a combining mark together.
            text = _nfc(joined)
    return text, fixes


def collapse_whitespace(text: str) -> tuple[str, set[str]]:
    """Collapse space runs, strip line ends, keep at most one blank line, trim the text."""
    collapsed = text
    # Cheap membership tests first: most lines of a clean article need nothing.
    if DOUBLE_SPACE.search(collapsed):
        collapsed = _SPACE_RUN.sub(" ", collapsed)
    if " \n" in collapsed or _LINE_START_SPACE.search(collapsed) or collapsed[:1] == " " or collapsed[-1:] == " ":
        collapsed = _LINE_EDGE_SPACE.sub("", collapsed)
    if "\n\n\n" in collapsed:
        collapsed = _BLANK_LINE_RUN.sub("\n\n", collapsed)
    collapsed = collapsed.strip("\n")
    return collapsed, ({"whitespace"} if collapsed != text.strip("\n") else set())


class NormalisedText(NamedTuple):
    """Normalised text and the sorted-later set of fix codes that produced it."""

    text: str
    fixes: set[str]


# A later step can expose work for an earlier one (a removed zero-width space
# joining `&am` and `p;`); one more pass then makes the result idempotent.
MAX_PASSES = 3


def _needs_another_pass(text: str) -> bool:
    # Two searches, each opening with a character class, scan faster than one alternation.
    return _may_hold_markup(text) or looks_like_mojibake(text)


def normalise_text(text: str, *, check: Callable[[str], None] = _no_check) -> NormalisedText:
    """Repair mojibake, strip markup and invisible characters, normalise spaces and newlines.

    `check(step)` is called after each step (a time budget: it may raise to stop the work).
    """
    fixes: set[str] = set()
    for _ in range(MAX_PASSES):
        before = text
        repaired, hint_free = _repair_mojibake(text, check=check)
        if repaired != text:
            fixes.add("mojibake")
        check("mojibake repair")
        text, markup_fixes = strip_markup(repaired, check=check)
        check("markup removal")
        text, invisible_fixes = normalise_invisible(text)
        check("invisible characters")
        text, space_fixes = collapse_whitespace(text)
        check("white space")
        fixes |= markup_fixes | invisible_fixes | space_fixes
        if text == before:
            break
        # Most articles change only by losing the line breaks at their ends. A text cut out of a
        # text without a mojibake hint holds none either (the hint's patterns look behind and ahead
        # of a character only at characters it still has, and `^` still matches where a cut line
        # break was), so then only markup can need another pass: the hint search is not repeated.
        if hint_free and text == before.strip("\n"):
            if not _may_hold_markup(text):
                break
        elif not _needs_another_pass(text):
            break
    return NormalisedText(text, fixes)
