"""boilerplate.py: site furniture lines, removed only at the edges of the body."""
from __future__ import annotations

import pytest

from transforms.boilerplate import is_boilerplate, strip_boilerplate

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
