"""The person-level path on a small generated population, in Parquet and in CSV."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from conftest import PROJECT_DIR, banenafspraak, run_dbt

SMALL = ("--persons", "400", "--years", "2012-2016")


def generate(folder, *options):
    subprocess.run(
        [*banenafspraak("generate-payroll"), "--out", str(folder), *options], check=True, capture_output=True
    )
    return folder


def checksums(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_the_generator_is_deterministic(tmp_path):
    first = checksums(generate(tmp_path / "a", *SMALL))
    second = checksums(generate(tmp_path / "b", *SMALL))
    assert first == second
    assert any(name.startswith("payroll_lines_2016") for name in first)


def test_another_seed_gives_another_population(tmp_path):
    assert checksums(generate(tmp_path / "a", *SMALL)) != checksums(
        generate(tmp_path / "b", *SMALL, "--seed", "7")
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    runs = {}
    for fmt in ("parquet", "csv"):
        data = generate(root / f"data_{fmt}", *SMALL, "--format", fmt)
        run = run_dbt(PROJECT_DIR, root / f"work_{fmt}", "build", payroll_dir=data, payroll_format=fmt)
        assert run.returncode == 0, run.output[-5000:]
        runs[fmt] = run
    return runs


def marts(run):
    with run.connect() as connection:
        return {
            table: connection.execute(f"select * from marts.{table} order by all").fetchall()
            for table in (
                "fct_jobs",
                "mart_baseline_comparison",
                "mart_year_on_year",
                "mart_formal_loan_breakdown",
            )
        }


def test_parquet_and_csv_give_the_same_marts(builds):
    assert marts(builds["parquet"]) == marts(builds["csv"])


def test_every_year_reconciles_and_the_population_works(builds):
    with builds["parquet"].connect() as connection:
        rows = connection.execute(
            "select measurement_year, input_lines, counted_hours, unexplained_lines, "
            "unexplained_hours from intermediate.int_payroll_hours_reconciled order by 1"
        ).fetchall()
        years = [
            year
            for (year,) in connection.execute(
                "select distinct measurement_year from marts.fct_jobs order by 1"
            ).fetchall()
        ]
    assert [row[0] for row in rows] == list(range(2012, 2017)) == years
    assert all(row[1] > 0 and row[2] > 0 for row in rows)
    assert all(row[3] == 0 and row[4] == 0 for row in rows)


def test_the_coverage_gates_hold_for_the_person_level_models(builds):
    run = builds["parquet"]
    docs = run_dbt(
        PROJECT_DIR,
        run.target_dir.parent,
        "docs",
        "generate",
        payroll_dir=run.warehouse.parent.parent / "data_parquet",
    )
    assert docs.returncode == 0, docs.output[-3000:]
    completed = subprocess.run(
        [
            *banenafspraak("check-coverage"),
            "--target-path",
            str(run.target_dir),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-6000:]
    assert "stg_payroll__payroll_lines" in (run.target_dir / "catalog.json").read_text()


def test_source_freshness_runs_on_the_person_level_files(builds):
    run = builds["parquet"]
    freshness = run_dbt(
        PROJECT_DIR,
        run.target_dir.parent,
        "source",
        "freshness",
        payroll_dir=run.warehouse.parent.parent / "data_parquet",
    )
    assert freshness.returncode == 0, freshness.output[-3000:]
    results = json.loads((run.target_dir / "sources.json").read_text())["results"]
    assert {result["unique_id"].split(".")[-1]: result["status"] for result in results}.keys() == {
        "payroll_lines",
        "target_group_register",
        "employers",
    }
    assert {result["status"] for result in results} <= {"pass", "warn"}


MARTS = (
    "fct_jobs",
    "mart_baseline_comparison",
    "mart_year_on_year",
    "mart_formal_loan_breakdown",
    "mart_government_subsectors",
    "mart_regions",
    "mart_quota_percentages",
    "mart_quota_levy",
    "mart_target_projection",
    "mart_merged_measurement",
)


# The one mart that is per employer by law: the quota levy is computed per employer (fiscal
# number), so mart_quota_levy carries the extract's pseudonymous employer_id. No mart holds a
# person id; counts of persons (`persons`) are numbers, suppressed below 10.
EMPLOYER_LEVEL = {("mart_quota_levy", "employer_id")}


def test_no_mart_column_holds_a_person_or_employer_identifier(builds):
    """Walk every column of every mart: no value is an id from the input, no column is named so,
    except the employer id of the quota levy, which is per employer by law."""
    run = builds["parquet"]
    data = run.warehouse.parent.parent / "data_parquet"
    with run.connect() as connection:
        connection.execute(
            f"create temp table input_ids as "
            f"select person_id as id from read_parquet('{data}/payroll_lines*.parquet') union "
            f"select employer_id from read_parquet('{data}/payroll_lines*.parquet') union "
            f"select employer_id from read_parquet('{data}/employers*.parquet')"
        )
        (n_ids,) = connection.execute("select count(*) from input_ids").fetchone()
        columns = connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by all"
        ).fetchall()
        leaks = []
        for table, column in columns:
            (n,) = connection.execute(
                f"select count(*) from marts.{table} join input_ids "
                f"on cast({column} as varchar) = input_ids.id"
            ).fetchone()
            if (table, column) in EMPLOYER_LEVEL:
                continue
            if n or column.endswith("_id") or column.startswith("person_"):
                leaks.append((table, column, n))
        # The same walk finds the ids where they do live: the staged payroll lines.
        (found,) = connection.execute(
            "select count(*) from staging.stg_payroll__payroll_lines join input_ids "
            "on cast(person_id as varchar) = input_ids.id"
        ).fetchone()
    assert n_ids > 0 and found > 0
    assert {table for table, _ in columns} == set(MARTS)
    assert not leaks


def checksum(run) -> dict[str, tuple[int, str | None]]:
    """Rows and an md5 of the content per mart (None for an empty mart)."""
    with run.connect() as connection:
        return {
            table: connection.execute(
                f"select count(*), md5(string_agg(cast(t as varchar), '|' "
                f"order by cast(t as varchar))) from marts.{table} as t"
            ).fetchone()
            for table in MARTS
        }


def test_two_builds_of_the_same_input_give_identical_marts(builds, tmp_path):
    first = builds["parquet"]
    data = first.warehouse.parent.parent / "data_parquet"
    second = run_dbt(PROJECT_DIR, tmp_path / "again", "build", payroll_dir=data)
    assert second.returncode == 0, second.output[-3000:]
    assert checksum(first) == checksum(second)
    # Not a comparison of empty tables: every mart has rows on this population, except the
    # quota levy, whose quota years start in 2017, after this population's last year.
    empty = sorted(mart for mart, (rows, _) in checksum(second).items() if rows == 0)
    assert empty == ["mart_quota_levy"], empty
