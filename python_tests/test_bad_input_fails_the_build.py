"""The data tests can fail: altered seeds must stop `dbt build` at the test that names the problem.

Each case builds a throw-away copy of the project with one seed altered, and checks that the
build fails, that the expected test is among the failures, and that the marts downstream of it
were not built from the bad input.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import copy_project, read_csv, run_dbt, write_csv

Rows = list[dict[str, str]]


def shift_hours(year: str, relation_type: str, sector: str, hours: float) -> Callable[[Rows], Rows]:
    def alter(rows: Rows) -> Rows:
        for row in rows:
            if (row["measurement_year"], row["relation_type"], row["employer_sector"]) == (
                year, relation_type, sector
            ):
                row["paid_hours"] = f"{float(row['paid_hours']) + hours:.2f}"
        return rows

    return alter


def drop(**where: str) -> Callable[[Rows], Rows]:
    def alter(rows: Rows) -> Rows:
        return [row for row in rows if not all(row[k] == v for k, v in where.items())]

    return alter


def set_value(column: str, value: str, **where: str) -> Callable[[Rows], Rows]:
    def alter(rows: Rows) -> Rows:
        for row in rows:
            if all(row[k] == v for k, v in where.items()):
                row[column] = value
        return rows

    return alter


CASES = {
    # About one job more for the market in 2022: table 1 no longer matches the letter.
    "one_job_more_in_2022": (
        "december_hours", shift_hours("2022", "regular", "market", 120.0),
        "assert_marts_reproduce_published_figures",
    ),
    "split_key_missing_for_a_year_with_loans": (
        "split_keys", drop(measurement_year="2022"),
        "every_year_with_loan_hours_has_a_split_key",
    ),
    "split_key_shares_do_not_sum_to_one": (
        "split_keys", set_value("share", "0.761", measurement_year="2013", sector="market"),
        "shares_sum_to_one_stg_seeds__split_keys_share__measurement_year",
    ),
    "baseline_year_missing": (
        "december_hours", drop(measurement_year="2012"),
        "the_baseline_year_is_in_the_input",
    ),
    "loan_row_with_a_sector": (
        "december_hours",
        set_value("employer_sector", "market", measurement_year="2020", relation_type="temp_agency"),
        "december_hours_regular_rows_have_a_sector_and_loan_rows_none",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_altered_seed_fails_the_build_at_the_right_test(case, tmp_path):
    seed, alter, expected_failure = CASES[case]
    project = copy_project(tmp_path / "project")
    seed_path = project / "seeds" / f"{seed}.csv"
    write_csv(seed_path, alter(read_csv(seed_path)))

    run = run_dbt(project, tmp_path / "work", "build")

    assert run.returncode != 0, f"{case}: dbt build passed on bad input"
    assert expected_failure in run.failed_nodes(), (case, run.failed_nodes())
    statuses = run.statuses()
    assert statuses.get("mart_baseline_comparison") in (None, "skipped") or expected_failure == (
        "assert_marts_reproduce_published_figures"
    ), f"{case}: the marts were built from bad input"
