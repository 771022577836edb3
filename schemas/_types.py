"""Arrow types shared by the table declarations."""
import pyarrow as pa

STRING = pa.string()
STRINGS = pa.list_(pa.string())
INT32 = pa.int32()
INT64 = pa.int64()
FLOAT32 = pa.float32()
FLOAT64 = pa.float64()
DAY = pa.date32()
# Microseconds, UTC: every reader (Spark included) agrees on these, unlike nanoseconds.
TIMESTAMP = pa.timestamp("us", tz="UTC")
BINARY = pa.binary()
INT64S = pa.list_(pa.int64())
