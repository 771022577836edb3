"""Write the multilingual fixture drop: one raw file per case, each carrying one kind of mess, plus expected.json.

Run `python tests/data/multilingual/make_fixtures.py` to regenerate; the output is
committed so the bytes are reviewable. The articles (articles.py) were written for
this drop in 29 languages and 7 scripts (Latin, Cyrillic, Greek, Arabic, Hebrew,
CJK, and Vietnamese Latin with stacked diacritics). The messes:

  * mojibake: the UTF-8 text decoded with each single-byte codec ftfy can undo
    (ftfy.chardata.CHARMAP_ENCODINGS: latin-1, windows-1252, -1251, -1250, -1253,
    -1254, -1257, ISO-8859-2, MacRoman, cp437) and saved again as UTF-8; once
    twice over (double mojibake); once with a byte already lost to U+FFFD;
  * headlines ending in `...`, `…`, `.`, `?`, `!`, `؟`, `。`, `۔` and quotes, with and
    without breadcrumb, and one bare publisher before a sentence-like headline
    (kept in the contract's positions and flagged `ambiguous_headline`);
  * sharing, copyright, "read also", newsletter and advertisement lines in the
    article's own language, at the top and the end of the body;
  * nothing at all, for the languages whose first 200 characters leave the
    language model unsure (Swahili, Malay, Bosnian).

expected.json maps a file name to {title, publisher, sections, paragraphs, language,
fixes, quality_flags_include, boilerplate_lines_removed}: written from the clean
text in articles.py and the mess applied here, never from the code under test.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs, the ones browsers really use)

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from articles import ARTICLES, Article  # noqa: E402

# The language code the pipeline gives: lid.176 cannot tell Bosnian from Croatian and Serbian on
# news text, so a Bosnian article is `sh` (Serbo-Croatian, the macrolanguage), never a wrong member.
LANGUAGE = {"bosnian": "sh"}

# Furniture in each article's language: (lines above the body, lines below it).
BOILERPLATE = {
    "french": (["Publicité"], ["Lire aussi : Le trafic reprend à Orly", "Partager cet article",
                               "© Le Monde 2024. Tous droits réservés."]),
    "spanish": (["Publicidad"], ["Lee también: Las pensiones subirán en enero", "Compartir en Facebook",
                                 "Suscríbete a nuestro boletín"]),
    "german": (["Anzeige"], ["Lesen Sie auch: Was sich beim Bürgergeld ändert", "Artikel teilen",
                             "Alle Rechte vorbehalten."]),
    "portuguese": (["Publicidade"], ["Leia também: Governo anuncia ajuda emergencial", "Compartilhe esta notícia",
                                     "Todos os direitos reservados."]),
    "italian": (["Pubblicità"], ["Leggi anche: Allerta meteo in Toscana", "Condividi su Facebook",
                                 "© RIPRODUZIONE RISERVATA"]),
    "dutch": (["Advertentie"], ["Lees ook: Huurprijzen stijgen opnieuw", "Deel dit artikel",
                                "Schrijf je in voor onze nieuwsbrief"]),
    "russian": (["Реклама"], ["Читайте также: Ставки по вкладам снова растут", "Поделиться",
                              "Все права защищены."]),
    "arabic": (["إعلان"], ["اقرأ أيضا: ارتفاع أسعار الذهب في الأسواق", "شارك المقال", "جميع الحقوق محفوظة"]),
    "turkish": (["Reklam"], ["İlginizi çekebilir: Ankara'da kar yağışı", "Bu haberi paylaş",
                             "Tüm hakları saklıdır."]),
    "japanese": (["広告"], ["関連記事：大阪でも記録的な暑さ", "この記事をシェアする", "無断転載を禁じます。"]),
}


def raw_text(article: Article, *, title: str | None = None, crumb: list[str] | None = None,
             above: list[str] = (), below: list[str] = ()) -> str:
    """The article laid out as the contract says, with optional furniture around the body."""
    crumb = article.crumb if crumb is None else crumb
    blocks = ([" - ".join(crumb)] if crumb else []) + [title or article.title]
    blocks += list(above) + article.paragraphs + list(below)
    return "\n\n".join(blocks) + "\n"


def expected(name: str, *, fixes: list[str], crumb: list[str] | None = None, paragraphs: list[str] | None = None,
             flags: list[str] = (), boilerplate: int = 0) -> dict:
    article = ARTICLES[name]
    crumb = article.crumb if crumb is None else crumb
    return {
        "title": article.title,
        "publisher": crumb[-1] if crumb else None,
        "sections": crumb[:-1],
        "paragraphs": paragraphs or article.paragraphs,
        "language": LANGUAGE.get(name, article.language),
        "fixes": sorted(fixes),
        "quality_flags_include": sorted(flags),
        "boilerplate_lines_removed": boilerplate,
    }


def mis_decode(text: str, codec: str, *, times: int = 1) -> str:
    for _ in range(times):
        text = text.encode("utf-8").decode(codec)
    return text


# (file name, article, codec): UTF-8 text read with the codec, saved again as UTF-8.
MOJIBAKE = [
    ("01_spanish_latin1.txt", "spanish", "latin-1"),
    ("02_german_cp1252.txt", "german", "sloppy-windows-1252"),
    ("03_ukrainian_cp1251.txt", "ukrainian", "sloppy-windows-1251"),
    ("04_czech_cp1250.txt", "czech", "sloppy-windows-1250"),
    ("05_greek_cp1253.txt", "greek", "sloppy-windows-1253"),
    ("06_turkish_cp1254.txt", "turkish", "sloppy-windows-1254"),
    ("07_lithuanian_cp1257.txt", "lithuanian", "sloppy-windows-1257"),
    ("08_polish_iso8859_2.txt", "polish", "iso-8859-2"),
    ("09_french_macroman.txt", "french", "macroman"),
    ("10_russian_cp437.txt", "russian", "cp437"),
]


def cases() -> dict[str, tuple[bytes, dict]]:
    """File name -> (raw bytes, expected result)."""
    out: dict[str, tuple[bytes, dict]] = {}
    for name, language, codec in MOJIBAKE:
        text = mis_decode(raw_text(ARTICLES[language]), codec)
        out[name] = (text.encode("utf-8"), expected(language, fixes=["mojibake"]))

    # Double mojibake: read as windows-1252 twice over.
    text = mis_decode(raw_text(ARTICLES["vietnamese"]), "sloppy-windows-1252", times=2)
    out["11_vietnamese_double_mojibake.txt"] = (text.encode("utf-8"), expected("vietnamese", fixes=["mojibake"]))

    # Lossy: read as windows-1252, and the second byte of the first `ő` ("megszűnik" has ű; `Újabb` Ú)
    # was already lost to U+FFFD by a strict decoder upstream. What is lost stays lost, as one U+FFFD.
    hungarian = ARTICLES["hungarian"]
    broken = mis_decode(raw_text(hungarian), "sloppy-windows-1252")
    lost_at = broken.index("Å‘") + 1  # `ő` = C5 91 = `Å‘`; its `‘` becomes U+FFFD
    broken = broken[:lost_at] + "\ufffd" + broken[lost_at + 1:]
    first = hungarian.paragraphs[0].replace("ő", "\ufffd", 1) if "ő" in hungarian.paragraphs[0] else None
    title_has = "ő" in hungarian.title
    assert first is not None and not title_has and "ő" not in " - ".join(hungarian.crumb)
    out["12_hungarian_lossy_mojibake.txt"] = (
        broken.encode("utf-8"),
        expected("hungarian", fixes=["mojibake"], paragraphs=[first, *hungarian.paragraphs[1:]],
                 flags=["replacement_chars"]),
    )

    # Headlines ending in punctuation, after a breadcrumb (titles in articles.py end so).
    for name, language in [("13_english_headline_dots.txt", "english"), ("14_hebrew_headline_bang.txt", "hebrew"),
                           ("15_danish_headline_full_stop.txt", "danish"),
                           ("16_croatian_headline_quote.txt", "croatian"),
                           ("17_norwegian_headline_ellipsis.txt", "norwegian")]:
        out[name] = (raw_text(ARTICLES[language]).encode("utf-8"), expected(language, fixes=[]))
    # Without breadcrumb: the headline ends with `?`.
    out["18_indonesian_no_breadcrumb_question.txt"] = (
        raw_text(ARTICLES["indonesian"], crumb=[]).encode("utf-8"),
        expected("indonesian", fixes=[], crumb=[], flags=["no_publisher"]),
    )
    # A bare publisher, then a headline ending like a sentence (`۔`): contract positions, flagged.
    out["19_urdu_bare_publisher_ambiguous.txt"] = (
        raw_text(ARTICLES["urdu"]).encode("utf-8"),
        expected("urdu", fixes=[], flags=["ambiguous_headline"]),
    )

    # Furniture in the article's language above and below the body.
    for number, language in enumerate(BOILERPLATE, start=20):
        above, below = BOILERPLATE[language]
        out[f"{number}_{language}_boilerplate.txt"] = (
            raw_text(ARTICLES[language], above=above, below=below).encode("utf-8"),
            expected(language, fixes=["boilerplate"], boilerplate=len(above) + len(below)),
        )

    # Nothing but the language: first windows the model is unsure of.
    for number, language in enumerate(["swahili", "malay", "bosnian", "serbian", "persian"], start=30):
        out[f"{number}_{language}_clean.txt"] = (raw_text(ARTICLES[language]).encode("utf-8"),
                                                  expected(language, fixes=[]))
    return out


def main() -> None:
    results: dict[str, dict] = {}
    for name, (data, result) in cases().items():
        (HERE / name).write_bytes(data)
        results[name] = result
    (HERE / "expected.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
