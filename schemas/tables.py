"""All warehouse tables, in publishing order (the manifest last, so a crash
mid-publish leaves files to be processed again rather than lost; near-duplicate
links after the articles they name)."""
from newsetl.schemas.articles import ARTICLES
from newsetl.schemas.cluster_index import CLUSTER_INDEX
from newsetl.schemas.files import FILES
from newsetl.schemas.near_duplicates import NEAR_DUPLICATES
from newsetl.schemas.paragraphs import PARAGRAPHS
from newsetl.schemas.rejects import REJECTS
from newsetl.schemas.runs import RUNS
from newsetl.schemas.signatures import SIGNATURES

TABLES = {t.name: t for t in (ARTICLES, PARAGRAPHS, REJECTS, SIGNATURES, NEAR_DUPLICATES, CLUSTER_INDEX,
                                      FILES, RUNS)}
