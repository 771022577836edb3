"""cluster_index: where each near-duplicate cluster's members live, so that publishing finds a
cluster by reading the days it lives on, never by scanning every day of `articles`."""
from newsetl.schemas._types import DAY, STRING
from newsetl.schemas.table import Column as C, Table

CLUSTER_INDEX = Table(
    name=".cluster_index",
    meaning="Internal (a hidden folder): one row per article whose near_duplicate_of is set, listed under its own "
            "day and under its root's day, so that an article's root and a root's members are each found by "
            "reading one day. Maintained by every run (never behind articles.near_duplicate_of: rows are added "
            "before the articles change and pruned after); built from articles on first need.",
    partition="ingest_date",
    key=("article_id", "root_id"),
    columns=(
        C("article_id", STRING, False, "a member of a cluster (articles.article_id, not the root)"),
        C("root_id", STRING, False, "its cluster's root: articles.near_duplicate_of"),
        C("article_date", DAY, False, "the member's ingest_date", dictionary=True),
        C("root_date", DAY, False, "the root's ingest_date", dictionary=True),
        C("ingest_date", DAY, False, "the day this row is listed under: article_date or root_date"),
    ),
)
