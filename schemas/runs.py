"""runs: one row per flow run."""
from newsetl.schemas._types import DAY, FLOAT64, INT64, STRING, TIMESTAMP
from newsetl.schemas.table import Column as C, Table

RUNS = Table(
    name="runs",
    meaning="One row per flow run (ingest or backfill), written when the run ends.",
    partition="run_date",
    key=("run_id",),
    columns=(
        C("run_id", STRING, False, "the Prefect flow run id (a uuid when run outside Prefect)"),
        C("flow", STRING, False, "ingest or backfill", dictionary=True),
        C("started_at", TIMESTAMP, False, "when the run started"),
        C("finished_at", TIMESTAMP, False, "when the run ended"),
        C("status", STRING, False, "success or failed", dictionary=True),
        C("files_seen", INT64, False, "raw files the run looked at (ingest: the whole raw zone; backfill: files of its days)"),
        C("files_processed", INT64, False, "raw files read and transformed by this run"),
        C("articles", INT64, False, "article rows written by this run"),
        C("rejects", INT64, False, "reject rows written by this run"),
        C("duplicates", INT64, False, "article rows written by this run that duplicate an earlier article"),
        C("days_published", INT64, False, "day partitions replaced, summed over tables"),
        C("parameters", STRING, False, "the run's parameters as JSON"),
        C("error", STRING, True, "one sentence on why the run failed"),
        C("seconds", FLOAT64, False, "wall-clock duration"),
        C("pipeline_version", STRING, False, "newsetl package version", dictionary=True),
        C("run_date", DAY, False, "UTC day the run started"),
    ),
)
