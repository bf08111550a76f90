"""Compare two DuckDB warehouses built by this project, relation by relation and row by row.

    banenafspraak compare BEFORE.duckdb AFTER.duckdb [--schemas marts semantic audit]

A refactoring that keeps every figure must leave every mart equal: the same relations, the same
columns with the same types, and the same multiset of rows (compared with EXCEPT ALL both ways, so
a duplicated or missing row counts too). Exit 0 when all are equal; 1 with the differences listed.
Relations are matched by schema and name; the schema prefix dbt adds (main_marts) is ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("marts", "semantic", "audit")


def relations(con: duckdb.DuckDBPyConnection, alias: str, schemas: tuple[str, ...]) -> dict:
    """(schema suffix, name) -> fully qualified name, for the tables and views in `schemas`."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ?",
        [alias],
    ).fetchall()
    found = {}
    for schema, name in rows:
        suffix = schema.rsplit("_", 1)[-1] if "_" in schema else schema
        if suffix in schemas:
            found[(suffix, name)] = f'"{alias}"."{schema}"."{name}"'
    return found


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]


def compare(before: Path, after: Path, schemas: tuple[str, ...]) -> list[str]:
    con = duckdb.connect()
    con.execute(f"attach '{before}' as before_db (read_only)")
    con.execute(f"attach '{after}' as after_db (read_only)")
    left = relations(con, "before_db", schemas)
    right = relations(con, "after_db", schemas)
    differences = [f"only before ({before}): {'.'.join(key)}" for key in sorted(left.keys() - right.keys())]
    differences += [f"only after ({after}): {'.'.join(key)}" for key in sorted(right.keys() - left.keys())]
    for key in sorted(left.keys() & right.keys()):
        name = ".".join(key)
        left_columns, right_columns = columns(con, left[key]), columns(con, right[key])
        if left_columns != right_columns:
            differences.append(f"{name}: columns differ: {left_columns} != {right_columns}")
            continue
        missing = con.execute(
            f"select count(*) from (select * from {left[key]} except all select * from {right[key]})"
        ).fetchone()[0]
        extra = con.execute(
            f"select count(*) from (select * from {right[key]} except all select * from {left[key]})"
        ).fetchone()[0]
        if missing or extra:
            differences.append(f"{name}: {missing} row(s) only before, {extra} row(s) only after")
    print(f"compared {len(left.keys() & right.keys())} relations", file=sys.stderr)
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schemas", nargs="+", default=list(DEFAULT_SCHEMAS))
    args = parser.parse_args(argv)
    differences = compare(args.before, args.after, tuple(args.schemas))
    for line in differences:
        print(line)
    if not differences:
        print("equal: every relation, column and row")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
