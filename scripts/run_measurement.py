"""Run the banenafspraak measurement: `dbt build`, then print the letter's table 1.

Usage (from the project root, in the virtual environment):

    python scripts/run_measurement.py            # dbt build, then table 1 of the latest year
    python scripts/run_measurement.py --year 2021
    python scripts/run_measurement.py --skip-build   # only print, from the existing warehouse

The warehouse file is the one in BANENAFSPRAAK_DB (default: target/banenafspraak.duckdb). The
printed tables are the analyses `letter_table_1` and `letter_year_on_year`, compiled by dbt and
read back from the marts through a read-only DuckDB connection.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "target" / "banenafspraak.duckdb"
ANALYSES = ("letter_table_1", "letter_year_on_year")


def warehouse_path() -> Path:
    """The DuckDB file dbt writes, resolved like profiles.yml does (relative to the project)."""
    configured = os.environ.get("BANENAFSPRAAK_DB")
    if not configured:
        return DEFAULT_DB
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_DIR / path


def invoke_dbt(args: list[str], quiet: bool = False) -> None:
    """Run one dbt command from the project root in a child process; exit with dbt's failure.

    A child process, not dbtRunner: dbt-duckdb keeps its DuckDB connection open for the life of
    the Python process, which would lock the warehouse for the read-back below.
    """
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt if dbt.exists() else "dbt"), *args]
    completed = subprocess.run(
        command, cwd=PROJECT_DIR, check=False, stdout=subprocess.DEVNULL if quiet else None
    )
    if completed.returncode != 0:
        sys.exit(
            f"dbt {args[0]} failed (exit code {completed.returncode}). The lines above say which "
            "model or test; logs/dbt.log has the detail."
        )


def compiled_analyses(report_year: int | None) -> dict[str, str]:
    """Compile the letter's analyses and return their SQL by name."""
    args = ["compile", "--select", *ANALYSES]
    if report_year is not None:
        args += ["--vars", json.dumps({"report_year": report_year})]
    invoke_dbt(args, quiet=True)
    target_dir = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    if not target_dir.is_absolute():
        target_dir = PROJECT_DIR / target_dir
    compiled_dir = target_dir / "compiled" / "banenafspraak" / "analyses"
    return {name: (compiled_dir / f"{name}.sql").read_text() for name in ANALYSES}


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain text table, numbers right-aligned with Dutch thousands separators."""

    def cell(value) -> str:
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return "" if value is None else str(value)

    cells = [[cell(value) for value in row] for row in rows]
    widths = [max(len(c) for c in [name, *(r[i] for r in cells)]) for i, name in enumerate(columns)]
    numeric = [all(isinstance(row[i], int) or row[i] is None for row in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if is_num else v.ljust(w) for v, w, is_num in zip(values, widths, numeric)
        )

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def print_letter_tables(report_year: int | None) -> None:
    import duckdb

    sql_by_name = compiled_analyses(report_year)
    with duckdb.connect(str(warehouse_path()), read_only=True) as connection:
        for name in ANALYSES:
            cursor = connection.execute(sql_by_name[name])
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if not rows:
                sys.exit(f"{name}: the marts hold no rows for the requested year.")
            title = {
                "letter_table_1": "Tabel 1: resultaten eind {year} ten opzichte van de nulmeting",
                "letter_year_on_year": "Ontwikkeling {year} ten opzichte van het jaar ervoor",
            }[name].format(year=rows[0][0])
            print(f"\n{title}\n")
            print(format_table(columns[1:], [row[1:] for row in rows]))
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="measurement year to print (default: the latest)")
    parser.add_argument("--skip-build", action="store_true", help="print only, do not run dbt build")
    args = parser.parse_args(argv)

    if not args.skip_build:
        invoke_dbt(["build"])
    print_letter_tables(args.year)


if __name__ == "__main__":
    main()
