"""boilerplate.py: site furniture lines, removed only at the edges of the body."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.transforms.boilerplate import (
    BOILERPLATE_PATTERNS,
    MAX_BOILERPLATE_WORDS,
    MAX_RIGHTS_PREFIX,
    RIGHTS_RESERVED,
    is_boilerplate,
    strip_boilerplate,
)

BOILERPLATE_LINES = [
    "Share this article",
    "Share this story on Facebook",
    "Share on Twitter",
    "Facebook Twitter WhatsApp Email",
    "Follow us on Twitter",
    "Follow us on Facebook and Instagram for more news.",
    "Read more: Iraq's militias push their gains",
    "Read more",
    "See also: the full timeline",
    "Related articles",
    "Related: Kadhimi meets Pompeo",
    "Advertisement",
    "ADVERTISEMENT",
    "Scroll to continue with content",
    "© 2020 Baghdadpost. All rights reserved.",
    "(c) 2019 Reuters",
    "Copyright 2020 The Associated Press.",
    "Copyright © 2020 Al-Monitor",
    "All rights reserved.",
    "Sign up for our newsletter",
    "Subscribe to our daily briefing!",
    "Get our free newsletter in your inbox",
    "Click here to download the app",
    "Tags: Iraq, Iran, militias",
    "Comments",
    "Print this article",
]

ARTICLE_LINES = [
    "Read more about this story in the coming days, the minister said.",
    "Related to the crisis, the ministry announced new measures on Monday and promised more.",
    "Copyright law reform passed in 2020 after years of debate in parliament.",
    "Share prices fell sharply on Monday.",
    "Follow-up talks are expected next week.",
    "Advertisements for the product ran for weeks.",
    "Subscribers were told on Friday.",
    "(c) the third option is to wait for the courts.",
    "The Prime Minister is Mustafa Kadhimi, a former activist and intelligence chief.",
]


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_known_boilerplate_lines_match(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", ARTICLE_LINES)
def test_article_sentences_that_start_alike_do_not_match(line):
    assert not is_boilerplate(line)


def test_long_line_is_never_boilerplate():
    assert not is_boilerplate("© 2020 " + " ".join(["word"] * 30))


def test_trailing_boilerplate_is_removed_and_counted():
    blocks = [["Real paragraph."], ["Share this article"], ["© 2020 X. All rights reserved."]]
    assert strip_boilerplate(blocks) == ([["Real paragraph."]], 2)


def test_leading_boilerplate_is_removed_and_counted():
    assert strip_boilerplate([["Advertisement"], ["Real paragraph."]]) == ([["Real paragraph."]], 1)


def test_boilerplate_line_wrapped_into_the_last_paragraph_is_removed():
    blocks = [["Real paragraph.", "Share this article"]]
    assert strip_boilerplate(blocks) == ([["Real paragraph."]], 1)


def test_boilerplate_in_the_middle_of_the_body_is_kept():
    blocks = [["First."], ["Advertisement"], ["Second."]]
    assert strip_boilerplate(blocks) == (blocks, 0)


def test_body_without_boilerplate_is_returned_unchanged():
    blocks = [["First."], ["Second."]]
    assert strip_boilerplate(blocks) == (blocks, 0)


def test_body_of_only_boilerplate_becomes_empty():
    assert strip_boilerplate([["Advertisement"], ["Share this article"]]) == ([], 2)


# ---------------------------------------------------------------- other languages
# language -> (furniture lines, news lines that open with the same words)
OTHER_LANGUAGES = {
    "fr": (
        ["Partager cet article", "Partager sur Facebook", "Suivez-nous sur Twitter et Instagram",
         "Lire aussi : La grève des contrôleurs aériens", "Lire la suite", "Voir aussi", "Publicité",
         "Abonnez-vous à notre newsletter", "© Le Monde 2024", "Le Monde. Tous droits réservés.", "Réagir"],
        ["Lire aussi le rapport complet publié hier par le ministère.",
         "Partager les richesses est l'objectif affiché du gouvernement.",
         "La publicité en ligne a rapporté trois milliards d'euros l'an dernier."],
    ),
    "es": (
        ["Compartir este artículo", "Compartir en Facebook", "Síguenos en Twitter",
         "Lee también: El Gobierno aprueba la reforma", "Leer más", "Publicidad",
         "Suscríbete a nuestro boletín", "Todos los derechos reservados.", "Comentarios"],
        ["Lee también la prensa extranjera, dijo el ministro en el Congreso.",
         "Compartir el agua del río es el gran reto de la región.",
         "Publicidad engañosa: la empresa deberá pagar una multa de un millón de euros."],
    ),
    "de": (
        ["Artikel teilen", "Diesen Artikel teilen", "Teilen auf Facebook", "Folgen Sie uns auf Twitter",
         "Lesen Sie auch: Bundestag beschließt Reform", "Mehr zum Thema", "Anzeige", "Werbung",
         "Newsletter abonnieren", "© dpa", "Alle Rechte vorbehalten.", "Kommentare"],
        ["Lesen Sie auch die Stellungnahme der Opposition, sagte der Minister im Bundestag.",
         "Teilen müssen sich die Länder die Kosten mit dem Bund.",
         "Werbung für Tabak wird ab Januar weiter eingeschränkt."],
    ),
    "pt": (
        ["Compartilhe esta notícia", "Compartilhar no WhatsApp", "Siga-nos no Instagram",
         "Leia também: Seca no Amazonas isola comunidades", "Saiba mais", "Publicidade",
         "Assine a nossa newsletter", "Todos os direitos reservados.", "Comentários"],
        ["Leia também o relatório do Ibama, disse o ministro aos jornalistas.",
         "Assine a petição, pediu o prefeito aos moradores durante a assembleia de ontem.",
         "Saiba mais sobre o caso foi o pedido dos advogados à juíza."],
    ),
    "it": (
        ["Condividi questo articolo", "Condividi su Facebook", "Seguici su Instagram",
         "Leggi anche: Maltempo in Emilia-Romagna", "Pubblicità", "Iscriviti alla newsletter",
         "© RIPRODUZIONE RISERVATA", "Riproduzione riservata", "Commenti"],
        ["Leggi anche le motivazioni della sentenza, ha detto l'avvocato.",
         "Condividi le responsabilità: così il ministro ha risposto alle critiche dell'opposizione in aula."],
    ),
    "nl": (
        ["Deel dit artikel", "Delen op Facebook", "Volg ons op Twitter", "Lees ook: Kabinet trekt extra geld uit",
         "Lees meer", "Advertentie", "Schrijf je in voor onze nieuwsbrief", "Alle rechten voorbehouden.", "Reacties"],
        ["Lees ook de brief van de minister, zei de woordvoerder.",
         "Delen van de stad zaten urenlang zonder stroom."],
    ),
    "ru": (
        ["Поделиться", "Поделиться в Telegram", "Подписывайтесь на нас в Telegram",
         "Читайте также: Правительство продлило программу", "Реклама", "Все права защищены.", "Комментарии"],
        ["Читайте также в нашем материале о ценах на жильё, говорится в заявлении.",
         "Поделиться опытом в Москву приехали врачи из двадцати регионов.",
         "Реклама алкоголя в интернете будет запрещена с сентября."],
    ),
    "ar": (
        ["شارك المقال", "شارك عبر فيسبوك", "تابعونا على تويتر", "اقرأ أيضا: خطة الحكومة لخفض الأسعار",
         "إعلان", "اشترك في النشرة البريدية", "جميع الحقوق محفوظة", "التعليقات"],
        ["شارك عبر الإنترنت أكثر من مليون شخص في الاستفتاء على الدستور الجديد.",
         "شارك الرئيس في القمة العربية التي عقدت في القاهرة أمس.",
         "اشترك في العملية أكثر من مئة جندي من القوات الخاصة.",
         "سجل في الربع الأول نموا بنسبة ثلاثة في المئة."],
    ),
    "tr": (
        ["Bu haberi paylaş", "Paylaş", "Bizi Twitter'da takip edin", "Ayrıca okuyun: İstanbul'da sel",
         "İlginizi çekebilir", "Devamını oku", "Reklam", "Bültenimize abone olun", "Tüm hakları saklıdır.",
         "Yorumlar"],
        ["Reklam sektörü geçen yıl yüzde yirmi büyüdü.",
         "Paylaşım ekonomisi büyümeye devam ediyor, dedi bakan."],
    ),
    "ja": (
        ["この記事をシェアする", "シェア", "ツイート", "関連記事：東京で記録的な猛暑", "続きを読む", "広告",
         "ニュースレターに登録", "無断転載を禁じます。", "コメント"],
        ["広告大手の電通は十日、今年の国内広告費が過去最高になったと発表した。",
         "コメントを求められた首相は「検討する」とだけ述べた。"],
    ),
}


@pytest.mark.parametrize(("language", "line"), [
    (language, line) for language, (lines, _) in OTHER_LANGUAGES.items() for line in lines
])
def test_boilerplate_of_other_languages_matches(language, line):
    assert is_boilerplate(line), (language, line)


@pytest.mark.parametrize(("language", "line"), [
    (language, line) for language, (_, lines) in OTHER_LANGUAGES.items() for line in lines
])
def test_news_of_other_languages_that_opens_like_boilerplate_does_not_match(language, line):
    assert not is_boilerplate(line), (language, line)


def test_other_language_boilerplate_at_the_edges_is_removed_and_counted_and_kept_inside():
    blocks = [["Publicidad"], ["Primer párrafo."], ["Lire aussi : autre chose"], ["Último párrafo."],
              ["Поделиться"], ["جميع الحقوق محفوظة"]]
    assert strip_boilerplate(blocks) == ([["Primer párrafo."], ["Lire aussi : autre chose"], ["Último párrafo."]], 3)


# ---------------------------------------------------------------- the fast paths equal the plain patterns
# is_boilerplate tries only the patterns that may start with a line's first character, and checks
# rights lines with str.endswith; these are the plain patterns it must agree with.
_EVERY_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)
_RIGHTS_AS_PATTERNS = re.compile(
    "|".join(
        rf".{{0,{MAX_RIGHTS_PREFIX}}}{'' if phrase[0] == '無' else chr(92) + 'b'}{re.escape(phrase)}[.\u3002]?"
        for phrase in RIGHTS_RESERVED
    ),
    re.IGNORECASE,
)


def _plainly_boilerplate(line: str) -> bool:
    if not line or line.count(" ") >= MAX_BOILERPLATE_WORDS:
        return False
    return bool(_EVERY_PATTERN.fullmatch(line) or _RIGHTS_AS_PATTERNS.fullmatch(line))


_ALL_LINES = BOILERPLATE_LINES + ARTICLE_LINES + [
    line for lines, news in OTHER_LANGUAGES.values() for line in lines + news
]
_WORDS = sorted({word for line in _ALL_LINES for word in line.split()} | {"©", "(c)", "2020", ":", "-", "x", "İlginizi"})


def test_is_boilerplate_equals_the_plain_patterns_on_every_known_line():
    for line in _ALL_LINES:
        for variant in (line, line.upper(), line.lower(), line.capitalize(), "x" + line, line + "."):
            assert is_boilerplate(variant) == _plainly_boilerplate(variant), variant


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join), st.sampled_from(["", ".", "。"]))
def test_is_boilerplate_equals_the_plain_patterns_on_generated_lines(line, end):
    assert is_boilerplate(line + end) == _plainly_boilerplate(line + end)


@pytest.mark.parametrize("prefix", ["", "© 2020 Baghdadpost. ", "x" * 160 + " ", "x" * 161 + " ", "Baghdadpost"])
def test_rights_lines_follow_the_pattern_they_replace(prefix):
    for phrase in ("All rights reserved.", "Tous droits réservés", "無断転載を禁じます。"):
        assert is_boilerplate(prefix + phrase) == _plainly_boilerplate(prefix + phrase)
