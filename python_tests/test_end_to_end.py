"""End to end: a full `dbt build` on the embedded data, then the letter read back from the marts."""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal

import duckdb
import pytest
from conftest import PROJECT_DIR, banenafspraak, run_dbt

LETTER_YEAR = 2022
CHECKED_STATUSES = {"published", "revised", "derived"}
FORMS = ("formal", "loan", "total")
SECTORS = ("market", "government", "total")


def figures(published_figures, **where) -> dict[tuple[str, str], int]:
    """Published figures matching `where`, keyed by (sector, employment_form)."""
    return {
        (row["sector"], row["employment_form"]): int(Decimal(row["value"]))
        for row in published_figures
        if row["status"] in CHECKED_STATUSES
        and all(str(row[key]) == str(value) for key, value in where.items())
    }


def test_build_runs_every_model_test_and_unit_test(built):
    results = built.run_results["results"]
    # Saved queries (semantic layer) and exposures have nothing to run: dbt reports them no-op.
    nothing_to_run = {
        r["unique_id"] for r in results if r["unique_id"].split(".")[0] in ("saved_query", "exposure")
    }
    assert all(r["status"] == "no-op" for r in results if r["unique_id"] in nothing_to_run)
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"] not in nothing_to_run}
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert built.statuses()["assert_marts_reproduce_published_figures"] == "pass"


def test_marts_live_in_schema_marts_with_the_contract_columns(built):
    contract_columns = {
        "fct_jobs": {"measurement_year", "sector", "employment_form", "paid_hours", "jobs"},
        "mart_baseline_comparison": {
            "measurement_year",
            "sector",
            "employment_form",
            "jobs",
            "baseline_jobs",
            "extra_jobs",
            "extra_jobs_rounded",
            "target_extra_jobs",
            "target_shortfall",
            "target_met",
        },
        "mart_year_on_year": {
            "measurement_year",
            "sector",
            "employment_form",
            "extra_jobs",
            "previous_extra_jobs",
            "delta",
            "delta_rounded",
        },
        "mart_formal_loan_breakdown": {
            "measurement_year",
            "sector",
            "employment_form",
            "jobs",
            "share_of_sector_jobs",
            "extra_jobs",
            "share_of_sector_extra_jobs",
            "split_key_share",
        },
        # Beyond the letter (docs/CONTRACT.md, section 3b).
        "mart_target_projection": {
            "sector",
            "year",
            "is_projection",
            "measured_extra_jobs",
            "trend_extra_jobs",
            "trend_extra_jobs_rounded",
            "target_extra_jobs",
            "gap_to_target",
            "last_measured_year",
            "trend_slope_per_year",
            "needed_extra_jobs_per_year",
            "needed_extra_jobs_per_year_rounded",
            "projection_label",
        },
        "mart_merged_measurement": {
            "measurement_year",
            "employment_form",
            "paid_hours",
            "jobs",
            "baseline_jobs",
            "extra_jobs",
            "extra_jobs_rounded",
            "target_extra_jobs",
            "target_shortfall",
            "target_met",
        },
        "mart_government_subsectors": {
            "measurement_year",
            "employment_form",
            "government_subsector",
            "persons",
            "jobs",
            "baseline_jobs",
            "extra_jobs",
            "extra_jobs_rounded",
            "is_suppressed",
            "suppression_reason",
        },
        "mart_regions": {
            "measurement_year",
            "labour_market_region",
            "sector",
            "persons",
            "jobs",
            "baseline_jobs",
            "extra_jobs",
            "extra_jobs_rounded",
            "is_suppressed",
            "suppression_reason",
        },
        "mart_quota_percentages": {
            "quota_year",
            "sector",
            "baseline_jobs_a",
            "counted_extra_jobs_b",
            "employee_hours",
            "quota_percentage",
            "published_quota_percentage",
            "reproduces_published",
            "implied_employee_hours_min",
            "implied_employee_hours_max",
            "is_activated",
            "input_status",
            "liable_employers",
            "levy_eur",
            "what_if_levy_eur",
        },
        "mart_quota_levy": {
            "quota_year",
            "employer_id",
            "sector",
            "total_paid_hours",
            "is_quota_liable",
            "target_group_paid_hours",
            "quota_percentage",
            "required_jobs",
            "counted_jobs",
            "shortfall_jobs",
            "levy_eur",
            "what_if_levy_eur",
            "input_status",
        },
    }
    with built.connect() as connection:
        for table, expected in contract_columns.items():
            rows = connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [table],
            ).fetchall()
            assert expected <= {name for (name,) in rows}, table


def test_table_1_of_the_letter_is_reproduced(built, published_figures):
    expected = figures(published_figures, measurement_year=LETTER_YEAR, metric="extra_jobs")
    assert len(expected) == 9, "the seed should hold all nine cells of table 1"
    with built.connect() as connection:
        rows = connection.execute(
            "select sector, employment_form, extra_jobs_rounded from marts.mart_baseline_comparison "
            "where measurement_year = ?",
            [LETTER_YEAR],
        ).fetchall()
    assert {(sector, form): value for sector, form, value in rows} == expected


def test_the_seven_year_on_year_figures_of_the_letter(built, published_figures):
    expected = figures(published_figures, measurement_year=LETTER_YEAR, metric="yoy_delta")
    assert len(expected) == 7
    with built.connect() as connection:
        rows = connection.execute(
            "select sector, employment_form, delta_rounded from marts.mart_year_on_year "
            "where measurement_year = ?",
            [LETTER_YEAR],
        ).fetchall()
    reproduced = {(sector, form): value for sector, form, value in rows}
    assert {key: reproduced[key] for key in expected} == expected


def test_every_published_figure_is_reproduced(built, published_figures):
    """All published, revised and derived figures, read from the marts here in Python."""
    queries = {
        "extra_jobs": "select extra_jobs_rounded from marts.mart_baseline_comparison",
        "jobs": "select jobs_rounded from marts.mart_baseline_comparison",
        "yoy_delta": "select delta_rounded from marts.mart_year_on_year",
        "split_key_share": "select split_key_share from marts.mart_formal_loan_breakdown",
    }
    where = " where measurement_year = ? and sector = ? and employment_form = ?"
    checked = [row for row in published_figures if row["status"] in CHECKED_STATUSES]
    mismatches = []
    with built.connect() as connection:
        measured = {
            year
            for (year,) in connection.execute(
                "select distinct measurement_year from marts.fct_jobs"
            ).fetchall()
        }
        for row in checked:
            year = int(row["measurement_year"])
            if row["metric"] == "target_extra_jobs":
                if year in measured:
                    sql = "select target_extra_jobs from marts.mart_baseline_comparison" + where
                    params = [year, row["sector"], "total"]
                else:
                    sql = (
                        "select target_extra_jobs from seeds.targets"
                        " where measurement_year = ? and sector = ?"
                    )
                    params = [year, row["sector"]]
            else:
                sql = queries[row["metric"]] + where
                params = [year, row["sector"], row["employment_form"]]
            found = connection.execute(sql, params).fetchall()
            value = None if len(found) != 1 else found[0][0]
            if value is None or Decimal(str(value)) != Decimal(row["value"]):
                mismatches.append((row, value))
    assert not mismatches, mismatches
    assert len(checked) >= 81


def print_letter(built, year: int) -> str:
    """What the main command prints for `year`, from the test's warehouse."""
    completed = subprocess.run(
        [
            *banenafspraak("run"),
            "--skip-build",
            "--year",
            str(year),
        ],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "BANENAFSPRAAK_DB": str(built.warehouse),
            "DBT_TARGET_PATH": str(built.target_dir),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def test_the_main_command_prints_table_1_as_the_letter_does(built, published_figures):
    """The runner's printout, read as a person would: the figures in the order of the letter."""
    printed = print_letter(built, LETTER_YEAR)
    expected = figures(published_figures, measurement_year=LETTER_YEAR, metric="extra_jobs")
    lines = printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Tabel 1"))
    for label, form in [
        ("Formele dienstverbanden", "formal"),
        ("Inleenverbanden", "loan"),
        ("Totaal", "total"),
    ]:
        line = next(line for line in lines[header:] if line.startswith(label))
        numbers = [int(n.replace(".", "")) for n in re.findall(r"-?\d[\d.]*", line)]
        assert numbers == [expected[(sector, form)] for sector in SECTORS], line
    assert "gepubliceerd" in printed


@pytest.mark.parametrize("year", [2015, 2023])
def test_table_1_prints_for_any_measured_year(built, year):
    assert f"Tabel 1: resultaten eind {year}" in print_letter(built, year)


def test_the_letter_selector_builds_the_letter_and_nothing_beyond(tmp_path):
    """`dbt build --selector letter` (selectors.yml): the four marts of the letter and what they
    are built from; none of the marts beyond the letter, no semantic model."""
    listed = run_dbt(
        PROJECT_DIR,
        tmp_path,
        "ls",
        "--selector",
        "letter",
        "--resource-type",
        "model",
        "--output",
        "name",
        "--quiet",
    )
    assert listed.returncode == 0, listed.output[-3000:]
    names = set(listed.output.split())
    assert {
        "fct_jobs",
        "mart_baseline_comparison",
        "mart_year_on_year",
        "mart_formal_loan_breakdown",
        "audit_rejected_rows",
    } <= names
    assert not {
        name
        for name in names
        if name.startswith("sem_")
        or name
        in (
            "mart_target_projection",
            "mart_merged_measurement",
            "mart_government_subsectors",
            "mart_regions",
            "mart_quota_percentages",
            "mart_quota_levy",
        )
    }, names


PAYROLL_MODELS = (
    "stg_payroll__payroll_lines",
    "stg_payroll__target_group_register",
    "stg_payroll__employers",
    "int_payroll_lines_by_file_and_year",
    "int_payroll_lines_classified",
    "int_payroll_employer_year_hours",
    "int_payroll_rows_rejected",
)


def test_one_graph_the_payroll_models_are_built_empty_on_the_seed(built):
    """One graph: without a payroll folder the person-level models are built all the same, from
    empty relations, and the measurement reads the seed (macro measurement_input)."""
    statuses = built.statuses()
    assert {name: statuses.get(name) for name in PAYROLL_MODELS} == dict.fromkeys(PAYROLL_MODELS, "success")
    with built.connect() as connection:
        for name in PAYROLL_MODELS:
            schema = "staging" if name.startswith("stg_") else "intermediate"
            assert connection.execute(f"select count(*) from {schema}.{name}").fetchone() == (0,), name
        seed_hours = connection.execute(
            "select sum(paid_hours) from staging.stg_seeds__december_hours where employment_form is not null"
        ).fetchone()
        measured_hours = connection.execute(
            "select sum(paid_hours) from intermediate.int_december_hours_aggregated"
        ).fetchone()
    assert seed_hours == measured_hours and seed_hours[0] > 0


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("person_level", "var measurement_input is person_level, but BANENAFSPRAAK_PAYROLL_DIR is not set"),
        ("survey", "var measurement_input is 'survey': use aggregated"),
    ],
)
def test_measurement_input_refuses_what_it_cannot_measure(chosen, message, tmp_path):
    run = run_dbt(
        PROJECT_DIR,
        tmp_path,
        "compile",
        "--select",
        "int_december_hours_aggregated",
        "--vars",
        f"{{measurement_input: {chosen}}}",
    )
    assert run.returncode != 0
    assert message in " ".join(run.output.split()), run.output[-3000:]


def test_the_marts_tests_refuse_a_missing_cell_negative_jobs_a_stray_share_and_a_missing_target(
    built, tmp_path
):
    """The dbt tests that guard what Great Expectations no longer re-tests: on a copy of the
    built warehouse with one cell deleted, negative jobs with a split key share on a formal row,
    and a target removed, each fails; on the built warehouse each passes (its status in the
    build)."""
    import shutil

    guards = {
        "fct_jobs_has_every_cell_of_every_year",
        "expression_is_true_fct_jobs_jobs__jobs_0",
        "split_key_share_only_on_loan_rows_and_within_0_and_1",
        "every_total_row_has_a_target_from_the_first_target_year",
    }
    assert {name: built.statuses()[name] for name in guards} == dict.fromkeys(guards, "pass")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(built.warehouse, work / "warehouse.duckdb")
    with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
        connection.execute(
            "delete from marts.fct_jobs "
            "where measurement_year = 2016 and sector = 'market' and employment_form = 'loan'"
        )
        connection.execute(
            "update marts.fct_jobs set jobs = -1, split_key_share = 0.5 "
            "where measurement_year = 2017 and employment_form = 'formal'"
        )
        connection.execute(
            "update marts.mart_baseline_comparison set target_extra_jobs = null "
            "where measurement_year = 2018 and employment_form = 'total' and sector = 'market'"
        )
    run = run_dbt(PROJECT_DIR, work, "test", "--select", *sorted(guards))
    assert run.returncode != 0
    assert run.failed_nodes() == guards, run.output[-3000:]
