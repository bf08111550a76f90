"""Benchmark the dbt build on person-level data against the floor, polars and itself.

Usage (in the virtual environment, after `pip install -r requirements-bench.txt`):

    python bench/benchmark.py                  # 30 million payroll lines and 3 million
    python bench/benchmark.py --lines 3000000  # a quicker run

For each size (N and N/10) it generates data with scripts/generate_payroll.py (kept in the work
folder and reused), then measures wall time and peak memory (the child process's maximum
resident set) of:

  (a) `dbt build --selector letter` on the person-level data (the four marts of the letter and
      everything they are built from, tests included), into a fresh warehouse: the same work
      as (b) and (c);
  (a+) the full `dbt build`, as the main job runs it: (a) plus the marts beyond the letter
      (projection, merged measurement, subsectors, regions, quota levy) and the semantic layer;
  (b) the floor: bench/floor.sql, the same validations and measurement as one DuckDB script;
  (c) the same job in polars (bench/polars_job.py);
and, at N only:
  (d) an incremental full `dbt build` that adds one measurement year to a warehouse holding the
      others;
  (e) dbt's fixed overhead: a full build on a tiny input.

It checks that (a), (b) and (c) give the same jobs per year, sector and form, prints one line
per size and, last, the summary line:

  lines=N dbt/floor=a/b marginal_dbt/floor=(a(N)-a(N/10))/(b(N)-b(N/10)) dbt/polars=a/c
  incremental/full=(d-e)/(a+ - e) peak_mb=<peak of (a+)> overhead_s=e full_s=a+
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
MEMORY_LIMIT = "2560MB"  # the same as profiles.yml, for the floor
THREADS = 2


@dataclass
class Measurement:
    seconds: float
    peak_mb: float


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path = PROJECT_DIR) -> Measurement:
    """Run `command`, return its wall time and the peak resident memory of the child."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{output[-5000:]}")
    return Measurement(seconds, usage.ru_maxrss / 1024)


def generate(folder: Path, *options: str) -> Path:
    """Generated person-level data, reused when the same options made it before."""
    stamp = folder / "options.json"
    if stamp.exists() and json.loads(stamp.read_text()) == list(options):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "generate_payroll.py"),
                    "--out", str(folder), *options], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    stamp.write_text(json.dumps(list(options)))
    return folder


def dbt_env(warehouse: Path, payroll_dir: Path) -> dict[str, str]:
    return {**os.environ, "BANENAFSPRAAK_DB": str(warehouse),
            "BANENAFSPRAAK_PAYROLL_DIR": str(payroll_dir), "BANENAFSPRAAK_PAYROLL_FORMAT": "parquet",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def dbt_build(work: Path, payroll_dir: Path, fresh: bool = True,
              selector: str | None = None) -> Measurement:
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
import sys, duckdb, csv
sql, out = open(sys.argv[1]).read(), sys.argv[2]
connection = duckdb.connect()
connection.execute("set memory_limit = '{memory}'; set threads = {threads}")
*setup, report = [s for s in sql.split(';') if s.strip()]
for statement in setup:
    connection.execute(statement)
problems = [row for row in connection.execute(report).fetchall() if row[1]]
if problems:
    sys.exit(f'input problems: {{problems}}')
rows = connection.execute('select * from jobs order by all').fetchall()
with open(out, 'w', newline='') as handle:
    csv.writer(handle).writerows(rows)
"""


def floor(work: Path, payroll_dir: Path) -> Measurement:
    sql = (PROJECT_DIR / "bench" / "floor.sql").read_text()
    sql = sql.replace("$payroll_dir", str(payroll_dir)).replace("$seeds_dir", str(PROJECT_DIR / "seeds"))
    script = work / "floor.sql"
    script.write_text(sql)
    return measure([sys.executable, "-c", FLOOR_RUNNER.format(memory=MEMORY_LIMIT, threads=THREADS),
                    str(script), str(work / "floor_jobs.csv")])


def polars_job(work: Path, payroll_dir: Path) -> Measurement:
    env = {**os.environ, "POLARS_MAX_THREADS": str(THREADS)}
    return measure([sys.executable, str(PROJECT_DIR / "bench" / "polars_job.py"), str(payroll_dir),
                    str(PROJECT_DIR / "seeds"), str(work / "polars_jobs.csv")], env=env)


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
        "polars": polars_job(size_work, data),
    }
    reference = dbt_jobs(size_work / "dbt")
    same_jobs(reference, dbt_jobs(size_work / "dbt_full"), "full build")
    same_jobs(reference, csv_jobs(size_work / "floor_jobs.csv", header=False), "floor")
    same_jobs(reference, csv_jobs(size_work / "polars_jobs.csv", header=True), "polars")
    print(
        f"lines={lines} dbt_s={results['dbt'].seconds:.2f} "
        f"dbt_full_s={results['dbt_full'].seconds:.2f} floor_s={results['floor'].seconds:.2f} "
        f"polars_s={results['polars'].seconds:.2f} dbt_peak_mb={results['dbt'].peak_mb:.0f} "
        f"dbt_full_peak_mb={results['dbt_full'].peak_mb:.0f} "
        f"floor_peak_mb={results['floor'].peak_mb:.0f} polars_peak_mb={results['polars'].peak_mb:.0f} "
        f"cells={len(reference)} (dbt = dbt full = floor = polars)",
        flush=True,
    )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=30_000_000,
                        help="the largest size in payroll lines (default 30 million); N/10 runs too")
    parser.add_argument("--work", type=Path,
                        help="folder for generated data and warehouses (default: a temporary one, "
                        "removed afterwards); pass one to reuse generated data between runs")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="banenafspraak-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        small = run_size(args.lines // 10, work)
        large = run_size(args.lines, work)

        tiny = generate(work / "data_tiny", "--persons", "300", "--years", "2012-2014")
        overhead = dbt_build(work / "run_tiny", tiny)

        data = work / f"data_{args.lines}"
        partial, last_file = without_last_year(data, work / f"data_{args.lines}_partial")
        incremental_work = work / "run_incremental"
        dbt_build(incremental_work, partial)
        (partial / last_file.name).symlink_to(last_file)
        incremental = dbt_build(incremental_work, partial, fresh=False)
        same_jobs(dbt_jobs(work / f"run_{args.lines}" / "dbt_full"), dbt_jobs(incremental_work),
                  "incremental")
        print(f"incremental_s={incremental.seconds:.2f} overhead_s={overhead.seconds:.2f} "
              f"(incremental = full refresh)", flush=True)

        a, b, c = large["dbt"].seconds, large["floor"].seconds, large["polars"].seconds
        full = large["dbt_full"].seconds
        marginal = (a - small["dbt"].seconds) / (b - small["floor"].seconds)
        print(
            f"lines={args.lines} dbt/floor={a / b:.2f} marginal_dbt/floor={marginal:.2f} "
            f"dbt/polars={a / c:.2f} "
            f"incremental/full={(incremental.seconds - overhead.seconds) / (full - overhead.seconds):.2f} "
            f"peak_mb={large['dbt_full'].peak_mb:.0f} overhead_s={overhead.seconds:.1f} "
            f"full_s={full:.1f}"
        )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
