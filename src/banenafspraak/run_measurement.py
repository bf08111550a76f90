"""Run the banenafspraak measurement: dbt build, publish (validated), print the letter's table 1.

Usage (from the project root, in the virtual environment):

    banenafspraak run                  # build, publish (validated), report, print
    banenafspraak run --year 2021
    banenafspraak run --skip-publish   # build only; print from the warehouse
    banenafspraak run --skip-build     # only print, from the existing warehouse
    banenafspraak run --force-build    # build even when nothing changed
    banenafspraak run --target spark   # build on another engine (see below)

Steps, each only when the one before succeeded:

0. When the last run recorded what it measured (`<warehouse>.measured.json`, beside the warehouse)
   and nothing has changed since, nothing else runs: the input is fingerprinted again (`dbt run
   --select +int_input_fingerprints`, one cheap pass) and compared, with the project's files, the
   tool versions, the published vintage and the warehouse's marts; then table 1 is printed from the
   published file. Any difference, or --force-build, runs the steps below.
1. `dbt build` into the working warehouse, BANENAFSPRAAK_DB (default: target/banenafspraak.duckdb).
2. Publish (banenafspraak publish): the marts only, into the file BI tools read,
   BANENAFSPRAAK_PUBLISHED_DB (default: published/banenafspraak.duckdb), with Parquet copies and a
   manifest beside it. The new file is written beside the old one as a candidate, Great
   Expectations validates it against the mart contracts (`banenafspraak validate --published-db
   <candidate>`, suites generated from the dbt manifest), and only then is it renamed over the
   published file. A failed build or validation exits non-zero and leaves the published files
   exactly as they were. (Nothing changed since the latest vintage: no candidate, no validation.)
3. The visual report (banenafspraak report): published/report.html, beside the published file.
4. The record of what was measured (step 0), then the letter's tables: the analyses
   `letter_table_1` and `letter_year_on_year`, compiled by dbt and run on the PUBLISHED marts,
   i.e. on what BI tools see. Only the `bron` column (how many of a row's figures were published
   by the ministry) comes from the published-figures seed, which lives in the working warehouse
   and is not published. With --skip-publish or --skip-build everything is read from the working
   warehouse.

With --target spark, spark_cluster or postgres (profiles.yml; docs/engines.md) the
marts are built on that engine instead (src/banenafspraak/engines.py):

1. The input files are checked in DuckDB first (`dbt run-operation check_input_files --target
   duckdb`): Spark and PostgreSQL cannot read them the way the check does. Before that, with
   BANENAFSPRAAK_PAYROLL_DIR set, macro payroll_format refuses CSV files (set or detected) for
   the engine: Spark and PostgreSQL read Parquet only.
2. postgres only: with BANENAFSPRAAK_PAYROLL_DIR set, the payroll Parquet files are loaded into the
   schema payroll_input (PostgreSQL reads no Parquet).
3. `dbt build --target <name>`. spark: a local PySpark in the dbt process, its warehouse and
   metastore in BANENAFSPRAAK_SPARK_STATE (default target/spark). spark_cluster: a standalone
   cluster (master, worker, Thrift server) started for the build and stopped after it. postgres:
   the server the BANENAFSPRAAK_PG_* variables name, one you started
   (banenafspraak postgres-server start prints them).

Validation, publish, the report and the letter's tables read the DuckDB warehouse, so they are
skipped on another target; python_tests/ compare the engine's marts with DuckDB's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from banenafspraak.engines import (
    EngineUnavailable,
    SparkCluster,
    load_payroll_into_postgres,
    require_java,
    spark_session_env,
)
from banenafspraak.project import PROJECT_DIR, tool
from banenafspraak.publish import (
    WORKING,
    PublishError,
    describe,
    input_fingerprints,
    list_vintages,
    manifest_path,
    mart_checksums,
    publish,
    published_db_path,
    tool_versions,
    validate_with_gx,
    working_db_path,
)
from banenafspraak.render_report import REPORT_NAME, ReportError, render_report

DEFAULT_DB = PROJECT_DIR / "target" / "banenafspraak.duckdb"
ANALYSES = ("letter_table_1", "letter_year_on_year")
# Alias under which the published file is attached when the letter is printed from it.
PUBLISHED_ALIAS = "published_marts"
TARGETS = ("duckdb", "spark", "spark_cluster", "postgres")


def warehouse_path() -> Path:
    """The DuckDB file dbt writes, resolved like profiles.yml does (relative to the project)."""
    return working_db_path()


def invoke_dbt(
    args: list[str], quiet: bool = False, on_failure: str = "", env: dict[str, str] | None = None
) -> None:
    """Run one dbt command from the project root in a child process; exit with dbt's failure.

    A child process, not dbtRunner: dbt-duckdb keeps its DuckDB connection open for the life of
    the Python process, which would lock the warehouse for the read-back below.
    """
    command = [tool("dbt"), *args]
    completed = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        check=False,
        stdout=subprocess.DEVNULL if quiet else None,
        env=None if env is None else {**os.environ, **env},
    )
    if completed.returncode != 0:
        sys.exit(
            f"dbt {args[0]} failed (exit code {completed.returncode}). The lines above say which "
            f"model or test; logs/dbt.log has the detail.{on_failure}"
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


def check_seed_files() -> None:
    """Exit with a clear message when a seed file is missing or is not UTF-8 text.

    dbt finds these before any hook of ours can run, and says so badly: a missing seed becomes
    "depends on a node named 'targets' which was not found", and a seed that is not UTF-8 a bare
    Python traceback that names no file. Every other problem of an input file is found by the
    on-run-start hook (macro check_input_files). The seeds are the ones seeds/_seeds.yml documents.
    """
    import yaml

    documented = yaml.safe_load((PROJECT_DIR / "seeds" / "_seeds.yml").read_text(encoding="utf-8"))
    for seed in documented["seeds"]:
        path = PROJECT_DIR / "seeds" / f"{seed['name']}.csv"
        if not path.exists():
            sys.exit(
                f"The input cannot be read, so nothing was built: seeds/{path.name} is missing. "
                f"Restore it (git checkout seeds/{path.name}) and run the measurement again."
            )
        content = path.read_bytes()
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            sys.exit(
                f"The input cannot be read, so nothing was built: seeds/{path.name}, line {line}, is "
                f"not UTF-8 text (byte {content[error.start]:#04x}). Save the file as UTF-8 and "
                "run the measurement again."
            )


def on_published_marts(sql: str) -> str:
    """The compiled SQL with each `"<catalog>"."marts".` reference pointed at the published file."""
    return re.sub(r'"(?:[^"]|"")+"\."marts"\.', f'"{PUBLISHED_ALIAS}"."marts".', sql)


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


def print_letter_tables(report_year: int | None, published_db: Path | None = None) -> None:
    """Print the letter's tables; the marts from `published_db` if given, else the warehouse."""
    import duckdb

    sql_by_name = compiled_analyses(report_year)
    working_db = warehouse_path()
    if published_db is None:
        connection = duckdb.connect(str(working_db), read_only=True)
    else:
        # The working warehouse under its own name (dbt's catalog in the compiled SQL), for the
        # seed the analyses join; the marts from the published file.
        connection = duckdb.connect()
        for path, alias in ((working_db, working_db.stem), (published_db, PUBLISHED_ALIAS)):
            literal = str(path).replace("'", "''")
            identifier = alias.replace('"', '""')
            connection.execute(f"attach '{literal}' as \"{identifier}\" (read_only)")
        sql_by_name = {name: on_published_marts(sql) for name, sql in sql_by_name.items()}
    with connection:
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


def build_on_engine(target: str) -> None:
    """Check the input in DuckDB, then `dbt build --target <target>` with the engine's environment.

    Exits with a clear message when the engine cannot run or the build fails.
    """
    check_seed_files()
    payroll_dir = os.environ.get("BANENAFSPRAAK_PAYROLL_DIR", "")
    if payroll_dir:
        # The format the files have, as the build on the engine will find it, in DuckDB (which
        # can list the folder): CSV is refused for another engine before it is started or loaded.
        invoke_dbt(
            [
                "run-operation",
                "payroll_format",
                "--args",
                json.dumps({"engine": target}),
                "--target",
                "duckdb",
            ],
            on_failure=f" Nothing was built on {target}.",
        )
    invoke_dbt(
        ["run-operation", "check_input_files", "--target", "duckdb"],
        on_failure=f" The input check (in DuckDB) failed, so nothing was built on {target}.",
    )
    build = ["build", "--target", target]
    try:
        if target == "spark":
            require_java()
            state = Path(os.environ.get("BANENAFSPRAAK_SPARK_STATE", "target/spark"))
            if not state.is_absolute():
                state = PROJECT_DIR / state
            invoke_dbt(
                build,
                env=spark_session_env(
                    state,
                    cores=int(os.environ.get("BANENAFSPRAAK_SPARK_CORES", "2")),
                    memory=os.environ.get("BANENAFSPRAAK_SPARK_MEMORY", "4g"),
                ),
            )
        elif target == "spark_cluster":
            state = PROJECT_DIR / "target" / "spark_cluster" / time.strftime("%Y%m%d-%H%M%S")
            print(f"Starting a Spark cluster (master, worker, Thrift server) in {state} ...", flush=True)
            with SparkCluster(state) as cluster:
                invoke_dbt(build, env=cluster.env)
        elif target == "postgres":
            if payroll_dir:
                loaded = load_payroll_into_postgres(Path(payroll_dir), dict(os.environ))
                print(
                    "Loaded the payroll files into PostgreSQL: "
                    + ", ".join(f"{table} {rows:,} rows" for table, rows in loaded.items())
                )
            invoke_dbt(build)
    except EngineUnavailable as error:
        sys.exit(f"Nothing was built on {target}: {error}")
    except Exception as error:
        if target != "postgres" or not type(error).__module__.startswith("psycopg2"):
            raise
        if type(error).__name__ == "OperationalError":
            sys.exit(
                f"Nothing was built on postgres: the server named by BANENAFSPRAAK_PG_HOST/PORT "
                f"could not be used ({str(error).strip()}). Start one with "
                "banenafspraak postgres-server start --state DIR and export what it prints."
            )
        sys.exit(
            f"Nothing was built on postgres: loading the payroll files from {payroll_dir} "
            f"failed: {str(error).strip()}"
        )
    print(
        f"Built on {target}. Validation, publish, the report and the letter's tables read the "
        "DuckDB warehouse: skipped on this target (python_tests/ compare its marts with DuckDB's)."
    )


# --- An unchanged redelivery: nothing to build -------------------------------------------------
# What decides the figures besides the input: the project's files. A change in any of them (a
# rule, a seed, a var's default, the publish or the checks) makes the next run build.
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "selectors.yml")
PROJECT_FOLDERS = ("analyses", "gx", "macros", "models", "seeds", "snapshots", "src", "tests")
# Not part of the project's state: what runs and the editable install (pip install -e .) write.
NOT_PROJECT = ("uncommitted", "__pycache__", "banenafspraak.egg-info")


def project_digest() -> str:
    """SHA-256 over the names and bytes of the project's files (PROJECT_FILES and the files
    under PROJECT_FOLDERS, in sorted order)."""
    paths = [PROJECT_DIR / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        paths += (PROJECT_DIR / folder).rglob("*")
    digest = hashlib.sha256()
    for path in sorted(p for p in paths if p.is_file()):
        relative = path.relative_to(PROJECT_DIR)
        if any(part in NOT_PROJECT for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def state_path(working_db: Path) -> Path:
    """Where the main job records what the warehouse was last measured from: beside it."""
    return working_db.with_name(working_db.stem + ".measured.json")


def current_state(working_db: Path, published_db: Path) -> dict:
    """What the figures in the warehouse and the published files are built from, now: the input
    fingerprints (intermediate.int_input_fingerprints, just built), the project's files, the
    tools, the published vintage, and the warehouse's marts (their checksums)."""
    import duckdb

    vintages = list_vintages(published_db)
    with duckdb.connect() as connection:
        literal = str(working_db).replace("'", "''")
        connection.execute(f"attach '{literal}' as {WORKING} (read_only)")
        fingerprints = input_fingerprints(connection)
        marts = {name: mart.sha256 for name, mart in mart_checksums(connection, WORKING).items()}
    manifest = manifest_path(published_db)
    return {
        "input_fingerprints": fingerprints,
        "project_digest": project_digest(),
        "tools": tool_versions(),
        "vintage_id": vintages[-1].id if vintages else None,
        "published_manifest": manifest.read_text(encoding="utf-8") if manifest.is_file() else None,
        "marts": marts,
    }


def unchanged_since_last_run(working_db: Path, published_db: Path) -> dict | None:
    """The state the last successful main job recorded, when nothing has changed since: the
    input (fingerprinted again, one cheap pass: `dbt run --select +int_input_fingerprints`), the
    project's files and the tools are the same, the published files are still that run's
    vintage, and the warehouse still holds its marts. None otherwise, and whenever any of it
    cannot be told (no record, no warehouse, a failing fingerprint run): then the job builds."""
    recorded_path = state_path(working_db)
    if not (recorded_path.is_file() and working_db.is_file()):
        return None
    try:
        recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if recorded.get("project_digest") != project_digest() or recorded.get("tools") != tool_versions():
        return None
    fingerprinted = subprocess.run(
        [tool("dbt"), "run", "--select", "+int_input_fingerprints", "--quiet"],
        cwd=PROJECT_DIR,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if fingerprinted.returncode != 0:
        return None
    try:
        now = current_state(working_db, published_db)
    except Exception:  # a warehouse without the marts, a vintage that cannot be read: build
        return None
    return recorded if now == recorded and now["input_fingerprints"] is not None else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="measurement year to print (default: the latest)")
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="print only, from the existing warehouse: no dbt build, no validation, no publish",
    )
    parser.add_argument(
        "--skip-publish",
        action="store_true",
        help="build, but do not publish (so nothing is validated by Great Expectations: it "
        "validates the file to publish); print from the working warehouse",
    )
    parser.add_argument(
        "--force-build",
        action="store_true",
        help="build and publish even when nothing changed since the last run",
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="duckdb",
        help="the engine to build on (profiles.yml); default duckdb. On another engine only the "
        "input check and the build run: validation, publish and the letter's tables are skipped",
    )
    args = parser.parse_args(argv)

    if args.target != "duckdb":
        if args.skip_build or args.skip_publish or args.year is not None:
            parser.error(
                "--skip-build, --skip-publish and --year concern the DuckDB warehouse; with "
                f"--target {args.target} only the build runs"
            )
        build_on_engine(args.target)
        return

    working_db = warehouse_path()
    published_db = published_db_path()
    if args.skip_build:
        print_letter_tables(args.year)
        return

    untouched = f" Nothing was published: {published_db} is as it was."
    check_seed_files()
    if not (args.skip_publish or args.force_build):
        unchanged = unchanged_since_last_run(working_db, published_db)
        if unchanged is not None:
            print(
                f"Nothing changed since the last run (vintage {unchanged['vintage_id']}): the "
                "input's fingerprints, the project's files and the tools are the same, so "
                "nothing was rebuilt or published. --force-build builds anyway."
            )
            print_letter_tables(args.year, published_db=published_db)
            return
    # A build that fails leaves no record, so that the next run builds again.
    state_path(working_db).unlink(missing_ok=True)
    invoke_dbt(["build"], on_failure=untouched)
    if args.skip_publish:
        print_letter_tables(args.year)
        return
    try:
        result = publish(working_db, published_db, validate=validate_with_gx)
    except PublishError as error:
        sys.exit(str(error))
    print(describe(result))
    report = result.published_db.parent / REPORT_NAME
    if result.rewritten or not report.exists():
        try:
            render_report(result.published_db, report)
        except ReportError as error:
            sys.exit(f"The marts were published, but the report could not be written: {error}")
        print(f"Wrote the report to {report}: open it in a browser.")
    else:
        # Nothing was published: the report of the latest vintage stays, byte for byte.
        print(f"The report {report} is that of the latest vintage: left as it is.")
    state_path(working_db).write_text(
        json.dumps(current_state(working_db, result.published_db), indent=2) + "\n",
        encoding="utf-8",
    )
    print_letter_tables(args.year, published_db=result.published_db)


if __name__ == "__main__":
    main()
