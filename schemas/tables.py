"""All warehouse tables, in publishing order (the manifest last, so a crash
mid-publish leaves files to be processed again rather than lost)."""
from schemas.articles import ARTICLES
from schemas.files import FILES
from schemas.paragraphs import PARAGRAPHS
from schemas.rejects import REJECTS
from schemas.runs import RUNS

TABLES = {t.name: t for t in (ARTICLES, PARAGRAPHS, REJECTS, FILES, RUNS)}
