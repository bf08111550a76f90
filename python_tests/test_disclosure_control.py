"""Disclosure control of the breakdowns below sector level (rule_disclosure_control), proved on a
generated population with small and large cells.

Every expectation is computed here straight from the generated files with DuckDB (not from the
models): the persons and hours per subsector, per region and sector, and of the loans. The marts
are then held to it, and the linear system of everything that is published (the marts' values,
fct_jobs per year, sector and form) must leave every suppressed value undetermined: a value is
determined exactly when its unit vector lies in the row space of the system, i.e. when adding it
does not raise the rank.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from conftest import PROJECT_DIR, banenafspraak, run_dbt

# Enough persons for subsectors and market regions of 10 persons and more, few enough for
# subsectors and government regions with fewer (checked by the first test).
POPULATION = ("--persons", "6000", "--years", "2012-2015")
VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
MIN_PERSONS = VARS["disclosure_min_persons"]
HOURS_PER_JOB = VARS["hours_per_december_job"]
BASELINE_YEAR = VARS["baseline_year"]
MARTS = ("mart_government_subsectors", "mart_regions")
CONTRACT_COLUMNS = {
    "mart_government_subsectors": [
        ("measurement_year", "INTEGER"),
        ("employment_form", "VARCHAR"),
        ("government_subsector", "VARCHAR"),
        ("persons", "INTEGER"),
        ("jobs", "DOUBLE"),
        ("baseline_jobs", "DOUBLE"),
        ("extra_jobs", "DOUBLE"),
        ("extra_jobs_rounded", "INTEGER"),
        ("is_suppressed", "BOOLEAN"),
        ("suppression_reason", "VARCHAR"),
    ],
    "mart_regions": [
        ("measurement_year", "INTEGER"),
        ("labour_market_region", "VARCHAR"),
        ("sector", "VARCHAR"),
        ("persons", "INTEGER"),
        ("jobs", "DOUBLE"),
        ("baseline_jobs", "DOUBLE"),
        ("extra_jobs", "DOUBLE"),
        ("extra_jobs_rounded", "INTEGER"),
        ("is_suppressed", "BOOLEAN"),
        ("suppression_reason", "VARCHAR"),
    ],
}

# The counted December lines, straight from the files (CONTRACT section 2, rules 2-4): the
# period ends in December, the relation type counts, the person is in the register on 31
# December; a regular line takes its employer's row of that year.
COUNTED_LINES = """
    create table counted as
    with december as (
        select
            lines.person_id,
            lines.employer_id,
            lines.relation_type,
            lines.paid_hours,
            year(lines.period_end) as measurement_year
        from read_parquet('{data}/payroll_lines*.parquet') as lines
        where month(lines.period_end) = 12
            and lines.relation_type in ('regular', 'temp_agency', 'sheltered_secondment')
            and exists (
                select 1
                from read_parquet('{data}/target_group_register*.parquet') as register
                where register.person_id = lines.person_id
                    and register.valid_from <= make_date(year(lines.period_end), 12, 31)
                    and (register.valid_to is null
                         or register.valid_to >= make_date(year(lines.period_end), 12, 31))
            )
    )
    select
        december.*,
        employers.sector,
        employers.government_subsector,
        employers.labour_market_region
    from december
    left join read_parquet('{data}/employers*.parquet') as employers
        on employers.employer_id = december.employer_id
        and employers.year = december.measurement_year
        and december.relation_type = 'regular'
"""


def round_half_away_from_zero(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("disclosure") / "data"
    subprocess.run(
        [*banenafspraak("generate-payroll"), "--out", str(folder), *POPULATION],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="module")
def expected(generated) -> dict:
    """Per cell (measurement year and series) the persons with paid hours and the hours; the
    loans per year; the split keys. Keys: subsectors (year, form, subsector), regions
    (year, sector, region)."""
    with duckdb.connect() as connection:
        connection.execute(COUNTED_LINES.format(data=generated))
        subsectors = {
            (year, "formal", subsector): (persons, float(hours))
            for year, subsector, persons, hours in connection.execute(
                "select measurement_year, government_subsector, "
                "count(distinct person_id) filter (where paid_hours > 0), sum(paid_hours) "
                "from counted where relation_type = 'regular' and sector = 'government' "
                "group by all"
            ).fetchall()
        }
        regions = {
            (year, sector, region): (persons, float(hours))
            for year, sector, region, persons, hours in connection.execute(
                "select measurement_year, sector, labour_market_region, "
                "count(distinct person_id) filter (where paid_hours > 0), sum(paid_hours) "
                "from counted where relation_type = 'regular' group by all"
            ).fetchall()
        }
        loans = {
            year: (persons, float(hours))
            for year, persons, hours in connection.execute(
                "select measurement_year, count(distinct person_id) filter (where paid_hours > 0), "
                "sum(paid_hours) from counted where relation_type != 'regular' group by all"
            ).fetchall()
        }
        government_share = dict(
            connection.execute(
                f"select measurement_year, share from read_csv('{PROJECT_DIR}/seeds/split_keys.csv') "
                "where sector = 'government'"
            ).fetchall()
        )
    return {
        "subsectors": subsectors,
        "regions": regions,
        "loans": loans,
        "government_share": government_share,
    }


def threshold_with_one_small_subsector(expected) -> int:
    """The smallest threshold at which exactly one subsector is primarily suppressed, so that
    the year's sum must hide a second one (secondary suppression)."""
    smallest = {}
    for (_, form, subsector), (persons, _) in expected["subsectors"].items():
        smallest[(form, subsector)] = min(persons, smallest.get((form, subsector), persons))
    for threshold in range(2, MIN_PERSONS):
        if sum(persons < threshold for persons in smallest.values()) == 1:
            return threshold
    pytest.fail(f"no threshold leaves exactly one small subsector: {smallest}")


def minimum_of(builds: dict, threshold: str) -> int:
    """The var disclosure_min_persons of build `configured` or `secondary` (see `builds`)."""
    return MIN_PERSONS if threshold == "configured" else next(m for m in builds if m != MIN_PERSONS)


def read_marts(run) -> dict:
    with run.connect() as connection:
        marts = {}
        for mart in (*MARTS, "fct_jobs"):
            cursor = connection.execute(f"select * from marts.{mart}")
            columns = [column[0] for column in cursor.description]
            marts[mart] = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return marts


@pytest.fixture(scope="module")
def builds(generated, expected, tmp_path_factory) -> dict[int, dict]:
    """The marts of a build with var disclosure_min_persons as configured, and of the same
    warehouse with the two marts rebuilt at a threshold that needs secondary suppression."""
    work = tmp_path_factory.mktemp("disclosure_build")
    run = run_dbt(PROJECT_DIR, work / "configured", "build", payroll_dir=generated)
    assert run.returncode == 0, run.output[-5000:]
    result = {MIN_PERSONS: read_marts(run)}

    threshold = threshold_with_one_small_subsector(expected)
    other = work / f"threshold_{threshold}"
    other.mkdir()
    shutil.copy2(run.warehouse, other / "warehouse.duckdb")
    rebuilt = run_dbt(
        PROJECT_DIR,
        other,
        "build",
        "--select",
        *MARTS,
        "--vars",
        f"{{disclosure_min_persons: {threshold}}}",
        payroll_dir=generated,
    )
    assert rebuilt.returncode == 0, rebuilt.output[-5000:]
    result[threshold] = read_marts(rebuilt)
    return result


def expected_cells(expected) -> dict:
    """Every cell the marts should have: (mart, key) -> (persons, jobs). The loan row's jobs are
    the loan hours times the government's split key share."""
    cells = {}
    for key, (persons, hours) in expected["subsectors"].items():
        cells[("mart_government_subsectors", key)] = (persons, hours / HOURS_PER_JOB)
    for year, (persons, hours) in expected["loans"].items():
        share = float(expected["government_share"][year])
        cells[("mart_government_subsectors", (year, "loan", None))] = (persons, hours * share / HOURS_PER_JOB)
    for key, (persons, hours) in expected["regions"].items():
        cells[("mart_regions", key)] = (persons, hours / HOURS_PER_JOB)
    return {cell: value for cell, value in cells.items() if value[0] > 0}


def key_of(mart: str, row: dict) -> tuple:
    if mart == "mart_government_subsectors":
        return row["measurement_year"], row["employment_form"], row["government_subsector"]
    return row["measurement_year"], row["sector"], row["labour_market_region"]


def rows_by_cell(marts: dict) -> dict:
    return {(mart, key_of(mart, row)): row for mart in MARTS for row in marts[mart]}


def series_of(cell: tuple) -> tuple:
    mart, (_, *series) = cell
    return mart, tuple(series)


def baseline_of(cell: tuple) -> tuple:
    mart, (_, *series) = cell
    return mart, (BASELINE_YEAR, *series)


def sum_of(cell: tuple) -> tuple:
    """The published total (a key of fct_jobs) a cell adds up to with the other cells of its
    mart: the government's formal (or loan) jobs of a year, or a sector's formal jobs of a
    year. Both marts break the government's formal jobs down, each on its own."""
    mart, (year, group, _) = cell
    if mart == "mart_government_subsectors":
        return year, "government", group
    return year, group, "formal"


def published_system(rows: dict, fct_jobs: list[dict], variables: list[tuple]):
    """The linear equations of everything published, over the jobs of every cell: each
    published row's jobs, baseline_jobs and extra_jobs (= jobs - the baseline cell), and per
    year the totals of fct_jobs over the cells that add up to them. Returns A and b."""
    index = {cell: position for position, cell in enumerate(variables)}
    equations: list[tuple[dict, float]] = []
    for cell, row in rows.items():
        if row["is_suppressed"]:
            continue
        baseline = baseline_of(cell)
        equations.append(({cell: 1.0}, row["jobs"]))
        if baseline in index:
            equations.append(({baseline: 1.0}, row["baseline_jobs"]))
            if baseline != cell:
                equations.append(({cell: 1.0, baseline: -1.0}, row["extra_jobs"]))
        else:
            assert row["baseline_jobs"] == 0, (cell, row)
            equations.append(({cell: 1.0}, row["extra_jobs"]))
    totals = {(r["measurement_year"], r["sector"], r["employment_form"]): r["jobs"] for r in fct_jobs}
    members: dict[tuple, list[tuple]] = {}
    for cell in variables:
        members.setdefault((cell[0], sum_of(cell)), []).append(cell)
    for (_, total), cells in members.items():
        equations.append(({cell: 1.0 for cell in cells}, totals[total]))
    matrix = np.zeros((len(equations), len(variables)))
    right = np.zeros(len(equations))
    for number, (coefficients, value) in enumerate(equations):
        for cell, coefficient in coefficients.items():
            matrix[number, index[cell]] += coefficient
        right[number] = value
    return matrix, right


def determined(matrix: np.ndarray, variables: list[tuple], cells) -> set[tuple]:
    """The cells whose value the equations fix: adding the cell's unit vector keeps the rank."""
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell in cells:
        unit = np.zeros((1, len(variables)))
        unit[0, variables.index(cell)] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def test_the_population_has_small_and_large_cells(expected):
    for breakdown in ("subsectors", "regions"):
        persons = [value[0] for value in expected[breakdown].values()]
        assert any(0 < n < MIN_PERSONS for n in persons), breakdown
        assert any(n >= MIN_PERSONS for n in persons), breakdown


@pytest.mark.parametrize("threshold", ["configured", "secondary"])
def test_the_marts_hold_exactly_the_cells_with_persons(builds, expected, threshold):
    marts = builds[minimum_of(builds, threshold)]
    assert set(rows_by_cell(marts)) == set(expected_cells(expected))


@pytest.mark.parametrize("threshold", ["configured", "secondary"])
def test_every_cell_of_fewer_persons_is_suppressed_and_says_so(builds, expected, threshold):
    minimum = minimum_of(builds, threshold)
    rows = rows_by_cell(builds[minimum])
    small = {cell for cell, (persons, _) in expected_cells(expected).items() if persons < minimum}
    assert small, "no small cell to suppress"
    for cell, row in rows.items():
        if cell in small:
            assert row["is_suppressed"] and row["suppression_reason"] == "fewer_than_min_persons"
        elif row["is_suppressed"]:
            assert row["suppression_reason"] == "secondary", (cell, row)
        else:
            assert row["suppression_reason"] is None, (cell, row)
    # Step 2: a series is suppressed in every year or in none.
    by_series: dict[tuple, set[bool]] = {}
    for cell, row in rows.items():
        by_series.setdefault(series_of(cell), set()).add(row["is_suppressed"])
    assert all(len(states) == 1 for states in by_series.values())


def test_a_sum_that_hides_one_subsector_hides_a_second(builds, expected):
    minimum = minimum_of(builds, "secondary")
    rows = rows_by_cell(builds[minimum])
    primary = {
        series_of(cell)
        for cell, row in rows.items()
        if row["suppression_reason"] == "fewer_than_min_persons" and cell[0] == "mart_government_subsectors"
    }
    secondary_only = {
        series_of(cell)
        for cell, row in rows.items()
        if row["is_suppressed"] and cell[0] == "mart_government_subsectors"
    } - primary
    assert len(primary) == 1 and secondary_only, (primary, secondary_only)


@pytest.mark.parametrize("threshold", ["configured", "secondary"])
def test_every_published_value_equals_the_independent_computation(builds, expected, threshold):
    minimum = minimum_of(builds, threshold)
    rows = rows_by_cell(builds[minimum])
    cells = expected_cells(expected)
    published = 0
    for cell, row in rows.items():
        if row["is_suppressed"]:
            assert all(
                row[column] is None
                for column in ("persons", "jobs", "baseline_jobs", "extra_jobs", "extra_jobs_rounded")
            )
            continue
        published += 1
        persons, jobs = cells[cell]
        baseline_jobs = cells.get(baseline_of(cell), (0, 0.0))[1]
        assert row["persons"] == persons >= minimum
        assert row["jobs"] == pytest.approx(jobs, rel=1e-12)
        assert row["baseline_jobs"] == pytest.approx(baseline_jobs, rel=1e-12)
        assert row["extra_jobs"] == pytest.approx(jobs - baseline_jobs, rel=1e-9, abs=1e-9)
        assert row["extra_jobs_rounded"] == round_half_away_from_zero(jobs - baseline_jobs)
    assert published > 0


@pytest.mark.parametrize("threshold", ["configured", "secondary"])
def test_no_suppressed_value_can_be_computed_from_what_is_published(builds, expected, threshold):
    minimum = minimum_of(builds, threshold)
    marts = builds[minimum]
    rows = rows_by_cell(marts)
    variables = sorted(rows, key=repr)
    matrix, right = published_system(rows, marts["fct_jobs"], variables)
    # The system describes the publication: the true values (computed here) satisfy it.
    truth = np.array([expected_cells(expected)[cell][1] for cell in variables])
    assert np.allclose(matrix @ truth, right, rtol=1e-9, atol=1e-9)

    suppressed = [cell for cell in variables if rows[cell]["is_suppressed"]]
    assert suppressed
    # Only a cell that is alone in its sum is its published total (the rule says so).
    members: dict[tuple, int] = {}
    for cell in variables:
        members[(cell[0], sum_of(cell))] = members.get((cell[0], sum_of(cell)), 0) + 1
    alone = {cell for cell in suppressed if members[(cell[0], sum_of(cell))] == 1}
    assert determined(matrix, variables, suppressed) == alone


def test_the_proof_finds_the_leak_of_suppressing_small_cells_only(builds, expected):
    """The same check on a naive publication, which nulls only the cells of fewer persons: the
    extra jobs of a published year give a suppressed baseline away, so the check must fail."""
    rows = rows_by_cell(builds[MIN_PERSONS])
    cells = expected_cells(expected)
    naive = {}
    for cell, (persons, jobs) in cells.items():
        baseline_jobs = cells.get(baseline_of(cell), (0, 0.0))[1]
        naive[cell] = {
            "is_suppressed": persons < MIN_PERSONS,
            "jobs": jobs,
            "baseline_jobs": baseline_jobs,
            "extra_jobs": jobs - baseline_jobs,
        }
    variables = sorted(rows, key=repr)
    matrix, _ = published_system(naive, builds[MIN_PERSONS]["fct_jobs"], variables)
    suppressed = [cell for cell in variables if naive[cell]["is_suppressed"]]
    assert determined(matrix, variables, suppressed)


def test_the_loan_row_is_the_government_loan_jobs_of_fct_jobs(builds, expected):
    marts = builds[MIN_PERSONS]
    government_loans = {
        row["measurement_year"]: row["jobs"]
        for row in marts["fct_jobs"]
        if row["sector"] == "government" and row["employment_form"] == "loan"
    }
    loan_rows = [row for row in marts["mart_government_subsectors"] if row["employment_form"] == "loan"]
    assert sorted(row["measurement_year"] for row in loan_rows) == sorted(expected["loans"])
    for row in loan_rows:
        year = row["measurement_year"]
        assert row["government_subsector"] is None and not row["is_suppressed"]
        assert row["jobs"] == pytest.approx(government_loans[year], rel=1e-12)
        assert row["persons"] == expected["loans"][year][0]
        assert row["baseline_jobs"] == pytest.approx(government_loans[BASELINE_YEAR], rel=1e-12)


def test_the_marts_build_empty_on_the_seed(built):
    with built.connect() as connection:
        for mart, columns in CONTRACT_COLUMNS.items():
            (rows,) = connection.execute(f"select count(*) from marts.{mart}").fetchone()
            found = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            assert rows == 0, mart
            assert found == columns, mart
