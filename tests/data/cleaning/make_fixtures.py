"""Write the cleaning fixture drop: one raw article file per case, as real bytes, plus expected.json.

Run `python tests/data/cleaning/make_fixtures.py` to regenerate; the output is
committed so the bytes are reviewable and reproducible (gzip with mtime=0).
`real_000_b7a10fd9200f5948.txt` is a real crawled article copied as-is, not generated.

expected.json maps a file name to what `clean_article` must return for it:
{title, publisher, sections, paragraph_count, language, encoding, fixes} or {reject: reason}.
The expectations are written here by hand, not produced by the code under test.
"""
from __future__ import annotations

import codecs
import gzip
import hashlib
import json
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252, the codec browsers really use)

HERE = Path(__file__).parent

CRUMB = "World News - Middle East - Example Post"
TITLE = "Militias push their gains after a tense week in Baghdad"
PARAGRAPHS = [
    "Iranian-backed groups in Iraq are pushing their gains after having humiliated the prime minister "
    "last week. Their goal now is to push for what they call sovereignty and get the US to leave.",
    "The US has forces in Iraq to fight ISIS as part of the international coalition. On July 4, "
    "mysterious explosions were heard in Baghdad near the airport.",
    "The government wants to secure the borders and end the insurgency as well as reassert itself. "
    "There are signs of hope, with reconstruction in Mosul and other areas.",
]
BODY = "\n\n".join(PARAGRAPHS)
ENGLISH = f"{CRUMB}\n\n{TITLE}\n\n{BODY}\n"
SECTIONS = ["World News", "Middle East"]
PUBLISHER = "Example Post"

# Curly quotes and an accent, so encodings and mojibake have something to bite on.
QUOTED_PARAGRAPHS = [
    "Iranian-backed groups in Iraq are pushing their gains after having humiliated the prime minister "
    "last week. Their goal now is to push for what they call \u201csovereignty\u201d and get the US to leave.",
    "The government\u2019s caf\u00e9 owners and traders in Baghdad said the explosions near the airport on "
    "July 4 were the loudest they had heard since the war against ISIS ended.",
    "The government wants to secure the borders and end the insurgency as well as reassert itself. "
    "There are signs of hope, with reconstruction in Mosul and other areas.",
]
QUOTED_BODY = "\n\n".join(QUOTED_PARAGRAPHS)
QUOTED = f"{CRUMB}\n\n{TITLE}\n\n{QUOTED_BODY}\n"

ARABIC = (
    "أخبار العراق - الأخبار المحلية - بغداد بوست\n\n"
    "الميليشيات المدعومة من إيران تعزز مكاسبها في العراق\n\n"
    "تسعى الجماعات المدعومة من إيران في العراق إلى تعزيز مكاسبها بعد أن أحرجت رئيس الوزراء الأسبوع الماضي، "
    "وهدفها الآن هو الضغط من أجل ما تسميه السيادة وإخراج القوات الأمريكية من البلاد.\n\n"
    "وتريد الحكومة تأمين الحدود وإنهاء التمرد واستعادة سلطتها، وهناك علامات أمل مع إعادة الإعمار في الموصل "
    "ومناطق أخرى من البلاد.\n"
)
FRENCH = (
    "International \u2013 Moyen-Orient | Le Monde\n\n"
    "Les milices pro-iraniennes poussent leur avantage en Irak\n\n"
    "Les groupes soutenus par l\u2019Iran en Irak poussent leur avantage apr\u00e8s avoir humili\u00e9 le "
    "Premier ministre la semaine derni\u00e8re. Leur objectif est d\u00e9sormais d\u2019obtenir ce qu\u2019ils "
    "appellent la \u00ab\u00a0souverainet\u00e9\u00a0\u00bb et le d\u00e9part des forces am\u00e9ricaines.\n\n"
    "Le gouvernement veut s\u00e9curiser les fronti\u00e8res, mettre fin \u00e0 l\u2019insurrection et "
    "r\u00e9affirmer son autorit\u00e9. La reconstruction de Mossoul donne quelques signes d\u2019espoir.\n"
)
SPANISH = (
    "Internacional - Oriente Medio - El Diario\n\n"
    "Las milicias proiran\u00edes consolidan sus avances en Irak\n\n"
    "Los grupos respaldados por Ir\u00e1n en Irak est\u00e1n consolidando sus avances despu\u00e9s de haber "
    "humillado al primer ministro la semana pasada. \u00bfSu objetivo? Lograr lo que llaman soberan\u00eda "
    "y la salida de las tropas estadounidenses.\n\n"
    "El Gobierno quiere asegurar las fronteras, acabar con la insurgencia y reafirmar su autoridad. "
    "La reconstrucci\u00f3n en Mosul ofrece se\u00f1ales de esperanza para el a\u00f1o pr\u00f3ximo.\n"
)
RUSSIAN = (
    "Мир - Ближний Восток - Новости\n\n"
    "Проиранские ополченцы в Ираке закрепляют свои успехи\n\n"
    "Поддерживаемые Ираном группировки в Ираке закрепляют свои успехи после того, как на прошлой неделе "
    "унизили премьер-министра. Теперь их цель состоит в том, чтобы добиться вывода американских войск.\n\n"
    "Правительство хочет обезопасить границы, покончить с повстанцами и восстановить свою власть. "
    "Восстановление Мосула даёт некоторые поводы для надежды.\n"
)
PERSIAN = (
    "جهان - خاورمیانه - خبرگزاری نمونه\n\n"
    "شبه\u200cنظامیان مورد حمایت ایران در عراق دستاوردهای خود را تثبیت می\u200cکنند\n\n"
    "گروه\u200cهای مورد حمایت ایران در عراق پس از تحقیر نخست\u200cوزیر در هفته گذشته در حال تثبیت "
    "دستاوردهای خود هستند و اکنون هدف آن\u200cها خروج نیروهای آمریکایی از کشور است.\n\n"
    "دولت می\u200cخواهد مرزها را امن کند، به شورش پایان دهد و اقتدار خود را دوباره برقرار کند.\n"
)


def article(text: str, *, encoding: str, fixes: list[str], language: str = "en", title: str = TITLE,
            publisher: str | None = PUBLISHER, sections: list[str] | None = None, paragraphs: int = 3,
            body: str | None = None) -> dict:
    """The expected record; `body`, when given, is the exact cleaned body (checked through its sha256)."""
    extra = {"body_sha256": hashlib.sha256(body.encode()).hexdigest()} if body is not None else {}
    return extra | {
        "title": title,
        "publisher": publisher,
        "sections": SECTIONS if sections is None else sections,
        "paragraph_count": paragraphs,
        "language": language,
        "encoding": encoding,
        "fixes": sorted(fixes),
    }


def cases() -> dict[str, tuple[bytes, dict]]:
    """File name -> (raw bytes, expected result)."""
    hard_wrapped = (
        f"{CRUMB}\n\n{TITLE}\n\n"
        "Iranian-backed groups in Iraq are pushing their gains after having\n"
        "humiliated the prime minister last week. Their goal now is to push for what\n"
        "they call sovereignty and get the US to leave.\n\n"
        f"{PARAGRAPHS[1]}\n\n"
        "The government wants to secure the borders and end the insurgency as well\n"
        "as reassert itself. There are signs of hope, with reconstruction in Mosul\n"
        "and other areas.\n"
    )
    boilerplate = (
        f"{CRUMB}\n\n{TITLE}\n\nAdvertisement\n\n{BODY}\n\n"
        "Share this article\n\nFollow us on Twitter\n\n\u00a9 2020 Example Post. All rights reserved.\n"
    )
    html = (
        f"{CRUMB}\n\n{TITLE}\n\n<p>{PARAGRAPHS[0]}</p>\n\n"
        f"<p>{PARAGRAPHS[1].replace(' and ', ' &amp; ', 1)} <a href=\"https://example.com/x\">More</a> on that.</p>\n\n"
        f"<p>{PARAGRAPHS[2]}<br/>If a &lt; b then b &gt; a &#8211; a footnote.</p>\n"
    )
    zero_width = ENGLISH.replace("Iranian-backed", "Iranian\u200b-backed").replace("prime minister", "prime\u00ad minister")
    zero_width = zero_width.replace("coalition", "coal\u200bition\u2060").replace("Mosul", "\ufeffMosul")
    crlf_nbsp = ENGLISH.replace("\n", "\r\n").replace(" in Iraq", "\u00a0in\u00a0Iraq").replace(" - ", "\u00a0-\u00a0")
    five_part = f"World - Middle East - Iraq - Baghdad - Example Post\n\n{TITLE}\n\n{BODY}\n"
    no_breadcrumb = f"{TITLE}\n\n{BODY}\n"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(64)
    bomb = gzip.compress(b"A" * 12_000_000, mtime=0)  # 12 MB inflated, ~12 KB on disk: over the 10 MB default cap
    noise = bytes((i * 151 + 17) % 128 + 128 for i in range(2000))
    long_block = " ".join(PARAGRAPHS) + " " + " ".join(PARAGRAPHS)

    return {
        "01_utf8_bom.txt": (ENGLISH.encode("utf-8-sig"), article(ENGLISH, encoding="utf-8-sig", fixes=["bom"], body=BODY)),
        "02_utf16_le_bom.txt": (codecs.BOM_UTF16_LE + QUOTED.encode("utf-16-le"),
                                article(QUOTED, encoding="utf-16", fixes=["bom"], body=QUOTED_BODY)),
        "03_utf16_be_bom.txt": (codecs.BOM_UTF16_BE + QUOTED.encode("utf-16-be"),
                                article(QUOTED, encoding="utf-16", fixes=["bom"], body=QUOTED_BODY)),
        "04_utf16_le_no_bom.txt": (QUOTED.encode("utf-16-le"), article(QUOTED, encoding="utf-16-le", fixes=[], body=QUOTED_BODY)),
        "05_cp1252.txt": (QUOTED.encode("cp1252"), article(QUOTED, encoding="cp1252", fixes=[], body=QUOTED_BODY)),
        "06_utf8_stray_invalid_byte.txt": (QUOTED.encode().replace(b"Mosul", b"Mos\x9dul"),
                                           article(QUOTED, encoding="utf-8", fixes=["invalid_bytes"], body=QUOTED_BODY)),
        "07_utf8_nul_bytes.txt": (QUOTED.encode().replace(b". ", b".\x00 ") + b"\x00" * 64,
                                  article(QUOTED, encoding="utf-8", fixes=["nul_bytes"], body=QUOTED_BODY)),
        # UTF-8 read as cp1252 by a browser (undefined bytes kept as C1) and saved again as UTF-8.
        "08_mojibake.txt": (QUOTED.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8"),
                            article(QUOTED, encoding="utf-8", fixes=["mojibake"], body=QUOTED_BODY)),
        "09_html_remnants.txt": (html.encode(), article(html, encoding="utf-8",
                                                        fixes=["hard_wrap", "html", "html_entities", "html_tags",
                                                               "whitespace"])),
        "10_zero_width.txt": (zero_width.encode(), article(zero_width, encoding="utf-8",
                                                           fixes=["soft_hyphen", "zero_width"], body=BODY)),
        "11_crlf_nbsp.txt": (crlf_nbsp.encode(), article(crlf_nbsp, encoding="utf-8", fixes=["crlf", "nbsp"], body=BODY)),
        "12_hard_wrapped.txt": (hard_wrapped.encode(), article(hard_wrapped, encoding="utf-8", fixes=["hard_wrap"], body=BODY)),
        "13_boilerplate_head_tail.txt": (boilerplate.encode(), article(boilerplate, encoding="utf-8",
                                                                       fixes=["boilerplate"], body=BODY)),
        "14_no_breadcrumb.txt": (no_breadcrumb.encode(), article(no_breadcrumb, encoding="utf-8", fixes=[], body=BODY,
                                                                 publisher=None, sections=[])),
        "15_five_part_breadcrumb.txt": (five_part.encode(), article(
            five_part, encoding="utf-8", fixes=[], body=BODY, sections=["World", "Middle East", "Iraq", "Baghdad"])),
        "16_arabic.txt": (ARABIC.encode(), article(
            ARABIC, encoding="utf-8", fixes=[], language="ar", title="الميليشيات المدعومة من إيران تعزز مكاسبها في العراق",
            publisher="بغداد بوست", sections=["أخبار العراق", "الأخبار المحلية"], paragraphs=2)),
        "17_french.txt": (FRENCH.encode(), article(
            FRENCH, encoding="utf-8", fixes=["nbsp"], language="fr",
            title="Les milices pro-iraniennes poussent leur avantage en Irak",
            publisher="Le Monde", sections=["International", "Moyen-Orient"], paragraphs=2)),
        "18_spanish.txt": (SPANISH.encode("cp1252"), article(
            SPANISH, encoding="cp1252", fixes=[], language="es",
            title="Las milicias proiraníes consolidan sus avances en Irak",
            publisher="El Diario", sections=["Internacional", "Oriente Medio"], paragraphs=2)),
        "19_gzip.txt.gz": (gzip.compress(ENGLISH.encode(), mtime=0), article(ENGLISH, encoding="utf-8", fixes=[], body=BODY)),
        "20_gzip_bomb.txt.gz": (bomb, {"reject": "too_large"}),
        "21_empty.txt": (b"", {"reject": "empty"}),
        "22_binary_png.txt": (png, {"reject": "binary"}),
        "23_no_body.txt": (f"{CRUMB}\n\n{TITLE}\n\nShare this article\n".encode(), {"reject": "no_body"}),
        "24_whitespace_only.txt": (b" \r\n\t\r\n   \r\n", {"reject": "empty"}),
        "25_corrupt_gzip.txt.gz": (gzip.compress(ENGLISH.encode(), mtime=0)[:40], {"reject": "corrupt_gzip"}),
        "26_no_title.txt": (long_block.encode(), {"reject": "no_title"}),
        "27_undecodable.txt": (noise, {"reject": "undecodable"}),
        "28_cp1251_russian.txt": (RUSSIAN.encode("cp1251"), article(
            RUSSIAN, encoding="cp1251", fixes=[], language="ru",
            title="Проиранские ополченцы в Ираке закрепляют свои успехи",
            publisher="Новости", sections=["Мир", "Ближний Восток"], paragraphs=2)),
        "29_persian_zwnj.txt": (PERSIAN.encode(), article(
            PERSIAN, encoding="utf-8", fixes=[], language="fa",
            title="شبه\u200cنظامیان مورد حمایت ایران در عراق دستاوردهای خود را تثبیت می\u200cکنند",
            publisher="خبرگزاری نمونه", sections=["جهان", "خاورمیانه"], paragraphs=2)),
        "30_utf16_be_no_bom.txt": (QUOTED.encode("utf-16-be"), article(QUOTED, encoding="utf-16-be", fixes=[], body=QUOTED_BODY)),
    }


REAL_SAMPLE = {
    "real_000_b7a10fd9200f5948.txt": {
        "title": "Iranian-backed militias in Iraq push their gains on July 4",
        "publisher": "Baghdadpost",
        "sections": ["Iraq News", "Local News"],
        "paragraph_count": 9,
        "language": "en",
        "encoding": "utf-8",
        "fixes": ["nbsp"],
    }
}


def main() -> None:
    expected: dict[str, dict] = dict(REAL_SAMPLE)
    for name, (raw, result) in cases().items():
        (HERE / name).write_bytes(raw)
        expected[name] = result
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
