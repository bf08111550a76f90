"""The person-level path on a small hand-made population whose outcome follows from the rules.

Each person exercises one rule of CONTRACT section 2; the expected jobs and reconciliation are
worked out by hand below from those rules (110.92 hours = one December job).
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

import pytest
from conftest import PROJECT_DIR, read_csv, run_dbt
from payroll_files import write_dataset

JOB = Decimal("110.92")
OPEN = None

EMPLOYERS = [
    (employer, year, sector, subsector, "medium", "Groot Amsterdam", Decimal("100000"))
    for year in (2012, 2013)
    for employer, sector, subsector in [
        ("E001", "market", None),
        ("E002", "government", "gemeenten"),
        ("E003", "market", None),
        ("E004", "government", "gemeenten"),
    ]
]

REGISTER = [
    ("P001", "wajong", date(2010, 1, 1), OPEN),
    ("P002", "wsw", date(2010, 1, 1), date(2013, 6, 30)),  # left before 31 Dec 2013
    ("P003", "indicatie", date(2013, 12, 31), OPEN),  # registered on 31 Dec 2013 itself
    ("P004", "wsw", date(2008, 5, 1), OPEN),
    ("P005", "participatiewet", date(2012, 3, 1), OPEN),
    ("P006", "wajong", date(2010, 1, 1), OPEN),  # two overlapping registrations
    ("P006", "indicatie", date(2012, 1, 1), OPEN),
]


def line(person, employer, start, end, relation, jobs):
    return (person, employer, start, end, relation, JOB * Decimal(jobs))


DEC_2012 = (date(2012, 12, 1), date(2012, 12, 31))
DEC_2013 = (date(2013, 12, 1), date(2013, 12, 31))
LINES = [
    line("P001", "E001", *DEC_2012, "regular", 2),  # 2 formal market jobs
    line("P001", "E001", *DEC_2013, "regular", 3),  # 3
    line("P002", "E002", *DEC_2012, "regular", 1),  # 1 formal government job
    line("P002", "E002", *DEC_2013, "regular", 1),  # not in register 31-12-2013
    line("P003", "E001", *DEC_2012, "regular", 1),  # not in register 31-12-2012
    line("P003", "E003", *DEC_2013, "temp_agency", 4),  # 4 loan jobs
    line("P004", "E002", *DEC_2012, "sheltered_internal", Decimal("4.5")),  # never counts
    line("P004", "E004", *DEC_2012, "sheltered_secondment", 1),  # 1 loan job
    line("P004", "E001", date(2012, 11, 1), date(2012, 11, 30), "regular", 1),  # November
    line("P005", "E001", date(2013, 12, 2), date(2013, 12, 29), "regular", 1),  # four weeks, ends Dec
    line("P005", "E001", date(2013, 12, 30), date(2014, 1, 26), "regular", 1),  # ends January 2014
    line("P006", "E001", *DEC_2013, "regular", 1),  # counted once, not twice
]

EXPECTED_JOBS = {  # (year, sector, form): jobs before the loan split
    (2012, "market", "formal"): 2,
    (2012, "government", "formal"): 1,
    (2012, "loan"): 1,
    (2013, "market", "formal"): 5,
    (2013, "government", "formal"): 0,
    (2013, "loan"): 4,
}
EXPECTED_RECONCILIATION = {  # year: (input, counted, not in register, sheltered internal) in jobs
    2012: (Decimal("9.5"), 4, 1, Decimal("4.5")),
    2013: (10, 9, 1, 0),
}


def write_population(folder, fmt="parquet", lines=LINES, employers=EMPLOYERS):
    write_dataset(folder, "payroll_lines", lines, fmt)
    write_dataset(folder, "target_group_register", REGISTER, fmt)
    write_dataset(folder, "employers", employers, fmt)


@pytest.fixture(scope="module", params=["parquet", "csv"])
def person_level_build(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"payroll_{request.param}")
    write_population(folder / "input", request.param)
    run = run_dbt(
        PROJECT_DIR, folder / "work", "build", payroll_dir=folder / "input", payroll_format=request.param
    )
    assert run.returncode == 0, run.output[-5000:]
    return run


def split_keys() -> dict[tuple[int, str], Decimal]:
    return {
        (int(row["measurement_year"]), row["sector"]): Decimal(row["share"])
        for row in read_csv(PROJECT_DIR / "seeds" / "split_keys.csv")
    }


def test_jobs_follow_the_rules(person_level_build):
    keys = split_keys()
    expected = {}
    for key, jobs in EXPECTED_JOBS.items():
        if key[-1] == "loan":
            for sector in ("market", "government"):
                expected[(key[0], sector, "loan")] = jobs * keys[(key[0], sector)]
        else:
            expected[key] = Decimal(jobs)
    with person_level_build.connect() as connection:
        rows = connection.execute(
            "select measurement_year, sector, employment_form, jobs from marts.fct_jobs"
        ).fetchall()
    reproduced = {(year, sector, form): jobs for year, sector, form, jobs in rows}
    assert reproduced.keys() == expected.keys()
    for key, jobs in expected.items():
        assert reproduced[key] == pytest.approx(float(jobs), abs=1e-9), key


def test_december_hours_reconcile_by_rule(person_level_build):
    with person_level_build.connect() as connection:
        rows = connection.execute(
            "select measurement_year, input_hours, counted_hours, excluded_not_in_register_hours, "
            "excluded_sheltered_internal_hours, rejected_hours, unexplained_hours "
            "from intermediate.int_payroll_hours_reconciled order by 1"
        ).fetchall()
    reconciled = {row[0]: row[1:] for row in rows}
    assert reconciled == {
        year: tuple(JOB * Decimal(jobs) for jobs in figures) + (Decimal(0), Decimal(0))
        for year, figures in EXPECTED_RECONCILIATION.items()
    }


def test_every_line_is_in_exactly_one_place(person_level_build):
    with person_level_build.connect() as connection:
        outcome = dict(
            connection.execute(
                "select coalesce(reason, outcome), sum(n_lines)"
                " from intermediate.int_payroll_lines_classified "
                "group by 1"
            ).fetchall()
        )
    assert outcome == {
        "counted": 7,
        "not_in_register": 2,
        "sheltered_internal": 1,
        "outside_reference_month": 2,
    }
    assert sum(outcome.values()) == len(LINES)


def test_a_full_build_reads_the_payroll_lines_in_the_counted_places_only(person_level_build):
    """bench/payroll_reads.py counts the scans of the payroll-lines files in a full build's plans
    (the figure in the README): only the classification, the narrow scan for the fingerprints
    and the reconciliation, and the quota levy's employer hours read them, five scans in all; a
    new model that reads the lines again fails this. CSV files are not Parquet scans: counted
    on the Parquet build only."""
    if "payroll_parquet" not in person_level_build.warehouse.parent.parent.name:
        pytest.skip("the scans are counted on the Parquet build")
    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    try:
        from payroll_reads import payroll_reads
    finally:
        sys.path.pop(0)
    reads = payroll_reads(person_level_build.warehouse, person_level_build.target_dir)
    assert {name: len(scans) for name, scans in reads.items()} == {
        "int_payroll_lines_by_file_and_year": 1,
        "int_payroll_lines_classified": 3,
        "int_payroll_employer_year_hours": 1,
    }


def test_published_figures_are_not_compared_for_another_population(person_level_build):
    assert "assert_marts_reproduce_published_figures" not in person_level_build.statuses()


def test_the_var_turns_the_published_comparison_on(tmp_path):
    write_population(tmp_path / "input")
    run = run_dbt(
        PROJECT_DIR,
        tmp_path / "work",
        "build",
        "--vars",
        "{compare_published_figures: true}",
        payroll_dir=tmp_path / "input",
    )
    assert run.returncode != 0
    assert "assert_marts_reproduce_published_figures" in run.failed_nodes()


def test_a_regular_line_without_employer_sector_is_rejected_and_fails_the_build(tmp_path):
    employers = [row for row in EMPLOYERS if not (row[0] == "E001" and row[1] == 2013)]
    write_population(tmp_path / "input", employers=employers)
    run = run_dbt(PROJECT_DIR, tmp_path / "work", "build", payroll_dir=tmp_path / "input")
    assert run.returncode != 0
    assert "no_input_row_is_rejected" in run.failed_nodes()
    with run.connect() as connection:
        rejected = connection.execute(
            "select reason, sum(n_lines) from intermediate.int_payroll_lines_classified "
            "where outcome = 'rejected' group by 1"
        ).fetchall()
    assert rejected == [("employer_without_sector", 3)]


@pytest.mark.parametrize("person_id, rejected", [("111222333", True), ("123456789", False)])
def test_an_id_that_passes_the_bsn_11_test_is_rejected(person_id, rejected, tmp_path):
    """Only pseudonymous ids: nine digits passing the 11-test look like a BSN.

    111222333: 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 - 3 = 66, divisible by 11.
    123456789: 9 + 16 + 21 + 24 + 25 + 24 + 21 + 16 - 9 = 147, not divisible by 11.
    """
    lines = LINES + [line(person_id, "E001", *DEC_2013, "regular", 1)]
    write_population(tmp_path / "input", lines=lines)
    run = run_dbt(PROJECT_DIR, tmp_path / "work", "build", payroll_dir=tmp_path / "input")
    assert (run.returncode != 0) == rejected, run.output[-3000:]
    with run.connect() as connection:
        reasons = dict(
            connection.execute(
                "select reason, sum(n_lines) from intermediate.int_payroll_lines_classified "
                "where outcome = 'rejected' group by 1"
            ).fetchall()
        )
    assert reasons == ({"identifier_looks_like_a_bsn": 1} if rejected else {})
