"""Count how often a dbt build reads the payroll-lines files: the scans in each model's plan.

Usage, after a build on person-level data (`dbt build`, BANENAFSPRAAK_PAYROLL_DIR set):

    python bench/payroll_reads.py --warehouse target/banenafspraak.duckdb --target target

For every model that dbt materialises (a table or an incremental model; views and ephemeral
models are read where they are used), DuckDB plans the compiled SQL that dbt left in
`<target>/compiled` (`EXPLAIN (FORMAT JSON)`, which runs nothing) against the warehouse, and the
READ_PARQUET operators over the payroll lines are counted: a READ_PARQUET whose columns include
one that only those files have (period_start, period_end, relation_type, paid_hours). A model
read by another is counted where the other reads it, so the sum is the number of times one full
build reads the files. Printed: one line per model that reads them, with its scans and their
columns and filters (a filter on period_end lets Parquet statistics skip row groups), and the
total. Reading the files' bytes to fingerprint them (read_blob, in int_input_fingerprints) is
no scan of the lines and is named apart.

Compiled SQL of an incremental build holds only that build's years; run this after a full build
(or --full-refresh) to count a full build.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

PAYROLL_LINE_COLUMNS = {"period_start", "period_end", "relation_type", "paid_hours"}


def materialised_models(target: Path) -> list[tuple[str, Path]]:
    """(name, compiled SQL path) of the project's table and incremental models, from the
    manifest dbt wrote with the build."""
    manifest = json.loads((target / "manifest.json").read_text())
    models = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["materialized"] not in ("table", "incremental"):
            continue
        compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
        if compiled.exists():
            models.append((node["name"], compiled))
    return sorted(models)


def parquet_scans(plan: list | dict) -> list[tuple[list[str], str]]:
    """The projected columns and the pushed-down filters (empty: none) of every READ_PARQUET
    operator in a JSON plan."""
    scans = []
    nodes = plan if isinstance(plan, list) else [plan]
    for node in nodes:
        extra = node.get("extra_info", {})
        if node.get("name") == "READ_PARQUET" or extra.get("Function") == "READ_PARQUET":
            projections = extra.get("Projections", [])
            filters = extra.get("Filters", "")
            scans.append(
                (
                    [projections] if isinstance(projections, str) else list(projections),
                    filters if isinstance(filters, str) else " and ".join(filters),
                )
            )
        scans += parquet_scans(node.get("children", []))
    return scans


def payroll_reads(warehouse: Path, target: Path) -> dict[str, list[tuple[list[str], str]]]:
    """model -> its scans of the payroll lines, (columns, filters) each; models without any are
    left out."""
    con = duckdb.connect(str(warehouse), read_only=True)
    reads = {}
    for name, compiled in materialised_models(target):
        rows = con.execute("explain (format json) " + compiled.read_text()).fetchall()
        plan = json.loads(rows[0][1])
        scans = [scan for scan in parquet_scans(plan) if PAYROLL_LINE_COLUMNS & set(scan[0])]
        if scans:
            reads[name] = scans
    return reads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB file of the build")
    parser.add_argument(
        "--target", type=Path, default=Path("target"), help="dbt's target folder of the build"
    )
    args = parser.parse_args(argv)
    reads = payroll_reads(args.warehouse, args.target)
    if not reads:
        print("no model reads the payroll lines: was the build made on person-level data?", file=sys.stderr)
        return 1
    for name, scans in reads.items():
        print(f"{name}: {len(scans)} scan{'s' if len(scans) != 1 else ''}")
        for columns, filters in scans:
            print(
                f"    {', '.join(columns)}" + (f" (filters: {' '.join(filters.split())})" if filters else "")
            )
    total = sum(len(scans) for scans in reads.values())
    print(f"payroll_scans={total} (and the files' bytes once, by read_blob, for their MD5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
