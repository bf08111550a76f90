"""The Great Expectations suite over the marts (banenafspraak validate, module validate_marts).

It passes on the warehouse of a build on the embedded seeds, writes Data Docs and leaves the
committed GX project unchanged; a copy of that warehouse altered in one way fails, naming the
expectation and the mart, for each family of expectations. Every run uses a copy of gx/ in a
temporary folder, so the tests write no validation results or Data Docs into the project.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, DbtRun

from banenafspraak import validate_marts

GX_DIR = PROJECT_DIR / "gx"


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a developer's warehouse nor a payroll folder (which turns the comparison off)."""
    monkeypatch.delenv("BANENAFSPRAAK_DB", raising=False)
    monkeypatch.delenv("BANENAFSPRAAK_PAYROLL_DIR", raising=False)


def copy_gx_project(destination: Path) -> Path:
    """A copy of the committed GX project (no uncommitted/) in `destination`/gx."""
    shutil.copytree(GX_DIR, destination / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    return destination


@pytest.fixture(scope="module")
def gx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_gx_project(tmp_path_factory.mktemp("gx_project"))


def validate(capsys: pytest.CaptureFixture[str], gx_root: Path, *args: str) -> tuple[int, str]:
    """Run validate_marts.main; its exit code and what it printed (stdout and stderr)."""
    code = validate_marts.main([*args, "--gx-project-root", str(gx_root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def tampered(warehouse: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the warehouse with `statements` applied to it."""
    copy = tmp_path / "tampered.duckdb"
    shutil.copyfile(warehouse, copy)
    connection = duckdb.connect(str(copy))
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()
    return copy


def failed_assets(output: str) -> set[str]:
    return {
        line.split(":")[0].removeprefix("FAILED ")
        for line in output.splitlines()
        if line.startswith("FAILED ")
    }


def test_the_suite_passes_on_the_built_warehouse_and_writes_data_docs(
    built: DbtRun, gx_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = validate(capsys, gx_root, "--warehouse", str(built.warehouse))

    assert code == 0, output
    assert "FAILED" not in output
    assert "expectations passed on 6 frames." in output
    site = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert output.strip().splitlines()[-1] == f"Data Docs: {site / 'index.html'}"
    assert (site / "index.html").is_file()
    for suite in (
        "fct_jobs",
        "mart_baseline_comparison",
        "mart_year_on_year",
        "mart_formal_loan_breakdown",
        "derived_totals_within_rounding",
        "derived_published_figures_comparison",
    ):
        assert (site / "expectations" / f"{suite}.html").is_file()
        assert list((site / "validations" / suite).rglob("*.html"))


def test_a_run_leaves_the_committed_gx_project_as_it_is(
    built: DbtRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The script writes its suites, validation definitions and checkpoints through GX on every
    # run; when they are unchanged, so must the committed files be (no new ids).
    root = copy_gx_project(tmp_path)

    code, output = validate(capsys, root, "--warehouse", str(built.warehouse), "--no-docs")

    assert code == 0, output
    committed = sorted(
        path.relative_to(GX_DIR)
        for path in GX_DIR.rglob("*")
        if path.is_file() and "uncommitted" not in path.relative_to(GX_DIR).parts
    )
    written = sorted(
        path.relative_to(root / "gx")
        for path in (root / "gx").rglob("*")
        if path.is_file() and "uncommitted" not in path.relative_to(root / "gx").parts
    )
    assert written == committed
    changed = [
        str(path) for path in committed if not filecmp.cmp(GX_DIR / path, root / "gx" / path, shallow=False)
    ]
    assert not changed, f"run the script and commit gx/: {changed}"


TAMPERINGS = {
    "a_year_deleted": (
        ["delete from marts.fct_jobs where measurement_year = 2016"],
        {"fct_jobs"},
        [
            "FAILED fct_jobs: expect_column_distinct_values_to_equal_set on column measurement_year",
            "missing [2016]",
            "FAILED fct_jobs: expect_table_row_count_to_equal on whole table",
            "observed 44, expected 48",
        ],
    ),
    "the_latest_year_missing_in_one_mart": (
        [
            "delete from marts.mart_year_on_year where measurement_year = "
            "(select max(measurement_year) from marts.mart_year_on_year)"
        ],
        {"mart_year_on_year"},
        [
            "FAILED mart_year_on_year: expect_column_distinct_values_to_equal_set on column measurement_year",
            "FAILED mart_year_on_year: expect_table_row_count_to_equal on whole table",
        ],
    ),
    "a_row_duplicated": (
        [
            "insert into marts.mart_formal_loan_breakdown select * from "
            "marts.mart_formal_loan_breakdown where measurement_year = 2020 and sector = 'market' "
            "and employment_form = 'loan'"
        ],
        {"mart_formal_loan_breakdown"},
        [
            "FAILED mart_formal_loan_breakdown: expect_compound_columns_to_be_unique on columns "
            "measurement_year, sector, employment_form",
            "(measurement_year=2020, sector=market, employment_form=loan)",
            "FAILED mart_formal_loan_breakdown: expect_table_row_count_to_equal",
        ],
    ),
    "a_sector_misspelt": (
        [
            "update marts.fct_jobs set sector = 'Market' where measurement_year = 2018 "
            "and sector = 'market' and employment_form = 'formal'"
        ],
        {"fct_jobs"},
        [
            "FAILED fct_jobs: expect_column_distinct_values_to_equal_set on column sector",
            "unexpected [Market]",
        ],
    ),
    "a_share_above_one": (
        [
            "update marts.mart_formal_loan_breakdown set share_of_sector_jobs = 1.5 "
            "where measurement_year = 2016 and sector = 'market' and employment_form = 'formal'"
        ],
        {"mart_formal_loan_breakdown"},
        [
            "FAILED mart_formal_loan_breakdown: expect_column_values_to_be_between on column "
            "share_of_sector_jobs",
            "1.5 at (measurement_year=2016, sector=market, employment_form=formal)",
        ],
    ),
    "a_loan_row_without_split_key": (
        [
            "update marts.fct_jobs set split_key_share = null where measurement_year = 2019 "
            "and sector = 'government' and employment_form = 'loan'"
        ],
        {"fct_jobs"},
        [
            "FAILED fct_jobs: expect_column_values_to_not_be_null on column split_key_share",
            "(measurement_year=2019, sector=government, employment_form=loan)",
        ],
    ),
    "an_integer_column_turned_fractional": (
        [
            "alter table marts.mart_year_on_year alter delta_rounded type double",
            "update marts.mart_year_on_year set delta_rounded = delta_rounded + 0.5 "
            "where measurement_year = 2014 and sector = 'market' and employment_form = 'formal'",
        ],
        {"mart_year_on_year"},
        [
            "FAILED mart_year_on_year: expect_column_values_to_be_in_type_list on column delta_rounded",
            "observed float64",
        ],
    ),
    "a_total_shifted_by_two_jobs": (
        [
            "update marts.mart_baseline_comparison set extra_jobs = extra_jobs + 2, "
            "extra_jobs_rounded = extra_jobs_rounded + 2 where measurement_year = 2019 "
            "and sector = 'total' and employment_form = 'loan'"
        ],
        {"derived_totals_within_rounding"},
        [
            "FAILED derived_totals_within_rounding: expect_column_values_to_be_between on column "
            "unrounded_difference",
            "FAILED derived_totals_within_rounding: expect_column_values_to_be_between on column "
            "rounded_difference",
            "mart=mart_baseline_comparison, metric=extra_jobs, measurement_year=2019, "
            "total_row=sector=total, employment_form=loan",
        ],
    ),
    "a_published_cell_off_by_one_job": (
        [
            "update marts.mart_baseline_comparison set extra_jobs_rounded = extra_jobs_rounded + 1 "
            "where measurement_year = 2022 and sector = 'market' and employment_form = 'formal'"
        ],
        {"derived_published_figures_comparison"},
        [
            "FAILED derived_published_figures_comparison: expect_column_values_to_be_between on "
            "column difference",
            "1 at (measurement_year=2022, sector=market, employment_form=formal, "
            "metric=extra_jobs, published_value=70388, reproduced_value=70389)",
        ],
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_warehouse_fails_naming_the_expectation(
    tampering: str,
    built: DbtRun,
    gx_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    statements, assets, messages = TAMPERINGS[tampering]
    warehouse = tampered(built.warehouse, tmp_path, *statements)

    code, output = validate(capsys, gx_root, "--warehouse", str(warehouse), "--no-docs")

    assert code == 1, output
    assert failed_assets(output) == assets, output
    for message in messages:
        assert message in output, output
    assert output.strip().splitlines()[-1] == "Data Docs: not built (--no-docs)."


def test_the_published_figures_are_compared_unless_switched_off(
    built: DbtRun,
    gx_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = tampered(
        built.warehouse,
        tmp_path,
        "update seeds.published_figures set value = value + 1 where measurement_year = 2022 "
        "and sector = 'total' and employment_form = 'total' and metric = 'yoy_delta'",
    )

    code, output = validate(capsys, gx_root, "--warehouse", str(warehouse), "--no-docs")
    assert code == 1
    assert failed_assets(output) == {"derived_published_figures_comparison"}
    assert "metric=yoy_delta, published_value=8309, reproduced_value=8308" in output

    code, output = validate(
        capsys, gx_root, "--warehouse", str(warehouse), "--no-docs", "--published-figures", "off"
    )
    assert code == 0, output
    assert "(published figures not compared)" in output

    # auto, as dbt's compare_published_figures: off when measuring person-level input.
    monkeypatch.setenv("BANENAFSPRAAK_PAYROLL_DIR", str(tmp_path))
    code, output = validate(capsys, gx_root, "--warehouse", str(warehouse), "--no-docs")
    assert code == 0, output


def test_a_missing_warehouse_says_to_run_dbt_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = validate(capsys, tmp_path, "--warehouse", str(tmp_path / "absent.duckdb"))

    assert code == 1
    assert "absent.duckdb does not exist: run dbt build first" in output
    assert not (tmp_path / "gx").exists()


def test_a_warehouse_without_marts_says_to_run_dbt_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "empty.duckdb"
    connection = duckdb.connect(str(warehouse))
    connection.execute("create table main.anything as select 1 as one")
    connection.close()

    code, output = validate(capsys, tmp_path, "--warehouse", str(warehouse))

    assert code == 1
    assert "has no schema marts: run dbt build first" in output
