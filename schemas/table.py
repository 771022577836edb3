"""`Table` and `Column`: one declaration of a warehouse table, from which the
Parquet schema and the validation of every frame written to it derive."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    meaning: str
    # Parquet dictionary encoding: for columns with few distinct values in a day (publisher, language,
    # reason codes, versions, small counts), where it makes files smaller and group-bys cheaper. Off for
    # ids, hashes, text and fine-grained measures, nearly all distinct, where a dictionary costs CPU and
    # bytes and is given up anyway once it passes 1 MB (figures: bench/parquet_settings.py).
    dictionary: bool = False


class SchemaViolation(ValueError):
    """A frame does not fit its table's declaration (a bug in the pipeline, not bad input)."""


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    partition: str  # Hive partition column: a date, not stored inside the files
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify a row within the whole table

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        """Schema of the whole table as readers see it, partition column included."""
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def file_schema(self) -> pa.Schema:
        """Schema of one Parquet file: the partition column lives in the folder name only."""
        schema = self.arrow_schema()
        return schema.remove(schema.get_field_index(self.partition))

    def dictionary_columns(self) -> list[str]:
        """Parquet column paths of the file's dictionary-encoded columns (a list's values are
        `name.list.element`: Arrow's writer matches leaf paths and silently ignores a bare list name)."""
        file_columns = set(self.file_schema().names)
        return [f"{c.name}.list.element" if pa.types.is_list(c.type) else c.name
                for c in self.columns if c.dictionary and c.name in file_columns]

    def to_arrow(self, frame: pd.DataFrame | pa.Table, *, with_partition: bool = True,
                 check_key: bool = True) -> pa.Table:
        """Select, order and cast a frame to this table's schema; raise SchemaViolation if it does not fit.

        `check_key=False` leaves key uniqueness to the caller (a chunk of a day checked as a whole)."""
        schema = self.arrow_schema() if with_partition else self.file_schema()
        present = frame.columns if isinstance(frame, pd.DataFrame) else frame.column_names
        missing = [n for n in schema.names if n not in present]
        if missing:
            raise SchemaViolation(f"{self.name}: missing columns {missing}")
        # Cast with every field nullable first, so a null becomes our message rather than pyarrow's.
        loose = pa.schema([field.with_nullable(True) for field in schema])
        try:
            if isinstance(frame, pd.DataFrame):
                data = pa.Table.from_pandas(frame[schema.names], schema=loose, preserve_index=False, safe=True)
            else:
                data = frame.select(schema.names).cast(loose, safe=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
            raise SchemaViolation(f"{self.name}: {error}") from error
        self.validate(data, check_key=check_key)
        return data.cast(schema)

    def validate(self, data: pa.Table, *, check_key: bool = True) -> None:
        """Check nullability and key uniqueness of an Arrow table already cast to this schema."""
        for column in self.columns:
            if column.name not in data.column_names or column.nullable:
                continue
            nulls = data.column(column.name).null_count
            if nulls:
                raise SchemaViolation(f"{self.name}.{column.name}: {nulls} null value(s) in a non-null column")
        if check_key:
            self.validate_key(data)

    def validate_key(self, data: pa.Table) -> None:
        """Check that the key columns present in `data` identify each row once."""
        key_columns = [k for k in self.key if k in data.column_names]
        if key_columns and data.num_rows:
            grouped = data.group_by(key_columns).aggregate([([], "count_all")])
            doubled = pc.sum(pc.greater(grouped.column("count_all"), 1)).as_py() or 0
            if doubled:
                raise SchemaViolation(f"{self.name}: {doubled} key(s) {tuple(key_columns)} appear more than once")

    def empty(self, *, with_partition: bool = True) -> pa.Table:
        schema = self.arrow_schema() if with_partition else self.file_schema()
        return schema.empty_table()

    def markdown(self) -> str:
        """The table's entry in the README's data dictionary."""
        lines = [f"### {self.name}", "", self.meaning, "",
                 "| column | type | null | meaning |", "|---|---|---|---|"]
        for c in self.columns:
            kind = f"{c.type} (partition)" if c.name == self.partition else str(c.type)
            lines.append(f"| {c.name} | {kind} | {'yes' if c.nullable else 'no'} | {c.meaning} |")
        return "\n".join(lines)
