"""Real words in many languages and scripts, for property tests that build clean news-like text.

Latin with the diacritics of Central European, Baltic, Turkish and Vietnamese
languages, Greek, Cyrillic, Arabic, Persian, Hebrew, CJK, Korean, Devanagari and
emoji: each language a handful of everyday news words, so generated sentences
look like text a crawler would find, not random code points (which ftfy's
heuristic may rightly call mojibake).
"""
from __future__ import annotations

from hypothesis import strategies as st

WORDS: dict[str, list[str]] = {
    "english": ["the", "minister", "said", "on", "Tuesday", "that", "prices", "rose", "in", "March"],
    "french": ["le", "président", "a", "déclaré", "à", "l’élection", "très", "être", "façon", "où", "Noël"],
    "german": ["die", "Regierung", "hat", "Grüße", "über", "Straße", "Bürger", "Öffentlichkeit", "für", "Äußerung"],
    "spanish": ["el", "niño", "llegó", "mañana", "señora", "acción", "¿qué", "pasó?", "¡ojo!", "año"],
    "portuguese": ["eleição", "não", "São", "Paulo", "governo", "ações", "através", "público", "mãe", "avô"],
    "polish": ["Źródło", "rząd", "żółć", "gęś", "Łódź", "wyborów", "Świętokrzyskie", "pieniądze", "się", "ń"],
    "czech": ["vláda", "Řecko", "příliš", "žluťoučký", "kůň", "úpěl", "ďábelské", "ódy", "Česká", "Ústí"],
    "slovak": ["Ľudia", "ďalší", "štátu", "ťažký", "päť", "Žilina", "môže", "ôsmy", "vôbec", "Ŕ"],
    "hungarian": ["Magyarország", "kormány", "őszi", "űrhajó", "Győr", "választás", "önkormányzat", "Pécs"],
    "romanian": ["București", "guvernul", "țară", "învățământ", "Timișoara", "ăsta", "Ștefan", "Țara"],
    "croatian": ["Hrvatska", "vijesti", "Đakovo", "čovjek", "ćevapi", "šuma", "žena", "Dubrovnik", "Džep"],
    "lithuanian": ["Lietuvos", "Žinoma", "vyriausybė", "ąžuolas", "ėjo", "įstatymas", "ūkis", "ųjų", "Šiauliai"],
    "latvian": ["Latvijas", "valdība", "ķēniņš", "ģimene", "ļoti", "ņemt", "Rīga", "zīme", "ūdens"],
    "estonian": ["Eesti", "valitsus", "Tõnis", "ööbik", "õun", "Pärnu", "šokolaad", "üks"],
    "turkish": ["Türkiye", "İstanbul", "BOŞALTILDI", "Arpaguş", "Erdoğan", "ılık", "şehir", "Çanakkale",
                "görüşme", "ağır", "Iğdır"],
    "vietnamese": ["Việt", "Nam", "chính", "phủ", "Hà", "Nội", "người", "dân", "được", "thủ", "tướng", "ước"],
    "icelandic": ["Þjóðin", "ríkisstjórn", "æðri", "Reykjavík", "þing", "sögð", "Ísland"],
    "greek": ["Η", "κυβέρνηση", "ανακοίνωσε", "σήμερα", "Αθήνα", "εκλογές", "ΕΛΛΑΔΑ", "ΰ", "ϊδιο"],
    "russian": ["Правительство", "заявило", "сегодня", "Москва", "выборы", "объём", "ЁЖ", "цены", "шёл"],
    "ukrainian": ["Україна", "уряд", "їжак", "Київ", "ґанок", "є", "Ґалаґан", "області"],
    "serbian": ["Србија", "влада", "Ђорђе", "Љубљана", "Његош", "ћерка", "џеп", "Београд"],
    "bulgarian": ["България", "правителството", "щях", "ъгъл", "София", "избори"],
    "arabic": ["الحكومة", "أعلنت", "اليوم", "في", "بغداد", "انتخابات", "مصر", "إيران", "الشرق", "الأوسط"],
    "persian": ["دولت", "ایران", "امروز", "اعلام", "کرد", "تهران", "گزارش", "می‌گوید", "پژوهش"],
    "urdu": ["حکومت", "پاکستان", "نے", "آج", "اعلان", "کیا", "کراچی", "ہے"],
    "hebrew": ["הממשלה", "הודיעה", "היום", "ירושלים", "בחירות", "ישראל", "שלום"],
    "chinese": ["政府", "今天", "宣布", "北京", "选举", "经济", "增长", "中國", "發展"],
    "japanese": ["政府は", "今日", "東京", "発表した", "選挙", "マーケット", "ニュース", "です"],
    "korean": ["정부는", "오늘", "서울", "발표했다", "선거", "경제"],
    "hindi": ["सरकार", "ने", "आज", "घोषणा", "की", "दिल्ली", "चुनाव"],
    "thai": ["รัฐบาล", "ประกาศ", "วันนี้", "กรุงเทพ"],
    "emoji": ["👍", "🇺🇦", "😀", "👩‍💻", "🔥", "❤️", "🎉"],
    "symbols": ["“quoted”", "‘single’", "«guillemets»", "„Anführung“", "—", "–", "…", "€5", "£3", "¥100",
                "°C", "©", "™", "½", "×", "±", "№5", "•", "§2"],
}
# Each language's letters, for the properties that scan a whole script.
LANGUAGES = sorted(WORDS)

_PUNCTUATION = st.sampled_from(["", "", "", ",", ".", ":", "!", "?", ";"])


def _sentence(language: str) -> st.SearchStrategy[str]:
    words = st.lists(
        st.tuples(st.sampled_from(WORDS[language] + WORDS["english"][:3]), _PUNCTUATION).map("".join),
        min_size=1,
        max_size=12,
    )
    return words.map(" ".join)


def news_text(*, max_lines: int = 4) -> st.SearchStrategy[str]:
    """Clean news-like text: lines of sentences, each line in one language, mixed across lines."""
    line = st.sampled_from(LANGUAGES).flatmap(_sentence)
    return st.lists(line, min_size=1, max_size=max_lines).map("\n".join)
