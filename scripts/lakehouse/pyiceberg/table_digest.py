"""Independent reader: loads Iceberg tables through the REST catalog with PyIceberg (not DuckDB)
and prints, per table, its row count and a content checksum computed exactly as
test/helpers/tableDigest.ts computes it from DuckDB, so the two engines can be compared.

Usage: table_digest.py <catalog-uri> <s3-endpoint> <access-key> <secret-key> <namespace.table>...
Prints one JSON object: {"<namespace.table>": {"rows": N, "digest": "<sha256 hex>", "snapshots": N}}.

Canonical row: fields in schema order joined by \\x1f; null -> \\x00; strings as is; ints in
decimal; doubles as the 16 hex digits of their IEEE-754 bits; timestamps as epoch microseconds;
dates as days since epoch. The digest is sha256 of the sorted canonical rows joined by \\n.
"""

import datetime
import hashlib
import json
import struct
import sys

from pyiceberg.catalog import load_catalog

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def canonical(value):
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return struct.pack(">d", value).hex()
    if isinstance(value, datetime.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        delta = aware - EPOCH
        return str((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)
    if isinstance(value, datetime.date):
        return str((value - datetime.date(1970, 1, 1)).days)
    return str(value)


def digest(table):
    arrow = table.scan().to_arrow()
    names = [field.name for field in table.schema().fields]
    columns = [arrow.column(name).to_pylist() for name in names]
    lines = sorted("\x1f".join(canonical(col[i]) for col in columns) for i in range(arrow.num_rows))
    return {
        "rows": arrow.num_rows,
        "digest": hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest(),
        "snapshots": len(table.snapshots()),
    }


def main():
    uri, endpoint, access_key, secret_key, *tables = sys.argv[1:]
    catalog = load_catalog(
        "local",
        type="rest",
        uri=uri,
        **{
            "s3.endpoint": endpoint,
            "s3.access-key-id": access_key,
            "s3.secret-access-key": secret_key,
            "s3.region": "us-east-1",
            "s3.path-style-access": "true",
        },
    )
    print(json.dumps({name: digest(catalog.load_table(name)) for name in tables}))


if __name__ == "__main__":
    main()
