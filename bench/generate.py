"""Deterministic generator of synthetic raw drops for benchmarking newsetl.

Writes `OUT/YYYY-MM-DD/NNNNNN_<16hex>.txt` (or `.txt.gz`) article files in the
layout of /work/shared/CONTRACT.md section 1, with the defects real crawls carry,
at the rates named below. Each file is a pure function of (seed, index), so the
same arguments give byte-identical trees whatever the number of worker processes.

    python bench/generate.py --out DIR --articles N --days D --seed S [--workers W]
    python bench/generate.py --hash DIR        # sha256 over the tree's paths and bytes
"""
from __future__ import annotations

import argparse
import codecs
import datetime as dt
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import re
import sys
import textwrap
import time
from pathlib import Path

# --- Shares and defect rates (fractions of all files, or of articles where noted) ---
START_DATE = dt.date(2024, 1, 1)  # day 0 of every drop; days are consecutive from here
LANGUAGE_SHARES = {"en": 0.76, "fr": 0.08, "es": 0.06, "de": 0.05, "ar": 0.05}
REJECT_RATE = 0.01  # files that must become `rejects` rows
REJECT_KIND_SHARES = {"empty": 0.30, "whitespace": 0.10, "binary": 0.30, "no_body": 0.30}
DUPLICATE_RATE = 0.03  # exact byte copy of an earlier article under a new file name
DUPLICATE_SAME_SOURCE = 0.5  # of duplicates: a re-delivery keeping the source id
GZIP_RATE = 0.02  # *.txt.gz instead of *.txt
# Per article (independent draws):
CRLF_RATE = 0.10
NBSP_RATE = 0.08  # some spaces become U+00A0 (incl. breadcrumb separators)
ZERO_WIDTH_RATE = 0.03  # U+200B/200C/200D/FEFF sprinkled at word starts
HTML_RATE = 0.04  # <p>..</p>, <br/>, &amp; &quot; &#39; remnants
BOILERPLATE_RATE = 0.12  # 1-3 trailing lines such as "Share this article"
HARD_WRAP_RATE = 0.15  # paragraphs hard-wrapped at ~72 columns
WS_SEPARATOR_RATE = 0.04  # paragraph breaks that hold spaces/tabs, not empty lines
TYPOGRAPHIC_QUOTES_RATE = 0.6  # English articles with ’ instead of ' (what mojibake then mangles)
# Encoding of the final bytes (per article; cp1252 only where the text fits it):
ENCODING_SHARES = {"utf-8": 0.925, "utf-8-sig": 0.02, "utf-16": 0.01, "cp1252": 0.025, "mojibake": 0.02}
PARAGRAPHS = (3, 15)  # inclusive range of body paragraphs
SENTENCES_PER_PARAGRAPH = (1, 4)
WRAP_WIDTH = 72

# --- Per-language material: sections, publishers, fillers and sentence templates ---
# Slots: {N} noun, {A} adjective, {P} place, {O} person, {R} role, {V} past verb,
# {D} day, {X} number, {Q} a quoted clause. Enough function words that a language
# detector can tell the languages apart.
LANG = {
    "en": dict(
        sections="World|Middle East|Business|Markets|Politics|Iraq News|Local News|Technology|Opinion|Analysis|Europe|Africa|Energy|Health|Sport",
        publishers="Reuters|Al-Monitor|Al Jazeera|Baghdadpost|The National|Associated Press|Middle East Eye|Gulf News|Arab News|BBC News|The Guardian|Bloomberg",
        N="government|ministry|militia|election|parliament|economy|budget|ceasefire|protest|agreement|report|investigation|market|oil price|coalition|border|court|hospital|reform|deal|strike|company|central bank|army|council|crisis|vote|program",
        A="new|senior|local|regional|former|key|major|international|national|independent|controversial|fragile|unexpected|long-awaited|powerful",
        P="Baghdad|Beirut|Cairo|Amman|Riyadh|Tehran|Damascus|Mosul|Erbil|Gaza|Istanbul|Doha|Dubai|Tripoli|Khartoum|Washington|London|Paris|Brussels",
        O="Mustafa Kadhimi|Qasim al-Ariji|Sarah Johnson|Ahmed Hassan|Fatima Zahra|John Miller|Laila Nasser|Omar Farouk|Maria Lopez|David Cohen|Karim Haddad|Nadia Saleh",
        R="the prime minister|a government spokesman|the foreign minister|an official|the central bank governor|a senior diplomat|local residents|analysts|the president|opposition leaders",
        V="announced|rejected|criticised|approved|delayed|welcomed|condemned|signed|postponed|confirmed|denied|launched",
        D="Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Tuesday evening|Friday morning",
        Q="we will not accept any interference in our affairs|the situation remains very difficult|this is a step in the right direction|there is no military solution to this conflict|the people deserve better than this|we are ready to talk but not at any price|it is too early to say what will happen next",
        T=[
            "The {N} in {P} {V} the {A} plan on {D}, according to {R}.",
            "{O}, who has led the {N} since {X}, said that the {A} {N} would not change the situation.",
            "In {P}, {R} {V} the decision of the {N} and warned that the {N} could face more pressure.",
            "According to {R}, more than {X} people were affected by the {A} {N} in {P}.",
            "“{Q},” {O} told reporters in {P} on {D}.",
            "It was not clear whether the {N} would be able to meet its {A} targets before the end of the year.",
            "The {A} {N} is expected to cost about {X} million dollars, which is more than the {N} had planned.",
            "{R} said the {N}'s {A} approach has been a source of tension with {P} for years.",
            "Critics argue that the {N} has done little to address the concerns of people in {P}.",
            "There are signs of hope, with a {A} {N} in {P} and talks between {R} and the {N}.",
            "But there are also many reasons to doubt that the {A} {N} will last, as {R} pointed out on {D}.",
            "The move comes after weeks of {A} talks between {P} and {P} over the future of the {N}.",
            "{O} {V} the proposal, saying that “{Q}.”",
            "Officials in {P} have said they expect the {N} to be completed by {X}.",
        ],
        boiler=["Share this article", "© {Y} {PUB}. All rights reserved.", "Read more:", "Follow us on Twitter", "Subscribe to our newsletter for the latest news."],
    ),
    "fr": dict(
        sections="International|Moyen-Orient|Économie|Politique|Afrique|Culture|Europe|Société|Idées",
        publishers="Le Monde|Le Figaro|Libération|France 24|RFI|L'Orient-Le Jour|Jeune Afrique|Courrier international",
        N="gouvernement|ministère|élection|parlement|économie|budget|cessez-le-feu|manifestation|accord|rapport|enquête|marché|coalition|frontière|tribunal|hôpital|réforme|grève|entreprise|armée|conseil|crise",
        A="nouveau|principal|local|régional|ancien|important|international|national|indépendant|fragile|inattendu|puissant",
        P="Bagdad|Beyrouth|Le Caire|Amman|Riyad|Téhéran|Damas|Mossoul|Gaza|Istanbul|Alger|Tunis|Rabat|Paris|Bruxelles|Genève",
        O="Emmanuel Durand|Sophie Martin|Karim Benali|Leïla Haddad|Jean-Pierre Moreau|Nadia Chérif|François Lefèvre|Amina Touré",
        R="le premier ministre|un porte-parole du gouvernement|le ministre des affaires étrangères|un responsable|des habitants|les analystes|le président|l'opposition",
        V="a annoncé|a rejeté|a critiqué|a approuvé|a reporté|a salué|a condamné|a signé|a confirmé|a démenti|a lancé",
        D="lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|la semaine dernière|mardi soir|au début du mois",
        Q="nous n'accepterons aucune ingérence dans nos affaires|la situation reste très difficile|c'est un pas dans la bonne direction|il n'y a pas de solution militaire à ce conflit|le peuple mérite mieux que cela",
        T=[
            "Le {N} de {P} {V} le plan {A} {D}, selon {R}.",
            "{O}, qui dirige le {N} depuis {X}, a déclaré que la situation ne changerait pas.",
            "À {P}, {R} {V} la décision du {N} et a averti que le {N} pourrait subir davantage de pressions.",
            "Selon {R}, plus de {X} personnes ont été touchées par la crise à {P}.",
            "« {Q} », a déclaré {O} aux journalistes à {P} {D}.",
            "Il n'est pas certain que le {N} puisse atteindre ses objectifs avant la fin de l'année.",
            "Le projet devrait coûter environ {X} millions d'euros, ce qui est plus que prévu par le {N}.",
            "Les critiques estiment que le {N} n'a pas fait grand-chose pour répondre aux inquiétudes des habitants de {P}.",
            "Il y a des signes d'espoir, avec un {N} {A} à {P} et des discussions entre {R} et le {N}.",
            "Cette décision intervient après des semaines de négociations entre {P} et {P} sur l'avenir du {N}.",
            "{O} {V} la proposition, estimant que « {Q} ».",
        ],
        boiler=["Partager cet article", "© {Y} {PUB}. Tous droits réservés.", "Lire aussi :", "Share this article"],
    ),
    "es": dict(
        sections="Internacional|Oriente Próximo|Economía|Política|América|Cultura|Sociedad|Opinión",
        publishers="El País|El Mundo|La Vanguardia|EFE|ABC|El Confidencial|Clarín|infobae",
        N="gobierno|ministerio|elección|parlamento|economía|presupuesto|alto el fuego|protesta|acuerdo|informe|investigación|mercado|coalición|frontera|tribunal|hospital|reforma|huelga|empresa|ejército|consejo|crisis",
        A="nuevo|principal|local|regional|antiguo|importante|internacional|nacional|independiente|frágil|inesperado|poderoso",
        P="Bagdad|Beirut|El Cairo|Amán|Riad|Teherán|Damasco|Mosul|Gaza|Estambul|Madrid|Bruselas|Ginebra|Bogotá|Ciudad de México",
        O="José García|María Fernández|Ahmed Hassan|Lucía Martínez|Carlos Rodríguez|Fátima Benítez|Javier Sánchez|Ana Gómez",
        R="el primer ministro|un portavoz del gobierno|el ministro de Exteriores|un responsable|los vecinos|los analistas|el presidente|la oposición",
        V="anunció|rechazó|criticó|aprobó|aplazó|celebró|condenó|firmó|confirmó|desmintió|lanzó",
        D="el lunes|el martes|el miércoles|el jueves|el viernes|el sábado|el domingo|la semana pasada|a principios de mes",
        Q="no aceptaremos ninguna injerencia en nuestros asuntos|la situación sigue siendo muy difícil|es un paso en la dirección correcta|no hay una solución militar para este conflicto|el pueblo merece algo mejor",
        T=[
            "El {N} de {P} {V} el plan {A} {D}, según {R}.",
            "{O}, que dirige el {N} desde {X}, afirmó que la situación no va a cambiar.",
            "En {P}, {R} {V} la decisión del {N} y advirtió de que el {N} podría sufrir más presiones.",
            "Según {R}, más de {X} personas se han visto afectadas por la crisis en {P}.",
            "«{Q}», dijo {O} a los periodistas en {P} {D}.",
            "No está claro si el {N} podrá cumplir sus objetivos antes de que termine el año.",
            "El proyecto costará unos {X} millones de euros, más de lo que el {N} había previsto.",
            "Los críticos sostienen que el {N} ha hecho muy poco para responder a las preocupaciones de los vecinos de {P}.",
            "Hay señales de esperanza, con un {N} {A} en {P} y conversaciones entre {R} y el {N}.",
            "La decisión llega tras semanas de negociaciones entre {P} y {P} sobre el futuro del {N}.",
            "{O} {V} la propuesta y aseguró que «{Q}».",
        ],
        boiler=["Compartir este artículo", "© {Y} {PUB}. Todos los derechos reservados.", "Lee también:", "Share this article"],
    ),
    "de": dict(
        sections="Ausland|Nahost|Wirtschaft|Politik|Kultur|Gesellschaft|Meinung|Europa",
        publishers="Der Spiegel|Die Zeit|Süddeutsche Zeitung|FAZ|Deutsche Welle|Tagesschau|Handelsblatt|Der Standard",
        N="Regierung|Ministerium|Wahl|Parlament|Wirtschaft|Haushalt|Waffenruhe|Protestbewegung|Abkommen|Bericht|Untersuchung|Markt|Koalition|Grenze|Gericht|Reform|Streik|Unternehmen|Armee|Krise",
        A="neue|wichtige|lokale|regionale|frühere|internationale|nationale|unabhängige|umstrittene|überraschende|mächtige",
        P="Bagdad|Beirut|Kairo|Amman|Riad|Teheran|Damaskus|Mossul|Gaza|Istanbul|Berlin|Brüssel|Genf|Wien|München",
        O="Thomas Müller|Anna Schmidt|Ahmed Hassan|Julia Becker|Stefan Weber|Leyla Öztürk|Michael Wagner|Sabine Hoffmann",
        R="der Ministerpräsident|ein Regierungssprecher|der Außenminister|ein Beamter|die Anwohner|Beobachter|der Präsident|die Opposition",
        V="kündigte an|lehnte ab|kritisierte|billigte|verschob|begrüßte|verurteilte|unterzeichnete|bestätigte|dementierte",
        D="am Montag|am Dienstag|am Mittwoch|am Donnerstag|am Freitag|am Samstag|am Sonntag|in der vergangenen Woche|Anfang des Monats",
        Q="wir werden keine Einmischung in unsere Angelegenheiten akzeptieren|die Lage bleibt sehr schwierig|das ist ein Schritt in die richtige Richtung|es gibt keine militärische Lösung für diesen Konflikt|die Menschen haben etwas Besseres verdient",
        T=[
            "Die {N} in {P} {V} den {A} Plan {D}, wie {R} mitteilte.",
            "{O}, der die {N} seit {X} leitet, sagte, dass sich die Lage nicht ändern werde.",
            "In {P} {V} {R} die Entscheidung der {N} und warnte, dass die {N} unter noch mehr Druck geraten könnte.",
            "Nach Angaben von {R} sind mehr als {X} Menschen von der Krise in {P} betroffen.",
            "„{Q}“, sagte {O} {D} vor Journalisten in {P}.",
            "Es ist nicht klar, ob die {N} ihre Ziele noch vor dem Ende des Jahres erreichen kann.",
            "Das Projekt soll etwa {X} Millionen Euro kosten und damit mehr als von der {N} geplant.",
            "Kritiker werfen der {N} vor, sich nicht um die Sorgen der Menschen in {P} zu kümmern.",
            "Es gibt aber auch Zeichen der Hoffnung, denn zwischen {R} und der {N} wird wieder verhandelt.",
            "Die Entscheidung folgt auf wochenlange Gespräche zwischen {P} und {P} über die Zukunft der {N}.",
        ],
        boiler=["Artikel teilen", "© {Y} {PUB}. Alle Rechte vorbehalten.", "Mehr zum Thema:", "Share this article"],
    ),
    "ar": dict(
        sections="أخبار|الشرق الأوسط|اقتصاد|سياسة|العراق|أخبار محلية|رياضة|ثقافة|رأي",
        publishers="الجزيرة|العربية|الشرق الأوسط|Asharq Al-Awsat|Al Jazeera|سكاي نيوز عربية|القدس العربي|الحياة",
        N="الحكومة|الوزارة|الانتخابات|البرلمان|الاقتصاد|الميزانية|الهدنة|الاحتجاجات|الاتفاق|التقرير|التحقيق|السوق|التحالف|الحدود|المحكمة|المستشفى|الإصلاح|الشركة|الجيش|المجلس|الأزمة",
        A="الجديد|الرئيسي|المحلي|الإقليمي|السابق|المهم|الدولي|الوطني|المستقل|الهش|المفاجئ",
        P="بغداد|بيروت|القاهرة|عمان|الرياض|طهران|دمشق|الموصل|غزة|إسطنبول|الدوحة|دبي|طرابلس|الخرطوم",
        O="أحمد حسن|فاطمة الزهراء|مصطفى الكاظمي|قاسم الأعرجي|ليلى ناصر|عمر فاروق|كريم حداد|نادية صالح",
        R="رئيس الوزراء|متحدث باسم الحكومة|وزير الخارجية|مسؤول كبير|السكان المحليون|المحللون|الرئيس|المعارضة",
        V="أعلن|رفض|انتقد|وافق على|أجل|رحب|أدان|وقع|أكد|نفى",
        D="يوم الاثنين|يوم الثلاثاء|يوم الأربعاء|يوم الخميس|يوم الجمعة|يوم السبت|يوم الأحد|الأسبوع الماضي|في بداية الشهر",
        Q="لن نقبل أي تدخل في شؤوننا الداخلية|الوضع لا يزال صعبا للغاية|هذه خطوة في الاتجاه الصحيح|لا يوجد حل عسكري لهذا الصراع|الشعب يستحق أفضل من ذلك",
        T=[
            "{V} {R} {D} أن {N} في {P} ستواصل العمل على الخطة الجديدة.",
            "وقال {O} إن {N} لن تغير موقفها من القضية في الوقت الحالي.",
            "وفي {P}، {V} {R} قرار {N} وحذر من أن الوضع قد يزداد سوءا.",
            "وبحسب {R}، فإن أكثر من {X} شخص تأثروا بالأزمة في {P}.",
            "وأضاف {O} في تصريح للصحفيين في {P}: \"{Q}\".",
            "ولم يتضح بعد ما إذا كانت {N} قادرة على تحقيق أهدافها قبل نهاية العام.",
            "ومن المتوقع أن تبلغ تكلفة المشروع نحو {X} مليون دولار، وهو أكثر مما كانت {N} تخطط له.",
            "ويرى المنتقدون أن {N} لم تفعل الكثير لمعالجة مخاوف السكان في {P}.",
            "وتأتي هذه الخطوة بعد أسابيع من المحادثات بين {P} و{P} حول مستقبل {N}.",
        ],
        boiler=["شارك هذا المقال", "© {Y} {PUB}. جميع الحقوق محفوظة.", "Share this article"],
    ),
}
SEPARATORS = [(" - ", 0.55), (" – ", 0.15), (" — ", 0.1), (" | ", 0.2)]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff"]
MAX_INDEX_WIDTH = 6
_SLOT = re.compile(r"\{([A-Z])\}")

for _material in LANG.values():  # split the compact "a|b|c" lists once
    for _key, _value in list(_material.items()):
        if isinstance(_value, str):
            _material[_key] = _value.split("|")


def _sloppy_cp1252(error: UnicodeDecodeError) -> tuple[str, int]:
    # Bytes cp1252 leaves undefined decode as their latin-1 code point, as browsers do.
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("sloppy-cp1252", _sloppy_cp1252)


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def source_id(seed: int, index: int) -> str:
    """The 16-hex crawler id of file `index`."""
    return hashlib.sha256(f"newsetl-bench:{seed}:{index}".encode()).hexdigest()[:16]


def day_of(index: int, articles: int, days: int) -> dt.date:
    """Files are spread evenly and in index order over the consecutive days."""
    return START_DATE + dt.timedelta(days=index * days // articles)


def plan(seed: int, index: int) -> tuple[str, str | None, int | None]:
    """(kind, reject_kind, duplicate_of) of file `index`: cheap, so duplicates can look back."""
    rng = random.Random(f"plan:{seed}:{index}")
    draw = rng.random()
    if draw < REJECT_RATE:
        return "reject", _pick(rng, REJECT_KIND_SHARES), None
    if draw < REJECT_RATE + DUPLICATE_RATE and index > 0:
        for _ in range(8):  # copy an earlier article, not a reject
            original = rng.randrange(index)
            if plan(seed, original)[0] != "reject":
                return "duplicate", None, original
    return "article", None, None


def _fill(rng: random.Random, material: dict, template: str) -> str:
    def slot(key: str) -> str:
        if key == "X":
            return str(rng.choice([rng.randint(2, 99), rng.randint(100, 5000), rng.randint(1990, 2023)]))
        return rng.choice(material[key])

    text = _SLOT.sub(lambda match: slot(match.group(1)), template)
    first = next((i for i, char in enumerate(text) if char.isalpha()), 0)  # after a leading quote mark
    return text[:first] + text[first].upper() + text[first + 1:]


def _breadcrumb(rng: random.Random, material: dict, nbsp: bool) -> tuple[str, str]:
    """(breadcrumb line, publisher)."""
    sections = rng.sample(material["sections"], rng.choice([0, 1, 1, 2, 2, 3]))
    parts = sections + [rng.choice(material["publishers"])]
    separator = rng.choices([s for s, _ in SEPARATORS], weights=[w for _, w in SEPARATORS])[0]
    if nbsp and rng.random() < 0.5:
        separator = separator.replace(" ", "\u00a0", 1)
    return separator.join(parts), parts[-1]


def _headline(rng: random.Random, material: dict) -> str:
    text = _fill(rng, material, rng.choice(material["T"])).rstrip(".")
    return text if len(text) < 140 else text[:120].rsplit(" ", 1)[0]


def _add_html(rng: random.Random, paragraph: str) -> str:
    paragraph = paragraph.replace(" and ", " &amp; ", 1).replace("'", "&#39;", 1)
    if rng.random() < 0.5:
        paragraph = paragraph.replace(". ", ".<br/>", 1)
    return f"<p>{paragraph}</p>" if rng.random() < 0.7 else paragraph + "<br/>"


def _sprinkle(rng: random.Random, text: str, chars: list[str], rate: float, target: str | None) -> str:
    """Replace a share of `target` characters (or insert after them if target is None) by `chars`."""
    pieces = text.split(" ")
    out = [pieces[0]]
    for piece in pieces[1:]:
        if rng.random() < rate:
            mark = rng.choice(chars)
            out.append((mark if target == " " else " " + mark) + piece)
        else:
            out.append(" " + piece)
    return "".join(out)


def article_text(seed: int, index: int) -> tuple[str, str, set[str]]:
    """(text, encoding, defects) of a regular article: before line endings and encoding."""
    rng = random.Random(f"article:{seed}:{index}")
    language = _pick(rng, LANGUAGE_SHARES)
    material = LANG[language]
    defects = {f"lang:{language}"}
    flags = {name: rng.random() < rate for name, rate in [
        ("nbsp", NBSP_RATE), ("zero_width", ZERO_WIDTH_RATE), ("html", HTML_RATE),
        ("boilerplate", BOILERPLATE_RATE), ("hard_wrap", HARD_WRAP_RATE),
        ("ws_separator", WS_SEPARATOR_RATE), ("crlf", CRLF_RATE)]}
    paragraphs = []
    for _ in range(rng.randint(*PARAGRAPHS)):
        sentences = [_fill(rng, material, rng.choice(material["T"]))
                     for _ in range(rng.randint(*SENTENCES_PER_PARAGRAPH))]
        paragraph = " ".join(sentences)
        if flags["html"]:
            paragraph = _add_html(rng, paragraph)
        if flags["hard_wrap"]:
            paragraph = textwrap.fill(paragraph, WRAP_WIDTH, break_long_words=False, break_on_hyphens=False)
        paragraphs.append(paragraph)
    if rng.random() < TYPOGRAPHIC_QUOTES_RATE or language != "en":
        paragraphs = [p.replace("'", "’") for p in paragraphs]
        defects.add("typographic")
    body = "\n\n".join(paragraphs) if not flags["ws_separator"] else "".join(
        p + rng.choice(["\n \n", "\n\t\n", "\n   \n", "\n\n"]) for p in paragraphs).rstrip()
    headline = _headline(rng, material)
    if flags["html"] and rng.random() < 0.3:
        headline = headline.replace(" and ", " &amp; ", 1)
    breadcrumb, publisher = _breadcrumb(rng, material, flags["nbsp"])
    text = f"{breadcrumb}\n\n{headline}\n\n{body}"
    if flags["nbsp"]:
        text = _sprinkle(rng, text, ["\u00a0"], 0.03, target=" ")
    if flags["zero_width"]:
        text = _sprinkle(rng, text, ZERO_WIDTH, 0.01, target=None)
    if flags["boilerplate"]:
        year = rng.randint(2015, 2024)
        lines = rng.sample(material["boiler"], rng.randint(1, min(3, len(material["boiler"]))))
        text += "\n\n" + "\n".join(line.replace("{Y}", str(year)).replace("{PUB}", publisher) for line in lines)
    if rng.random() < 0.5:
        text += "\n"  # about half the files end with a newline, half do not
    if flags["crlf"]:
        text = text.replace("\n", "\r\n")
    defects |= {name for name, on in flags.items() if on}
    encoding = _pick(rng, ENCODING_SHARES)
    return text, encoding, defects


def encode(text: str, encoding: str) -> tuple[bytes, str]:
    """The file's bytes in `encoding`; cp1252 falls back to UTF-8 where the text does not fit."""
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le"), encoding  # explicit: same on every platform
    if encoding == "cp1252":
        try:
            return text.encode("cp1252"), encoding
        except UnicodeEncodeError:
            return text.encode("utf-8"), "utf-8"
    if encoding == "mojibake":
        # Once mis-decoded as cp1252 and saved again as UTF-8: ’ becomes â€™.
        return text.encode("utf-8").decode("cp1252", errors="sloppy-cp1252").encode("utf-8"), encoding
    return text.encode(encoding), encoding


def reject_bytes(seed: int, index: int, kind: str) -> bytes:
    """Bytes of a file that cannot become an article."""
    rng = random.Random(f"reject:{seed}:{index}")
    if kind == "empty":
        return b""
    if kind == "whitespace":
        return rng.choice([b" ", b"\n\n", b" \r\n\t \r\n", b"\n"])
    if kind == "binary":
        header = rng.choice([b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"%PDF-1.4\n\x00\x00", b"\x00\x00\x00\x18ftypmp42"])
        return header + rng.randbytes(rng.randint(200, 4000))
    material = LANG[_pick(rng, LANGUAGE_SHARES)]  # no_body: breadcrumb and headline only
    return f"{_breadcrumb(rng, material, False)[0]}\n\n{_headline(rng, material)}\n".encode("utf-8")


def file_bytes(seed: int, index: int) -> tuple[bytes, bool, set[str]]:
    """(bytes, gzipped, tags) of file `index`; duplicates copy their original's bytes exactly."""
    kind, reject_kind, original = plan(seed, index)
    if kind == "reject":
        return reject_bytes(seed, index, reject_kind), False, {"reject", f"reject:{reject_kind}"}
    if kind == "duplicate":
        data, gzipped, _ = file_bytes(seed, original)
        return data, gzipped, {"duplicate"}
    text, encoding, tags = article_text(seed, index)
    data, encoding = encode(text, encoding)
    gzipped = random.Random(f"gzip:{seed}:{index}").random() < GZIP_RATE
    if gzipped:
        data = gzip.compress(data, compresslevel=6, mtime=0)  # mtime=0 keeps the bytes reproducible
    return data, gzipped, tags | {"article", f"encoding:{encoding}"} | ({"gzip"} if gzipped else set())


def file_name(seed: int, index: int, width: int, gzipped: bool) -> str:
    kind, _, original = plan(seed, index)
    source = source_id(seed, index)
    if kind == "duplicate" and random.Random(f"dupsrc:{seed}:{index}").random() < DUPLICATE_SAME_SOURCE:
        source = source_id(seed, original)  # a re-delivery by the same source
    return f"{index:0{width}d}_{source}.txt" + (".gz" if gzipped else "")


def _write_range(job: tuple[str, int, int, int, int, int]) -> dict[str, int]:
    out, seed, articles, days, start, stop = job
    width = max(MAX_INDEX_WIDTH, len(str(articles - 1)))
    counts: dict[str, int] = {"files": 0, "bytes": 0}
    for index in range(start, stop):
        data, gzipped, tags = file_bytes(seed, index)
        day = day_of(index, articles, days)
        path = os.path.join(out, day.isoformat(), file_name(seed, index, width, gzipped))
        with open(path, "wb") as handle:
            handle.write(data)
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc).timestamp()
        os.utime(path, (noon, noon))  # reproducible mtimes, inside the file's day
        counts["files"] += 1
        counts["bytes"] += len(data)
        for tag in tags:
            counts[tag] = counts.get(tag, 0) + 1
    return counts


def generate(out: Path, articles: int, days: int, seed: int, workers: int) -> dict:
    """Write the drop and return its summary (counts by kind and defect)."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: pick a new --out or delete it first.")
    for day in range(days):
        (out / (START_DATE + dt.timedelta(days=day)).isoformat()).mkdir(parents=True, exist_ok=True)
    chunk = 2000
    jobs = [(str(out), seed, articles, days, start, min(start + chunk, articles))
            for start in range(0, articles, chunk)]
    started = time.perf_counter()
    totals: dict[str, int] = {}
    if workers <= 1:
        results = map(_write_range, jobs)
    else:
        pool = multiprocessing.get_context("fork").Pool(workers)
        results = pool.imap_unordered(_write_range, jobs)
    for counts in results:
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    if workers > 1:
        pool.close()
        pool.join()
    seconds = time.perf_counter() - started
    return {"out": str(out), "articles": articles, "days": days, "seed": seed, "workers": workers,
            "first_day": START_DATE.isoformat(), "seconds": round(seconds, 3),
            "counts": dict(sorted(totals.items()))}


def tree_hash(root: Path) -> str:
    """sha256 over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder to create (must be empty or absent)")
    parser.add_argument("--articles", type=int, default=1000, help="number of files, rejects and duplicates included")
    parser.add_argument("--days", type=int, default=1, help="consecutive days from %s" % START_DATE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (output does not depend on it)")
    parser.add_argument("--hash", type=Path, metavar="DIR", help="only print the tree hash of DIR")
    args = parser.parse_args(argv)
    if args.hash:
        print(json.dumps({"dir": str(args.hash), "sha256": tree_hash(args.hash)}))
        return 0
    if args.out is None or args.articles < 1 or args.days < 1:
        parser.error("--out, --articles >= 1 and --days >= 1 are required")
    print(json.dumps(generate(args.out, args.articles, args.days, args.seed, args.workers), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
