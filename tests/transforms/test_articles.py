"""The batch builder: every raw file leaves as an article row or a reject row."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.transforms.articles import build_articles
from newsetl.transforms.quality import count_words, paragraph_stats, text_stats

ARTICLE = "World - Reuters\n\nA headline\n\nFirst paragraph here.\n\nSecond paragraph here.\n".encode()


def _files(*rows):
    return pd.DataFrame([{
        "source_path": path, "source_sha256": "0" * 64, "size_bytes": len(raw or b""), "ingest_date": date(2020, 7, 5),
        "raw": raw, "reject_reason": reason, "reject_detail": detail,
    } for path, raw, reason, detail in rows])


def _build(files):
    rows = build_articles(files, run_id="run", processed_at=datetime(2020, 7, 5, tzinfo=timezone.utc),
                          pipeline_version="test")
    return _frames(rows)


def _frames(rows):
    """The batch's Arrow tables as pandas frames, to read them in tests."""
    return type(rows)(**{name: getattr(rows, name).to_pandas() for name in ("articles", "paragraphs", "rejects")})


def test_an_article_gives_one_row_and_its_paragraphs():
    rows = _build(_files(("2020-07-05/001_00000000000000aa.txt", ARTICLE, None, None)))

    article = rows.articles.iloc[0]
    assert (article["publisher"], article["title"], article["source_id"]) == ("Reuters", "A headline", "00000000000000aa")
    assert rows.paragraphs["position"].tolist() == [0, 1]
    assert rows.paragraphs["text"].tolist() == ["First paragraph here.", "Second paragraph here."]
    assert set(rows.paragraphs["article_id"]) == {article["article_id"]}
    assert rows.rejects.empty


def test_a_file_that_is_not_txt_is_an_unsupported_type_reject():
    rows = _build(_files(("2020-07-05/photo.jpg", ARTICLE, None, None)))

    reject = rows.rejects.iloc[0]
    assert reject["reason"] == "unsupported_type"
    assert "photo.jpg" in reject["detail"]
    assert rows.articles.empty and rows.paragraphs.empty


def test_a_reader_reject_passes_through_with_its_sentence():
    rows = _build(_files(("2020-07-05/big.txt", None, "too_large", "It is too large; split it.")))

    assert rows.rejects[["reason", "detail"]].values.tolist() == [["too_large", "It is too large; split it."]]


def test_every_file_is_accounted_for_exactly_once():
    rows = _build(_files(("a.txt", ARTICLE, None, None), ("b.txt", b"", None, None), ("c.pdf", b"%PDF", None, None)))

    paths = sorted([*rows.articles["source_path"], *rows.rejects["source_path"]])
    assert paths == ["a.txt", "b.txt", "c.pdf"]
    assert dict(zip(rows.rejects["source_path"], rows.rejects["reason"])) == {"b.txt": "empty", "c.pdf": "unsupported_type"}


def test_paragraph_word_counts_add_up_to_the_article_word_count():
    raw = ("World - Reuters\n\nA headline\n\nPrices rose – again, on July 4.\n\n"
           "A second paragraph • with a bullet and 12 words in it – or so.\n").encode()
    rows = _build(_files(("a.txt", raw, None, None)))

    assert rows.paragraphs["word_count"].tolist() == [6, 13]  # the dash and the bullet are not words
    assert rows.paragraphs["word_count"].sum() == rows.articles.iloc[0]["word_count"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "Z9", "–", "•", "é", "“x”", "—", "_"]), max_size=8).map(" ".join),
                min_size=1, max_size=5))
def test_paragraph_stats_count_each_paragraph_and_equal_the_stats_of_the_body(paragraphs):
    *stats, counts = paragraph_stats(paragraphs)

    assert counts == [count_words(p) for p in paragraphs]
    assert tuple(stats) == text_stats("\n\n".join(paragraphs))


def test_a_file_over_the_time_budget_is_a_too_slow_reject_row_and_the_batch_goes_on():
    hostile = b"World - Reuters\n\nA headline\n\n" + b"<!-- <p class=" * 150_000 + b"\n\nA paragraph.\n"
    files = _files(("2020-07-05/001_00000000000000aa.txt", hostile, None, None),
                   ("2020-07-05/002_00000000000000bb.txt", ARTICLE, None, None))
    _build(_files(("2020-07-05/000_00000000000000cc.txt", ARTICLE, None, None)))  # the language model loads on first use

    rows = _frames(build_articles(files, run_id="run", processed_at=datetime(2020, 7, 5, tzinfo=timezone.utc),
                                  pipeline_version="test", time_budget_seconds=0.02))

    assert rows.rejects[["source_path", "reason"]].values.tolist() == [["2020-07-05/001_00000000000000aa.txt", "too_slow"]]
    assert "CPU time" in rows.rejects["detail"].iloc[0]
    assert rows.articles["source_path"].tolist() == ["2020-07-05/002_00000000000000bb.txt"]


def test_columns_whose_values_are_all_null_or_empty_still_fit_the_table_declarations():
    """A batch whose every article lacks a publisher, sections and a language infers null-typed columns:
    the declarations cast them when staging."""
    import pyarrow as pa

    from newsetl.schemas import ARTICLES, PARAGRAPHS, REJECTS

    no_breadcrumb = "A headline\n\nShort body.\n".encode()  # no publisher, no sections, too short for a language
    rows = build_articles(_files(("2020-07-05/a.txt", no_breadcrumb, None, None)), run_id="run",
                          processed_at=datetime(2020, 7, 5, tzinfo=timezone.utc), pipeline_version="test")
    assert rows.articles.schema.field("publisher").type == pa.null()

    articles = ARTICLES.to_arrow(rows.articles.append_column("near_duplicate_of", pa.nulls(1, pa.string())))
    assert articles.schema == ARTICLES.arrow_schema()
    assert articles.select(["publisher", "sections", "language"]).to_pylist() == [
        {"publisher": None, "sections": [], "language": None}]
    assert PARAGRAPHS.to_arrow(rows.paragraphs).num_rows == 1
    assert REJECTS.to_arrow(rows.rejects).num_rows == 0


def test_the_batch_gives_each_file_the_record_clean_article_gives_it():
    """build_articles identifies languages after cleaning the whole batch (clean_article_but_language,
    then add_language): every article column must still be what clean_article gives the file alone."""
    from pathlib import Path

    from newsetl.transforms.articles import ARTICLE_FIELDS
    from newsetl.transforms.document import clean_article
    from newsetl.transforms.rejects import Rejected

    data = Path(__file__).resolve().parents[1] / "data"
    paths = sorted(p for folder in ("cleaning", "multilingual") for p in (data / folder).iterdir()
                   if p.name.endswith((".txt", ".txt.gz")))
    files = {f"2020-07-05/{p.name}": p.read_bytes() for p in paths}
    files["2020-07-05/short.txt"] = "A headline\n\nShort body.\n".encode()  # too short for a language
    files["2020-07-05/unsure.txt"] = "A headline\n\nasdf qwer zxcv uiop hjkl bnm tyu ghj.\n".encode()
    rows = build_articles(_files(*((path, raw, None, None) for path, raw in files.items())),
                          run_id="run", processed_at=datetime(2020, 7, 5, tzinfo=timezone.utc), pipeline_version="test")

    expected = {}
    for path, raw in files.items():
        try:
            record = clean_article(raw, compressed=path.endswith(".gz"))
        except Rejected:
            continue
        expected[path] = {field: record[field] for field in ARTICLE_FIELDS}
    got = {row["source_path"]: {field: row[field] for field in ARTICLE_FIELDS} for row in rows.articles.to_pylist()}
    assert len(expected) >= 30 and got.keys() == expected.keys()
    assert {path: row for path, row in got.items() if row != expected[path]} == {}
    for path in ("2020-07-05/short.txt", "2020-07-05/unsure.txt"):
        assert got[path]["language"] is None and "no_language" in got[path]["quality_flags"]
    assert not any("no_language" in row["quality_flags"] for row in got.values() if row["language"])
    assert len({row["language"] for row in got.values()}) >= 10
