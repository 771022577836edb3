"""All warehouse tables, in publishing order (the manifest last, so a crash
mid-publish leaves files to be processed again rather than lost; near-duplicate
links after the articles they name)."""
from schemas.articles import ARTICLES
from schemas.files import FILES
from schemas.near_duplicates import NEAR_DUPLICATES
from schemas.paragraphs import PARAGRAPHS
from schemas.rejects import REJECTS
from schemas.runs import RUNS
from schemas.signatures import SIGNATURES

TABLES = {t.name: t for t in (ARTICLES, PARAGRAPHS, REJECTS, SIGNATURES, NEAR_DUPLICATES, FILES, RUNS)}
