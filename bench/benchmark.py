"""Benchmark the dbt build on person-level data against the floor, polars and itself.

Usage (in the virtual environment, after `pip install -r requirements-bench.txt`):

    python bench/benchmark.py                  # 30 million payroll lines and 3 million
    python bench/benchmark.py --lines 3000000  # a quicker run

For each size (N and N/10) it generates data with `banenafspraak generate-payroll` (kept in the work
folder and reused), then measures wall time and peak memory (the child process's maximum
resident set) of:

  (a) `dbt build --selector letter` on the person-level data (the four marts of the letter and
      everything they are built from, tests included), into a fresh warehouse: the same work
      as (b) and (c);
  (a+) the full `dbt build`, as the main job runs it: (a) plus the marts beyond the letter
      (projection, merged measurement, subsectors, regions, quota levy) and the semantic layer;
  (b) the floor: bench/floor.sql, the same validations and measurement as one DuckDB script;
  (b+) the floor of the full build: bench/floor.sql and then bench/floor_full.sql in the same
      connection, the same work as (a+) by hand (the input fingerprints, the subsectors and
      regions under disclosure control, the merged measurement, the projection, the quota levy),
      writing those tables into a new database file, as dbt writes its warehouse;
  (c) the same job in polars (bench/polars_job.py);
and, at N only:
  (d) an incremental full `dbt build` that adds one measurement year to a warehouse holding the
      others;
  (e) dbt's fixed overhead: a full build on a tiny input;
  (f) revisions (step 7): the time of int_input_fingerprints in (a+) and its share; an
      unchanged redelivery (the incremental build again: no year rebuilt); a redelivery in which
      one December line of an earlier year changed, against (d). `--revisions` runs only these.

It checks that (a), (a+), (b), (b+) and (c) give the same jobs per year, sector and form, and
that every table (b+) writes has the rows of the same table in (a+)'s warehouse (the same keys,
equal values, doubles to 1e-9 relative), prints one line per size and, last, the summary line:

  lines=N dbt/floor=a/b marginal_dbt/floor=(a(N)-a(N/10))/(b(N)-b(N/10))
  dbt_full/floor_full=a+/b+ marginal_full/floor_full=(a+(N)-a+(N/10))/(b+(N)-b+(N/10)) dbt/polars=a/c
  incremental/full=(d-e)/(a+ - e) peak_mb=<peak of (a+)> overhead_s=e full_s=a+

Engines mode (given --engines or --sizes; the run above is then not made):

    python bench/benchmark.py --engines duckdb,spark,spark_cluster --sizes 1000000,10000000,30000000
    python bench/benchmark.py --engines duckdb,spark --sizes 100000,300000 --work <folder>

For each size (generated data, reused like above) and each engine, one full `dbt build` (no
selector) on the person-level data, from fresh state, after an untimed `dbt parse`:

  duckdb         target duckdb, a new warehouse file;
  spark          target spark (a local PySpark in the dbt process), a new
                 BANENAFSPRAAK_SPARK_STATE folder (banenafspraak.engines: spark_session_env);
  spark_cluster  target spark_cluster: a standalone master + worker + Thrift server
                 (banenafspraak.engines: SparkCluster) started before the build (start time reported
                 apart), the build timed alone, then the cluster stopped. Without the unit tests
                 unless --cluster-unit-tests: over Thrift they fail now and then.

Peak memory is the largest sum of resident memory over the process tree, sampled from /proc every
0.2 s (for spark the JVM is a child of dbt); for spark_cluster the dbt client's tree and the
cluster's JVMs (master, worker, Thrift server, and the executor the worker starts) apart. The jobs
per year, sector and form in fct_jobs must equal DuckDB's (Spark's table is read as Parquet from
<state>/warehouse/marts.db/fct_jobs with DuckDB; were it not Parquet, through the engine: the
cluster's Thrift server, or a local PySpark on the run's metastore; each line says which). A
failed build is reported with its exit code, the failed nodes and the last lines of its output;
the run goes on with the others and exits 1 at the end. Last: a markdown table (wall time, peak
memory, ratios to DuckDB) and per engine the slope between sizes (seconds per million lines) and a
least-squares fit, time = fixed part + slope x lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
MEMORY_LIMIT = "2560MB"  # the same as profiles.yml, for the floor
THREADS = 2


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    output: str = ""


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path = PROJECT_DIR) -> Measurement:
    """Run `command`, return its wall time and the peak resident memory of the child."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{output[-5000:]}")
    return Measurement(seconds, usage.ru_maxrss / 1024, output)


def generate(folder: Path, *options: str) -> Path:
    """Generated person-level data, reused when the same options made it before."""
    stamp = folder / "options.json"
    if stamp.exists() and json.loads(stamp.read_text()) == list(options):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "banenafspraak",
            "generate-payroll",
            "--out",
            str(folder),
            *options,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stamp.write_text(json.dumps(list(options)))
    return folder


def dbt_env(warehouse: Path, payroll_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BANENAFSPRAAK_DB": str(warehouse),
        "BANENAFSPRAAK_PAYROLL_DIR": str(payroll_dir),
        "BANENAFSPRAAK_PAYROLL_FORMAT": "parquet",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_build(work: Path, payroll_dir: Path, fresh: bool = True, selector: str | None = None) -> Measurement:
    """A timed `dbt build` (of a selector from selectors.yml, or everything). dbt parses the
    project first, untimed, into the same target folder, so the build itself parses partially,
    as every build after the first does in practice."""
    warehouse = work / "warehouse.duckdb"
    if fresh:
        for path in (warehouse, work / "warehouse.duckdb.wal"):
            path.unlink(missing_ok=True)
    common = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    env = dbt_env(warehouse, payroll_dir)
    measure([str(BIN_DIR / "dbt"), "parse", *common], env=env)
    selection = ["--selector", selector] if selector else []
    return measure([str(BIN_DIR / "dbt"), "build", *common, *selection], env=env)


def dbt_jobs(work: Path) -> dict[tuple, float]:
    import duckdb

    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select measurement_year, sector, employment_form, jobs from marts.fct_jobs"
        ).fetchall()
    return {(int(y), s, f): j for y, s, f, j in rows}


FLOOR_RUNNER = """
import csv, re, sys, duckdb
sql, out, database = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
connection = duckdb.connect(database)
connection.execute("set memory_limit = '{memory}'; set threads = {threads}")
# Every statement runs in turn; one that is a query (its first line that is not a comment
# begins with select) is a report of problems, rows (problem, n) whose n must all be zero.
problems = []
for statement in [s for s in sql.split(';') if s.strip()]:
    if re.sub(r'^(\\s*--[^\\n]*\\n)*\\s*', '', statement).lower().startswith('select'):
        problems += [row for row in connection.execute(statement).fetchall() if row[1]]
    else:
        connection.execute(statement)
if problems:
    sys.exit(f'input problems: {{problems}}')
rows = connection.execute('select * from jobs order by all').fetchall()
with open(out, 'w', newline='') as handle:
    csv.writer(handle).writerows(rows)
connection.close()
"""

FLOOR_SCRIPTS = {"floor": ["floor.sql"], "floor_full": ["floor.sql", "floor_full.sql"]}


def floor(work: Path, payroll_dir: Path, name: str = "floor") -> Measurement:
    """The floor (bench/floor.sql, the letter) or, as floor_full, the floor of the full build
    (bench/floor.sql and then bench/floor_full.sql in the same connection), which writes the marts
    beyond the letter into a new database, `<work>/floor_full.duckdb`, as dbt writes its warehouse.
    Both write their jobs (fct_jobs) to `<work>/<name>_jobs.csv`."""
    sql = "\n".join((PROJECT_DIR / "bench" / script).read_text() for script in FLOOR_SCRIPTS[name])
    sql = sql.replace("$payroll_dir", str(payroll_dir)).replace("$seeds_dir", str(PROJECT_DIR / "seeds"))
    script = work / f"{name}.sql"
    script.write_text(sql)
    database = ":memory:"
    if name == "floor_full":
        database = str(work / "floor_full.duckdb")
        for path in (Path(database), Path(database + ".wal")):
            path.unlink(missing_ok=True)
    return measure(
        [
            sys.executable,
            "-c",
            FLOOR_RUNNER.format(memory=MEMORY_LIMIT, threads=THREADS),
            str(script),
            str(work / f"{name}_jobs.csv"),
            database,
        ]
    )


# The tables of the full floor and their keys, compared row by row with the full build's.
FLOOR_FULL_TABLES = {
    "intermediate.int_input_fingerprints": ["measurement_year", "input_name"],
    "marts.mart_government_subsectors": ["measurement_year", "employment_form", "government_subsector"],
    "marts.mart_regions": ["measurement_year", "labour_market_region", "sector"],
    "marts.mart_merged_measurement": ["measurement_year", "employment_form"],
    "marts.mart_target_projection": ["sector", "year"],
    "marts.mart_quota_levy": ["quota_year", "employer_id"],
    "marts.mart_quota_percentages": ["quota_year", "sector"],
}


def same_tables(warehouse: Path, floor_database: Path, label: str) -> int:
    """Check that every table of FLOOR_FULL_TABLES in the floor's database has the rows of the
    same table in dbt's warehouse: the same columns, the same keys, equal values (doubles to
    1e-9, relative), both read-only. Returns the number of rows compared."""
    compared = 0
    with duckdb.connect() as connection:
        connection.execute(f"attach '{warehouse}' as dbt (read_only)")
        connection.execute(f"attach '{floor_database}' as floor (read_only)")
        for table, keys in FLOOR_FULL_TABLES.items():
            name = table.split(".")[1]
            columns = connection.execute(f"describe dbt.{table}").fetchall()
            floor_columns = [row[0] for row in connection.execute(f"describe floor.main.{name}").fetchall()]
            if floor_columns != [row[0] for row in columns]:
                sys.exit(f"{label}: {name} has columns {floor_columns}, dbt's {[row[0] for row in columns]}")
            differs = []
            for column, data_type, *_ in columns:
                a, b = f"f.{column}", f"d.{column}"
                if data_type == "DOUBLE":
                    differs.append(
                        f"(({a} is null) != ({b} is null) or abs({a} - {b}) > 1e-9 * greatest(1, abs({b})))"
                    )
                else:
                    differs.append(f"{a} is distinct from {b}")
            # A row of one side only differs in its keys (the other side's are null).
            on = " and ".join(f"f.{key} is not distinct from d.{key}" for key in keys)
            rows = connection.execute(
                f"select {', '.join(f'f.{key}, d.{key}' for key in keys)} from floor.main.{name} f "
                f"full join dbt.{table} d on {on} where {' or '.join(differs)} limit 5"
            ).fetchall()
            if rows:
                sys.exit(f"{label}: {name} differs from dbt's in rows such as {rows}")
            n, n_dbt = (
                connection.execute(f"select count(*) from {source}").fetchone()[0]
                for source in (f"floor.main.{name}", f"dbt.{table}")
            )
            if n != n_dbt:
                sys.exit(f"{label}: {name} has {n} rows, dbt's {n_dbt}")
            compared += n
    return compared


def polars_job(work: Path, payroll_dir: Path) -> Measurement:
    env = {**os.environ, "POLARS_MAX_THREADS": str(THREADS)}
    return measure(
        [
            sys.executable,
            str(PROJECT_DIR / "bench" / "polars_job.py"),
            str(payroll_dir),
            str(PROJECT_DIR / "seeds"),
            str(work / "polars_jobs.csv"),
        ],
        env=env,
    )


def csv_jobs(path: Path, header: bool) -> dict[tuple, float]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return {(int(y), s, f): float(j) for y, s, f, j in (rows[1:] if header else rows)}


def same_jobs(reference: dict, other: dict, label: str) -> None:
    if reference.keys() != other.keys():
        sys.exit(f"{label}: different cells: {sorted(set(reference) ^ set(other))[:10]}")
    worst = max(abs(reference[k] - other[k]) / max(1.0, abs(reference[k])) for k in reference)
    if worst > 1e-9:
        sys.exit(f"{label}: jobs differ from dbt's by up to {worst:.2e} (relative)")


def without_last_year(source: Path, target: Path) -> tuple[Path, Path]:
    """A copy of the input (links) without the last year's payroll file, and that file."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    payroll_files = sorted(source.glob("payroll_lines*.parquet"))
    for path in source.iterdir():
        if path.suffix == ".parquet" and path != payroll_files[-1]:
            (target / path.name).symlink_to(path)
    return target, payroll_files[-1]


def run_size(lines: int, work: Path) -> dict[str, Measurement]:
    data = generate(work / f"data_{lines}", "--lines", str(lines))
    size_work = work / f"run_{lines}"
    size_work.mkdir(parents=True, exist_ok=True)
    results = {
        "dbt": dbt_build(size_work / "dbt", data, selector="letter"),
        "dbt_full": dbt_build(size_work / "dbt_full", data),
        "floor": floor(size_work, data),
        "floor_full": floor(size_work, data, "floor_full"),
        "polars": polars_job(size_work, data),
    }
    reference = dbt_jobs(size_work / "dbt")
    same_jobs(reference, dbt_jobs(size_work / "dbt_full"), "full build")
    same_jobs(reference, csv_jobs(size_work / "floor_jobs.csv", header=False), "floor")
    same_jobs(reference, csv_jobs(size_work / "floor_full_jobs.csv", header=False), "full floor")
    rows = same_tables(
        size_work / "dbt_full" / "warehouse.duckdb", size_work / "floor_full.duckdb", "full floor"
    )
    same_jobs(reference, csv_jobs(size_work / "polars_jobs.csv", header=True), "polars")
    seconds = " ".join(f"{name}_s={m.seconds:.2f}" for name, m in results.items())
    peaks = " ".join(f"{name}_peak_mb={m.peak_mb:.0f}" for name, m in results.items())
    print(
        f"lines={lines} {seconds} {peaks} cells={len(reference)} "
        f"(dbt = dbt full = floor = full floor = polars) full_floor_rows={rows} "
        "(full floor = dbt full: the fingerprints and the marts beyond the letter)",
        flush=True,
    )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lines", type=int, help="the largest size in payroll lines (default 30 million); N/10 runs too"
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="folder for generated data and warehouses (default: a temporary one, "
        "removed afterwards); pass one to reuse generated data between runs",
    )
    engines_mode = parser.add_argument_group(
        "engines mode", "a full dbt build per engine and size instead of the run above"
    )
    engines_mode.add_argument(
        "--engines", type=engine_list, help=f"comma-separated, of {','.join(ENGINES)} (default: all three)"
    )
    engines_mode.add_argument(
        "--sizes",
        type=size_list,
        help=f"comma-separated payroll lines (default {','.join(str(n) for n in DEFAULT_ENGINE_SIZES)})",
    )
    engines_mode.add_argument(
        "--spark-cores",
        type=int,
        default=2,
        help="cores of the Spark session and of the cluster's worker (default 2)",
    )
    engines_mode.add_argument(
        "--spark-memory", default="4g", help="driver memory of the Spark session (default 4g)"
    )
    engines_mode.add_argument(
        "--cluster-memory", default="2g", help="memory of the cluster's worker (default 2g)"
    )
    engines_mode.add_argument(
        "--cluster-unit-tests",
        action="store_true",
        help="run the unit tests on spark_cluster too (default: excluded, "
        "as dbt-spark's unit tests fail now and then over Thrift)",
    )
    engines_mode.add_argument(
        "--build-timeout",
        type=float,
        default=4 * 3600,
        help="seconds after which a build is stopped and counted as failed (default 4 hours)",
    )
    parser.add_argument(
        "--revisions",
        action="store_true",
        help="only the rows of revisions (step 7) at --lines: the fingerprints' "
        "share of the full build, an unchanged redelivery, one changed year",
    )
    args = parser.parse_args(argv)
    in_engines_mode = args.engines is not None or args.sizes is not None
    if in_engines_mode and args.lines is not None:
        parser.error("--lines is for the default run; in engines mode give --sizes")

    work = args.work or Path(tempfile.mkdtemp(prefix="banenafspraak-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if in_engines_mode:
            # A SIGTERM ends the run like Ctrl-C does: the running build and any Spark cluster
            # are stopped first (they run in sessions of their own, the signal does not reach them).
            signal.signal(signal.SIGTERM, terminate)
            ok = run_engines(
                args.engines or list(ENGINES),
                args.sizes or list(DEFAULT_ENGINE_SIZES),
                work,
                SparkSettings(
                    args.spark_cores, args.spark_memory, args.cluster_memory, args.cluster_unit_tests
                ),
                args.build_timeout,
            )
            if not ok:
                sys.exit(1)
        elif args.revisions:
            run_revisions(args.lines or 30_000_000, work)
        else:
            run_default(args.lines or 30_000_000, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def run_default(lines: int, work: Path) -> None:
    """The run without --engines: dbt (letter and full) against the floor and polars."""
    small = run_size(lines // 10, work)
    large = run_size(lines, work)

    tiny = generate(work / "data_tiny", "--persons", "300", "--years", "2012-2014")
    overhead = dbt_build(work / "run_tiny", tiny)

    data = work / f"data_{lines}"
    partial, last_file = without_last_year(data, work / f"data_{lines}_partial")
    incremental_work = work / "run_incremental"
    dbt_build(incremental_work, partial)
    (partial / last_file.name).symlink_to(last_file)
    incremental = dbt_build(incremental_work, partial, fresh=False)
    same_jobs(dbt_jobs(work / f"run_{lines}" / "dbt_full"), dbt_jobs(incremental_work), "incremental")
    print(
        f"incremental_s={incremental.seconds:.2f} overhead_s={overhead.seconds:.2f} "
        f"(incremental = full refresh)",
        flush=True,
    )
    revisions = revision_rows(
        work / f"run_{lines}" / "dbt_full",
        large["dbt_full"],
        incremental_work,
        partial,
        incremental,
        overhead,
        tiny,
    )

    a, b, c = large["dbt"].seconds, large["floor"].seconds, large["polars"].seconds
    full = large["dbt_full"].seconds
    marginal = (a - small["dbt"].seconds) / (b - small["floor"].seconds)
    floor_full = large["floor_full"].seconds
    marginal_full = (full - small["dbt_full"].seconds) / (floor_full - small["floor_full"].seconds)
    print(
        f"lines={lines} dbt/floor={a / b:.2f} marginal_dbt/floor={marginal:.2f} "
        f"dbt_full/floor_full={full / floor_full:.2f} marginal_full/floor_full={marginal_full:.2f} "
        f"dbt/polars={a / c:.2f} "
        f"incremental/full={(incremental.seconds - overhead.seconds) / (full - overhead.seconds):.2f} "
        f"peak_mb={large['dbt_full'].peak_mb:.0f} overhead_s={overhead.seconds:.1f} "
        f"full_s={full:.1f} {revisions}"
    )


def node_seconds(work: Path, name: str) -> float:
    """The execution time of one model in the last build of `work` (run_results.json)."""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return next(
        result["execution_time"] for result in results if result["unique_id"] == f"model.banenafspraak.{name}"
    )


def with_one_line_changed(data: Path, year_file: Path) -> None:
    """Replace the link to `year_file` in `data` by a copy in which one December line has
    8 paid hours more: a correction of an earlier year, as a redelivery brings it."""
    link = data / year_file.name
    link.unlink()
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (case when row_number() over () = (select min(rn) from "
            f"(select row_number() over () as rn, period_end from read_parquet('{year_file}')) "
            f"where month(period_end) = 12) then paid_hours + 8 else paid_hours end as "
            f"paid_hours) from read_parquet('{year_file}')) to '{link}' (format parquet)"
        )


def main_job(work: Path, payroll_dir: Path, *options: str) -> Measurement:
    """A timed main job (`banenafspraak run`) on `payroll_dir`, into `work`: its
    warehouse, target folder, logs and published/."""
    env = {
        **dbt_env(work / "warehouse.duckdb", payroll_dir),
        "BANENAFSPRAAK_PUBLISHED_DB": str(work / "published" / "banenafspraak.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    return measure([sys.executable, "-m", "banenafspraak", "run", *options], env=env)


def revision_rows(
    full_work: Path,
    full: Measurement,
    incremental_work: Path,
    data: Path,
    one_year: Measurement,
    overhead: Measurement,
    tiny: Path,
) -> str:
    """Step 7's rows: what the fingerprints cost in the full build, an unchanged redelivery
    (a plain dbt build, and the main job, which then runs only the fingerprints), and a
    redelivery with one changed earlier year (rule_input_fingerprints). The main job's fixed
    overhead is the whole job (build, validation, publish, report, the letter) on the tiny
    input."""
    # The fingerprints and the narrow scan they read (which the reconciliation shares).
    fingerprint_s = node_seconds(full_work, "int_input_fingerprints") + node_seconds(
        full_work, "int_payroll_lines_by_file_and_year"
    )
    unchanged = dbt_build(incremental_work, data, fresh=False)
    shutil.rmtree(tiny.parent / "main_tiny", ignore_errors=True)
    main_overhead = main_job(tiny.parent / "main_tiny", tiny)
    # The first main job on the incremental warehouse builds (no year changed) and publishes,
    # and records what it measured; the second finds nothing changed.
    shutil.rmtree(incremental_work / "published", ignore_errors=True)
    (incremental_work / "warehouse.measured.json").unlink(missing_ok=True)
    main_job(incremental_work, data)
    main_unchanged = main_job(incremental_work, data)
    assert "Nothing changed since the last run" in main_unchanged.output, main_unchanged.output
    earlier = sorted(data.glob("payroll_lines*.parquet"))[-3]
    with_one_line_changed(data, earlier.resolve())
    changed = dbt_build(incremental_work, data, fresh=False)
    # The build's own output, not logs/dbt.log: dbt rotates that file at 10 MB, mid-build.
    assert "payroll_lines changed" in changed.output, "the changed year was not rebuilt"
    line = (
        f"fingerprint_s={fingerprint_s:.2f} fingerprint/full={fingerprint_s / full.seconds:.3f} "
        f"unchanged_s={unchanged.seconds:.2f} (overhead_s={overhead.seconds:.2f} + "
        f"fingerprint_s={fingerprint_s:.2f}) main_job_unchanged_s={main_unchanged.seconds:.2f} "
        f"(main_job_overhead_s={main_overhead.seconds:.2f} + fingerprint_s={fingerprint_s:.2f}) "
        f"changed_year_s={changed.seconds:.2f} "
        f"changed_year/one_year={changed.seconds / one_year.seconds:.2f}"
    )
    print(line, flush=True)
    return line


def run_revisions(lines: int, work: Path) -> None:
    """Only step 7's rows, at `lines`: a full build, the incremental build of the last year,
    the tiny build for the fixed overhead, then the two redeliveries."""
    data = generate(work / f"data_{lines}", "--lines", str(lines))
    full_work = work / f"run_{lines}" / "dbt_full"
    full = dbt_build(full_work, data)
    tiny = generate(work / "data_tiny", "--persons", "300", "--years", "2012-2014")
    overhead = dbt_build(work / "run_tiny", tiny)
    partial, last_file = without_last_year(data, work / f"data_{lines}_partial")
    incremental_work = work / "run_incremental"
    dbt_build(incremental_work, partial)
    (partial / last_file.name).symlink_to(last_file)
    one_year = dbt_build(incremental_work, partial, fresh=False)
    print(
        f"lines={lines} full_s={full.seconds:.2f} incremental_s={one_year.seconds:.2f} "
        f"overhead_s={overhead.seconds:.2f}",
        flush=True,
    )
    revision_rows(full_work, full, incremental_work, partial, one_year, overhead, tiny)


# --- Engines mode: DuckDB against Spark (session and cluster) ---------------------------------

ENGINES = ("duckdb", "spark", "spark_cluster")
DEFAULT_ENGINE_SIZES = (1_000_000, 10_000_000, 30_000_000)
SAMPLE_SECONDS = 0.2
OUTPUT_TAIL_LINES = 15
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
JAVA_FRAME = re.compile(r"^\s+(at |\.\.\. \d+ more)")
SPARK_PROGRESS = re.compile(r"\[Stage \d+:[^\]]*\]|\r")


def terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def engine_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown engine(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(ENGINES)}"
        )
    return list(dict.fromkeys(names))


def size_list(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers of lines, got {text!r}") from None
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive numbers of lines, got {text!r}")
    return sizes


@dataclass
class SparkSettings:
    cores: int
    session_memory: str
    cluster_memory: str
    # Over Thrift, dbt-spark's unit test materialization now and then gets no rows back
    # ("'NoneType' object is not iterable"; dbt-labs/dbt-adapters issue 481), a different unit
    # test each run, so the cluster's build leaves them out unless asked; they are a fixed cost.
    cluster_unit_tests: bool = False


def process_table() -> dict[int, int]:
    """Parent pid of every process now (from /proc/<pid>/stat)."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # After the command name in parentheses (which may hold spaces): state, ppid, ...
        parents[int(entry.name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    return parents


def process_tree(roots: Iterable[int], parents: dict[int, int]) -> set[int]:
    """The roots that are alive and all their descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree: set[int] = set()
    stack = [pid for pid in roots if pid in parents]
    while stack:
        pid = stack.pop()
        if pid not in tree:
            tree.add(pid)
            stack.extend(children.get(pid, ()))
    return tree


def resident_mb(pid: int) -> float:
    """VmRSS of one process in MB; 0 when it is gone (or a kernel thread)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


class TreeMemorySampler:
    """Samples, every SAMPLE_SECONDS in a thread, the summed resident memory of process trees
    (named groups, each given by a function returning its root pids) and keeps each group's max.
    Shared pages (libraries) count once per process, so the sum is a slight overestimate."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]]):
        self.groups = groups
        self.peak_mb = {name: 0.0 for name in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        parents = process_table()
        for name, roots in self.groups.items():
            total = sum(resident_mb(pid) for pid in process_tree(roots(), parents))
            self.peak_mb[name] = max(self.peak_mb[name], total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """One command of the engines mode: wall time, exit code, output, peak memory per group."""

    command: list[str]
    seconds: float
    returncode: int
    log: Path
    peak_mb: dict[str, float] = field(default_factory=dict)
    leftovers: int = 0

    def tail(self, lines: int = OUTPUT_TAIL_LINES) -> str:
        """The last lines of the output, without colours and Java stack frames."""
        text = SPARK_PROGRESS.sub("", ANSI_COLOUR.sub("", self.log.read_text(errors="replace")))
        kept = [line for line in text.splitlines() if line.strip() and not JAVA_FRAME.match(line)]
        return "\n".join(kept[-lines:])


def stop_process_group(pgid: int, grace: float = 10.0) -> int:
    """Processes left in the group (a JVM that outlived dbt): wait `grace` seconds for them, then
    SIGTERM and SIGKILL. Returns how many were left after the grace period."""

    def members() -> list[int]:
        """The live (not zombie) processes of the group."""
        members = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as handle:
                        fields = handle.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                # state, ppid, pgrp
                if int(fields[2]) == pgid and fields[0] != b"Z":
                    members.append(int(entry.name))
        return members

    deadline = time.monotonic() + grace
    while members() and time.monotonic() < deadline:
        time.sleep(0.2)
    left = members()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not members():
            break
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 10
        while members() and time.monotonic() < deadline:
            time.sleep(0.2)
    return len(left)


def run_sampled(
    command: list[str],
    env: dict[str, str],
    log: Path,
    timeout: float,
    other_groups: dict[str, Callable[[], Iterable[int]]] | None = None,
) -> Run:
    """Run `command` (its own process group, output to `log`), timing it and sampling the memory
    of its process tree (group "client") and of `other_groups`. Never raises on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        groups = {"client": lambda: [process.pid], **(other_groups or {})}
        timed_out = threading.Event()

        def stop_on_timeout() -> None:
            timed_out.set()
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    return
                time.sleep(30)

        timer = threading.Timer(timeout, stop_on_timeout)
        timer.daemon = True
        timer.start()
        with TreeMemorySampler(groups) as sampler:
            # wait4 rather than wait: its maximum resident set (of the child, or of the largest
            # descendant it waited for) bounds the sampled peak from below.
            try:
                # Polled, so that the main thread sees a Ctrl-C whichever thread receives it.
                while True:
                    waited, status, usage = os.wait4(process.pid, os.WNOHANG)
                    if waited:
                        break
                    time.sleep(0.05)
            except BaseException:  # Ctrl-C: the group is a session of its own, stop it too
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                stop_process_group(process.pid, grace=30)
                process.wait()
                raise
        timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if timed_out.is_set():
            output.write(f"\n[benchmark] stopped after {timeout:.0f} s (--build-timeout)\n")
    sampler.peak_mb["client"] = max(sampler.peak_mb["client"], usage.ru_maxrss / 1024)
    leftovers = stop_process_group(process.pid)
    return Run(command, seconds, process.returncode, log, sampler.peak_mb, leftovers)


def load_engines():
    """banenafspraak.engines (server start/stop and the engines' environment), imported only when
    an engine other than DuckDB is benchmarked."""
    from banenafspraak import engines

    return engines


@dataclass
class EngineResult:
    engine: str
    lines: int
    ok: bool = False
    problem: str = ""  # why it failed, with the output tail
    build: Run | None = None
    cluster_start_s: float | None = None
    cluster_stop_s: float | None = None
    cluster_peak_mb: float | None = None
    cells: int = 0
    jobs: dict[tuple, float] | None = None
    jobs_read: str = ""  # how fct_jobs was read: duckdb, parquet (with DuckDB), thrift, pyspark
    note: str = ""  # what the build left out

    @property
    def seconds(self) -> float:
        return self.build.seconds if self.build else float("nan")

    @property
    def client_peak_mb(self) -> float:
        return self.build.peak_mb["client"] if self.build else float("nan")

    @property
    def peak_mb(self) -> float:
        """The whole engine's peak: for spark_cluster the client's plus the cluster's."""
        return self.client_peak_mb + (self.cluster_peak_mb or 0.0)


JOBS_QUERY = (
    "select measurement_year, sector, employment_form, cast(jobs as double) as jobs from marts.fct_jobs"
)

# fct_jobs through a local PySpark on the run's metastore (the profile's settings for target
# spark), for a table that is not Parquet; prints the rows as JSON.
PYSPARK_READER = """
import json, sys
from pyspark.sql import SparkSession
state, query = sys.argv[1], sys.argv[2]
spark = (SparkSession.builder.master("local[1]").appName("benchmark: read fct_jobs")
         .config("spark.sql.warehouse.dir", state + "/warehouse")
         .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                 "jdbc:derby:;databaseName=" + state + "/metastore_db;create=true")
         .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + state)
         .config("spark.ui.enabled", "false").enableHiveSupport().getOrCreate())
rows = [list(row) for row in spark.sql(query).collect()]
spark.stop()
print(json.dumps(rows))
"""


def parquet_files(table: Path) -> list[Path]:
    """The Parquet files of a Spark table folder (by their magic bytes: a Hive-format Parquet
    table names its files part-...-c000, without .parquet)."""
    files = []
    for path in sorted(table.rglob("*")) if table.is_dir() else []:
        if path.is_file() and not path.name.startswith((".", "_")):
            with path.open("rb") as handle:
                if handle.read(4) == b"PAR1":
                    files.append(path)
    return files


def as_jobs(rows: Iterable[Iterable]) -> dict[tuple, float]:
    return {(int(y), s, f): float(j) for y, s, f, j in rows}


def spark_jobs(state: Path, env: dict[str, str], cluster=None) -> tuple[dict[tuple, float], str]:
    """fct_jobs as Spark built it, and how it was read: the Parquet files in the Hive warehouse
    (<state>/warehouse/marts.db/fct_jobs) with DuckDB when the table is Parquet; otherwise
    through the engine: the running cluster's Thrift server, or a local PySpark on the run's
    metastore."""
    table = state / "warehouse" / "marts.db" / "fct_jobs"
    files = parquet_files(table)
    if files:
        import duckdb

        with duckdb.connect() as connection:
            rows = connection.execute(
                JOBS_QUERY.replace("marts.fct_jobs", "read_parquet(?)"), [[str(p) for p in files]]
            ).fetchall()
        return as_jobs(rows), "parquet"
    if cluster is not None:
        from pyhive import hive

        connection = hive.connect(host="127.0.0.1", port=int(cluster.env["BANENAFSPRAAK_THRIFT_PORT"]))
        try:
            cursor = connection.cursor()
            cursor.execute(JOBS_QUERY)
            return as_jobs(cursor.fetchall()), "thrift"
        finally:
            connection.close()
    completed = subprocess.run(
        [sys.executable, "-c", PYSPARK_READER, str(state.resolve()), JOBS_QUERY],
        cwd=state,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"PySpark could not read marts.fct_jobs:\n{completed.stderr[-2000:]}")
    return as_jobs(json.loads(completed.stdout.strip().splitlines()[-1])), "pyspark"


def jobs_difference(reference: dict, other: dict) -> str | None:
    """Why `other` differs from `reference` (jobs per cell, 1e-9 relative), or None."""
    if reference.keys() != other.keys():
        return f"different cells: {sorted(set(reference) ^ set(other), key=str)[:10]}"
    worst_key = max(
        reference, key=lambda k: abs(reference[k] - other[k]) / max(1.0, abs(reference[k])), default=None
    )
    if worst_key is None:
        return "fct_jobs is empty"
    worst = abs(reference[worst_key] - other[worst_key]) / max(1.0, abs(reference[worst_key]))
    if worst > 1e-9:
        return (
            f"jobs differ by up to {worst:.2e} (relative), e.g. {worst_key}: "
            f"DuckDB {reference[worst_key]} against {other[worst_key]}"
        )
    return None


def failed_nodes(run_results: Path, limit: int = 10) -> str:
    """What dbt's run_results.json says failed: the nodes and the first line of each message."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return ""
    bad = [r for r in results if r.get("status") in ("error", "fail", "runtime error")]
    skipped = sum(1 for r in results if r.get("status") == "skipped")
    if not bad:
        return ""
    lines = [f"; {len(bad)} node(s) failed, {skipped} skipped:"]
    for r in bad[:limit]:
        message = " ".join((r.get("message") or "").split()).split(" == SQL ==")[0]
        # Not "Runtime Error in model <name> (<path>) Runtime Error": the node is named already.
        message = re.sub(r"^(\w+ )?Error in \S+ \S+ \([^)]*\) ", "", message)
        lines.append(f"    {r['unique_id']}: {message[:240]}")
    if len(bad) > limit:
        lines.append(f"    ... and {len(bad) - limit} more")
    return "\n".join(lines)


def engine_build(
    engine: str, lines: int, data: Path, folder: Path, spark: SparkSettings, timeout: float
) -> EngineResult:
    """One full `dbt build --target <engine>` from fresh state in `folder`; never raises for a
    failing build or a missing engine, the result says what went wrong."""
    result = EngineResult(engine, lines)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = dbt_env(folder / "warehouse.duckdb", data)
    state = folder / "state"
    dbt = [str(BIN_DIR / "dbt")]
    common = ["--target", engine, "--target-path", str(folder / "target"), "--log-path", str(folder / "logs")]

    def failed(what: str, run: Run | None = None) -> EngineResult:
        result.problem = what
        if run is not None:
            result.problem += f" (exit code {run.returncode} after {run.seconds:.1f} s)"
            result.problem += failed_nodes(folder / "target" / "run_results.json")
            result.problem += f"\n  last lines of its output ({run.log}):\n    " + run.tail().replace(
                "\n", "\n    "
            )
        return result

    try:
        if engine == "spark":
            env.update(
                load_engines().spark_session_env(state, cores=spark.cores, memory=spark.session_memory)
            )
        elif engine == "spark_cluster":
            engines = load_engines()
            engines.require_java()
    except Exception as error:  # EngineUnavailable, or the package not installed
        return failed(f"{engine} is not available: {type(error).__name__}: {error}")

    # Parse first, untimed (as in dbt_build above): the timed build parses partially.
    parse = run_sampled([*dbt, "parse", *common], env, folder / "parse.log", timeout)
    if parse.returncode != 0:
        return failed("dbt parse failed", parse)

    build_command = [*dbt, "build", *common]
    if engine == "spark_cluster" and not spark.cluster_unit_tests:
        build_command += ["--exclude-resource-type", "unit_test"]
        result.note = "without unit tests"
    jobs_problem = ""
    if engine == "spark_cluster":
        start = time.perf_counter()
        cluster = None
        try:
            cluster = engines.SparkCluster(state, cores=spark.cores, memory=spark.cluster_memory)
            cluster.__enter__()
        except Exception as error:
            if cluster is not None:
                try:  # whatever it started before failing
                    cluster.__exit__(type(error), error, error.__traceback__)
                except Exception:
                    pass
            return failed(f"the Spark cluster did not start: {type(error).__name__}: {error}")
        result.cluster_start_s = time.perf_counter() - start
        try:
            build = run_sampled(
                build_command,
                {**env, **cluster.env},
                folder / "build.log",
                timeout,
                other_groups={"cluster": lambda: list(cluster.pids)},
            )
            if build.returncode == 0:
                try:  # while the cluster runs, in case the table is not Parquet
                    result.jobs, result.jobs_read = spark_jobs(state, env, cluster)
                except Exception as error:
                    jobs_problem = f"{type(error).__name__}: {error}"
        finally:
            stop = time.perf_counter()
            try:
                cluster.__exit__(None, None, None)
            except Exception as error:  # a JVM that survived SIGKILL: say so, go on
                stop_problem = f"the Spark cluster did not stop: {type(error).__name__}: {error}"
            else:
                stop_problem = ""
            result.cluster_stop_s = time.perf_counter() - stop
        result.cluster_peak_mb = build.peak_mb["cluster"]
        if stop_problem:
            result.build = build
            return failed(stop_problem)
    else:
        build = run_sampled(build_command, env, folder / "build.log", timeout)
    result.build = build
    if build.returncode != 0:
        return failed("dbt build failed", build)
    try:
        if engine == "duckdb":
            result.jobs, result.jobs_read = dbt_jobs(folder), "duckdb"
        elif engine == "spark":
            result.jobs, result.jobs_read = spark_jobs(state, env)
        elif result.jobs is None:
            raise RuntimeError(jobs_problem)
    except Exception as error:
        return failed(f"could not read fct_jobs: {error}")
    result.cells = len(result.jobs)
    result.ok = True
    return result


def engine_line(result: EngineResult, reference: EngineResult | None) -> str:
    head = f"lines={result.lines} engine={result.engine}"
    if not result.ok:
        peak = f" (peak_mb={result.peak_mb:.0f} until then)" if result.build else ""
        if result.cluster_start_s is not None:
            peak += f" (cluster_start_s={result.cluster_start_s:.1f})"
        return f"{head} FAILED{peak}: {result.problem}"
    parts = [head, f"build_s={result.seconds:.2f}"]
    if result.note:
        parts.append(f"({result.note})")
    if result.engine == "spark_cluster":
        parts += [
            f"client_peak_mb={result.client_peak_mb:.0f}",
            f"cluster_peak_mb={result.cluster_peak_mb:.0f}",
            f"cluster_start_s={result.cluster_start_s:.1f}",
            f"cluster_stop_s={result.cluster_stop_s:.1f}",
        ]
    else:
        parts.append(f"peak_mb={result.peak_mb:.0f}")
    if reference is not None and reference.ok and result is not reference:
        parts += [
            f"time/duckdb={result.seconds / reference.seconds:.2f}",
            f"peak/duckdb={result.peak_mb / reference.peak_mb:.2f}",
        ]
    parts.append(f"cells={result.cells} jobs_read={result.jobs_read}")
    if result.engine != "duckdb":
        parts.append(
            "(jobs = duckdb)"
            if reference is not None and reference.ok
            else "(jobs not compared: no DuckDB build)"
        )
    if result.build and result.build.leftovers:
        parts.append(f"[{result.build.leftovers} process(es) outlived dbt and were stopped]")
    return " ".join(parts)


def least_squares(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Intercept and slope of y = a + b x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - slope * mean_x, slope


def summary(results: list[EngineResult], engines: list[str], sizes: list[int]) -> str:
    """The markdown table and the fitted scaling of each engine."""
    by_key = {(r.lines, r.engine): r for r in results}
    out = [
        "",
        "| lines | engine | build s | time / DuckDB | peak MB | peak / DuckDB | "
        "cluster start s | jobs = DuckDB |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    notes = {r.engine: r.note for r in results if r.note}
    for lines in sizes:
        reference = by_key.get((lines, "duckdb"))
        for engine in engines:
            r = by_key.get((lines, engine))
            if r is None:  # an interrupted run
                continue
            if not r.ok:
                out.append(
                    f"| {lines:,} | {engine} | failed | | | | "
                    f"{'' if r.cluster_start_s is None else f'{r.cluster_start_s:.1f}'} | |"
                )
                continue
            has_reference = reference is not None and reference.ok
            peak = f"{r.peak_mb:,.0f}"
            if engine == "spark_cluster":
                peak += f" ({r.client_peak_mb:,.0f} client + {r.cluster_peak_mb:,.0f} cluster)"
            out.append(
                f"| {lines:,} | {engine} | {r.seconds:.1f} | "
                f"{f'{r.seconds / reference.seconds:.2f}' if has_reference else ''} | {peak} | "
                f"{f'{r.peak_mb / reference.peak_mb:.2f}' if has_reference else ''} | "
                f"{'' if r.cluster_start_s is None else f'{r.cluster_start_s:.1f}'} | "
                f"{'reference' if engine == 'duckdb' else ('yes' if has_reference else 'not compared')} |"
            )
    for engine, note in notes.items():
        out.append(f"\n{engine}: the build {note}.")
    out.append("")
    out.append(
        "Scaling (seconds per million lines between sizes; fit: build s = fixed + slope x "
        "million lines, least squares over the sizes; peak MB likewise):"
    )
    fits = {}
    for engine in engines:
        done = [by_key[(n, engine)] for n in sizes if (n, engine) in by_key and by_key[(n, engine)].ok]
        if len(done) < 2:
            out.append(f"  {engine}: fewer than two successful sizes, no slope")
            continue
        steps = ", ".join(
            f"{a.lines / 1e6:g}->{b.lines / 1e6:g}M: "
            f"{(b.seconds - a.seconds) / ((b.lines - a.lines) / 1e6):.2f} s/M"
            for a, b in zip(done, done[1:])
        )
        fixed, slope = least_squares([(r.lines / 1e6, r.seconds) for r in done])
        mem_fixed, mem_slope = least_squares([(r.lines / 1e6, r.peak_mb) for r in done])
        fits[engine] = (fixed, slope)
        out.append(
            f"  {engine}: {steps}; fit fixed_s={fixed:.2f} slope_s_per_M={slope:.3f} "
            f"(peak: fixed_mb={mem_fixed:.0f} slope_mb_per_M={mem_slope:.1f})"
        )
    if "duckdb" in fits:
        duck_fixed, duck_slope = fits["duckdb"]
        for engine, (fixed, slope) in fits.items():
            if engine == "duckdb":
                continue
            if slope < duck_slope:
                crossing = (fixed - duck_fixed) / (duck_slope - slope)
                out.append(
                    f"  {engine} against duckdb: the fitted lines cross at {crossing:,.1f} M "
                    "lines (at the measured slopes)"
                    if crossing > 0
                    else f"  {engine} against duckdb: faster at every size on the fitted lines"
                )
            else:
                out.append(
                    f"  {engine} against duckdb: slope {slope / duck_slope:.1f}x DuckDB's, "
                    "the fitted lines do not cross at larger sizes (at the measured slopes)"
                )
    return "\n".join(out)


def run_engines(
    engines: list[str], sizes: list[int], work: Path, spark: SparkSettings, timeout: float
) -> bool:
    """Engines mode; True when every build succeeded and agreed with DuckDB."""
    results: list[EngineResult] = []
    try:
        return engine_runs(engines, sizes, work, spark, timeout, results)
    except BaseException as stop:  # Ctrl-C, SIGTERM or a bug: what was measured until then
        print(f"\nStopped ({type(stop).__name__}: {stop}); the builds that finished:", flush=True)
        done = list(results)
        print(
            summary(
                done,
                [e for e in engines if any(r.engine == e for r in done)],
                sorted({r.lines for r in done}),
            ),
            flush=True,
        )
        raise


def engine_runs(
    engines: list[str],
    sizes: list[int],
    work: Path,
    spark: SparkSettings,
    timeout: float,
    results: list[EngineResult],
) -> bool:
    """The builds of run_engines, each result appended to `results` as it comes."""
    ok = True
    for lines in sizes:
        start = time.perf_counter()
        data = generate(work / f"data_{lines}", "--lines", str(lines))
        print(f"lines={lines} data={data} ready in {time.perf_counter() - start:.1f} s", flush=True)
        reference = None
        for engine in engines:
            result = engine_build(engine, lines, data, work / f"engines_{lines}" / engine, spark, timeout)
            if engine == "duckdb":
                reference = result
            elif result.ok and reference is not None and reference.ok:
                difference = jobs_difference(reference.jobs, result.jobs)
                if difference:
                    result.ok = False
                    result.problem = f"fct_jobs differs from DuckDB's: {difference}"
            ok = ok and result.ok
            results.append(result)
            print(engine_line(result, reference), flush=True)
    print(summary(results, engines, sizes), flush=True)
    return ok


if __name__ == "__main__":
    main()
