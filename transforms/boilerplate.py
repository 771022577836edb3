"""Site furniture at the edges of an article body ("Share this article", "© 2020 X. All rights reserved.").

Fourth step of cleaning. Lines are removed only from the start and the end of
the body, never from the middle, and only when a whole line matches one of
`BOILERPLATE_PATTERNS`. To extend the list, append a compiled pattern and a
test case in `tests/transforms/test_boilerplate.py`.
"""
from __future__ import annotations

import functools
import re
from re import _constants as re_constants  # noqa: PLC2701  (what a parsed pattern is made of)
from re import _parser as re_parser  # noqa: PLC2701  (to read which characters a pattern may start with)

_SOCIAL = r"(?:facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|tiktok|reddit|pinterest|email|e-mail|messenger)"
_FLAGS = re.IGNORECASE

# The same furniture in other languages: sharing, following, "read also" (only with a colon or a
# dash before the linked headline, or alone, so that a sentence opening with the same words stays),
# advertisement labels, newsletters, rights. One tuple per language, appended to the list below.
_SEP = r"\s*[:\-\u2013\u2014>\u00bb|]\s*.{0,200}"  # ": <linked headline>"
_SOCIAL_AR = rf"فيسبوك|فيس بوك|تويتر|إكس|واتساب|تيليجرام|تلغرام|إنستغرام|يوتيوب|{_SOCIAL}"
_FRENCH = (
    rf"partage[rz]?(?: cet article| l'article| l\u2019article)?(?: (?:sur|via) {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?\s*[.!:]?",
    rf"suivez-nous(?: sur {_SOCIAL}(?:[ ,|/]+(?:et )?{_SOCIAL})*)?[.!:]?",
    rf"(?:[aà] )?lire (?:aussi|également|la suite)(?:{_SEP}|[.!]?)",
    rf"voir aussi(?:{_SEP}|[.!]?)",
    r"publicit[ée]|contenu sponsoris[ée]",
    r"(?:abonnez-vous|inscrivez-vous|s'abonner|s\u2019abonner)(?: (?:à|a) .{0,80})?[.!]?",
    r"(?:réagir|commentaires?|imprimer)[.!]?",
)
_SPANISH = (
    rf"compart(?:ir|e)(?: este artículo| esta noticia)?(?: en {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?\s*[.!:]?",
    rf"síguenos(?: en {_SOCIAL}(?:[ ,|/]+(?:y )?{_SOCIAL})*)?[.!:]?",
    rf"(?:lee|lea) (?:también|además|más)(?:{_SEP}|[.!]?)|leer más[.!]?|te puede interesar(?:{_SEP})?",
    r"publicidad|contenido patrocinado",
    r"(?:suscríbete|suscribirse|regístrate)(?: (?:a|al|en) .{0,80})?[.!]?",
    r"(?:comentarios|imprimir)[.!]?",
)
_GERMAN = (
    rf"(?:diesen )?artikel teilen(?: (?:auf|per|via) {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    rf"teilen(?: (?:auf|per|via) {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    rf"folgen sie uns(?: auf {_SOCIAL}(?:[ ,|/]+(?:und )?{_SOCIAL})*)?[.!:]?",
    rf"(?:lesen sie auch|mehr zum thema|auch interessant)(?:{_SEP}|[.!]?)|weiterlesen[.!]?",
    r"anzeige|werbung|gesponserter inhalt",
    r"(?:jetzt )?(?:newsletter abonnieren|abonnieren|zum newsletter anmelden)[.!]?",
    r"(?:kommentare|drucken)[.!]?",
)
_PORTUGUESE = (
    rf"(?:compartilh|partilh)(?:ar|e)(?: esta notícia| este artigo)?(?: no {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    rf"siga-nos(?: no {_SOCIAL}(?:[ ,|/]+(?:e )?{_SOCIAL})*)?[.!:]?",
    rf"(?:leia|veja) (?:também|mais)(?:{_SEP}|[.!]?)|saiba mais[.!]?",
    r"publicidade|conteúdo patrocinado",
    r"(?:assine|inscreva-se)(?: (?:a|na|no|o) (?:nossa |nosso )?(?:newsletter|boletim|canal).{0,60})?[.!]?",
    r"(?:comentários|imprimir)[.!]?",
)
_ITALIAN = (
    rf"condividi(?: questo articolo| la notizia)?(?: su {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    rf"seguici(?: su {_SOCIAL}(?:[ ,|/]+(?:e )?{_SOCIAL})*)?[.!:]?",
    rf"leggi (?:anche|di più|tutto)(?:{_SEP}|[.!]?)",
    r"pubblicità|contenuto sponsorizzato",
    r"iscriviti(?: (?:a|alla|al) .{0,80})?[.!]?",
    r"(?:\u00a9 )?riproduzione riservata\.?",
    r"(?:commenti|stampa)[.!]?",
)
_DUTCH = (
    rf"(?:deel dit artikel|delen)(?: (?:op|via) {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    rf"volg ons(?: op {_SOCIAL}(?:[ ,|/]+(?:en )?{_SOCIAL})*)?[.!:]?",
    rf"lees (?:ook|meer|verder)(?:{_SEP}|[.!]?)",
    r"advertentie|gesponsorde inhoud",
    r"(?:schrijf je in|abonneer je|meld je aan)(?: (?:voor|op) .{0,80})?[.!]?",
    r"(?:reacties|printen)[.!]?",
)
_RUSSIAN = (
    rf"поделиться(?: (?:в|во) (?:{_SOCIAL}|вконтакте|телеграм|одноклассниках))?[.!:]?",
    r"(?:подписывайтесь|подпишитесь) на (?:нас|наш канал|рассылку|новости)(?: в .{1,40})?[.!:]?",
    rf"(?:читайте (?:также|еще|ещё)|читать далее|смотрите также)(?:{_SEP}|[.!]?)",
    r"реклама",
    r"(?:комментарии|печать)[.!]?",
)
_ARABIC = (
    # `شارك` and `اشترك` also mean "took part": only alone, or before an article or a network.
    rf"(?:شارك|شاركوا|مشاركة)(?: (?:المقال|الخبر|هذا الخبر|هذا المقال))?(?: (?:على|عبر) (?:{_SOCIAL_AR}))?[.!:]?",
    r"تابعونا(?: (?:على|عبر) .{1,60})?[.!:]?",
    rf"(?:اقرأ|إقرأ) (?:أيضا|أيضًا|أيضاً|المزيد)(?:{_SEP}|[.!]?)",
    r"إعلان|محتوى (?:مدفوع|ممول)",
    r"(?:اشترك|اشتركوا)(?: الآن)?(?: في (?:النشرة|نشرتنا|القناة|قناتنا).{0,60})?[.!]?",
    r"(?:التعليقات|طباعة)[.!]?",
)
_TURKISH = (
    rf"(?:bu haberi )?paylaş(?: {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*)?[.!:]?",
    r"bizi .{1,40} takip edin[.!]?",
    rf"(?:ayrıca okuyun|ilginizi çekebilir|devamını oku|haberin devamı)(?:{_SEP}|[.!]?)",
    r"reklam",
    r"(?:bültenimize|bültene) abone olun[.!]?|abone ol[.!]?",
    r"(?:yorumlar|yazdır)[.!]?",
)
_JAPANESE = (
    r"(?:この記事を)?シェア(?:する)?|ツイート",
    r"(?:関連記事|あわせて読みたい)(?:[:：].{0,100})?|続きを読む",
    r"広告|PR|スポンサー(?:リンク)?",
    r"ニュースレター(?:に|を)(?:登録|購読)(?:する)?",
    r"コメント|印刷",
)

# Each pattern must match a whole (stripped) line.
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = (  # English first, then the languages above
    # Sharing and following
    re.compile(r"share (?:this|the) (?:article|story|post|page)(?: (?:on|via) .{1,40})?[.!:]?", _FLAGS),
    re.compile(rf"share(?: (?:on|via))? {_SOCIAL}(?:[ ,|/]+{_SOCIAL})*[.!]?", _FLAGS),
    re.compile(rf"{_SOCIAL}(?:[ ,|/]+{_SOCIAL})+", _FLAGS),  # a bare row of share buttons
    re.compile(rf"follow us(?: on {_SOCIAL}(?:[ ,|/]+(?:and )?{_SOCIAL})*)?(?: (?:for|to) .{{1,60}})?[.!:]?", _FLAGS),
    # Cross links
    re.compile(r"(?:read|see) (?:more|also|next)(?:\s*[:\-\u2013\u2014>\u00bb]\s*.{0,200}|[.!]?)", _FLAGS),
    re.compile(r"(?:related(?: (?:articles|stories|news|content|posts))?|recommended(?: for you)?|most read)(?:\s*:.{0,200})?", _FLAGS),
    re.compile(r"more from [^.!?]{1,40}:?", _FLAGS),
    re.compile(r"click here .{0,120}", _FLAGS),
    re.compile(r"tags?\s*:\s*.{0,200}", _FLAGS),
    # Ads
    re.compile(r"(?:advertisement|advertising|sponsored(?: content)?|ad|scroll to continue(?: with content)?)[.!]?", _FLAGS),
    # Rights
    # `(c)` also numbers list items, so it needs a year; the © sign alone is unambiguous.
    re.compile(r"(?:\u00a9|\(c\)\s*\d{4}|copyright\s*(?:\u00a9|\(c\))?\s*(?:\d{4}|by\b)).{0,200}", _FLAGS),
    # Newsletters and subscriptions
    re.compile(r"(?:sign up|subscribe)(?: now| today| here)?(?: (?:for|to) .{0,80})?[.!]?", _FLAGS),
    re.compile(r"get (?:our|the) .{0,40}newsletter.{0,80}", _FLAGS),
    # Comment and print widgets
    re.compile(r"(?:comments?|leave a comment|print|print this article|email this article|0 comments)[.!]?", _FLAGS),
    *(re.compile(pattern, _FLAGS) for patterns in (
        _FRENCH, _SPANISH, _GERMAN, _PORTUGUESE, _ITALIAN, _DUTCH, _RUSSIAN, _ARABIC, _TURKISH, _JAPANESE
    ) for pattern in patterns),
)

# A line ending with one of these (and at most one `.` or `。`) after at most
# MAX_RIGHTS_PREFIX characters is a rights line: "© 2020 Baghdadpost. All rights reserved."
# Checked with `str.endswith`: as patterns (`.{0,160}\ball rights reserved\.?`) each one tried
# every split of the line, a third of the cost of all patterns together.
RIGHTS_RESERVED: tuple[str, ...] = (
    "all rights reserved", "tous droits réservés", "todos los derechos reservados", "alle rechte vorbehalten",
    "todos os direitos reservados", "tutti i diritti riservati", "alle rechten voorbehouden",
    "все права защищены", "جميع الحقوق محفوظة", "tüm hakları saklıdır",
    "無断転載を禁じます", "無断転載禁じます", "無断転載を禁止", "無断転載禁止",
)
MAX_RIGHTS_PREFIX = 160

# A boilerplate line is short; a longer line that happens to start like one
# ("Copyright law reform passed ... in 2020, ...") is article text.
MAX_BOILERPLATE_WORDS = 25


def is_boilerplate(line: str, *, max_words: int = MAX_BOILERPLATE_WORDS) -> bool:
    """Whether a whole line is site furniture rather than article text."""
    # Lines are normalised (single spaces), so counting spaces counts words, cheaply.
    if not line or line.count(" ") >= max_words:
        return False
    return _patterns_starting_with(line[0]).fullmatch(line) is not None or _is_rights_line(line)


# Case-insensitive as the patterns are: the regex engine takes `ı` and `İ` for `i` and `I` too
# (`TÜM HAKLARI SAKLIDIR`); mapping them keeps the folded line as long as the line.
_DOTLESS_I = str.maketrans("ıİ", "iI")
_RIGHTS_FOLDED = tuple(phrase.translate(_DOTLESS_I) for phrase in RIGHTS_RESERVED)


def _is_rights_line(line: str) -> bool:
    text = line[:-1] if line[-1] in ".\u3002" else line
    # str.translate looks every character up in a dict: only lines holding one of the two pay for it.
    folded = (text.translate(_DOTLESS_I) if "ı" in text or "İ" in text else text).lower()
    if len(folded) != len(text) or not folded.endswith(_RIGHTS_FOLDED):
        return False
    for phrase in _RIGHTS_FOLDED:
        if folded.endswith(phrase):
            before = text[: len(text) - len(phrase)]
            # `\b` before the phrase, except in Japanese, written without spaces.
            apart = not before or not _is_word_char(before[-1]) or not _is_word_char(phrase[0]) or phrase[0] == "無"
            if len(before) <= MAX_RIGHTS_PREFIX and apart:
                return True
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# ---------------------------------------------------------------- patterns by first character
# ~80 patterns in one alternation cost ~12 us a line, tried one after the other; a line can only
# match the patterns that may start with its first character, usually two or three of them.
# Which characters a pattern may start with is read from its parsed form (re._parser).
_ANY_FIRST = None  # a pattern that may start with any character (`.`, a negated class, a category)


def _first_characters(pattern: str) -> frozenset[str] | None:
    """Every character a match of `pattern` may start with (IGNORECASE variants added), None for any."""
    chars, nullable = _first_of_sequence(re_parser.parse(pattern))
    if chars is _ANY_FIRST or nullable:
        return _ANY_FIRST
    variants = {variant for char in chars for variant in (char, char.lower(), char.upper(), char.casefold())}
    return frozenset(variant for variant in variants if len(variant) == 1)


def _first_of_sequence(items) -> tuple[set[str] | None, bool]:
    """First characters of a sequence of parsed items, and whether the sequence can match nothing."""
    chars: set[str] = set()
    for op, av in items:
        first, nullable = _first_of_item(op, av)
        if first is _ANY_FIRST:
            return _ANY_FIRST, False
        chars |= first
        if not nullable:
            return chars, False
    return chars, True


def _first_of_item(op, av) -> tuple[set[str] | None, bool]:
    if op is re_constants.LITERAL:
        return {chr(av)}, False
    if op is re_constants.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is re_constants.LITERAL:
                chars.add(chr(value))
            elif kind is re_constants.RANGE and value[1] - value[0] < 1000:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # NEGATE, CATEGORY, a huge range
                return _ANY_FIRST, False
        return chars, False
    if op is re_constants.AT:
        return set(), True
    if op is re_constants.SUBPATTERN:
        return _first_of_sequence(av[-1])
    if op is re_constants.BRANCH:
        chars, nullable = set(), False
        for branch in av[1]:
            first, branch_nullable = _first_of_sequence(branch)
            if first is _ANY_FIRST:
                return _ANY_FIRST, False
            chars |= first
            nullable = nullable or branch_nullable
        return chars, nullable
    if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT):
        first, nullable = _first_of_sequence(av[2])
        return first, nullable or av[0] == 0
    return _ANY_FIRST, False  # ANY, NOT_LITERAL, lookarounds, group references: anything


_FIRST = [(_first_characters(pattern.pattern), pattern.pattern) for pattern in BOILERPLATE_PATTERNS]


@functools.lru_cache(maxsize=4096)
def _patterns_starting_with(char: str) -> re.Pattern[str]:
    """The alternation of the patterns a line opening with `char` can match (cached per character)."""
    keys = {char, char.lower()[:1], char.upper()[:1], char.casefold()[:1]}
    chosen = [pattern for first, pattern in _FIRST if first is _ANY_FIRST or first & keys]
    return re.compile("|".join(f"(?:{pattern})" for pattern in chosen) or "(?!)", _FLAGS)


def strip_boilerplate(blocks: list[list[str]]) -> tuple[list[list[str]], int]:
    """Remove boilerplate lines at the start and end of the body; return the blocks and lines removed."""
    lines = [(index, line) for index, block in enumerate(blocks) for line in block]
    start, end = 0, len(lines)
    while start < end and is_boilerplate(lines[start][1]):
        start += 1
    while end > start and is_boilerplate(lines[end - 1][1]):
        end -= 1
    removed = len(lines) - (end - start)
    if not removed:
        return blocks, 0
    kept: dict[int, list[str]] = {}
    for index, line in lines[start:end]:
        kept.setdefault(index, []).append(line)
    return list(kept.values()), removed
