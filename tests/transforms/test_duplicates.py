from datetime import date

import pandas as pd

from newsetl.transforms.duplicates import flag_duplicates


def _index(rows):
    return pd.DataFrame(rows, columns=["article_id", "content_hash", "ingest_date", "source_path"])


def test_later_copies_point_at_the_earliest_by_day_then_path():
    index = _index([
        ("c", "h1", date(2020, 7, 6), "2020-07-06/a.txt"),
        ("a", "h1", date(2020, 7, 5), "2020-07-05/z.txt"),
        ("b", "h1", date(2020, 7, 5), "2020-07-05/y.txt"),
        ("d", "h2", date(2020, 7, 5), "2020-07-05/x.txt"),
    ])

    flags = flag_duplicates(index)

    assert flags[0] == "b" and flags[1] == "b" and pd.isna(flags[2]) and pd.isna(flags[3])


def test_no_articles_no_flags():
    assert flag_duplicates(_index([])).empty
