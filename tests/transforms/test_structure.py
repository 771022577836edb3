"""structure.py: breadcrumb rule, headline, paragraphs and hard wraps (on normalised text)."""
from __future__ import annotations

import pytest

from newsetl.transforms.rejects import Rejected
from newsetl.transforms.structure import join_lines, parse_article, parse_breadcrumb, split_blocks

BODY = "First paragraph of the story.\n\nSecond paragraph of the story."


def _parse(text: str):
    return parse_article(text)


def test_three_part_breadcrumb_gives_sections_and_publisher():
    parts = _parse(f"Iraq News - Local News - Baghdadpost\n\nA headline\n\n{BODY}")
    assert (parts.sections, parts.publisher, parts.title) == (["Iraq News", "Local News"], "Baghdadpost", "A headline")


def test_en_dash_and_pipe_are_separators():
    assert parse_breadcrumb("Business – Markets | Al-Monitor") == ["Business", "Markets", "Al-Monitor"]


def test_em_dash_is_a_separator():
    assert parse_breadcrumb("Opinion — The Guardian") == ["Opinion", "The Guardian"]


def test_nbsp_around_a_separator_counts_as_white_space():
    assert parse_breadcrumb("Business\u00a0- Markets") == ["Business", "Markets"]


def test_hyphen_inside_a_word_is_not_a_separator():
    assert parse_breadcrumb("Moyen-Orient - Le Monde") == ["Moyen-Orient", "Le Monde"]


def test_hyphen_without_space_on_both_sides_is_not_a_separator():
    assert parse_breadcrumb("Iraq -News") == ["Iraq -News"]


def test_five_parts_are_accepted():
    assert parse_breadcrumb("A - B - C - D - Publisher") == ["A", "B", "C", "D", "Publisher"]


def test_six_parts_are_not_a_breadcrumb():
    assert parse_breadcrumb("A - B - C - D - E - Publisher") is None


def test_line_ending_with_a_period_is_not_a_breadcrumb():
    assert parse_breadcrumb("Iraq News - Baghdadpost.") is None


def test_sentence_like_part_is_not_a_breadcrumb():
    assert parse_breadcrumb("Iraq - the country that the militias want to control") is None


def test_empty_part_is_not_a_breadcrumb():
    assert parse_breadcrumb("News - | Publisher") is None


def test_single_part_breadcrumb_is_a_publisher_without_sections():
    parts = _parse(f"Reuters\n\nA headline\n\n{BODY}")
    assert (parts.sections, parts.publisher, parts.title) == ([], "Reuters", "A headline")


def test_first_line_followed_by_a_long_paragraph_is_the_headline():
    long_paragraph = " ".join(["word"] * 45) + "."
    parts = _parse(f"Iraq News - Baghdadpost\n\n{long_paragraph}\n\n{BODY}")
    assert (parts.publisher, parts.title) == (None, "Iraq News - Baghdadpost")


def test_first_line_followed_by_a_sentence_is_the_headline():
    parts = _parse(f"Militias push their gains\n\n{BODY}")
    assert (parts.publisher, parts.sections, parts.title) == (None, [], "Militias push their gains")
    assert len(parts.body_blocks) == 2


def test_breadcrumb_without_blank_line_after_it_is_part_of_the_headline():
    parts = _parse(f"Iraq News - Baghdadpost\nA headline\n\n{BODY}")
    assert (parts.publisher, parts.title) == (None, "Iraq News - Baghdadpost A headline")


def test_boilerplate_line_is_never_taken_as_headline_after_a_breadcrumb():
    parts = _parse(f"A headline\n\nShare this article\n\n{BODY}")
    assert (parts.publisher, parts.title) == (None, "A headline")


def test_hard_wrapped_paragraph_is_rejoined():
    parts = _parse("A headline\n\nThe first line of a paragraph\ncontinues here.\n\nSecond paragraph.")
    assert [join_lines(block) for block in parts.body_blocks] == [
        "The first line of a paragraph continues here.",
        "Second paragraph.",
    ]


def test_hard_wrapped_headline_is_rejoined_and_reported():
    parts = _parse(f"A long headline\nover two lines\n\n{BODY}")
    assert (parts.title, parts.title_wrapped) == ("A long headline over two lines", True)


def test_hyphen_at_a_wrap_joins_the_word():
    assert join_lines(["Iranian-", "backed militias"]) == "Iranian-backed militias"


def test_dash_with_space_at_a_wrap_keeps_the_space():
    assert join_lines(["Iraq -", "a country"]) == "Iraq - a country"


def test_many_blank_lines_do_not_merge_or_split_paragraphs():
    assert split_blocks("a\n\n\n\nb\nc\n\nd") == [["a"], ["b", "c"], ["d"]]


def test_long_first_block_is_no_title():
    with pytest.raises(Rejected) as caught:
        _parse(" ".join(["word"] * 50) + "\n\n" + BODY)
    assert caught.value.reason == "no_title" and "50 words" in caught.value.detail


def test_headline_only_is_no_body():
    with pytest.raises(Rejected) as caught:
        _parse("Iraq News - Baghdadpost\n\nA headline")
    assert caught.value.reason == "no_body" and "no paragraph" in caught.value.detail


def test_empty_text_is_empty():
    with pytest.raises(Rejected) as caught:
        _parse("")
    assert caught.value.reason == "empty"


def test_part_opening_with_a_separator_is_not_a_breadcrumb():
    assert parse_breadcrumb("- Iraq News - Baghdadpost") is None


def test_boilerplate_between_breadcrumb_and_headline_is_skipped_and_counted():
    parts = _parse(f"Iraq News - Baghdadpost\n\nAdvertisement\n\nA headline\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.boilerplate_lines) == ("Baghdadpost", "A headline", 1)


def test_boilerplate_above_everything_is_skipped_and_counted():
    parts = _parse(f"Share this article\n\nA headline\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.boilerplate_lines) == (None, "A headline", 1)


def test_single_part_breadcrumb_longer_than_a_publisher_name_is_the_headline():
    parts = _parse(f"Militias push their gains today\n\nA standfirst without a period\n\n{BODY}")
    assert (parts.publisher, parts.title) == (None, "Militias push their gains today")


def test_only_boilerplate_is_no_title():
    with pytest.raises(Rejected) as caught:
        _parse("Share this article\n\nAdvertisement")
    assert caught.value.reason == "no_title"


# ---------------------------------------------------------------- headlines ending in punctuation, ambiguous layouts
HEADLINES = [
    "My memories of Marley...",
    "My memories of Marley…",
    "Parliament passes the budget.",
    "Will the ceasefire hold?",
    "We will not give up!",
    '"We will not give up"',
    "Minister: “We will not give up.”",
    "Le gouvernement démissionne…",
    "¿Quién ganará las elecciones?",
    "Правительство ушло в отставку.",
    "Η κυβέρνηση παραιτήθηκε!",
    "الحكومة تستقيل؟",
    "هل تصمد الهدنة؟",
    "政府宣布辞职。",
    "«Мы не сдадимся»",
]


@pytest.mark.parametrize("headline", HEADLINES)
def test_a_headline_after_a_breadcrumb_may_end_with_any_punctuation(headline):
    parts = _parse(f"Entertainment - Music - Jamaica Observer\n\n{headline}\n\n{BODY}")
    assert (parts.sections, parts.publisher, parts.title) == (["Entertainment", "Music"], "Jamaica Observer", headline)
    assert [join_lines(block) for block in parts.body_blocks] == BODY.split("\n\n")
    assert parts.layout_flags == ()


@pytest.mark.parametrize("headline", HEADLINES)
def test_a_headline_without_breadcrumb_may_end_with_any_punctuation(headline):
    body = "The first paragraph of the story holds many more words than a headline does, as ledes do.\n\nMore."
    parts = _parse(f"{headline}\n\n{body}")
    assert (parts.publisher, parts.sections, parts.title) == (None, [], headline)
    assert len(parts.body_blocks) == 2


@pytest.mark.parametrize("publisher", ["Reuters", "The Globe and Mail", "الجزيرة", "新华网"])
def test_a_bare_publisher_then_a_headline_ending_like_a_sentence_keeps_the_contracts_positions_and_says_so(publisher):
    parts = _parse(f"{publisher}\n\nMarkets fell sharply on Monday.\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.layout_flags) == (
        publisher, "Markets fell sharply on Monday.", ("ambiguous_headline",)
    )


def test_a_bare_publisher_then_a_headline_not_ending_like_a_sentence_is_certain():
    parts = _parse(f"Reuters\n\nMarkets fell sharply on Monday\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.layout_flags) == ("Reuters", "Markets fell sharply on Monday", ())


def test_a_headline_in_sentence_case_then_a_lede_is_headline_and_body():
    parts = _parse(f"Iran talks resume\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.layout_flags) == (None, "Iran talks resume", ())


def test_a_name_then_one_sentence_and_nothing_more_is_headline_and_body_flagged():
    parts = _parse("Reuters\n\nMarkets fell sharply on Monday.")
    assert (parts.publisher, parts.title, parts.layout_flags) == (None, "Reuters", ("ambiguous_headline",))


def test_a_breadcrumb_then_a_paragraph_too_long_for_a_headline_is_flagged():
    long_paragraph = " ".join(["word"] * 45) + "."
    parts = _parse(f"Iraq News - Baghdadpost\n\n{long_paragraph}\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.layout_flags) == (None, "Iraq News - Baghdadpost", ("ambiguous_breadcrumb",))


@pytest.mark.parametrize("first_line", ["Why the talks failed…", "政府宣布辞职。", "هل تصمد الهدنة؟"])
def test_a_first_line_ending_like_a_sentence_is_never_a_breadcrumb(first_line):
    parts = _parse(f"{first_line}\n\nA headline\n\n{BODY}")
    assert (parts.publisher, parts.title) == (None, first_line)


@pytest.mark.parametrize("headline", ["Will the ceasefire hold?", "We will not give up!", "هل تصمد الهدنة؟"])
def test_a_bare_publisher_then_a_question_or_an_exclamation_is_publisher_and_headline(headline):
    parts = _parse(f"Reuters\n\n{headline}\n\n{BODY}")
    assert (parts.publisher, parts.title, parts.layout_flags) == ("Reuters", headline, ())
