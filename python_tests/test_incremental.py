"""Incremental payroll builds give the same marts as a full refresh, and redo only what changed.

The hand-made population of test_person_level_rules, written as one payroll file per year the
way a national extract arrives, so that each step adds or corrects files.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import PROJECT_DIR, run_dbt
from payroll_files import write_dataset
from test_person_level_rules import EMPLOYERS, JOB, LINES, REGISTER

TABLES = (
    "marts.fct_jobs",
    "marts.mart_baseline_comparison",
    "marts.mart_year_on_year",
    "marts.mart_formal_loan_breakdown",
    # The breakdowns below sector level read the (incremental) classification's counted lines.
    "marts.mart_government_subsectors",
    "marts.mart_regions",
    "intermediate.int_payroll_lines_classified",
    "intermediate.int_payroll_hours_reconciled",
)


# Seeds and models only: a reference build for a comparison.
WITHOUT_TESTS = ("--exclude-resource-type", "test", "unit_test")


def snapshot(run) -> dict[str, list[tuple]]:
    with run.connect() as connection:
        return {
            table: sorted(connection.execute(f"select * from {table}").fetchall(), key=repr)
            for table in TABLES
        }


def lines_of(year: int) -> list[tuple]:
    return [line for line in LINES if line[3].year == year]


def full_build(tmp_path, name, folder):
    """The reference: the compared models and the seeds and models they are built from, built
    from scratch without tests (the tests ran in the incremental builds compared with it)."""
    selected = [f"+{table.split('.')[1]}" for table in TABLES]
    run = run_dbt(
        PROJECT_DIR, tmp_path / name, "build", "--select", *selected, *WITHOUT_TESTS, payroll_dir=folder
    )
    assert run.returncode == 0, run.output[-4000:]
    return snapshot(run)


def test_new_year_new_month_and_a_corrected_year(tmp_path):
    folder = tmp_path / "input"
    write_dataset(folder, "target_group_register", REGISTER)
    write_dataset(folder, "employers", EMPLOYERS)
    write_dataset(folder, "payroll_lines", lines_of(2012), file_name="payroll_lines_2012")
    work = tmp_path / "incremental"

    first = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert first.returncode == 0, first.output[-4000:]

    # A new measurement year (and a January line of the year after).
    write_dataset(folder, "payroll_lines", lines_of(2013) + lines_of(2014), file_name="payroll_lines_2013")
    second = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert second.returncode == 0, second.output[-4000:]
    assert snapshot(second) == full_build(tmp_path, "full_1", folder)

    # A new payroll month of the latest year: a December 2014 line arrives.
    write_dataset(
        folder,
        "payroll_lines",
        [("P001", "E003", date(2014, 12, 1), date(2014, 12, 31), "temp_agency", JOB)],
        file_name="payroll_lines_2014_12",
    )
    write_dataset(
        folder, "employers", EMPLOYERS + [(e, 2014, *rest) for (e, year, *rest) in EMPLOYERS if year == 2013]
    )
    third = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert third.returncode == 0, third.output[-4000:]
    assert snapshot(third) == full_build(tmp_path, "full_2", folder)

    # An unchanged redelivery: no year is rebuilt, and the marts stay as they were.
    unchanged = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert unchanged.returncode == 0, unchanged.output[-4000:]
    assert "no measurement year changed since it was built; no year is rebuilt" in (unchanged.output)
    assert_processes_no_year(unchanged)
    assert snapshot(unchanged) == snapshot(third)

    # A correction of 2012, an earlier year than the latest: picked up by a plain build, said
    # so, and then equal to a full refresh.
    corrected = [line[:5] + (line[5] + JOB,) if line[0] == "P001" else line for line in lines_of(2012)]
    write_dataset(folder, "payroll_lines", corrected, file_name="payroll_lines_2012")
    refused = run_dbt(PROJECT_DIR, work, "build", "--vars", "{on_revised_input: refuse}", payroll_dir=folder)
    assert refused.returncode != 0
    assert (
        "The input of measurement year 2012 changed since it was built, and var "
        "on_revised_input is refuse: nothing was rebuilt"
    ) in " ".join(refused.output.split())
    assert snapshot(refused)["marts.fct_jobs"] == snapshot(third)["marts.fct_jobs"]

    revised = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert revised.returncode == 0, revised.output[-4000:]
    hours_before = sum(line[5] for line in lines_of(2012)).quantize(Decimal("0.01"))
    hours_after = sum(line[5] for line in corrected).quantize(Decimal("0.01"))
    assert (
        "2012: payroll_lines changed (same number of lines, other contents; paid hours "
        f"{hours_before} -> {hours_after}; in payroll_lines_2012.parquet)"
    ) in revised.output
    after = snapshot(revised)
    assert after == full_build(tmp_path, "full_3", folder)
    assert Decimal(5) * JOB in [row[3] for row in after["intermediate.int_payroll_hours_reconciled"]]

    # A year no longer delivered: its rows go, as in a full refresh.
    (folder / "payroll_lines_2013.parquet").unlink()
    removed = run_dbt(PROJECT_DIR, work, "build", payroll_dir=folder)
    assert removed.returncode == 0, removed.output[-4000:]
    assert "2013: no longer delivered" in removed.output
    assert snapshot(removed) == full_build(tmp_path, "full_4", folder)

    # rebuild_years still rebuilds a year that did not change.
    asked = run_dbt(PROJECT_DIR, work, "build", "--vars", "{rebuild_years: [2012]}", payroll_dir=folder)
    assert asked.returncode == 0, asked.output[-4000:]
    assert "2012: asked for (var rebuild_years)" in asked.output
    assert snapshot(asked) == snapshot(removed)


def assert_processes_no_year(run) -> None:
    """The classification's compiled filter reads only the lines without a period end."""
    compiled = next((run.target_dir / "run").rglob("int_payroll_lines_classified.sql")).read_text()
    assert "cast('20" not in compiled.split("repeated_line_hashes")[0], compiled[:3000]
