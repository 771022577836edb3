"""Cost of the warehouse-wide reads the base publish did against their day-restricted replacements, on a
warehouse built by bench/hourly_drop.py after its ingest (process time, best of 3):

    python bench/publish_reads.py bench/out/hourly/wh-100x10000
"""
import sys, time, datetime as dt
import pyarrow as pa, pyarrow.compute as pc
from newsetl.flows.warehouse import Warehouse
from newsetl.flows.neardup import read_days
from newsetl.schemas import ARTICLES, NEAR_DUPLICATES, FILES, CLUSTER_INDEX
from newsetl.flows.plan import MANIFEST_COLUMNS

w = Warehouse(sys.argv[1])
drop = dt.date(2024, 1, 1)
staged = read_days(w, ARTICLES, [drop], ["article_id", "source_path", "content_hash"],
                   filter=~pc.field("source_path").cast(pa.string()).isin(pa.array([], pa.string())))
staged = staged.filter(pc.invert(pc.starts_with(staged.column("source_path"), "synthetic/")))
ids, paths, hashes = (staged.column(c).combine_chunks() for c in ("article_id", "source_path", "content_hash"))
window = [drop + dt.timedelta(days=k) for k in range(-7, 8)]
def best(f):
    out = []
    for _ in range(3):
        t = time.process_time(); f(); out.append(time.process_time() - t)
    return min(out)
rows = {
 "outgoing rows: source_path isin drop, all days": lambda: w.read_table(ARTICLES, columns=["article_id", "ingest_date", "near_duplicate_of"], filter=pc.field("source_path").isin(paths)),
 "  same, drop day only": lambda: read_days(w, ARTICLES, [drop], ["article_id", "ingest_date", "near_duplicate_of"], filter=pc.field("source_path").isin(paths)),
 "seed rows / members: article_id isin, all days": lambda: w.read_table(ARTICLES, columns=["article_id", "source_path", "ingest_date", "near_duplicate_of", "duplicate_of"], filter=pc.field("article_id").isin(ids) | pc.field("near_duplicate_of").isin(ids)),
 "  same, window days only": lambda: read_days(w, ARTICLES, window, ["article_id", "source_path", "ingest_date", "near_duplicate_of", "duplicate_of"], filter=pc.field("article_id").isin(ids)),
 "links naming ids, all days": lambda: w.read_table(NEAR_DUPLICATES, columns=["ingest_date"], filter=pc.field("article_id").isin(ids) | pc.field("other_id").isin(ids)),
 "  links naming ids, window days only": lambda: read_days(w, NEAR_DUPLICATES, window, ["ingest_date"], filter=pc.field("article_id").isin(ids) | pc.field("other_id").isin(ids)),
 "exact duplicates: content_hash isin, all days (kept)": lambda: w.read_table(ARTICLES, columns=["article_id", "content_hash", "ingest_date", "source_path", "duplicate_of"], filter=pc.field("content_hash").isin(hashes)),
 "plan: whole manifest (kept)": lambda: w.read_table(FILES, columns=MANIFEST_COLUMNS),
 "cluster index, window days": lambda: read_days(w, CLUSTER_INDEX, window, CLUSTER_INDEX.column_names),
}
for name, f in rows.items():
    print(f"{best(f):7.3f} s  {name}")
