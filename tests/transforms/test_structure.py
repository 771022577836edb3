"""structure.py: breadcrumb rule, headline, paragraphs and hard wraps (on normalised text)."""
from __future__ import annotations

import pytest

from transforms.rejects import Rejected
from transforms.structure import join_lines, parse_article, parse_breadcrumb, split_blocks

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
    parts = _parse("Headline\n\nThe first line of a paragraph\ncontinues here.\n\nSecond paragraph.")
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
