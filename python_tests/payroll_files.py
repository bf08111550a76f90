"""Write small person-level input files (CONTRACT 1b) for tests, as Parquet or CSV, with DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

COLUMNS = {
    "payroll_lines": {
        "person_id": "varchar",
        "employer_id": "varchar",
        "period_start": "date",
        "period_end": "date",
        "relation_type": "varchar",
        "paid_hours": "decimal(9, 2)",
    },
    "target_group_register": {
        "person_id": "varchar",
        "basis": "varchar",
        "valid_from": "date",
        "valid_to": "date",
    },
    "employers": {
        "employer_id": "varchar",
        "year": "integer",
        "sector": "varchar",
        "government_subsector": "varchar",
        "size_class": "varchar",
        "labour_market_region": "varchar",
        "total_paid_hours": "decimal(18, 2)",
    },
}


def write_dataset(
    folder: Path, name: str, rows: list[tuple], fmt: str = "parquet", file_name: str | None = None
) -> Path:
    """Write `rows` (tuples in COLUMNS order) as folder/<file_name or name>.<fmt>."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_name or name}.{fmt}"
    columns = COLUMNS[name]
    with duckdb.connect() as connection:
        connection.execute("create table t (" + ", ".join(f"{c} {t}" for c, t in columns.items()) + ")")
        if rows:
            connection.executemany(f"insert into t values ({', '.join('?' for _ in columns)})", rows)
        options = "format parquet" if fmt == "parquet" else "format csv, header true"
        connection.execute(f"copy t to '{path}' ({options})")
    return path


def december(year: int) -> tuple[date, date]:
    return date(year, 12, 1), date(year, 12, 31)
